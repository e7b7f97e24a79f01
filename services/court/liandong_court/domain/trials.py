"""The court's criminal side: a public prosecution (公诉) accepted within 7 days and judged, or the creditor's private
prosecution (自诉) after the police declined or stayed silent — the option explained, the complaint registered,
acceptance decided within 15 days, and an end by judgment, withdrawal, or the parties' settlement before judgment
(court mediation is not allowed in these cases).

public:  received ─受理─▶ accepted ─判决─▶ judged
private: option_explained ─刑事自诉状─▶ complaint_registered ─▶ accepted ─▶ judged | withdrawn | settled
                                                            └─▶ rejected
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from enum import StrEnum
from typing import Any

from liandong.errors import Conflict, DomainError
from liandong.sla.counting import SHANGHAI
from liandong.timing import check_act_time
from liandong.units import court_code_of
from liandong_court.domain import events
from liandong_court.domain.rules import validate_criminal_case_number

CENT = Decimal("0.01")
MAX_IMPRISONMENT_MONTHS = 84  # Criminal Law Art. 313: 情节特别严重的，处三年以上七年以下有期徒刑
PROBATION_LIMIT_MONTHS = 36  # Art. 72: 缓刑 for detention or imprisonment of no more than three years
BASIC_TIER_MONTHS = 36  # Art. 313: 情节严重的，处三年以下有期徒刑、拘役或者罚金; 特别严重的，三年以上七年以下，并处罚金


class TrialKind(StrEnum):
    PUBLIC = "public"
    PRIVATE = "private"


class TrialStatus(StrEnum):
    RECEIVED = "received"
    OPTION_EXPLAINED = "option_explained"
    COMPLAINT_REGISTERED = "complaint_registered"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    JUDGED = "judged"
    RETURNED = "returned"  # 退回人民检察院 (SPC Interpretation Art. 219)
    WITHDRAWN = "withdrawn"  # 撤诉
    SETTLED = "settled"  # 自行和解


ACQUITTAL_GROUNDS = {
    "not_a_crime": "依据法律认定被告人无罪（刑事诉讼法第二百条第二项）",
    "insufficient_evidence": "证据不足，指控的犯罪不能成立（刑事诉讼法第二百条第三项）",
}


def check_sentence(defendant: dict[str, Any], sentence: dict[str, Any]) -> None:
    """What a judgment may say of one defendant (Criminal Law Arts. 313, 37, 42, 45, 52, 72, 73; CPL Art. 200).

    Acquitted (无罪, with its ground under CPL Art. 200), exempted from punishment (免予刑事处罚, Art. 37 — a unit too,
    the 2024 interpretation Art. 11), or sentenced within Art. 313's tiers: a unit is fined; a person, in the basic
    tier (情节严重), gets imprisonment of 6 months to 3 years, criminal detention of 1 to 6 months, or a fine alone —
    never a fine added to imprisonment or detention; in the especially serious tier (情节特别严重), imprisonment of 3
    to 7 years and a fine. Probation only for detention or imprisonment of at most 3 years, its term no shorter than
    the sentence (at least 2 months for detention, a year for imprisonment) and at most 1 year / 5 years."""
    name = defendant["name"]
    prison, detention = sentence.get("imprisonment_months"), sentence.get("criminal_detention_months")
    probation, fine, exempt = sentence.get("probation_months"), sentence.get("fine"), sentence.get("exempt", False)
    acquitted, ground = sentence.get("acquitted", False), sentence.get("acquittal_ground")

    def bad(why: str) -> DomainError:
        return DomainError(f"the sentence of {name}: {why}", code="invalid_sentence")

    penalty = prison or detention or probation or fine is not None
    if acquitted:
        if penalty or exempt:
            raise bad("an acquitted defendant gets no penalty and no exemption")
        if ground not in ACQUITTAL_GROUNDS:
            raise bad(f"an acquittal gives its ground under CPL Art. 200: one of {sorted(ACQUITTAL_GROUNDS)}")
        return
    if ground is not None:
        raise bad("an acquittal ground is for an acquittal")
    if fine is not None and Decimal(fine) <= 0:
        raise bad("a fine is a positive amount")
    if exempt:
        if penalty:
            raise bad("a defendant exempted from punishment gets no penalty")
        return
    if defendant["kind"] == "unit":
        if prison or detention or probation or fine is None:
            raise bad("a unit is sentenced to a fine, and to nothing else")
        return
    if prison is not None and detention is not None:
        raise bad("one principal penalty: imprisonment or criminal detention")
    if not (prison or detention or fine):
        raise bad("a penalty, an exemption or an acquittal")
    if prison is not None and not 6 <= prison <= MAX_IMPRISONMENT_MONTHS:
        raise bad(f"fixed-term imprisonment is 6 to {MAX_IMPRISONMENT_MONTHS} months for this crime")
    if detention is not None and not 1 <= detention <= 6:
        raise bad("criminal detention is 1 to 6 months")
    if fine is not None and (detention or (prison is not None and prison < BASIC_TIER_MONTHS)):
        raise bad("in the basic tier a fine is imposed alone, never added to imprisonment or criminal detention")
    if prison is not None and prison > BASIC_TIER_MONTHS and fine is None:
        raise bad("more than three years is the especially serious tier: imprisonment and a fine")
    if probation is not None:
        term = prison or detention
        if term is None or term > PROBATION_LIMIT_MONTHS:
            raise bad("probation is for detention or imprisonment of no more than three years")
        low, high = (max(term, 2), 12) if detention else (max(term, 12), 60)
        if not low <= probation <= high:
            raise bad(f"probation runs {low} to {high} months here")


@dataclass(eq=False, kw_only=True)
class Trial:
    id: str
    kind: TrialKind
    lead_id: str
    court_unit: str
    status: TrialStatus
    referral_id: str | None = None
    case_id: str | None = None  # the police case of a public prosecution
    review_id: str | None = None
    indictment: dict[str, Any] | None = None
    option_explained: dict[str, Any] | None = None  # 自诉: the court explained the option to the creditor
    complaint: dict[str, Any] | None = None  # 刑事自诉状
    defendants: list[dict[str, Any]] = field(default_factory=list)
    received_at: datetime | None = None
    court_case_number: str | None = None
    accepted_at: datetime | None = None
    accepted_by: str | None = None
    rejection: dict[str, Any] | None = None
    hearings: list[dict[str, Any]] = field(default_factory=list)
    judgment: dict[str, Any] | None = None
    closure: dict[str, Any] | None = None
    materials_requests: list[dict[str, Any]] | None = None  # 补送材料 asked of the procuratorate
    events: list[events.DomainEvent] = field(default_factory=list, repr=False)

    # -- public prosecution ----------------------------------------------------------------------------------------
    @property
    def matter_id(self) -> str:
        """The matter (correlation id) this record belongs to: events of another matter may not touch it."""
        return self.lead_id

    @classmethod
    def public(
        cls, *, lead_id: str, court_unit: str, referral_id: str | None, indictment: dict[str, Any], at: datetime
    ) -> Trial:
        return cls(
            id=str(uuid.uuid4()),
            kind=TrialKind.PUBLIC,
            lead_id=lead_id,
            court_unit=court_unit,
            status=TrialStatus.RECEIVED,
            referral_id=referral_id,
            case_id=indictment["case_id"],
            review_id=indictment["review_id"],
            indictment=indictment,
            defendants=[{**d, "defendant_id": d["suspect_id"]} for d in indictment["defendants"]],
            received_at=at,
        )

    # -- private prosecution ---------------------------------------------------------------------------------------
    @classmethod
    def private(
        cls,
        *,
        lead_id: str,
        court_unit: str,
        referral_id: str,
        creditor: str,
        explained_on: date,
        by: str,
        now: datetime,
        earlier: Sequence[Trial] = (),
    ) -> Trial:
        """自诉: the court explained to the creditor that they may prosecute privately (the police declined or
        stayed silent) — on a day that has come, and once while a private prosecution of the referral is open."""
        if not creditor.strip():
            raise DomainError("the creditor is named", code="creditor_required")
        today = now.astimezone(SHANGHAI).date()
        if explained_on > today:
            raise DomainError(f"the explanation on {explained_on} is in the future", code="date_in_future")
        open_ = [t for t in earlier if t.kind is TrialKind.PRIVATE and t.referral_id == referral_id and not t.ended]
        if open_:
            raise Conflict(
                f"a private prosecution of this referral is open (trial {open_[0].id}, {open_[0].status.value})",
                code="private_prosecution_open",
            )
        return cls(
            id=str(uuid.uuid4()),
            kind=TrialKind.PRIVATE,
            lead_id=lead_id,
            court_unit=court_unit,
            status=TrialStatus.OPTION_EXPLAINED,
            referral_id=referral_id,
            option_explained={"creditor": creditor, "explained_on": explained_on.isoformat(), "by": by},
        )

    def register_complaint(
        self, *, complainant: str, text: str, defendants: list[dict[str, Any]], filed_at: datetime, now: datetime
    ) -> None:
        """刑事自诉状: the acceptance window (15 days) runs from its filing."""
        self._is(TrialStatus.OPTION_EXPLAINED, "a complaint follows the explanation of the option")
        if not defendants:
            raise DomainError("a complaint names its defendants", code="no_defendants")
        explained = date.fromisoformat((self.option_explained or {})["explained_on"])
        start_of_day = datetime.combine(explained, time(0), tzinfo=SHANGHAI)
        check_act_time(filed_at, now=now, not_before=start_of_day, what="the complaint", follows="the explanation")
        self.complaint = {"complainant": complainant, "text": text, "filed_at": filed_at.isoformat()}
        self.defendants = [{**d, "defendant_id": str(uuid.uuid4())} for d in defendants]
        self.received_at = filed_at
        self.status = TrialStatus.COMPLAINT_REGISTERED

    def reject(self, *, reasons: str, by: str, at: datetime) -> None:
        """不予受理 of a private complaint."""
        self._is(TrialStatus.COMPLAINT_REGISTERED, "only a registered complaint is rejected")
        if not reasons.strip():
            raise DomainError("a rejection gives its reasons", code="reasons_required")
        self.rejection = {"reasons": reasons, "by": by, "at": at.isoformat()}
        self.status = TrialStatus.REJECTED

    def close_private(self, *, outcome: str, reasons: str, by: str, at: datetime) -> None:
        """撤诉, or the parties' own settlement (自行和解) before judgment; court mediation is not allowed here."""
        if self.kind is not TrialKind.PRIVATE:
            raise DomainError("only a private prosecution is withdrawn or settled by the parties", code="public_trial")
        self._is(TrialStatus.ACCEPTED, "a private prosecution ends so after its acceptance and before judgment")
        endings = {TrialStatus.WITHDRAWN.value: TrialStatus.WITHDRAWN, TrialStatus.SETTLED.value: TrialStatus.SETTLED}
        if outcome not in endings:
            raise DomainError(
                "a private prosecution ends by withdrawal or the parties' settlement (no court mediation)",
                code="outcome",
            )
        self.closure = {"outcome": outcome, "reasons": reasons, "by": by, "at": at.isoformat()}
        self.status = endings[outcome]

    # -- both -----------------------------------------------------------------------------------------------------
    def _is(self, status: TrialStatus, why: str) -> None:
        if self.status is not status:
            raise Conflict(f"trial {self.id} is {self.status.value}: {why}", code=f"trial_{self.status.value}")

    @property
    def ended(self) -> bool:
        return self.status in (
            TrialStatus.REJECTED,
            TrialStatus.RETURNED,
            TrialStatus.JUDGED,
            TrialStatus.WITHDRAWN,
            TrialStatus.SETTLED,
        )

    def accept(self, *, number: str, by: str, at: datetime) -> None:
        """受理 (立案): a public prosecution as received, a private one as registered, under a criminal case number
        of this court."""
        expected = TrialStatus.RECEIVED if self.kind is TrialKind.PUBLIC else TrialStatus.COMPLAINT_REGISTERED
        self._is(expected, "only a prosecution awaiting acceptance is accepted")
        number = validate_criminal_case_number(number, court_code_of(self.court_unit))
        self.court_case_number, self.accepted_at, self.accepted_by = number, at, by
        self.status = TrialStatus.ACCEPTED
        if self.kind is TrialKind.PUBLIC:
            self.events.append(events.TrialAccepted(trial=self, occurred_at=at))

    def return_to_procuratorate(self, *, ground: str, reasons: str, by: str, at: datetime) -> None:
        """退回人民检察院: a public prosecution the court does not take up as received (SPC Interpretation Art. 219 —
        e.g. not this court's, the defendant not at hand, the case already decided)."""
        if self.kind is not TrialKind.PUBLIC:
            raise DomainError("only a public prosecution is returned to the procuratorate", code="private_trial")
        self._is(TrialStatus.RECEIVED, "a prosecution is returned before its acceptance")
        if not reasons.strip():
            raise DomainError("a return gives its reasons", code="reasons_required")
        self.rejection = {"ground": ground, "reasons": reasons, "by": by, "at": at.isoformat(), "returned": True}
        self.status = TrialStatus.RETURNED

    def request_materials(self, *, missing: str, due_at: datetime, by: str, at: datetime) -> dict[str, Any]:
        """通知人民检察院补送材料 within 3 days (SPC Interpretation Art. 219); one request open at a time."""
        if self.kind is not TrialKind.PUBLIC:
            raise DomainError("materials are asked of the procuratorate for a public prosecution", code="private_trial")
        self._is(TrialStatus.RECEIVED, "materials are asked for before the acceptance")
        if not missing.strip():
            raise DomainError("a request names the materials missing", code="missing_required")
        if any(r["received_at"] is None for r in self.materials_requests or []):
            raise Conflict("a request for materials is awaiting the procuratorate", code="materials_pending")
        request = {
            "request_id": str(uuid.uuid4()),
            "missing": missing,
            "asked_at": at.isoformat(),
            "asked_by": by,
            "due_at": due_at.isoformat(),
            "received_at": None,
        }
        self.materials_requests = [*(self.materials_requests or []), request]
        return request

    def materials_received(self, *, at: datetime, now: datetime) -> dict[str, Any]:
        """The procuratorate's supplement arrived."""
        pending = next((r for r in self.materials_requests or [] if r["received_at"] is None), None)
        if pending is None:
            raise Conflict("no request for materials is awaiting the procuratorate", code="no_materials_request")
        check_act_time(at, now=now, not_before=datetime.fromisoformat(pending["asked_at"]), what="the materials",
                       follows="the request")  # fmt: skip
        done = {**pending, "received_at": at.isoformat()}
        self.materials_requests = [done if r is pending else r for r in self.materials_requests or []]
        return done

    def judgment_served(self, *, served_at: datetime, appeal_ends_at: datetime, now: datetime) -> None:
        """The written judgment received (送达): the appeal period is known from then (CPL Art. 230)."""
        if self.judgment is None:
            raise Conflict("the judgment is not pronounced yet", code="not_judged")
        if self.judgment.get("served_at"):
            raise Conflict(f"the judgment was served on {self.judgment['served_at']}", code="already_served")
        judged_at = datetime.fromisoformat(self.judgment["judged_at"])
        check_act_time(served_at, now=now, not_before=judged_at, what="the judgment's service", follows="the judgment")
        self.judgment = {
            **self.judgment,
            "served_at": served_at.isoformat(),
            "appeal_ends_at": appeal_ends_at.isoformat(),
        }

    def record_hearing(self, *, held_on: date, note: str, by: str) -> None:
        self._is(TrialStatus.ACCEPTED, "hearings are held between acceptance and judgment")
        self.hearings = [*self.hearings, {"held_on": held_on.isoformat(), "note": note, "by": by}]

    def judge(
        self,
        *,
        sentences: list[dict[str, Any]],
        recovered: Decimal,
        owed: Decimal | None,
        over_reason: str | None,
        judged_at: datetime,
        served_at: datetime | None,
        appeal_ends_at: datetime | None,
        by: str,
        now: datetime,
    ) -> None:
        """判决 for each defendant (only those prosecuted), with the amount recovered for the creditor."""
        self._is(TrialStatus.ACCEPTED, "a judgment follows the acceptance")
        known = {d["defendant_id"]: d for d in self.defendants}
        if not sentences:
            raise DomainError("a judgment sentences its defendants", code="no_sentences")
        named = [s["defendant_id"] for s in sentences]
        strangers = [i for i in named if i not in known]
        if strangers:
            raise DomainError(f"{strangers} are not defendants of this prosecution", code="not_a_defendant")
        if len(set(named)) != len(named):
            raise DomainError("a defendant is sentenced twice", code="duplicate_defendant")
        for sentence in sentences:
            check_sentence(known[sentence["defendant_id"]], sentence)
        if recovered < 0:
            raise DomainError("the amount recovered is not negative", code="invalid_amount")
        over = owed is not None and recovered > owed
        if over and not (over_reason and over_reason.strip()):
            raise DomainError(
                f"the amount recovered {recovered} is more than the {owed} the lead still owes: give the reason "
                "(e.g. interest for the delay, costs) in recovered_over_reason",
                code="recovery_exceeds_owed",
                details={"recovered": str(recovered), "owed": str(owed)},
            )
        accepted = self.accepted_at or judged_at
        check_act_time(judged_at, now=now, not_before=accepted, what="the judgment", follows="the acceptance")
        if served_at is not None:
            check_act_time(
                served_at, now=now, not_before=judged_at, what="the judgment's service", follows="the judgment"
            )
        sentences = [{**s, "fine": str(Decimal(s["fine"]).quantize(CENT))} if s.get("fine") else s for s in sentences]
        self.judgment = {
            "sentences": [
                {**s, "name": known[s["defendant_id"]]["name"], "kind": known[s["defendant_id"]]["kind"]}
                for s in sentences
            ],
            "recovered": str(recovered.quantize(CENT)),
            "owed_at_judgment": None if owed is None else str(owed.quantize(CENT)),
            "recovered_over_reason": over_reason.strip() if over and over_reason else None,
            "judged_at": judged_at.isoformat(),
            "served_at": served_at.isoformat() if served_at else None,
            "appeal_ends_at": appeal_ends_at.isoformat() if appeal_ends_at else None,
            "by": by,
        }
        self.status = TrialStatus.JUDGED
        self.events.append(events.TrialJudged(trial=self, occurred_at=judged_at))
