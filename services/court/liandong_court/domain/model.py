"""Leads (拒执线索) and referrals (案件移送) as the court holds them.

A lead's way through the court (DESIGN.md §2, §5):

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
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from liandong.errors import Conflict, DomainError
from liandong.units import COUNTIES
from liandong_court.domain import events
from liandong_court.domain.rules import CENT, validate_case_number


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
    PERFORMED = "performed"


CLOSED = frozenset({LeadStatus.NOT_SUSPECTED, LeadStatus.PERFORMED})
WITH_POLICE = frozenset({LeadStatus.REFERRED, LeadStatus.RECEIVED_BY_POLICE, LeadStatus.FILED})
REFERABLE = frozenset({LeadStatus.OPEN, LeadStatus.NOTICE_SERVED, LeadStatus.WITHDRAWN})


class Assessment(StrEnum):
    """联合研判 with the criminal tribunal."""

    SUSPECTED = "suspected"
    NOT_SUSPECTED = "not_suspected"


class ReferralStatus(StrEnum):
    SUBMITTED = "submitted"
    RECEIVED = "received"
    FILED = "filed"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


UNDECIDED = frozenset({ReferralStatus.SUBMITTED, ReferralStatus.RECEIVED})


class Lead:
    """拒执线索: a debtor suspected of refusing to execute a judgment, in the court's dynamic lead database."""

    events: list[Any]

    def __init__(
        self,
        *,
        id: str,
        unit: str,
        enforcement_case_number: str,
        source: LeadSource,
        suspects: list[dict[str, Any]],
        amount_owed: Decimal,
        amount_paid: Decimal,
        summary: str,
        created_at: datetime,
        created_by: str,
        enforcement_case_id: str | None = None,
        tip_channel: TipChannel | None = None,
        tipster_name: str | None = None,
        tipster_contact: str | None = None,
    ) -> None:
        county = COUNTIES.get(unit)
        if county is None:
            raise DomainError(f"unit {unit} is not a county court of Xianning", code="unknown_unit")
        validate_case_number(enforcement_case_number, county.court_code)
        if amount_paid > amount_owed:
            raise DomainError("amount_paid is larger than amount_owed", code="paid_exceeds_owed")
        if not any(s["role"] == "debtor" for s in suspects):
            raise DomainError("a lead names at least one debtor among its suspects", code="no_debtor")
        if source is LeadSource.PUBLIC_TIP and tip_channel is None:
            raise DomainError("a public tip says how it came in (hotline or online)", code="no_tip_channel")
        self.id = id
        self.unit = unit
        self.court_code = county.court_code
        self.enforcement_case_number = enforcement_case_number
        self.enforcement_case_id = enforcement_case_id
        self.source = source
        self.tip_channel = tip_channel
        self.tipster_name = tipster_name
        self.tipster_contact = tipster_contact
        self.suspects = suspects
        self.amount_owed = amount_owed.quantize(CENT)
        self.amount_paid = amount_paid.quantize(CENT)
        self.summary = summary
        self.status = LeadStatus.OPEN
        self.assessment: Assessment | None = None
        self.assessment_reasons: str | None = None
        self.assessed_by: str | None = None
        self.assessed_at: datetime | None = None
        self.notice_number: str | None = None
        self.notice_served_at: datetime | None = None
        self.notice_due_at: datetime | None = None
        self.performed_at: datetime | None = None
        self.performance_kind: str | None = None
        self.live_referral_id: str | None = None
        self.created_at = created_at
        self.created_by = created_by
        self.events = []

    @property
    def unpaid(self) -> Decimal:
        return self.amount_owed - self.amount_paid

    def _open(self) -> None:
        if self.status in CLOSED:
            raise Conflict(f"lead {self.id} is closed ({self.status.value})", code="lead_closed")

    def add_suspect(self, suspect: dict[str, Any]) -> None:
        self._open()
        self.suspects = [*self.suspects, suspect]

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

    def serve_notice(self, *, number: str, served_at: datetime, due_at: datetime) -> None:
        """《涉嫌拒执犯罪告知书》: the debtor is told to perform within the window that ends at `due_at`."""
        self._open()
        if self.status is not LeadStatus.OPEN:
            raise Conflict(
                f"lead {self.id} is {self.status.value}; a notice is served on an open lead", code="notice_not_allowed"
            )
        self.notice_number = number
        self.notice_served_at = served_at
        self.notice_due_at = due_at
        self.status = LeadStatus.NOTICE_SERVED
        self.events.append(events.NoticeServed(self.id, self.unit, served_at))

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

    def settle(self, *, paid_now: Decimal, instalments: list[dict[str, Any]], at: datetime) -> None:
        """和解协议: part paid now, the rest in instalments that must cover what is left."""
        self._open()
        if paid_now < 0 or paid_now > self.unpaid:
            raise DomainError(f"paid_now must be between 0 and the {self.unpaid} owed", code="invalid_amount")
        rest = self.unpaid - paid_now
        planned = sum((Decimal(str(i["amount"])) for i in instalments), Decimal(0))
        if planned != rest:
            raise DomainError(
                f"the instalments add up to {planned}, not the {rest} left after paying now",
                code="instalments_do_not_cover_rest",
            )
        dates = [i["due_on"] for i in instalments]
        if dates != sorted(dates) or len(set(dates)) != len(dates):
            raise DomainError("instalment dates are distinct and in order", code="instalments_out_of_order")
        self.amount_paid = (self.amount_paid + paid_now).quantize(CENT)
        self._perform("settled", paid_now=paid_now, instalments=tuple(instalments), at=at)

    def _perform(self, kind: str, *, paid_now: Decimal, instalments: tuple[dict[str, Any], ...], at: datetime) -> None:
        with_police = self.status in WITH_POLICE
        self.status = LeadStatus.PERFORMED
        self.performed_at = at
        self.performance_kind = kind
        self.events.append(
            events.LeadPerformed(
                lead_id=self.id,
                referral_id=self.live_referral_id if with_police else None,
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
        evidence: list[dict[str, Any]],
        override_reason: str | None = None,
    ) -> Referral:
        """案件移送 to the police of the court's county.

        Allowed once the assessment concludes 'suspected' and the notice window has passed without full
        performance; a criminal judge may override with a written reason (`override_reason`).
        """
        self._open()
        if self.status not in REFERABLE:
            raise Conflict(
                f"lead {self.id} is {self.status.value}; it cannot be referred now", code="lead_not_referable"
            )
        if override_reason is None:
            if self.assessment is not Assessment.SUSPECTED:
                raise DomainError("the joint assessment has not concluded 'suspected'", code="not_assessed")
            if self.notice_due_at is None:
                raise DomainError("the notice (告知书) has not been served", code="notice_not_served")
            if at < self.notice_due_at:
                raise DomainError(
                    f"the debtor's window runs until {self.notice_due_at.isoformat()}", code="notice_window_open"
                )
        elif not override_reason.strip():
            raise DomainError("an override gives its written reason", code="reason_required")
        referral = Referral(
            id=str(uuid.uuid4()),
            lead_id=self.id,
            letter_number=letter_number,
            court_unit=self.unit,
            police_unit=self.unit,
            submitted_at=at,
            submitted_by=referred_by,
            override_reason=override_reason,
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
                suspects=tuple(self.suspects),
                evidence=tuple(evidence),
                submitted_by=referred_by,
                occurred_at=at,
            )
        )
        return referral

    def police_answered(self, status: ReferralStatus) -> None:
        """Follow the police's answer on the live referral (unless the lead is already closed)."""
        if self.status in CLOSED:
            return
        self.status = {
            ReferralStatus.RECEIVED: LeadStatus.RECEIVED_BY_POLICE,
            ReferralStatus.FILED: LeadStatus.FILED,
            ReferralStatus.DECLINED: LeadStatus.DECLINED,
            ReferralStatus.WITHDRAWN: LeadStatus.WITHDRAWN,
        }.get(status, self.status)
        if status is ReferralStatus.WITHDRAWN:
            self.live_referral_id = None


