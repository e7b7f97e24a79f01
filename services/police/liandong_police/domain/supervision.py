"""The procuratorate's supervision notices in the bureau's inbox (立案监督). A demand for reasons and a notice to file
stay open, their windows running, until the bureau answers them — it cannot dismiss them; a correction notice and a
reminder are kept for the bureau to see.

A notice to file is complied with by filing: the referral's case (after a decline or a silence), or a new case in the
same matter against the co-offender the notice names.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from liandong.errors import Conflict, DomainError
from liandong_police.domain import events as happened


class NoticeKind(StrEnum):
    EXPLANATION = "explanation_demand"  # 要求说明不立案理由通知书
    FILING = "filing_notice"  # 通知立案书
    CORRECTION = "correction_notice"  # 纠正违法通知书
    REMINDER = "reminder"  # 催办函


class NoticeStatus(StrEnum):
    OPEN = "open"  # awaiting the bureau's answer
    ANSWERED = "answered"
    RECEIVED = "received"  # a correction or a reminder: nothing to answer in the system


ANSWERED_BY_THE_BUREAU = (NoticeKind.EXPLANATION, NoticeKind.FILING)


class SupervisionNotice:
    events: list[Any]

    @property
    def matter_id(self) -> str:
        """The matter (correlation id) this record belongs to: events of another matter may not touch it."""
        return self.correlation_id

    def __init__(
        self,
        *,
        id: str,
        supervision_id: str,
        correlation_id: str,
        police_unit: str,
        referral_id: str | None,
        kind: NoticeKind,
        document_number: str,
        content: str,
        co_offender: dict[str, Any] | None,
        concerns_notice_id: str | None,
        case_id: str | None,
        issued_at: datetime,
        issued_by: str,
        received_at: datetime,
    ) -> None:
        self.id = id
        self.supervision_id = supervision_id
        self.correlation_id = correlation_id
        self.police_unit = police_unit
        self.referral_id = referral_id
        self.kind = kind
        self.document_number = document_number
        self.content = content
        self.co_offender = co_offender
        self.concerns_notice_id = concerns_notice_id
        self.case_id = case_id
        self.issued_at = issued_at
        self.issued_by = issued_by
        self.received_at = received_at
        self.status = NoticeStatus.OPEN if kind in ANSWERED_BY_THE_BUREAU else NoticeStatus.RECEIVED
        self.explanation: str | None = None
        self.answered_at: datetime | None = None
        self.answered_by: str | None = None
        self.events = []

    def _awaiting(self, kind: NoticeKind) -> None:
        if self.kind is not kind:
            raise DomainError(
                f"notice {self.document_number} is a {self.kind.value}, not a {kind.value}", code="wrong_notice"
            )
        if self.status is not NoticeStatus.OPEN:
            raise Conflict(f"notice {self.document_number} was answered already", code="already_answered")

    def give_explanation(self, explanation: str, *, by: str, at: datetime) -> None:
        """不立案理由说明书, in answer to a demand."""
        self._awaiting(NoticeKind.EXPLANATION)
        if not explanation.strip():
            raise DomainError("an explanation states the reasons", code="explanation_required")
        self.status, self.explanation, self.answered_at, self.answered_by = NoticeStatus.ANSWERED, explanation, at, by
        self.events.append(happened.ExplanationGiven(notice=self, explanation=explanation, by=by, occurred_at=at))

    def check_filing(self) -> None:
        self._awaiting(NoticeKind.FILING)

    def complied(
        self, *, case_id: str, case_number: str, suspects: list[dict[str, Any]], by: str, at: datetime
    ) -> None:
        """Filed as notified: the copy of the filing decision goes to the procuratorate."""
        self._awaiting(NoticeKind.FILING)
        self.status, self.case_id, self.answered_at, self.answered_by = NoticeStatus.ANSWERED, case_id, at, by
        self.events.append(
            happened.FilingNoticeComplied(
                notice=self, case_id=case_id, case_number=case_number, suspects=tuple(suspects), by=by, occurred_at=at
            )
        )
