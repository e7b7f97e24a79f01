"""Court referrals as the police hold them (移送案件), from arrival to the filing decision.

awaiting_registration ─受案登记─▶ registered ─investigator proposes─▶ decision_proposed ─head approves─▶ filed
        │                            ▲                                    │ (立案, or 不予立案 → declined
        │                            └──────── head sends it back ────────┘   ─通知书 served─▶ decline_served)
        └──── withdrawn by the court (before a decision) ─▶ withdrawn

A procuratorate's 通知立案书 (立案监督) files the referral from any state but filed or withdrawn.

Filing and declining are decided by the bureau's head (MPS Rules Art. 178: 经县级以上公安机关负责人批准): an
investigator proposes, a head approves; the decision takes effect, and is dated, at the approval.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from liandong.documents import kinds
from liandong.errors import Conflict, DomainError
from liandong.timing import check_act_time
from liandong_police.domain import events

SHANGHAI = ZoneInfo("Asia/Shanghai")
CASE_NUMBER = re.compile(r"^.{1,40}〔\d{4}〕\d{1,6}号$")


class ReferralStatus(StrEnum):
    AWAITING_REGISTRATION = "awaiting_registration"
    REGISTERED = "registered"
    DECISION_PROPOSED = "decision_proposed"  # 呈请立案 / 呈请不予立案, awaiting the head's approval
    FILED = "filed"
    DECLINED = "declined"  # 不予立案 decided; the notice to the court is still to be served
    DECLINE_SERVED = "decline_served"
    WITHDRAWN = "withdrawn"


def check_case_number(number: str) -> None:
    if not CASE_NUMBER.match(number):
        raise DomainError(f"{number!r} is not a case number like 通公(经)立字〔2025〕123号", code="invalid_case_number")


def receipt_number(unit: str, year: int, sequence: int) -> str:
    """受案回执 number in the bureau's register, the receipt's own, e.g. 通城公（刑）受字〔2026〕12号."""
    return kinds.number(kinds.POLICE_RECEIPT, unit, year, sequence)


def case_number(unit: str, year: int, sequence: int) -> str:
    """立案 number when the investigator does not give the bureau's own — the 立案决定书's, e.g.
    通城公（刑）立字〔2026〕3号."""
    return kinds.number(kinds.POLICE_FILING_DECISION, unit, year, sequence)


class Referral:
    """A referral from the court, waiting in the bureau's inbox until an investigator registers and decides it."""

    events: list[Any]

    @property
    def matter_id(self) -> str:
        """The matter (correlation id) this record belongs to: events of another matter may not touch it."""
        return self.lead_id

    def __init__(
        self,
        *,
        id: str,
        lead_id: str,
        letter_number: str,
        court_code: str,
        court_unit: str,
        police_unit: str,
        enforcement_case_number: str,
        enforcement_summary: str,
        amount_owed: Decimal,
        amount_paid: Decimal,
        suspects: list[dict[str, Any]],
        evidence: list[dict[str, Any]],
        submitted_at: datetime,
        arrived_at: datetime,
        particulars: dict[str, Any] | None = None,
    ) -> None:
        self.id = id
        self.lead_id = lead_id
        self.letter_number = letter_number
        self.court_code = court_code
        self.court_unit = court_unit
        self.police_unit = police_unit
        self.enforcement_case_number = enforcement_case_number
        self.enforcement_summary = enforcement_summary
        self.amount_owed = amount_owed
        self.amount_paid = amount_paid
        self.suspects = suspects
        self.evidence = evidence
        self.submitted_at = submitted_at
        self.arrived_at = arrived_at
        self.particulars = particulars  # 执行依据, creditor, 告知书, coercive measures, reasons for missing evidence
        self.status = ReferralStatus.AWAITING_REGISTRATION
        self.registered_at: datetime | None = None
        self.registered_by: str | None = None
        self.receipt_number: str | None = None
        self.case_id: str | None = None
        self.case_number: str | None = None
        self.filed_at: datetime | None = None
        self.filed_by: str | None = None
        self.filed_suspects: list[dict[str, Any]] | None = None
        self.decline_reasons: str | None = None
        self.declined_at: datetime | None = None
        self.declined_by: str | None = None
        self.decline_served_at: datetime | None = None
        self.extended_window_days: int | None = None
        self.extension_approver: str | None = None
        self.extension_reason: str | None = None
        self.withdrawn_at: datetime | None = None
        self.withdraw_reason: str | None = None
        self.performance: dict[str, Any] | None = None
        self.proposal: dict[str, Any] | None = None
        self.proposed_by: str | None = None
        self.proposed_at: datetime | None = None
        self.proposal_returned_note: str | None = None
        self.events = []

    def register(self, *, by: str, at: datetime, sequence: int) -> None:
        """受案登记: register the referral and issue the receipt the court is waiting for."""
        if self.status is not ReferralStatus.AWAITING_REGISTRATION:
            raise Conflict(
                f"referral {self.id} is {self.status.value}; only a new referral is registered",
                code="already_registered",
            )
        self.status = ReferralStatus.REGISTERED
        self.registered_at = at
        self.registered_by = by
        self.receipt_number = receipt_number(self.police_unit, at.astimezone(SHANGHAI).year, sequence)
        self.events.append(
            events.ReferralRegistered(
                referral_id=self.id,
                lead_id=self.lead_id,
                police_unit=self.police_unit,
                receipt_number=self.receipt_number,
                registered_by=by,
                occurred_at=at,
            )
        )

    def _undecided(self) -> None:
        if self.status is ReferralStatus.AWAITING_REGISTRATION:
            raise Conflict(f"referral {self.id} is not registered yet", code="not_registered")
        if self.status not in (ReferralStatus.REGISTERED, ReferralStatus.DECISION_PROPOSED):
            raise Conflict(f"referral {self.id} is already {self.status.value}", code="already_decided")

    def propose(self, proposal: dict[str, Any], *, by: str, at: datetime) -> None:
        """呈请: an investigator proposes to file (number, suspects) or to decline (reasons), for the head to decide."""
        if self.status is ReferralStatus.DECISION_PROPOSED:
            raise Conflict(f"referral {self.id} already has a proposal awaiting approval", code="proposal_pending")
        self._undecided()
        if proposal["decision"] == "file" and proposal.get("case_number") is not None:
            check_case_number(proposal["case_number"])
        if proposal["decision"] == "decline" and not str(proposal.get("reasons") or "").strip():
            raise DomainError("a decline gives its reasons", code="reasons_required")
        self.status = ReferralStatus.DECISION_PROPOSED
        self.proposal, self.proposed_by, self.proposed_at = proposal, by, at
        self.proposal_returned_note = None

    def pending_proposal(self, approver: str) -> dict[str, Any]:
        """The proposal a head is about to approve (not their own)."""
        if self.status is not ReferralStatus.DECISION_PROPOSED or self.proposal is None:
            raise Conflict(f"referral {self.id} has no proposal awaiting approval", code="no_proposal")
        if approver == self.proposed_by:
            raise DomainError("a proposal is approved by someone other than its proposer", code="own_proposal")
        return self.proposal

    def return_proposal(self, *, note: str, by: str) -> None:
        """The head sends the proposal back; the referral is undecided again."""
        self.pending_proposal(by)
        if not note.strip():
            raise DomainError("a returned proposal says why", code="reason_required")
        self.status = ReferralStatus.REGISTERED
        self.proposal = None
        self.proposal_returned_note = f"{by}: {note}"

    def file(
        self,
        *,
        case_id: str,
        number: str,
        suspects: list[dict[str, Any]],
        by: str,
        at: datetime,
        on_notice: bool = False,
    ) -> None:
        """立案; on the procuratorate's 通知立案书 (`on_notice`) from any state but filed or withdrawn — after a
        decline, or a silence (even unregistered)."""
        if not on_notice:
            self._undecided()
        elif self.status in (ReferralStatus.FILED, ReferralStatus.WITHDRAWN):
            raise Conflict(f"referral {self.id} is {self.status.value}", code=f"already_{self.status.value}")
        check_case_number(number)
        if not suspects:
            raise DomainError("a filed case names its suspects", code="no_suspects")
        self.status = ReferralStatus.FILED
        self.case_id = case_id
        self.case_number = number
        self.filed_at = at
        self.filed_by = by
        self.filed_suspects = suspects
        self.events.append(
            events.CaseFiled(
                referral_id=self.id,
                lead_id=self.lead_id,
                case_id=case_id,
                case_number=number,
                police_unit=self.police_unit,
                suspects=tuple(suspects),
                filed_by=by,
                occurred_at=at,
            )
        )

    def decline(self, *, reasons: str, by: str, at: datetime) -> None:
        """不予立案 decided; the notice to the court follows (its own window)."""
        self._undecided()
        if not reasons.strip():
            raise DomainError("a decline gives its reasons", code="reasons_required")
        self.status = ReferralStatus.DECLINED
        self.decline_reasons = reasons
        self.declined_at = at
        self.declined_by = by

    def serve_decline(self, *, at: datetime, now: datetime) -> None:
        """不予立案通知书 served on the court: not before the decline, not in the future."""
        if self.status is not ReferralStatus.DECLINED:
            raise Conflict(
                f"referral {self.id} is {self.status.value}; there is no decline to serve", code="no_decline_to_serve"
            )
        assert self.decline_reasons is not None
        assert self.declined_at is not None
        check_act_time(at, now=now, not_before=self.declined_at, what="the notice's service", follows="the decline")
        assert self.declined_by is not None
        self.status = ReferralStatus.DECLINE_SERVED
        self.decline_served_at = at
        self.events.append(
            events.DeclineServed(
                referral_id=self.id,
                lead_id=self.lead_id,
                police_unit=self.police_unit,
                reasons=self.decline_reasons,
                decided_at=self.declined_at,
                decided_by=self.declined_by,
                occurred_at=at,
            )
        )

    def extend(self, *, window_days: int, due_at: datetime, approver: str, reason: str, at: datetime) -> None:
        """Extend the filing window (重大、复杂), approved by a supervisor."""
        self._undecided()
        if self.extended_window_days is not None:
            raise Conflict(f"the filing window of {self.id} is already extended", code="already_extended")
        self.extended_window_days = window_days
        self.extension_approver = approver
        self.extension_reason = reason
        self.events.append(
            events.FilingExtended(
                referral_id=self.id,
                lead_id=self.lead_id,
                police_unit=self.police_unit,
                window_days=window_days,
                due_at=due_at,
                approver=approver,
                reason=reason,
                occurred_at=at,
            )
        )

    def withdrawn_by_court(self, *, reason: str, at: datetime) -> bool:
        """The court took the referral back. False when the police had already decided (a stale withdrawal)."""
        if self.status not in (
            ReferralStatus.AWAITING_REGISTRATION,
            ReferralStatus.REGISTERED,
            ReferralStatus.DECISION_PROPOSED,
        ):
            return False
        self.status = ReferralStatus.WITHDRAWN
        self.withdrawn_at = at
        self.withdraw_reason = reason
        return True

    def record_performance(self, performance: dict[str, Any]) -> None:
        """The court reports that the debtor paid or settled: kept on the referral for the investigators."""
        self.performance = performance