class Referral:
    """案件移送: the court's referral of one lead to one police bureau, and what the police answered."""

    events: list[Any]

    def __init__(
        self,
        *,
        id: str,
        lead_id: str,
        letter_number: str,
        court_unit: str,
        police_unit: str,
        submitted_at: datetime,
        submitted_by: str,
        override_reason: str | None = None,
    ) -> None:
        self.id = id
        self.lead_id = lead_id
        self.letter_number = letter_number
        self.court_unit = court_unit
        self.police_unit = police_unit
        self.status = ReferralStatus.SUBMITTED
        self.submitted_at = submitted_at
        self.submitted_by = submitted_by
        self.override_reason = override_reason
        self.received_at: datetime | None = None
        self.receipt_number: str | None = None
        self.received_by: str | None = None
        self.police_case_number: str | None = None
        self.filed_at: datetime | None = None
        self.decline_reasons: str | None = None
        self.declined_at: datetime | None = None
        self.filing_due_at: datetime | None = None
        self.extension_reason: str | None = None
        self.withdrawn_at: datetime | None = None
        self.withdraw_reason: str | None = None
        self.events = []

    def record_receipt(self, *, receipt_number: str, received_at: datetime, received_by: str) -> bool:
        """Apply the police receipt. Returns False when it was already recorded or moot (a stale repeat)."""
        if self.status is not ReferralStatus.SUBMITTED:
            return False
        self.status = ReferralStatus.RECEIVED
        self.received_at = received_at
        self.receipt_number = receipt_number
        self.received_by = received_by
        self.events.append(events.PoliceReceiptRecorded(self.id, self.lead_id, received_at))
        return True

    def record_filing(self, *, case_number: str, filed_at: datetime) -> bool:
        if self.status not in UNDECIDED:
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
        self.events.append(events.ReferralWithdrawn(self.id, self.lead_id, self.court_unit, reason, by, at))


