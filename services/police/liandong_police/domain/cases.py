"""The bureau's criminal case (刑事案件), opened by a filing: suspects, the investigation log, detentions, arrest
requests, the procuratorate's decisions and their execution.

The case: investigating ─起诉意见书─▶ transferred ─退回补充侦查 (≤2)─▶ returned ─▶ transferred …
                                    └─▶ indicted ─▶ judged, or not_prosecuted
          investigating / returned ─撤销案件─▶ withdrawn

A suspect's custody: free ─刑事拘留─▶ detained ─批准逮捕, executed─▶ arrested
                                         └─不批准逮捕─▶ released / bail / residential surveillance
A request awaits the procuratorate until each of its suspects is decided; a refusal may carry a 补充侦查提纲, and the
investigators may then supplement the log and request again (a new request, with its own review).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any

from liandong.contracts import in_custody
from liandong.documents import kinds
from liandong.errors import Conflict, DomainError, NotFound
from liandong.timing import check_act_time
from liandong_police.domain import events as happened
from liandong_police.domain.model import SHANGHAI


class CaseStatus(StrEnum):
    INVESTIGATING = "investigating"
    TRANSFERRED = "transferred"  # 移送审查起诉, awaiting the procuratorate
    RETURNED = "returned"  # 退回补充侦查
    INDICTED = "indicted"
    NOT_PROSECUTED = "not_prosecuted"
    JUDGED = "judged"
    WITHDRAWN = "withdrawn"  # 撤销案件


IN_THE_BUREAUS_HANDS = (CaseStatus.INVESTIGATING, CaseStatus.RETURNED)


class Custody(StrEnum):
    FREE = "free"
    DETAINED = "detained"  # 刑事拘留
    ARRESTED = "arrested"  # 逮捕
    RELEASED = "released"
    BAIL = "bail"  # 取保候审
    RESIDENTIAL_SURVEILLANCE = "residential_surveillance"  # 监视居住


class LogKind(StrEnum):
    BANK_RECORDS = "bank_records"  # 银行流水
    PROPERTY_REGISTER = "property_register"  # 不动产、车辆、股权登记
    INTERVIEW = "interview"  # 询问、讯问笔录
    SEIZURE = "seizure"  # 查封、扣押、冻结
    OTHER = "other"


APPROVE, REFUSE = "approve", "refuse"
NOT_EXECUTED = "not_executed"  # an approved arrest the police could not execute (not found, absconded)
AFTER_REFUSAL = {Custody.RELEASED, Custody.BAIL, Custody.RESIDENTIAL_SURVEILLANCE}
# held, or under a measure at liberty: what a withdrawal ends (MPS Rules Art. 187)
RESTRAINED = {Custody.DETAINED, Custody.ARRESTED, Custody.BAIL, Custody.RESIDENTIAL_SURVEILLANCE}


def arrest_request_number(unit: str, year: int, sequence: int) -> str:
    """提请批准逮捕书 number, e.g. 通山公（刑）提捕字〔2026〕2号."""
    return kinds.number(kinds.POLICE_ARREST_REQUEST, unit, year, sequence)


def suspects_from_filing(filed: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The case's suspects from the filed referral's: each gets an id; a legal representative names the unit they
    represent when the referral names exactly one unit."""
    suspects = [{**s, "suspect_id": str(uuid.uuid4()), "custody": Custody.FREE.value} for s in filed]
    units = [s["suspect_id"] for s in suspects if s.get("kind") == "unit"]
    for s in suspects:
        s.setdefault("id_number", None)
        s["represents"] = units[0] if s.get("role") == "legal_representative" and len(units) == 1 else None
        if s.get("kind") == "unit":
            s["custody"] = None  # a unit is fined, never held
    return suspects


