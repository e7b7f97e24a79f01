"""Internal domain events of the procuratorate (past tense). Translated to integration contracts in adapters/."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from liandong_procuratorate.domain.reviews import ArrestReview


@dataclass(frozen=True)
class ArrestDecided:
    """批准 / 不批准逮捕决定 for the suspects decided in one act."""

    review: ArrestReview
    decided: tuple[dict[str, Any], ...]
    by: str
    occurred_at: datetime
