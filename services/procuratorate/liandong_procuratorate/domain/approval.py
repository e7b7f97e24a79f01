"""Acts the chief prosecutor decides (经检察长决定): a prosecutor proposes — the proposal checked as the act would be
— and the chief prosecutor approves, and the act takes effect then, or rejects it with a note. One proposal at a
time on a record; the proposal names who proposed it and when, the act who approved it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from liandong.errors import Conflict


def proposal(
    current: dict[str, Any] | None, act: str, params: dict[str, Any], *, by: str, at: datetime
) -> dict[str, Any]:
    """A new proposal of `act`, refused while another awaits the chief prosecutor."""
    if current is not None:
        raise Conflict(
            f"a proposal of {current['act']} awaits the chief prosecutor's decision", code="proposal_pending"
        )
    return {"act": act, **params, "proposed_by": by, "proposed_at": at.isoformat()}


def awaiting(current: dict[str, Any] | None) -> dict[str, Any]:
    """The proposal the chief prosecutor decides now."""
    if current is None:
        raise Conflict("there is no proposal awaiting the chief prosecutor's decision", code="no_proposal")
    return current


def approval(current: dict[str, Any], *, by: str, at: datetime, note: str | None) -> dict[str, Any]:
    """What the act keeps of its approval."""
    return {
        "proposed_by": current["proposed_by"],
        "proposed_at": current["proposed_at"],
        "approved_by": by,
        "approved_at": at.isoformat(),
        "approval_note": note,
    }