class LogEntry:
    """One entry of a case's investigation log, a record of its own: the log only grows, an entry at a time, and an
    entry is never rewritten — recording one writes that entry alone, whatever the log's length."""

    seq: int | None  # the log's order, given by the database as the entry is written

    def __init__(
        self,
        *,
        case_id: str,
        entry_id: str,
        kind: str,
        summary: str,
        collected_by: str,
        collected_at: str,
        recorded_at: datetime,
        evidence: list[str],
    ) -> None:
        self.seq = None
        self.case_id = case_id
        self.entry_id = entry_id
        self.kind = kind
        self.summary = summary
        self.collected_by = collected_by
        self.collected_at = collected_at
        self.recorded_at = recorded_at
        self.evidence = evidence

    def shown(self) -> dict[str, Any]:
        """The entry as the case's page, its events and its papers show it."""
        return log_entry({name: getattr(self, name) for name in LOG_FIELDS})


LOG_FIELDS = ("entry_id", "kind", "summary", "collected_by", "collected_at", "recorded_at", "evidence")


def log_entry(values: Mapping[str, Any]) -> dict[str, Any]:
    """An entry as shown, from its fields (an entry, or its row)."""
    entry = {name: values[name] for name in LOG_FIELDS}
    entry["recorded_at"] = values["recorded_at"].isoformat()
    entry["evidence"] = list(values["evidence"])
    return entry


class LogNotLoaded(RuntimeError):
    """The case was loaded without its investigation log, and something asked for it."""


