"""Leads (拒执线索) as the court holds them, in its dynamic lead database (拒执案件动态库).

open ──研判 not suspected──▶ not_suspected (closed)
 │ 告知书 served
 ▼
notice_served ──paid in full / settled──▶ performed (执结, closed; from any open state)
 │ 研判 suspected and the 5 days passed unperformed (or a criminal judge's written override)
 ▼
referred ─▶ received_by_police ─▶ filed | declined
 │ withdrawn before the police decide
 ▼
withdrawn (may be referred again)
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from liandong.contracts.common import EvidenceClass, SuspectRole
from liandong.errors import Conflict, DomainError
from liandong.timing import check_act_time
from liandong.units import court_code_of
from liandong_court.domain import events
from liandong_court.domain.referrals import Referral, ReferralStatus
from liandong_court.domain.rules import CENT, normalize_case_number, validate_case_number
from liandong_court.domain.values import CoerciveMeasure, EvidenceFile, Instalment, Suspect


class LeadSource(StrEnum):
    CASE_SCREENING = "case_screening"
    PUBLIC_TIP = "public_tip"


class TipChannel(StrEnum):
    HOTLINE = "hotline"
    ONLINE = "online"


class LeadStatus(StrEnum):
    OPEN = "open"
    NOT_SUSPECTED = "not_suspected"
    NOTICE_SERVED = "notice_served"
    REFERRED = "referred"
    RECEIVED_BY_POLICE = "received_by_police"
    FILED = "filed"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    SETTLED = "settled"  # 执行和解: enforcement suspended while the settlement is performed
    PERFORMED = "performed"


CLOSED = frozenset({LeadStatus.NOT_SUSPECTED, LeadStatus.PERFORMED})
WITH_POLICE = frozenset({LeadStatus.REFERRED, LeadStatus.RECEIVED_BY_POLICE, LeadStatus.FILED})
REFERABLE = frozenset({LeadStatus.OPEN, LeadStatus.NOTICE_SERVED, LeadStatus.WITHDRAWN, LeadStatus.DECLINED})


POLICE_ANSWERS = {
    ReferralStatus.RECEIVED: LeadStatus.RECEIVED_BY_POLICE,
    ReferralStatus.FILED: LeadStatus.FILED,
    ReferralStatus.DECLINED: LeadStatus.DECLINED,
    ReferralStatus.WITHDRAWN: LeadStatus.WITHDRAWN,
}


class Assessment(StrEnum):
    """联合研判 with the criminal tribunal."""

    SUSPECTED = "suspected"
    NOT_SUSPECTED = "not_suspected"


@dataclass(eq=False, kw_only=True)
class Lead:
    """拒执线索: a debtor suspected of refusing to execute a judgment."""

    id: str
    unit: str
    enforcement_case_number: str
    source: LeadSource
    suspects: tuple[Suspect, ...]
    amount_owed: Decimal
    amount_paid: Decimal
    summary: str
    created_at: datetime
    created_by: str
    enforcement_case_id: str | None = None
    tip_channel: TipChannel | None = None
    tipster_name: str | None = None
    tipster_contact: str | None = None
    court_code: str = field(init=False)
    status: LeadStatus = LeadStatus.OPEN
    assessment: Assessment | None = None
    assessment_reasons: str | None = None
    assessed_by: str | None = None
    assessed_at: datetime | None = None
    notice_number: str | None = None
    notice_served_at: datetime | None = None
    notice_due_at: datetime | None = None
    performed_at: datetime | None = None
    performance_kind: str | None = None
    live_referral_id: str | None = None
    enforcement_basis: str | None = None  # 执行依据: the judgment or ruling being enforced
    creditor: str | None = None  # 申请执行人
    coercive_measures: tuple[CoerciveMeasure, ...] = ()
    status_before_settlement: LeadStatus | None = None
    settled_at: datetime | None = None
    amount_paid_at_opening: Decimal | None = None
    reopened_at: datetime | None = None
    reopened_by: str | None = None
    reopen_reason: str | None = None
    events: list[events.DomainEvent] = field(default_factory=list, repr=False)

    @property
    def matter_id(self) -> str:
        """The matter (correlation id) this record belongs to: events of another matter may not touch it."""
        return self.id

    def __post_init__(self) -> None:
        court_code = court_code_of(self.unit)
        if court_code is None:
            raise DomainError(f"unit {self.unit} is not a court of Xianning", code="unknown_unit")
        self.enforcement_case_number = normalize_case_number(self.enforcement_case_number)
        validate_case_number(self.enforcement_case_number, court_code)
        if self.amount_paid > self.amount_owed:
            raise DomainError("amount_paid is larger than amount_owed", code="paid_exceeds_owed")
        self.suspects = tuple(self.suspects)
        if not any(s.role is SuspectRole.DEBTOR for s in self.suspects):
            raise DomainError("a lead names at least one debtor among its suspects", code="no_debtor")
        if self.source is LeadSource.PUBLIC_TIP and self.tip_channel is None:
            raise DomainError("a public tip says how it came in (hotline or online)", code="no_tip_channel")
        self.court_code = court_code
        self.amount_owed = self.amount_owed.quantize(CENT)
        self.amount_paid = self.amount_paid.quantize(CENT)
        self.amount_paid_at_opening = self.amount_paid

    @property
    def unpaid(self) -> Decimal:
        return self.amount_owed - self.amount_paid

    @property
    def recovered(self) -> Decimal:
        """What the debtor paid since the lead was opened (the special action's 执行到位金额)."""
        return self.amount_paid - (self.amount_paid_at_opening or Decimal(0))

    @property
    def _with_police(self) -> bool:
        standing = self.status_before_settlement if self.status is LeadStatus.SETTLED else self.status
        return standing in WITH_POLICE

    def _open(self) -> None:
        if self.status in CLOSED:
            raise Conflict(f"lead {self.id} is closed ({self.status.value})", code="lead_closed")

    def add_suspect(self, suspect: Suspect) -> None:
        self._open()
        self.suspects = (*self.suspects, suspect)

    def record_particulars(self, *, enforcement_basis: str | None, creditor: str | None) -> None:
        """The 执行依据 and the 申请执行人 a referral letter states."""
        self._open()
        if enforcement_basis is not None:
            self.enforcement_basis = enforcement_basis.strip() or None
        if creditor is not None:
            self.creditor = creditor.strip() or None

    def add_coercive_measure(self, measure: CoerciveMeasure) -> None:
        self._open()
        self.coercive_measures = (*self.coercive_measures, measure)

    def reopen(self, *, reason: str, by: str, at: datetime) -> None:
        """A lead assessed 'not suspected' is opened again on new evidence, with the judge's written reason; a new
        研判 follows."""
        if self.status is not LeadStatus.NOT_SUSPECTED:
            raise Conflict(
                f"lead {self.id} is {self.status.value}; only a lead assessed not suspected is reopened",
                code="not_reopenable",
            )
        if not reason.strip():
            raise DomainError("a reopening gives its reason (the new evidence)", code="reason_required")
        self.status = LeadStatus.OPEN
        self.assessment = None
        self.reopened_at, self.reopened_by, self.reopen_reason = at, by, reason

    def assess(self, conclusion: Assessment, reasons: str, *, by: str, at: datetime) -> None:
        """研判 by a criminal judge."""
        self._open()
        if self.status in WITH_POLICE:
            raise Conflict(f"lead {self.id} is already with the police", code="lead_with_police")
        self.assessment = conclusion
        self.assessment_reasons = reasons
        self.assessed_by = by
        self.assessed_at = at
        if conclusion is Assessment.NOT_SUSPECTED:
            self.status = LeadStatus.NOT_SUSPECTED

    def serve_notice(self, *, number: str, served_at: datetime, due_at: datetime, now: datetime) -> None:
        """《涉嫌拒执犯罪告知书》: the debtor is told to perform within the window that ends at `due_at`. It is served
        on an open lead, not before the lead was opened and not in the future."""
        self._open()
        self._check_service_time(served_at, now)
        if self.status is not LeadStatus.OPEN:
            raise Conflict(
                f"lead {self.id} is {self.status.value}; a notice is served on an open lead", code="notice_not_allowed"
            )
        self.notice_number = number
        self.notice_served_at = served_at
        self.notice_due_at = due_at
        self.status = LeadStatus.NOTICE_SERVED

    def _check_service_time(self, served_at: datetime, now: datetime) -> None:
        """A 告知书 is served after the assessment that found the debtor suspected (to the minute) — not after the
        moment the lead was typed in, which may well come after the paper was served — and never in the future."""
        check_act_time(
            served_at, now=now, not_before=self.assessed_at, what="the notice's service", follows="the assessment"
        )

    def correct_notice_service(self, *, served_at: datetime, due_at: datetime, now: datetime) -> datetime:
        """The 告知书's service time was recorded wrongly: set it right while its window still runs. Returns the
        time it replaces."""
        if self.status is not LeadStatus.NOTICE_SERVED or self.notice_served_at is None:
            raise Conflict(
                f"lead {self.id} is {self.status.value}; a service time is corrected while the debtor's window runs",
                code="not_correctable",
            )
        self._check_service_time(served_at, now)
        replaced = self.notice_served_at
        self.notice_served_at, self.notice_due_at = served_at, due_at
        return replaced

    def record_payment(self, amount: Decimal, *, over_reason: str | None, at: datetime) -> None:
        self._open()
        if amount <= 0:
            raise DomainError("a payment is a positive amount", code="invalid_amount")
        if amount > self.unpaid and not (over_reason and over_reason.strip()):
            raise DomainError(
                f"the payment {amount} is more than the {self.unpaid} still owed; give a reason to record it",
                code="payment_exceeds_owed",
            )
        self.amount_paid = (self.amount_paid + amount).quantize(CENT)
        if self.amount_paid >= self.amount_owed:
            self._perform("paid_in_full", paid_now=amount, instalments=(), at=at)

    def settle(self, *, paid_now: Decimal, instalments: Sequence[Instalment], at: datetime) -> None:
        """和解协议: part paid now, the rest in instalments that must cover what is left. A settlement suspends
        enforcement; the lead closes (执结) only when it is fully performed, and a default resumes enforcement."""
        self._open()
        if self.status is LeadStatus.SETTLED:
            raise Conflict(f"lead {self.id} already has a settlement being performed", code="already_settled")
        if paid_now < 0 or paid_now > self.unpaid:
            raise DomainError(f"paid_now must be between 0 and the {self.unpaid} owed", code="invalid_amount")
        rest = self.unpaid - paid_now
        planned = sum((i.amount for i in instalments), Decimal(0))
        if planned != rest:
            raise DomainError(
                f"the instalments add up to {planned}, not the {rest} left after paying now",
                code="instalments_do_not_cover_rest",
            )
        dates = [i.due_on for i in instalments]
        if dates != sorted(dates) or len(set(dates)) != len(dates):
            raise DomainError("instalment dates are distinct and in order", code="instalments_out_of_order")
        self.amount_paid = (self.amount_paid + paid_now).quantize(CENT)
        if self.amount_paid >= self.amount_owed:
            self._perform("paid_in_full", paid_now=paid_now, instalments=(), at=at)
            return
        self._announce("settled", paid_now=paid_now, instalments=tuple(instalments), at=at)
        self.status_before_settlement, self.status, self.settled_at = self.status, LeadStatus.SETTLED, at

    def default_settlement(self, *, reason: str, at: datetime) -> None:
        """The debtor defaulted on the settlement: enforcement resumes where the lead stood."""
        if self.status is not LeadStatus.SETTLED or self.status_before_settlement is None:
            raise Conflict(f"lead {self.id} has no settlement being performed", code="no_settlement")
        if not reason.strip():
            raise DomainError("a default is recorded with its reason", code="reason_required")
        with_police = self._with_police
        self.status, self.status_before_settlement = self.status_before_settlement, None
        self.events.append(
            events.EnforcementResumed(
                lead_id=self.id,
                referral_id=self.live_referral_id if with_police else None,
                enforcement_case_number=self.enforcement_case_number,
                court_unit=self.unit,
                reason=reason,
                amount_owed=self.amount_owed,
                amount_paid=self.amount_paid,
                occurred_at=at,
            )
        )

    def _perform(self, kind: str, *, paid_now: Decimal, instalments: tuple[Instalment, ...], at: datetime) -> None:
        self._announce(kind, paid_now=paid_now, instalments=instalments, at=at)
        self.status = LeadStatus.PERFORMED
        self.status_before_settlement = None
        self.performed_at = at
        self.performance_kind = kind

    def _announce(self, kind: str, *, paid_now: Decimal, instalments: tuple[Instalment, ...], at: datetime) -> None:
        self.events.append(
            events.LeadPerformed(
                lead_id=self.id,
                referral_id=self.live_referral_id if self._with_police else None,
                enforcement_case_number=self.enforcement_case_number,
                court_unit=self.unit,
                kind=kind,
                amount_owed=self.amount_owed,
                amount_paid=self.amount_paid,
                paid_now=paid_now,
                instalments=instalments,
                occurred_at=at,
            )
        )

    def refer(
        self,
        *,
        referred_by: str,
        at: datetime,
        letter_number: str,
        evidence: Sequence[EvidenceFile],
        override_reason: str | None = None,
        new_evidence_since_decline: bool = False,
        missing_evidence: Mapping[str, str] | None = None,
    ) -> Referral:
        """案件移送 to the police of the court's county.

        Allowed once the assessment concludes 'suspected' and the notice window has passed without full
        performance; a criminal judge may refer earlier with a written reason (`override_reason`), never without
        the assessment nor without the notice served (the letter states it). After a decline, only with new evidence.
        """
        self._open()
        if self.status not in REFERABLE:
            raise Conflict(
                f"lead {self.id} is {self.status.value}; it cannot be referred now", code="lead_not_referable"
            )
        if self.status is LeadStatus.DECLINED and not new_evidence_since_decline:
            raise DomainError(
                "the police declined this lead; it is referred again only with evidence attached since the decline",
                code="no_new_evidence",
            )
        if self.assessment is not Assessment.SUSPECTED:  # an override too: the judge refers a suspected lead early
            raise DomainError("the joint assessment has not concluded 'suspected'", code="not_assessed")
        if self.notice_due_at is None:  # 法发〔2025〕8号 第三条: the letter states the 告知书 served, override or not
            raise DomainError("the notice (告知书) has not been served", code="notice_not_served")
        if override_reason is None:
            if at < self.notice_due_at:
                raise DomainError(
                    f"the debtor's window runs until {self.notice_due_at.isoformat()}", code="notice_window_open"
                )
        elif not override_reason.strip():
            raise DomainError("an override gives its written reason", code="reason_required")
        reasons = self._letter_complete(evidence, missing_evidence or {})
        referral = Referral(
            id=str(uuid.uuid4()),
            lead_id=self.id,
            letter_number=letter_number,
            court_unit=self.unit,
            police_unit=self.unit,
            submitted_at=at,
            submitted_by=referred_by,
            override_reason=override_reason,
            missing_evidence=reasons,
        )
        self.status = LeadStatus.REFERRED
        self.live_referral_id = referral.id
        referral.events.append(
            events.ReferralSubmitted(
                referral_id=referral.id,
                lead_id=self.id,
                letter_number=letter_number,
                court_code=self.court_code,
                court_unit=self.unit,
                police_unit=referral.police_unit,
                enforcement_case_number=self.enforcement_case_number,
                summary=self.summary,
                amount_owed=self.amount_owed,
                amount_paid=self.amount_paid,
                suspects=self.suspects,
                evidence=tuple(evidence),
                submitted_by=referred_by,
                occurred_at=at,
                enforcement_basis=self.enforcement_basis or "",
                creditor=self.creditor or "",
                notice_number=self.notice_number,
                notice_served_at=self.notice_served_at,
                coercive_measures=self.coercive_measures,
                missing_evidence=reasons,
                override_reason=override_reason,
            )
        )
        return referral

    def _letter_complete(self, evidence: Sequence[EvidenceFile], missing: Mapping[str, str]) -> dict[str, str]:
        """What 法发〔2025〕8号 第三条、第四条 require of the letter: the 执行依据 and the creditor, and proof of each
        of the five classes (identity, duty, ability, refusal, circumstances) or, for a class not yet proved, the
        reason."""
        if not self.enforcement_basis:
            raise DomainError("the referral states the judgment being enforced (执行依据)", code="no_enforcement_basis")
        if not self.creditor:
            raise DomainError("the referral names the creditor (申请执行人)", code="no_creditor")
        covered = {e.evidence_class for e in evidence}
        uncovered = [c.value for c in EvidenceClass if c.value not in covered]
        unexplained = [c for c in uncovered if not missing.get(c, "").strip()]
        if unexplained:
            raise DomainError(
                f"no evidence of {', '.join(unexplained)}: attach it or give the reason it is missing",
                code="evidence_class_missing",
                details={"missing": unexplained},
            )
        return {c: missing[c].strip() for c in uncovered}

    def police_answered(self, status: ReferralStatus) -> None:
        """Follow the police's answer on the live referral (unless the lead is already closed)."""
        following = POLICE_ANSWERS.get(status)
        if self.status in CLOSED or following is None:
            return
        if self.status is LeadStatus.SETTLED:  # the police's answer is where enforcement resumes after a default
            self.status_before_settlement = following
        else:
            self.status = following
        if status is ReferralStatus.WITHDRAWN:
            self.live_referral_id = None
