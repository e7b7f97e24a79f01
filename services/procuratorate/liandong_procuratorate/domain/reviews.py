"""Arrest reviews (审查批准逮捕): one per 提请批准逮捕书 from the police, decided per suspect by a prosecutor.

pending ─each suspect approved or refused─▶ decided
A refusal gives its reasons and may carry a 补充侦查提纲; the police may supplement and request again, which opens a
new review. While reviewing, a prosecutor may record further persons who appear to be involved (for 立案监督).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from liandong.errors import Conflict, DomainError
from liandong_procuratorate.domain import events as happened

APPROVE, REFUSE = "approve", "refuse"


class ReviewStatus(StrEnum):
    PENDING = "pending"
    DECIDED = "decided"


class ArrestReview:
    events: list[Any]

    @property
    def matter_id(self) -> str:
        """The matter (correlation id) this record belongs to: events of another matter may not touch it."""
        return self.correlation_id

    def __init__(
        self,
        *,
        id: str,
        request_id: str,
        case_id: str,
        case_number: str,
        referral_id: str | None,
        correlation_id: str,
        police_unit: str,
        unit: str,
        document_number: str,
        attempt: int,
        suspects: list[dict[str, Any]],
        evidence: list[dict[str, Any]],
        investigation_log: list[dict[str, Any]],
        requested_at: datetime,
        requested_by: str,
        received_at: datetime,
    ) -> None:
        self.id = id
        self.request_id = request_id
        self.case_id = case_id
        self.case_number = case_number
        self.referral_id = referral_id
        self.correlation_id = correlation_id
        self.police_unit = police_unit
        self.unit = unit
        self.document_number = document_number
        self.attempt = attempt
        self.suspects = suspects
        self.evidence = evidence
        self.investigation_log = investigation_log
        self.requested_at = requested_at
        self.requested_by = requested_by
        self.received_at = received_at
        self.status = ReviewStatus.PENDING
        self.persons_involved: list[dict[str, Any]] = []
        self.events = []

    def suspect(self, suspect_id: str) -> dict[str, Any]:
        for s in self.suspects:
            if s["suspect_id"] == suspect_id:
                return s
        raise DomainError(f"review {self.id} has no suspect {suspect_id}", code="unknown_suspect")

    def undecided(self) -> list[dict[str, Any]]:
        return [s for s in self.suspects if s.get("decision") is None]

    def decide(self, decisions: list[dict[str, Any]], *, by: str, at: datetime) -> list[dict[str, Any]]:
        """批准逮捕 / 不批准逮捕 for one or more suspects not decided yet; a refusal gives reasons and may carry an
        outline for supplementary investigation."""
        if not decisions:
            raise DomainError("a decision names at least one suspect", code="no_decisions")
        ids = [d["suspect_id"] for d in decisions]
        if len(set(ids)) != len(ids):
            raise DomainError("a suspect is decided twice in one act", code="duplicate_suspect")
        for d in decisions:
            suspect = self.suspect(d["suspect_id"])
            if suspect.get("decision") is not None:
                raise Conflict(
                    f"the arrest of {suspect['name']} was already decided ({suspect['decision']})",
                    code="already_decided",
                )
            if not str(d.get("reasons") or "").strip():
                raise DomainError(f"the decision on {suspect['name']} gives its reasons", code="reasons_required")
            if d["decision"] == APPROVE and d.get("outline"):
                raise DomainError("an outline for supplementary investigation goes with a refusal", code="outline")
        by_id = {d["suspect_id"]: d for d in decisions}
        decided = []
        suspects = []
        for known in self.suspects:
            given = by_id.get(known["suspect_id"])
            s = known
            if given is not None:
                s = {
                    **known,
                    "decision": given["decision"],
                    "reasons": given["reasons"],
                    "outline": given.get("outline"),
                    "decided_at": at.isoformat(),
                    "decided_by": by,
                }
                decided.append(s)
            suspects.append(s)
        self.suspects = suspects
        if not self.undecided():
            self.status = ReviewStatus.DECIDED
        self.events.append(happened.ArrestDecided(review=self, decided=tuple(decided), by=by, occurred_at=at))
        return decided

    def reconsideration_asked(self, suspect_id: str, *, stage: str, reasons: str, at: datetime, by: str) -> bool:
        """要求复议 / 提请复核 of a refusal (CPL Art. 92); False if already known."""
        suspect = self.suspect(suspect_id)
        if suspect.get("decision") != REFUSE:
            raise DomainError(f"the arrest of {suspect['name']} was not refused", code="not_refused")
        asked = suspect.get("reconsiderations") or []
        if any(a["stage"] == stage for a in asked):
            return False
        entry = {"stage": stage, "reasons": reasons, "requested_at": at.isoformat(), "requested_by": by}
        self._set(suspect_id, reconsiderations=[*asked, entry])
        return True

    def reconsider(
        self, suspect_id: str, *, stage: str, changed: bool, reasons: str, unit: str, by: str, at: datetime
    ) -> dict[str, Any]:
        """复议决定 / 复核决定: the refusal upheld, or changed to an approval (the police execute it)."""
        suspect = self.suspect(suspect_id)
        asked = suspect.get("reconsiderations") or []
        pending = next((a for a in asked if a["stage"] == stage), None)
        if pending is None:
            raise Conflict(f"the police asked no {stage} for {suspect['name']}", code="not_asked")
        if "changed" in pending:
            raise Conflict(f"the {stage} for {suspect['name']} is decided", code="already_decided")
        if not reasons.strip():
            raise DomainError("a reconsideration gives its reasons", code="reasons_required")
        answer = {**pending, "changed": changed, "decision_reasons": reasons, "decided_at": at.isoformat(),
                  "decided_by": by, "unit": unit}  # fmt: skip
        changes: dict[str, Any] = {"reconsiderations": [answer if a is pending else a for a in asked]}
        if changed:
            changes |= {"decision": APPROVE, "changed_on": stage}
        self._set(suspect_id, **changes)
        self.events.append(
            happened.ArrestReconsidered(review=self, suspect=self.suspect(suspect_id), answer=answer, occurred_at=at)
        )
        return answer

    def _set(self, suspect_id: str, **values: Any) -> None:
        self.suspects = [{**s, **values} if s["suspect_id"] == suspect_id else s for s in self.suspects]

    def record_person(
        self, *, name: str, role: str, evidence: list[str], note: str | None, by: str, at: datetime
    ) -> dict[str, Any]:
        """A further person who appears to be involved (e.g. who lent the account the assets were moved through)."""
        if not name.strip() or not role.strip():
            raise DomainError("a person involved has a name and a role", code="person_shape")
        if any(p["name"] == name and p["role"] == role for p in self.persons_involved):
            raise Conflict(f"{name} is already recorded as {role}", code="already_recorded")
        person = {
            "person_id": str(uuid.uuid4()),
            "name": name,
            "role": role,
            "evidence": evidence,
            "note": note,
            "recorded_by": by,
            "recorded_at": at.isoformat(),
        }
        self.persons_involved = [*self.persons_involved, person]
        return person

    def record_execution(
        self,
        suspect_id: str,
        *,
        outcome: str,
        executed_at: datetime,
        receipt_at: datetime,
        failure_reason: str | None = None,
    ) -> bool:
        """The police's execution receipt for a suspect (an arrest not executed with its reason, SPP Rules Art.
        286); False when it is already known."""
        suspect = self.suspect(suspect_id)
        if suspect.get("execution") is not None:
            return False
        execution = {"outcome": outcome, "executed_at": executed_at.isoformat(), "receipt_at": receipt_at.isoformat()}
        if failure_reason:
            execution["failure_reason"] = failure_reason
        self.suspects = [{**s, "execution": execution} if s is suspect else s for s in self.suspects]
        return True


def verdicts(decided: list[dict[str, Any]]) -> str:
    """批准逮捕 / 不批准逮捕 per suspect, as a line of the timeline reads."""
    return "；".join(f"{s['name']}：{'批准逮捕' if s['decision'] == APPROVE else '不批准逮捕'}" for s in decided)