class Case:
    events: list[Any]
    # The log entries recorded since the case was loaded: the unit of work writes them as it commits. The log itself
    # is read apart (`with_log`), when an act or a page needs it whole.
    new_records: list[LogEntry]

    @property
    def matter_id(self) -> str:
        """The matter (correlation id) this record belongs to: events of another matter may not touch it."""
        return self.correlation_id

    def __init__(
        self,
        *,
        id: str,
        referral_id: str | None,
        correlation_id: str,
        police_unit: str,
        case_number: str,
        suspects: list[dict[str, Any]],
        opened_at: datetime,
        opened_by: str,
    ) -> None:
        self.id = id
        self.referral_id = referral_id
        self.correlation_id = correlation_id
        self.police_unit = police_unit
        self.case_number = case_number
        self.suspects = suspects
        self.opened_at = opened_at
        self.opened_by = opened_by
        self.status = CaseStatus.INVESTIGATING
        self._log: list[dict[str, Any]] | None = []
        self.new_records = []
        self.detentions: list[dict[str, Any]] = []
        self.arrest_requests: list[dict[str, Any]] = []
        self.transfers: list[dict[str, Any]] | None = []
        self.returns: list[dict[str, Any]] | None = []
        self.prosecution: dict[str, Any] | None = None  # the procuratorate's decision: indicted or not prosecuted
        self.judgment: dict[str, Any] | None = None
        self.withdrawal: dict[str, Any] | None = None
        self.events = []

    @classmethod
    def open(
        cls,
        *,
        id: str,
        referral_id: str | None,
        correlation_id: str,
        police_unit: str,
        case_number: str,
        suspects: list[dict[str, Any]],
        by: str,
        at: datetime,
    ) -> Case:
        case = cls(
            id=id,
            referral_id=referral_id,
            correlation_id=correlation_id,
            police_unit=police_unit,
            case_number=case_number,
            suspects=suspects,
            opened_at=at,
            opened_by=by,
        )
        case.events.append(happened.CaseOpened(case=case.facts(), suspects=tuple(suspects), by=by, occurred_at=at))
        return case

    def facts(self) -> happened.CaseFacts:
        return happened.CaseFacts(
            case_id=self.id,
            case_number=self.case_number,
            referral_id=self.referral_id,
            correlation_id=self.correlation_id,
            police_unit=self.police_unit,
        )

    # -- suspects ------------------------------------------------------------------------------------------------
    def suspect(self, suspect_id: str) -> dict[str, Any]:
        for s in self.suspects:
            if s["suspect_id"] == suspect_id:
                return s
        raise DomainError(f"case {self.case_number} has no suspect {suspect_id}", code="unknown_suspect")

    def add_suspect(
        self, *, name: str, kind: str, role: str, id_number: str | None, represents: str | None
    ) -> dict[str, Any]:
        """A suspect the investigation found (e.g. a unit's legal representative, who is a suspect of their own)."""
        if represents is not None:
            unit = self.suspect(represents)
            if unit["kind"] != "unit":
                raise DomainError(f"{unit['name']} is not a unit; only a unit is represented", code="not_a_unit")
            if kind != "person":
                raise DomainError("a unit's legal representative is a person", code="not_a_person")
        elif role == "legal_representative":
            raise DomainError("a legal representative names the unit suspect they represent", code="represents")
        if any(s["name"] == name and s.get("id_number") == id_number for s in self.suspects):
            raise Conflict(f"{name} is already a suspect of case {self.case_number}", code="already_a_suspect")
        suspect = {
            "suspect_id": str(uuid.uuid4()),
            "name": name,
            "kind": kind,
            "role": role,
            "id_number": id_number,
            "represents": represents,
            "custody": Custody.FREE.value if kind == "person" else None,
        }
        self.suspects = [*self.suspects, suspect]
        return suspect

    def _set_custody(self, suspect_id: str, custody: Custody) -> None:
        self.suspects = [{**s, "custody": custody.value} if s["suspect_id"] == suspect_id else s for s in self.suspects]

    # -- the investigation log -----------------------------------------------------------------------------------
    @property
    def log(self) -> list[dict[str, Any]]:
        """The investigation log, oldest entry first — once loaded (`with_log`); a case loaded without it refuses
        rather than show an empty log."""
        log: list[dict[str, Any]] | None = self.__dict__.get("_log")
        if log is None:
            raise LogNotLoaded(f"case {self.id} was loaded without its investigation log")
        return log

    def with_log(self, entries: list[dict[str, Any]]) -> Case:
        self._log = entries
        return self

    def record_investigation(
        self, *, kind: LogKind, summary: str, collected_at: datetime, evidence: list[str], by: str, now: datetime
    ) -> dict[str, Any]:
        if not summary.strip():
            raise DomainError("a log entry says what was collected", code="summary_required")
        check_act_time(collected_at, now=now, not_before=self.opened_at, what="the collection", follows="the filing")
        record = LogEntry(
            case_id=self.id,
            entry_id=str(uuid.uuid4()),
            kind=kind.value,
            summary=summary,
            collected_by=by,
            collected_at=collected_at.isoformat(),
            recorded_at=now,
            evidence=evidence,
        )
        self.new_records.append(record)
        entry = record.shown()
        if self.__dict__.get("_log") is not None:
            self._log = [*self.log, entry]
        return entry

    # -- detention -----------------------------------------------------------------------------------------------
    def detention(self, detention_id: str) -> dict[str, Any]:
        for d in self.detentions:
            if d["detention_id"] == detention_id:
                return d
        raise NotFound(f"case {self.case_number} has no detention {detention_id}")

    def open_detention(self, suspect_id: str) -> dict[str, Any] | None:
        return next((d for d in self.detentions if d["suspect_id"] == suspect_id and d["ended_at"] is None), None)

    def detain(
        self, *, suspect_id: str, detained_at: datetime, place: str, by: str, now: datetime, request_due_at: datetime
    ) -> dict[str, Any]:
        """刑事拘留 of a person suspect who is not held already."""
        suspect = self.suspect(suspect_id)
        if suspect["kind"] != "person":
            raise DomainError(f"{suspect['name']} is a unit; only a person is detained", code="not_a_person")
        if suspect["custody"] in (Custody.DETAINED, Custody.ARRESTED):
            raise Conflict(f"{suspect['name']} is already {suspect['custody']}", code="already_in_custody")
        if not place.strip():
            raise DomainError("a detention names its place", code="place_required")
        check_act_time(detained_at, now=now, not_before=self.opened_at, what="the detention", follows="the filing")
        detention = {
            "detention_id": str(uuid.uuid4()),
            "suspect_id": suspect_id,
            "name": suspect["name"],
            "detained_at": detained_at.isoformat(),
            "place": place,
            "recorded_by": by,
            "recorded_at": now.isoformat(),
            "ended_at": None,
            "ended_by": None,
        }
        self.detentions = [*self.detentions, detention]
        self._set_custody(suspect_id, Custody.DETAINED)
        self.events.append(
            happened.DetentionRecorded(
                case=self.facts(),
                detention_id=detention["detention_id"],
                suspect_id=suspect_id,
                name=suspect["name"],
                detained_at=detained_at,
                place=place,
                request_due_at=request_due_at,
                by=by,
                occurred_at=now,
            )
        )
        return detention

    def record_detention_extension(
        self, detention_id: str, *, due_at: datetime, by: str, reason: str, at: datetime
    ) -> None:
        """The window to request arrest approval extended: shown on the detention."""
        self.detention(detention_id)
        extension = {"due_at": due_at.isoformat(), "by": by, "reason": reason, "at": at.isoformat()}
        self.detentions = [
            {**d, "extensions": [*d.get("extensions", []), extension]} if d["detention_id"] == detention_id else d
            for d in self.detentions
        ]

    def end_custody(
        self,
        *,
        suspect_id: str,
        outcome: Custody,
        reason: str,
        ended_at: datetime,
        by: str,
        now: datetime,
    ) -> dict[str, Any] | None:
        """A detained person released, or put on bail or under residential surveillance instead of an arrest request
        (MPS Rules Art. 131). Returns the detention it ends."""
        suspect = self.suspect(suspect_id)
        if outcome not in AFTER_REFUSAL:
            raise DomainError("custody ends in release, bail or residential surveillance", code="not_an_end")
        if not reason.strip():
            raise DomainError("the end of custody gives its reason", code="reason_required")
        detention = self.open_detention(suspect_id)
        if detention is None or suspect["custody"] != Custody.DETAINED:
            raise Conflict(f"{suspect['name']} is not detained", code="not_detained")
        if self._awaiting_decision(suspect_id):
            raise Conflict(
                f"the arrest of {suspect['name']} awaits the procuratorate's decision; its execution ends the custody",
                code="request_pending",
            )
        detained_at = datetime.fromisoformat(detention["detained_at"])
        check_act_time(ended_at, now=now, not_before=detained_at, what="the end of custody", follows="the detention")
        self._release(suspect, outcome, reason=reason, at=ended_at, by=by, now=now)
        return detention

    def _release(
        self, suspect: dict[str, Any], outcome: Custody, *, reason: str, at: datetime, by: str, now: datetime
    ) -> None:
        detention = self.open_detention(suspect["suspect_id"])
        self._set_custody(suspect["suspect_id"], outcome)
        self._end_detention(suspect["suspect_id"], at=at, how=outcome.value)
        self.events.append(
            happened.CustodyEnded(
                case=self.facts(),
                suspect_id=suspect["suspect_id"],
                name=suspect["name"],
                detention_id=detention["detention_id"] if detention else None,
                previous=suspect["custody"],
                outcome=outcome.value,
                reason=reason,
                ended_at=at,
                by=by,
                occurred_at=now,
            )
        )

    def held(self) -> list[dict[str, Any]]:
        """The persons held (detained or arrested) or under a measure (bail, residential surveillance)."""
        return [s for s in self.suspects if s.get("custody") in RESTRAINED]

    def _end_detention(self, suspect_id: str, *, at: datetime, how: str) -> None:
        self.detentions = [
            {**d, "ended_at": at.isoformat(), "ended_by": how}
            if d["suspect_id"] == suspect_id and d["ended_at"] is None
            else d
            for d in self.detentions
        ]

    # -- arrest requests -----------------------------------------------------------------------------------------
    def arrest_request(self, request_id: str) -> dict[str, Any]:
        for r in self.arrest_requests:
            if r["request_id"] == request_id:
                return r
        raise NotFound(f"case {self.case_number} has no arrest request {request_id}")

    def _awaiting_decision(self, suspect_id: str) -> bool:
        return any(suspect_id in r["suspect_ids"] and suspect_id not in r["decisions"] for r in self.arrest_requests)

    def request_arrest(
        self, *, suspect_ids: list[str], number: str, evidence: list[dict[str, Any]], by: str, at: datetime
    ) -> dict[str, Any]:
        """提请批准逮捕书 for persons of the case, detained or not, with the file manifest."""
        if not suspect_ids:
            raise DomainError("an arrest request names its suspects", code="no_suspects")
        if len(set(suspect_ids)) != len(suspect_ids):
            raise DomainError("a suspect is named twice", code="duplicate_suspect")
        named = []
        for suspect_id in suspect_ids:
            suspect = self.suspect(suspect_id)
            if suspect["kind"] != "person":
                raise DomainError(f"{suspect['name']} is a unit; only a person is arrested", code="not_a_person")
            if suspect["custody"] == Custody.ARRESTED:
                raise Conflict(f"{suspect['name']} is already arrested", code="already_arrested")
            if self._awaiting_decision(suspect_id):
                raise Conflict(f"the arrest of {suspect['name']} awaits a decision already", code="request_pending")
            detention = self.open_detention(suspect_id)
            named.append(
                {
                    "suspect_id": suspect_id,
                    "name": suspect["name"],
                    "role": suspect["role"],
                    "id_number": suspect.get("id_number"),
                    "detained": detention is not None,
                    "detained_at": detention["detained_at"] if detention else None,
                    "detention_place": detention["place"] if detention else None,
                }
            )
        request = {
            "request_id": str(uuid.uuid4()),
            "document_number": number,
            "attempt": len(self.arrest_requests) + 1,
            "suspect_ids": suspect_ids,
            "suspects": named,
            "requested_at": at.isoformat(),
            "requested_by": by,
            "review_id": None,
            "decisions": {},
            "executions": {},
        }
        self.arrest_requests = [*self.arrest_requests, request]
        self.events.append(
            happened.ArrestRequested(
                case=self.facts(),
                request=request,
                evidence=tuple(evidence),
                log=tuple(self.log),
                by=by,
                occurred_at=at,
            )
        )
        return request

    def _replace_request(self, request: dict[str, Any]) -> None:
        self.arrest_requests = [
            request if r["request_id"] == request["request_id"] else r for r in self.arrest_requests
        ]

    def decision_received(
        self,
        *,
        request_id: str,
        review_id: str,
        decisions: list[dict[str, Any]],
        decided_at: datetime,
        by: str,
        received_at: datetime | None = None,
    ) -> list[dict[str, Any]]:
        """The procuratorate's decisions on a request; returns those not known before (a redelivery adds none)."""
        request = self.arrest_request(request_id)
        fresh = [d for d in decisions if d["suspect_id"] not in request["decisions"]]
        unknown = [d["suspect_id"] for d in fresh if d["suspect_id"] not in request["suspect_ids"]]
        if unknown:
            raise DomainError(f"decisions about suspects {unknown} not in request {request_id}", code="unknown_suspect")
        at = decided_at.isoformat()
        received = (received_at or decided_at).isoformat()
        recorded = {d["suspect_id"]: {**d, "decided_at": at, "decided_by": by, "received_at": received} for d in fresh}
        self._replace_request({**request, "review_id": review_id, "decisions": {**request["decisions"], **recorded}})
        return fresh

    def execute(
        self,
        *,
        request_id: str,
        suspect_id: str,
        outcome: str,
        executed_at: datetime,
        by: str,
        now: datetime,
        failure_reason: str | None = None,
        receipt_now: bool = True,
    ) -> dict[str, Any]:
        """执行: an approved arrest executed at once — or, the suspect not found or absconded, not executed, with the
        reason (MPS Rules Art. 140, 142) — or after a refusal the suspect released or the measure changed. The
        execution receipt goes to the procuratorate with it, or later (`send_receipt`)."""
        request = self.arrest_request(request_id)
        suspect = self.suspect(suspect_id)
        decision = request["decisions"].get(suspect_id)
        if decision is None:
            raise Conflict(f"the arrest of {suspect['name']} is not decided yet", code="not_decided")
        if suspect_id in request["executions"]:
            raise Conflict(f"the decision on {suspect['name']} is already executed", code="already_executed")
        failed = outcome == NOT_EXECUTED
        if decision["decision"] == APPROVE and outcome not in (Custody.ARRESTED, NOT_EXECUTED):
            raise DomainError(f"the arrest of {suspect['name']} was approved: it is executed", code="arrest_approved")
        if decision["decision"] == REFUSE and outcome not in AFTER_REFUSAL:
            raise DomainError(
                f"the arrest of {suspect['name']} was refused: release, bail or residential surveillance",
                code="arrest_refused",
            )
        if failed != (failure_reason is not None and bool(failure_reason.strip())):
            raise DomainError(
                "an arrest not executed gives the reason (the suspect not found, absconded…), and only then",
                code="failure_reason",
            )
        decided_at = datetime.fromisoformat(decision["decided_at"])
        check_act_time(executed_at, now=now, not_before=decided_at, what="the execution", follows="the decision")
        execution = {
            "outcome": outcome,
            "executed_at": executed_at.isoformat(),
            "receipt_sent_at": None,
            "executed_by": by,
            "failure_reason": failure_reason,
        }
        self._replace_request({**request, "executions": {**request["executions"], suspect_id: execution}})
        if not failed:
            self._set_custody(suspect_id, Custody(outcome))
            self._end_detention(suspect_id, at=executed_at, how=outcome)
        return self.send_receipt(request_id=request_id, suspect_id=suspect_id, now=now) if receipt_now else execution

    def send_receipt(self, *, request_id: str, suspect_id: str, now: datetime) -> dict[str, Any]:
        """执行回执 to the procuratorate: within 3 days after the execution (MPS Rules Art. 140, 142), or of the
        refusal's receipt (Art. 141)."""
        request = self.arrest_request(request_id)
        suspect = self.suspect(suspect_id)
        execution = request["executions"].get(suspect_id)
        if execution is None:
            raise Conflict(f"the decision on {suspect['name']} is not executed yet", code="not_executed_yet")
        if execution["receipt_sent_at"] is not None:
            raise Conflict(f"the receipt for {suspect['name']} was sent", code="receipt_sent")
        execution = {**execution, "receipt_sent_at": now.isoformat()}
        self._replace_request({**request, "executions": {**request["executions"], suspect_id: execution}})
        self.events.append(
            happened.ArrestExecuted(
                case=self.facts(),
                request_id=request_id,
                review_id=str(request["review_id"]),
                suspect_id=suspect_id,
                name=suspect["name"],
                decision=request["decisions"][suspect_id]["decision"],
                outcome=execution["outcome"],
                executed_at=datetime.fromisoformat(execution["executed_at"]),
                failure_reason=execution.get("failure_reason"),
                by=execution["executed_by"],
                occurred_at=now,
            )
        )
        return execution

    def request_reconsideration(
        self, *, request_id: str, suspect_id: str, stage: str, reasons: str, limit: datetime, by: str, now: datetime
    ) -> dict[str, Any]:
        """要求复议 of a refusal, then — the refusal upheld — 提请复核 at the next level up (CPL Art. 92), each within 5
        days of the decision's receipt (`limit`, MPS Rules Art. 143–144)."""
        request = self.arrest_request(request_id)
        suspect = self.suspect(suspect_id)
        decision = request["decisions"].get(suspect_id)
        if decision is None or decision["decision"] != REFUSE:
            raise Conflict(f"the arrest of {suspect['name']} was not refused", code="not_refused")
        if not reasons.strip():
            raise DomainError("a request for reconsideration gives its reasons", code="reasons_required")
        asked = request.get("reconsiderations", {}).get(suspect_id, [])
        expected = "reconsideration" if not asked else "review"
        if stage != expected or len(asked) >= 2 or (asked and asked[-1].get("changed") is not False):
            raise Conflict(
                f"{stage} does not follow: 复议 first, then — the refusal upheld — 复核, each once",
                code="out_of_turn",
            )
        if now > limit:
            raise Conflict(
                f"the 5 days to ask ended {limit.isoformat()} (MPS Rules Art. 143–144)", code="reconsideration_late"
            )
        entry = {"stage": stage, "reasons": reasons, "requested_at": now.isoformat(), "requested_by": by}
        reconsiderations = {**request.get("reconsiderations", {}), suspect_id: [*asked, entry]}
        self._replace_request({**request, "reconsiderations": reconsiderations})
        self.events.append(
            happened.ReconsiderationRequested(
                case=self.facts(),
                request_id=request_id,
                review_id=str(request["review_id"]),
                suspect_id=suspect_id,
                name=suspect["name"],
                stage=stage,
                reasons=reasons,
                by=by,
                occurred_at=now,
            )
        )
        return entry

    def reconsideration_limit_from(self, request_id: str, suspect_id: str) -> datetime:
        """When the decision the next request answers reached the bureau: the refusal, or the 复议 decision."""
        request = self.arrest_request(request_id)
        asked = request.get("reconsiderations", {}).get(suspect_id, [])
        if asked and asked[-1].get("decided_at"):
            return datetime.fromisoformat(asked[-1]["received_at"])
        decision = request["decisions"][suspect_id]
        return datetime.fromisoformat(decision.get("received_at") or decision["decided_at"])

    def reconsidered(
        self,
        *,
        request_id: str,
        suspect_id: str,
        stage: str,
        changed: bool,
        reasons: str,
        decided_at: datetime,
        by: str,
        received_at: datetime,
    ) -> bool:
        """The procuratorate's 复议 / 复核 decision; changed, the refusal becomes an approval to execute. False if
        already known."""
        request = self.arrest_request(request_id)
        asked = request.get("reconsiderations", {}).get(suspect_id, [])
        pending = next((a for a in asked if a["stage"] == stage), None)
        if pending is None:
            raise DomainError(f"no {stage} was asked for suspect {suspect_id}", code="not_asked")
        if pending.get("decided_at"):
            return False
        answered = {
            **pending,
            "changed": changed,
            "decision_reasons": reasons,
            "decided_at": decided_at.isoformat(),
            "decided_by": by,
            "received_at": received_at.isoformat(),
        }
        updated = [answered if a is pending else a for a in asked]
        decisions = request["decisions"]
        if changed:
            decisions = {
                **decisions,
                suspect_id: {
                    **decisions[suspect_id],
                    "decision": APPROVE,
                    "changed_on": stage,
                    "decided_at": decided_at.isoformat(),
                    "received_at": received_at.isoformat(),
                },
            }
        reconsiderations = {**request.get("reconsiderations", {}), suspect_id: updated}
        self._replace_request({**request, "decisions": decisions, "reconsiderations": reconsiderations})
        return True

    def release_owed(self, request_id: str, suspect_id: str) -> bool:
        """A refusal of a person held: released, or the measure changed, at once — its receipt within 3 days of the
        refusal's receipt (MPS Rules Art. 141)."""
        decision = self.arrest_request(request_id)["decisions"][suspect_id]
        return bool(decision["decision"] == REFUSE and self.open_detention(suspect_id) is not None)

    # -- to prosecution, or withdrawn ------------------------------------------------------------------------------
    def _with_the_bureau(self) -> None:
        if self.status not in IN_THE_BUREAUS_HANDS:
            raise Conflict(f"case {self.case_number} is {self.status.value}, not with the bureau", code="not_here")

    def transfer(
        self,
        *,
        suspect_ids: list[str] | None,
        number: str,
        evidence: list[dict[str, Any]],
        by: str,
        at: datetime,
    ) -> dict[str, Any]:
        """起诉意见书: the case to the procuratorate, with the suspects to prosecute (all by default) and the file."""
        self._with_the_bureau()
        named = self.suspects if suspect_ids is None else [self.suspect(i) for i in suspect_ids]
        if not named:
            raise DomainError("a transfer names its suspects", code="no_suspects")
        transfer = {
            "document_number": number,
            "resubmission": len(self.returns or []),
            "suspect_ids": [s["suspect_id"] for s in named],
            "transferred_at": at.isoformat(),
            "transferred_by": by,
        }
        self.transfers = [*(self.transfers or []), transfer]
        self.status = CaseStatus.TRANSFERRED
        self.events.append(
            happened.CaseTransferred(
                case=self.facts(),
                transfer=transfer,
                suspects=tuple(named),
                evidence=tuple(evidence),
                log=tuple(self.log),
                by=by,
                occurred_at=at,
            )
        )
        return transfer

    def transferred_in_custody(self) -> bool:
        """Whether a suspect of the last transfer is held (detained or arrested)."""
        if not self.transfers:
            return False
        named = set(self.transfers[-1]["suspect_ids"])
        return in_custody(s for s in self.suspects if s["suspect_id"] in named)

    def returned(self, *, review_id: str, number: int, outline: str, at: datetime) -> bool:
        """退回补充侦查: the case is the bureau's again, with the outline; False if already known."""
        if any(r["return_number"] == number for r in self.returns or []):
            return False
        back = {"review_id": review_id, "return_number": number, "outline": outline, "returned_at": at.isoformat()}
        self.returns = [*(self.returns or []), back]
        self.status = CaseStatus.RETURNED
        return True

    def prosecution_decided(self, decision: dict[str, Any], *, indicted: bool) -> bool:
        """起诉 or 不起诉; False if already known."""
        if self.prosecution is not None:
            return False
        self.prosecution = decision
        self.status = CaseStatus.INDICTED if indicted else CaseStatus.NOT_PROSECUTED
        return True

    def judged(self, judgment: dict[str, Any]) -> bool:
        if self.judgment is not None:
            return False
        self.judgment, self.status = judgment, CaseStatus.JUDGED
        return True

    def withdraw(self, *, ground: str, reasons: str, by: str, at: datetime) -> list[dict[str, Any]]:
        """撤销案件 (approved by a head of the bureau), e.g. after full performance; the court is told within 7 days.
        Every person held or under a measure is released at once (MPS Rules Art. 187); returns them."""
        self._with_the_bureau()
        if not reasons.strip():
            raise DomainError("a withdrawal gives its reasons", code="reasons_required")
        released = self.held()
        for suspect in released:
            why = f"撤销案件，立即释放（《公安机关办理刑事案件程序规定》第一百八十七条）：{reasons}"
            self._release(suspect, Custody.RELEASED, reason=why, at=at, by=by, now=at)
        self.status = CaseStatus.WITHDRAWN
        self.withdrawal = {
            "ground": ground,
            "reasons": reasons,
            "decided_at": at.isoformat(),
            "decided_by": by,
            "notified_at": None,
        }
        return released

    def notify_withdrawal(self, *, at: datetime, now: datetime) -> None:
        """The withdrawal served on the court."""
        if self.withdrawal is None:
            raise Conflict(f"case {self.case_number} is not withdrawn", code="not_withdrawn")
        if self.withdrawal["notified_at"] is not None:
            raise Conflict(f"the court was told of the withdrawal of {self.case_number}", code="already_notified")
        decided_at = datetime.fromisoformat(self.withdrawal["decided_at"])
        check_act_time(at, now=now, not_before=decided_at, what="the notice", follows="the withdrawal")
        self.withdrawal = {**self.withdrawal, "notified_at": at.isoformat()}
        self.events.append(
            happened.CaseWithdrawn(
                case=self.facts(),
                ground=self.withdrawal.get("ground"),
                reasons=self.withdrawal["reasons"],
                decided_at=decided_at,
                decided_by=self.withdrawal["decided_by"],
                occurred_at=at,
            )
        )


def transfer_number(unit: str, year: int, sequence: int) -> str:
    """起诉意见书 number, e.g. 通城公（刑）诉字〔2026〕1号."""
    return kinds.number(kinds.POLICE_TRANSFER_OPINION, unit, year, sequence)


def local_year(at: datetime) -> int:
    return at.astimezone(SHANGHAI).year
