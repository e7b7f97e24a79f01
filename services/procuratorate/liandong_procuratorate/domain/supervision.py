"""立案监督: a supervision case of one matter, opened on a court's request or on the procuratorate's own initiative
(from an arrest review, or a prosecution review), and the notices it sends the police.

open ─要求说明不立案理由─▶ (explanation given) ─理由成立─▶ closed: explanation_accepted
  └──────────────────────────────────────────────通知立案─▶ (filed as notified) ─▶ closed: complied
A notice whose window passed unanswered may be followed by a 纠正违法通知书; a case filed under supervision and not
concluded three months on, by a 催办函.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from liandong.documents import kinds
from liandong.errors import Conflict, DomainError
from liandong.sla.counting import SHANGHAI, add_months
from liandong_procuratorate.domain import events as happened
from liandong_procuratorate.domain.approval import approval, awaiting, proposal

EXPLANATION, FILING, CORRECTION, REMINDER = "explanation_demand", "filing_notice", "correction_notice", "reminder"
# a reminder (催办) is numbered like the notices, and is a letter of the case, not one of the documents served
SUPERVISION_REMINDER = kinds.DocumentKind("supervision_reminder", "催办函", "procuratorate", "催", "")
NOTICE_KINDS = {
    EXPLANATION: kinds.EXPLANATION_DEMAND,
    FILING: kinds.FILING_NOTICE,
    CORRECTION: kinds.CORRECTION_NOTICE,
    REMINDER: SUPERVISION_REMINDER,
}


def notice_number(kind: str, unit: str, year: int, sequence: int) -> str:
    """The notice's document number, e.g. 通山检刑通立〔2026〕1号."""
    return kinds.number(NOTICE_KINDS[kind], unit, year, sequence)


class Origin(StrEnum):
    COURT_REQUEST = "court_request"  # 法院提请立案监督
    ARREST_REVIEW = "arrest_review"  # found while reviewing an arrest
    PROSECUTION_REVIEW = "prosecution_review"
    OWN_INITIATIVE = "own_initiative"


class SupervisionStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class SupervisionCase:
    events: list[Any]

    @property
    def matter_id(self) -> str:
        """The matter (correlation id) this record belongs to: events of another matter may not touch it."""
        return self.correlation_id

    def __init__(
        self,
        *,
        id: str,
        correlation_id: str,
        unit: str,
        police_unit: str,
        origin: Origin,
        referral_id: str | None,
        source_id: str | None,
        court_request: dict[str, Any] | None,
        opened_at: datetime,
        opened_by: str,
    ) -> None:
        self.id = id
        self.correlation_id = correlation_id
        self.unit = unit
        self.police_unit = police_unit
        self.origin = origin
        self.referral_id = referral_id
        self.source_id = source_id
        self.court_request = court_request
        self.opened_at = opened_at
        self.opened_by = opened_by
        self.status = SupervisionStatus.OPEN
        self.outcome: str | None = None
        self.notices: list[dict[str, Any]] = []
        self.closed_at: datetime | None = None
        self.closed_by: str | None = None
        self.close_note: str | None = None
        self.proposal: dict[str, Any] | None = None  # a notice to file awaiting the chief prosecutor
        self.events = []

    # -- reading -------------------------------------------------------------------------------------------------
    def notice(self, notice_id: str) -> dict[str, Any]:
        for n in self.notices:
            if n["notice_id"] == notice_id:
                return n
        raise DomainError(f"supervision case {self.id} sent no notice {notice_id}", code="unknown_notice")

    def _of_kind(self, kind: str) -> list[dict[str, Any]]:
        return [n for n in self.notices if n["kind"] == kind]

    def unanswered(self, kind: str) -> list[dict[str, Any]]:
        return [n for n in self._of_kind(kind) if n["answer"] is None]

    def named_co_offenders(self) -> list[dict[str, Any]]:
        """The co-offenders of this case's filing notices."""
        return [n["co_offender"] for n in self._of_kind(FILING) if n.get("co_offender")]

    def _open(self) -> None:
        if self.status is SupervisionStatus.CLOSED:
            raise Conflict(f"supervision case {self.id} is closed ({self.outcome})", code="supervision_closed")

    def _add(self, kind: str, notice: dict[str, Any], *, by: str, at: datetime) -> dict[str, Any]:
        notice = {"kind": kind, **notice, "issued_at": at.isoformat(), "issued_by": by, "answer": None}
        self.notices = [*self.notices, notice]
        self.events.append(happened.NoticeIssued(case=self, notice=notice, occurred_at=at))
        return notice

    def _answer(self, notice_id: str, kind: str, answer: dict[str, Any]) -> bool:
        notice = self.notice(notice_id)
        if notice["kind"] != kind:
            raise DomainError(f"notice {notice_id} is a {notice['kind']}, not a {kind}", code="wrong_notice")
        if notice["answer"] is not None:
            return False
        self.notices = [{**n, "answer": answer} if n["notice_id"] == notice_id else n for n in self.notices]
        return True

    # -- acts ----------------------------------------------------------------------------------------------------
    def demand_explanation(self, *, notice_id: str, number: str, reasons: str, by: str, at: datetime) -> dict[str, Any]:
        """要求说明不立案理由通知书: only where the police have a referral they did not file."""
        self._open()
        if self.referral_id is None:
            raise DomainError("an explanation is demanded of a referral the police did not file", code="no_referral")
        if self.unanswered(EXPLANATION):
            raise Conflict("an explanation demand is awaiting the police's answer", code="explanation_pending")
        if self._of_kind(FILING):
            raise Conflict("a notice to file has been issued already", code="filing_notice_issued")
        notice = {"notice_id": notice_id, "document_number": number, "reasons": reasons}
        return self._add(EXPLANATION, notice, by=by, at=at)

    def record_explanation(self, notice_id: str, *, explanation: str, given_at: datetime, given_by: str) -> bool:
        answer = {"explanation": explanation, "given_at": given_at.isoformat(), "given_by": given_by}
        return self._answer(notice_id, EXPLANATION, answer)

    def accept_explanation(self, *, note: str, by: str, at: datetime) -> None:
        """理由成立: the police's reasons stand; the case closes."""
        self._open()
        if not any(n["answer"] is not None for n in self._of_kind(EXPLANATION)):
            raise Conflict("no explanation has been given to accept", code="no_explanation")
        if self._of_kind(FILING):
            raise Conflict("a notice to file has been issued: the case closes when it is complied with", code="filing")
        self._close("explanation_accepted", note=note, by=by, at=at)

    def last_explanation_demand(self) -> dict[str, Any] | None:
        demands = self._of_kind(EXPLANATION)
        return demands[-1] if demands else None

    def propose_filing_notice(
        self, *, reasons: str, co_offender: dict[str, Any] | None, explanation_settled: bool, by: str, at: datetime
    ) -> dict[str, Any]:
        """通知立案书 proposed by the prosecutor; the chief prosecutor decides it (SPP Rules Art. 561). Checked as the
        notice would be: the referral's case only once the police gave their reasons or their 7 days to give them
        ran out (`explanation_settled`; CPL Art. 113, SPP Rules Art. 559–560), or a co-offender's."""
        self._check_filing_notice(co_offender, explanation_settled)
        params = {"reasons": reasons, "co_offender": co_offender}
        self.proposal = proposal(self.proposal, "filing_notice", params, by=by, at=at)
        return self.proposal

    def decide_filing_notice(
        self,
        *,
        approve: bool,
        note: str | None,
        notice_id: str,
        number: str,
        explanation_settled: bool,
        by: str,
        at: datetime,
    ) -> dict[str, Any] | None:
        """The chief prosecutor's decision: approved, the notice is issued (numbered now); rejected, nothing is."""
        self._open()
        proposed = awaiting(self.proposal)
        self.proposal = None
        if not approve:
            return None
        return self.issue_filing_notice(
            notice_id=notice_id,
            number=number,
            reasons=proposed["reasons"],
            co_offender=proposed["co_offender"],
            explanation_settled=explanation_settled,
            by=proposed["proposed_by"],
            at=at,
            approved=approval(proposed, by=by, at=at, note=note),
        )

    def _check_filing_notice(self, co_offender: dict[str, Any] | None, explanation_settled: bool) -> None:
        self._open()
        if co_offender is None:
            if self.referral_id is None:
                raise DomainError(
                    "a notice without a co-offender files the referral; there is none", code="no_referral"
                )
            if any(n.get("co_offender") is None for n in self._of_kind(FILING)):
                raise Conflict("the referral was already notified to be filed", code="already_notified")
            if not explanation_settled:
                raise Conflict(
                    "a notice to file the referral follows the police's reasons for not filing, or the end of their "
                    "7 days to give them (CPL Art. 113; SPP Rules Art. 559–561)",
                    code="explanation_first",
                )
        elif not co_offender.get("evidence"):
            raise DomainError("a co-offender is named with the evidence against them", code="evidence_required")

    def issue_filing_notice(
        self,
        *,
        notice_id: str,
        number: str,
        reasons: str,
        co_offender: dict[str, Any] | None,
        explanation_settled: bool,
        by: str,
        at: datetime,
        approved: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """通知立案书: the referral's case, or a co-offender's (with their part in the scheme and evidence)."""
        self._check_filing_notice(co_offender, explanation_settled)
        notice = {"notice_id": notice_id, "document_number": number, "reasons": reasons, "co_offender": co_offender}
        return self._add(FILING, {**notice, **({"approval": approved} if approved else {})}, by=by, at=at)

    def record_compliance(self, notice_id: str, *, filed: dict[str, Any], at: datetime) -> bool:
        """The police filed as notified; when every notice to file is complied with, the case closes."""
        if not self._answer(notice_id, FILING, filed):
            return False
        if self.status is SupervisionStatus.OPEN and not self.unanswered(FILING):
            self._close("complied", note=f"公安机关已立案 {filed['case_number']}", by=filed["filed_by"], at=at)
        return True

    def issue_correction(
        self, *, notice_id: str, number: str, concerns: str, violation: str, by: str, at: datetime
    ) -> dict[str, Any]:
        """纠正违法通知书 about a notice the police left unanswered past its window (the caller checks the window)."""
        concerned = self.notice(concerns)
        if concerned["kind"] not in (EXPLANATION, FILING):
            raise DomainError("a correction concerns a demand for reasons or a notice to file", code="wrong_notice")
        if concerned["answer"] is not None:
            raise Conflict(f"notice {concerns} was answered", code="notice_answered")
        notice = {"notice_id": notice_id, "document_number": number, "concerns_notice_id": concerns}
        return self._add(CORRECTION, {**notice, "violation": violation}, by=by, at=at)

    def send_reminder(
        self, *, notice_id: str, number: str, case_id: str, text: str, by: str, at: datetime
    ) -> dict[str, Any]:
        """催办函: a case filed under this supervision and not concluded three months after its filing."""
        filed = next(
            (n["answer"] for n in self._of_kind(FILING) if (n["answer"] or {}).get("case_id") == case_id), None
        )
        if filed is None:
            raise DomainError(f"case {case_id} was not filed under this supervision", code="unknown_case")
        filed_day = datetime.fromisoformat(filed["filed_at"]).astimezone(SHANGHAI).date()
        if at.astimezone(SHANGHAI).date() < add_months(filed_day, 3):
            raise Conflict(
                f"case {filed['case_number']} was filed on {filed_day.isoformat()}: a reminder comes three months on",
                code="too_early",
            )
        if filed.get("concluded_at"):
            raise Conflict(f"case {filed['case_number']} is concluded", code="case_concluded")
        notice = {"notice_id": notice_id, "document_number": number, "case_id": case_id, "text": text}
        return self._add(REMINDER, notice, by=by, at=at)

    def _close(self, outcome: str, *, note: str, by: str, at: datetime) -> None:
        self.status, self.outcome = SupervisionStatus.CLOSED, outcome
        self.closed_at, self.closed_by, self.close_note = at, by, note
        self.events.append(happened.SupervisionClosed(case=self, occurred_at=at))
