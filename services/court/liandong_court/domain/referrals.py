"""案件移送: the court's referral of one lead to one police bureau, and what the police answered.

submitted ──受案登记回执──▶ received ──▶ filed | declined
    └──────────────┴── withdrawn by the court before a decision
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from liandong.errors import Conflict, DomainError
from liandong_court.domain import events
from liandong_court.domain.values import EvidenceFile

if TYPE_CHECKING:
    from liandong_court.domain.leads import Lead


class ReferralStatus(StrEnum):
    SUBMITTED = "submitted"
    RECEIVED = "received"
    FILED = "filed"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


UNDECIDED = frozenset({ReferralStatus.SUBMITTED, ReferralStatus.RECEIVED})


@dataclass(eq=False, kw_only=True)
class Referral:
    """案件移送函 and its follow-up. Answers from the police return False when stale (already applied or moot)."""

    id: str
    lead_id: str
    letter_number: str
    court_unit: str
    police_unit: str
    submitted_at: datetime
    submitted_by: str
    override_reason: str | None = None
    missing_evidence: dict[str, str] = field(default_factory=dict)  # evidence class → why not yet proved
    status: ReferralStatus = ReferralStatus.SUBMITTED
    received_at: datetime | None = None
    receipt_number: str | None = None
    received_by: str | None = None
    police_case_number: str | None = None
    filed_at: datetime | None = None
    decline_reasons: str | None = None
    declined_at: datetime | None = None
    filing_due_at: datetime | None = None
    extension_reason: str | None = None
    withdrawn_at: datetime | None = None
    withdraw_reason: str | None = None
    # 立案监督 of this referral: the court's request (if it made one), where it stands, and each act on the way
    supervision: dict[str, Any] | None = None
    events: list[events.DomainEvent] = field(default_factory=list, repr=False)

    @property
    def matter_id(self) -> str:
        """The matter (correlation id) this record belongs to: events of another matter may not touch it."""
        return self.lead_id

    def record_receipt(self, *, receipt_number: str, received_at: datetime, received_by: str) -> bool:
        """受案登记回执: the police registered the referral. The decision travels on another topic and may arrive
        first: the receipt is kept all the same, and the status stays where the decision put it."""
        if self.receipt_number is not None:
            return False
        self.received_at = received_at
        self.receipt_number = receipt_number
        self.received_by = received_by
        if self.status is ReferralStatus.SUBMITTED:
            self.status = ReferralStatus.RECEIVED
        return True

    def record_filing(self, *, case_number: str, filed_at: datetime) -> bool:
        """立案; after a decline only on a procuratorate's notice to file (a filing never precedes a decline)."""
        if self.status not in UNDECIDED and self.status is not ReferralStatus.DECLINED:
            return False
        self.status = ReferralStatus.FILED
        self.police_case_number = case_number
        self.filed_at = filed_at
        return True

    def record_decline(self, *, reasons: str, declined_at: datetime) -> bool:
        if self.status not in UNDECIDED:
            return False
        self.status = ReferralStatus.DECLINED
        self.decline_reasons = reasons
        self.declined_at = declined_at
        return True

    def record_extension(self, *, due_at: datetime, reason: str) -> bool:
        if self.status not in UNDECIDED:
            return False
        self.filing_due_at = due_at
        self.extension_reason = reason
        return True

    def withdraw(self, *, reason: str, by: str, at: datetime) -> None:
        """The court takes the referral back before the police decide (e.g. the debtor performed)."""
        if not reason.strip():
            raise DomainError("a withdrawal gives its reason", code="reason_required")
        if self.status not in UNDECIDED:
            raise Conflict(
                f"referral {self.id} is {self.status.value}; only an undecided referral is withdrawn",
                code="referral_decided",
            )
        self.status = ReferralStatus.WITHDRAWN
        self.withdrawn_at = at
        self.withdraw_reason = reason
        self.events.append(
            events.ReferralWithdrawn(
                referral_id=self.id,
                lead_id=self.lead_id,
                court_unit=self.court_unit,
                reason=reason,
                withdrawn_by=by,
                occurred_at=at,
            )
        )

    def left_unfiled(self, *, filing_due_at: datetime, at: datetime) -> str:
        """Why the police have not filed — `declined`, or `silence` past the filing window — which opens the
        creditor's and the court's remedies (立案监督, 自诉); a referral filed, withdrawn or still in its window has
        none."""
        if self.status is ReferralStatus.DECLINED:
            return "declined"
        return self._undecided_past(filing_due_at, at)

    def let_go(self, *, filing_due_at: datetime, at: datetime, dropped: str | None) -> str:
        """Why the creditor may prosecute privately (CPL Art. 210(3); 法释〔2024〕13号 第十四条): the police declined
        or stayed silent past their window, or — the referral filed — the case was withdrawn (`dropped` =
        "withdrawn") or not prosecuted ("not_prosecuted")."""
        if self.status is ReferralStatus.FILED and dropped is not None:
            return dropped
        return self.left_unfiled(filing_due_at=filing_due_at, at=at)

    def _undecided_past(self, filing_due_at: datetime, at: datetime) -> str:
        if self.status in UNDECIDED and at > filing_due_at:
            return "silence"
        if self.status in UNDECIDED:
            raise Conflict(
                f"the police's filing window for referral {self.id} runs until {filing_due_at.isoformat()}",
                code="filing_window_running",
            )
        raise Conflict(
            f"referral {self.id} is {self.status.value}: this follows a decline or a silence",
            code=f"referral_{self.status.value}",
        )

    def request_supervision(
        self,
        *,
        request_id: str,
        reasons: str,
        filing_due_at: datetime,
        lead: Lead,
        evidence: tuple[EvidenceFile, ...],
        by: str,
        at: datetime,
    ) -> None:
        """提请立案监督: after a decline, or a silence past the filing window; one request per referral."""
        if not reasons.strip():
            raise DomainError("a supervision request gives its reasons", code="reasons_required")
        ground = self.left_unfiled(filing_due_at=filing_due_at, at=at)
        if self.supervision is not None and self.supervision.get("request") is not None:
            raise Conflict(f"supervision of referral {self.id} was already requested", code="supervision_requested")
        request = {
            "request_id": request_id,
            "ground": ground,
            "reasons": reasons,
            "requested_at": at.isoformat(),
            "requested_by": by,
        }
        self.supervision = {**(self.supervision or {"status": None, "history": []}), "request": request}
        self.supervision["status"] = "requested"
        self.events.append(
            events.SupervisionRequested(
                request_id=request_id,
                referral_id=self.id,
                lead_id=self.lead_id,
                letter_number=self.letter_number,
                court_unit=self.court_unit,
                police_unit=self.police_unit,
                enforcement_case_number=lead.enforcement_case_number,
                ground=ground,
                decline_reasons=self.decline_reasons,
                reasons=reasons,
                suspects=tuple(lead.suspects),
                evidence=evidence,
                requested_by=by,
                occurred_at=at,
            )
        )

    def record_supervision(self, act: dict[str, Any], *, status: str) -> bool:
        """An act of the procuratorate or the police on this referral's supervision; False if already known."""
        known = self.supervision or {"request": None, "status": None, "history": []}
        if any(h["event_id"] == act["event_id"] for h in known["history"]):
            return False
        self.supervision = {**known, "status": status, "history": [*known["history"], act]}
        return True
