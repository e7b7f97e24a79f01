"""The police cases of the court's matters, as the police and the procuratorate report them: suspects, detentions,
arrest requests, decisions and executions. Events of one case come in order from the police; a decision comes from
the procuratorate on its own topic and may arrive before the request it answers, so each record is kept by its own
id and never depends on another having arrived. Each `record_*` returns False when the record is already known."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(eq=False, kw_only=True)
class PoliceCase:
    case_id: str
    lead_id: str
    police_unit: str
    referral_id: str | None = None
    case_number: str | None = None
    opened_at: datetime | None = None
    suspects: list[dict[str, Any]] = field(default_factory=list)
    detentions: list[dict[str, Any]] = field(default_factory=list)
    arrest_requests: list[dict[str, Any]] = field(default_factory=list)
    decisions: list[dict[str, Any]] = field(default_factory=list)
    executions: list[dict[str, Any]] = field(default_factory=list)
    # the case's way to its end: transfers, returns, the decision on prosecution, the withdrawal
    milestones: list[dict[str, Any]] | None = field(default_factory=list)
    updated_at: datetime | None = None
    events: list[Any] = field(default_factory=list, repr=False)

    @property
    def matter_id(self) -> str:
        """The matter (correlation id) this record belongs to: events of another matter may not touch it."""
        return self.lead_id

    def record_opening(self, *, case_number: str, suspects: list[dict[str, Any]], at: datetime) -> bool:
        if self.opened_at is not None:
            return False
        self.case_number, self.suspects, self.opened_at = case_number, suspects, at
        return True

    @staticmethod
    def _add(records: list[dict[str, Any]], record: dict[str, Any], key: str) -> list[dict[str, Any]] | None:
        if any(r[key] == record[key] for r in records):
            return None
        return [*records, record]

    def record_detention(self, detention: dict[str, Any]) -> bool:
        added = self._add(self.detentions, detention, "detention_id")
        if added is not None:
            self.detentions = added
        return added is not None

    def record_request(self, request: dict[str, Any]) -> bool:
        added = self._add(self.arrest_requests, request, "request_id")
        if added is not None:
            self.arrest_requests = added
        return added is not None

    def record_decisions(self, decisions: list[dict[str, Any]]) -> bool:
        """Decisions per suspect of a request (keyed by request and suspect)."""
        known = {(d["request_id"], d["suspect_id"]) for d in self.decisions}
        fresh = [d for d in decisions if (d["request_id"], d["suspect_id"]) not in known]
        self.decisions = [*self.decisions, *fresh]
        return bool(fresh)

    def record_execution(self, execution: dict[str, Any]) -> bool:
        known = {(e["request_id"], e["suspect_id"]) for e in self.executions}
        if (execution["request_id"], execution["suspect_id"]) in known:
            return False
        self.executions = [*self.executions, execution]
        return True

    def record_custody_end(self, end: dict[str, Any]) -> bool:
        """A person released, or on bail or under residential surveillance, without an arrest decision (or on the
        case's withdrawal): a milestone, and the detention it ends shown ended."""
        if not self.record_milestone(end):
            return False
        if end.get("detention_id"):
            self.detentions = [
                {**d, "ended_at": end["ended_at"], "ended_how": end["outcome"]}
                if d["detention_id"] == end["detention_id"]
                else d
                for d in self.detentions
            ]
        return True

    def record_milestone(self, milestone: dict[str, Any]) -> bool:
        """A step towards the case's end (by its event id)."""
        known = self.milestones or []
        if any(m["event_id"] == milestone["event_id"] for m in known):
            return False
        self.milestones = [*known, milestone]
        return True
