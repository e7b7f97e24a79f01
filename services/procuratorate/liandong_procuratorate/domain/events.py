"""Internal domain events of the procuratorate (past tense). Translated to integration contracts in adapters/."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from liandong_procuratorate.domain.prosecutions import ProsecutionReview
    from liandong_procuratorate.domain.reviews import ArrestReview
    from liandong_procuratorate.domain.supervision import SupervisionCase


@dataclass(frozen=True)
class ArrestDecided:
    """批准 / 不批准逮捕决定 for the suspects decided in one act."""

    review: ArrestReview
    decided: tuple[dict[str, Any], ...]
    by: str
    occurred_at: datetime


@dataclass(frozen=True)
class ArrestReconsidered:
    """复议 / 复核决定 on one suspect's refused arrest."""

    review: ArrestReview
    suspect: dict[str, Any]
    answer: dict[str, Any]
    occurred_at: datetime


@dataclass(frozen=True)
class NoticeIssued:
    """A supervision notice to the police: a demand for reasons, a notice to file, a correction, a reminder."""

    case: SupervisionCase
    notice: dict[str, Any]
    occurred_at: datetime


@dataclass(frozen=True)
class SupervisionClosed:
    case: SupervisionCase
    occurred_at: datetime


@dataclass(frozen=True)
class ProsecutionReturned:
    review: ProsecutionReview
    back: dict[str, Any]
    occurred_at: datetime


@dataclass(frozen=True)
class ProsecutionDeclined:
    review: ProsecutionReview
    occurred_at: datetime


@dataclass(frozen=True)
class IndictmentFiled:
    review: ProsecutionReview
    defendants: tuple[dict[str, Any], ...]
    occurred_at: datetime