class Payment:
    """A payment by the debtor recorded by the enforcement officer."""

    events: list[Any]

    def __init__(
        self,
        *,
        id: str,
        lead_id: str,
        amount: Decimal,
        paid_on: date,
        channel: str,
        note: str | None,
        over_reason: str | None,
        recorded_at: datetime,
        recorded_by: str,
    ) -> None:
        self.id = id
        self.lead_id = lead_id
        self.amount = amount.quantize(CENT)
        self.paid_on = paid_on
        self.channel = channel
        self.note = note
        self.over_reason = over_reason
        self.recorded_at = recorded_at
        self.recorded_by = recorded_by
        self.events = []


class Settlement:
    """和解协议 between creditor and debtor: paid now, and the instalment plan for the rest."""

    events: list[Any]

    def __init__(
        self,
        *,
        id: str,
        lead_id: str,
        signed_on: date,
        paid_now: Decimal,
        instalments: list[dict[str, Any]],
        note: str | None,
        recorded_at: datetime,
        recorded_by: str,
    ) -> None:
        self.id = id
        self.lead_id = lead_id
        self.signed_on = signed_on
        self.paid_now = paid_now.quantize(CENT)
        self.instalments = instalments
        self.note = note
        self.recorded_at = recorded_at
        self.recorded_by = recorded_by
        self.events = []


class Evidence:
    """An evidence file attached to a lead; its content lives in the court, its digest travels in the referral."""

    events: list[Any]

    def __init__(
        self,
        *,
        id: str,
        lead_id: str,
        sha256: str,
        evidence_class: str,
        evidence_type: str,
        filename: str,
        content_type: str,
        size_bytes: int,
        description: str | None,
        uploaded_at: datetime,
        uploaded_by: str,
    ) -> None:
        self.id = id
        self.lead_id = lead_id
        self.sha256 = sha256
        self.evidence_class = evidence_class
        self.evidence_type = evidence_type
        self.filename = filename
        self.content_type = content_type
        self.size_bytes = size_bytes
        self.description = description
        self.uploaded_at = uploaded_at
        self.uploaded_by = uploaded_by
        self.events = []

    def manifest(self) -> dict[str, Any]:
        return {
            "sha256": self.sha256,
            "evidence_class": self.evidence_class,
            "evidence_type": self.evidence_type,
            "filename": self.filename,
            "size_bytes": self.size_bytes,
            "content_type": self.content_type,
        }
