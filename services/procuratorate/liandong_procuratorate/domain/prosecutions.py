"""审查起诉: a police case transferred for prosecution, reviewed within its window and decided — returned for
supplementary investigation (at most twice; the review restarts when the case comes back), not prosecuted, or
indicted before the court of the county.

reviewing ─退回补充侦查─▶ returned ─重新移送─▶ reviewing (≤2 returns)
    └─不起诉─▶ not_prosecuted        └─起诉─▶ indicted ─▶ judged
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from liandong.contracts import in_custody
from liandong.documents import kinds
from liandong.errors import Conflict, DomainError
from liandong.timing import check_act_time
from liandong_procuratorate.domain import events as happened
from liandong_procuratorate.domain.approval import approval, awaiting, proposal

MAX_RETURNS = 2  # CPL Art. 175: 补充侦查以二次为限


FAST_TRACK_MAX_MONTHS = 36  # CPL Art. 222: 可能判处三年有期徒刑以下刑罚
FAST_TRACK_EXTENSION_MONTHS = 12  # CPL Art. 172: 可能判处的有期徒刑超过一年的，可以延长至十五日


class ProsecutionStatus(StrEnum):
    REVIEWING = "reviewing"
    RETURNED = "returned"
    NOT_PROSECUTED = "not_prosecuted"
    INDICTED = "indicted"
    JUDGED = "judged"
    WITHDRAWN = "withdrawn"  # the police withdrew the case while it was returned to them


def indictment_number(unit: str, year: int, sequence: int) -> str:
    """起诉书 number, e.g. 通城检刑诉〔2026〕1号."""
    return kinds.number(kinds.INDICTMENT, unit, year, sequence)


class ProsecutionReview:
    events: list[Any]

    @property
    def matter_id(self) -> str:
        """The matter (correlation id) this record belongs to: events of another matter may not touch it."""
        return self.correlation_id

    def __init__(
        self,
        *,
        id: str,
        case_id: str,
        case_number: str,
        referral_id: str | None,
        correlation_id: str,
        police_unit: str,
        unit: str,
        defendants: list[dict[str, Any]],
        evidence: list[dict[str, Any]],
        investigation_log: list[dict[str, Any]],
        transfer_number: str,
        received_at: datetime,
    ) -> None:
        self.id = id
        self.case_id = case_id
        self.case_number = case_number
        self.referral_id = referral_id
        self.correlation_id = correlation_id
        self.police_unit = police_unit
        self.unit = unit
        self.defendants = defendants
        self.evidence = evidence
        self.investigation_log = investigation_log
        self.transfer_number = transfer_number
        self.received_at = received_at
        self.status = ProsecutionStatus.REVIEWING
        self.fast_track = False
        self.window_id: str | None = None  # the review window (restarted, never replaced, after a return)
        self.returns: list[dict[str, Any]] = []
        self.resubmissions: list[dict[str, Any]] = []
        self.decision: dict[str, Any] | None = None
        self.performance: dict[str, Any] | None = None
        self.judgment: dict[str, Any] | None = None
        self.proposal: dict[str, Any] | None = None  # a non-prosecution awaiting the chief prosecutor
        self.fast_track_terms: dict[str, Any] | None = None  # the plea, the agreement and the likely sentence
        self.events = []

    def _reviewing(self) -> None:
        if self.status is not ProsecutionStatus.REVIEWING:
            raise Conflict(f"review {self.id} is {self.status.value}", code=f"review_{self.status.value}")

    def _deciding(self) -> None:
        """A return or an indictment waits while a non-prosecution awaits the chief prosecutor's decision."""
        self._reviewing()
        if self.proposal is not None:
            raise Conflict("a non-prosecution awaits the chief prosecutor's decision", code="proposal_pending")

    def choose_fast_track(
        self, *, guilty_plea: bool, agreement_signed_on: date | None, likely_sentence_months: int, by: str
    ) -> None:
        """认罪认罚，适用速裁程序 (CPL Art. 222, 172): the suspect pleads guilty and signed the sentencing agreement
        (认罪认罚具结书, CPL Art. 174), and the likely sentence is at most three years' imprisonment — then 10 days,
        extended to 15 only where more than a year's imprisonment may follow."""
        self._reviewing()
        if self.fast_track:
            raise Conflict("the review is on the fast track already", code="already_fast_track")
        if self.returns:
            raise Conflict("a case returned for supplementary investigation is not fast-tracked", code="returned")
        if not guilty_plea or agreement_signed_on is None:
            raise DomainError(
                "the fast track needs the guilty plea and the signed sentencing agreement (CPL Art. 174, 222)",
                code="plea_required",
            )
        if not 0 <= likely_sentence_months <= FAST_TRACK_MAX_MONTHS:
            raise DomainError(
                "the fast track is for a likely sentence of at most three years' imprisonment (CPL Art. 222)",
                code="beyond_fast_track",
            )
        self.fast_track = True
        self.fast_track_terms = {
            "guilty_plea": True,
            "agreement_signed_on": agreement_signed_on.isoformat(),
            "likely_sentence_months": likely_sentence_months,
            "chosen_by": by,
        }

    def fast_track_extendable(self) -> bool:
        """CPL Art. 172: 可能判处的有期徒刑超过一年的，可以延长至十五日."""
        return int((self.fast_track_terms or {}).get("likely_sentence_months", 0)) > FAST_TRACK_EXTENSION_MONTHS

    @property
    def in_custody(self) -> bool:
        """A defendant is held: the review is a custody period, never extended past a holiday (CPL Art. 105)."""
        return in_custody(self.defendants)

    def custody_now(self, defendants: list[dict[str, Any]]) -> None:
        """Where each defendant stands as the police's latest transfer says (by suspect id)."""
        now = {d["suspect_id"]: d.get("custody") for d in defendants}
        self.defendants = [
            {**d, "custody": now[d["suspect_id"]]} if d["suspect_id"] in now else d for d in self.defendants
        ]

    def resubmitted(self, *, transfer_number: str, resubmission: int, at: datetime) -> bool:
        """重新移送 after a supplementary investigation; False if already known."""
        if any(r["resubmission"] == resubmission for r in self.resubmissions):
            return False
        if self.status is not ProsecutionStatus.RETURNED or resubmission != len(self.returns):
            raise DomainError(
                f"review {self.id} is {self.status.value} after {len(self.returns)} returns; resubmission "
                f"{resubmission} does not follow",
                code="out_of_order",
            )
        self.resubmissions = [
            *self.resubmissions,
            {"resubmission": resubmission, "transfer_number": transfer_number, "received_at": at.isoformat()},
        ]
        self.status = ProsecutionStatus.REVIEWING
        return True

    def return_for_investigation(self, *, outline: str, by: str, at: datetime) -> dict[str, Any]:
        """退回补充侦查, with the outline: at most twice."""
        self._deciding()
        if len(self.returns) >= MAX_RETURNS:
            raise Conflict(
                f"case {self.case_number} was returned {MAX_RETURNS} times, the limit of supplementary investigation",
                code="return_limit",
            )
        if not outline.strip():
            raise DomainError("a return gives the outline of what to investigate", code="outline_required")
        back = {"return_number": len(self.returns) + 1, "outline": outline, "returned_at": at.isoformat(), "by": by}
        self.returns = [*self.returns, back]
        self.status = ProsecutionStatus.RETURNED
        self.events.append(happened.ProsecutionReturned(review=self, back=back, occurred_at=at))
        return back

    def propose_non_prosecution(self, *, ground: str, reasons: str, by: str, at: datetime) -> dict[str, Any]:
        """不起诉, proposed by the prosecutor for the chief prosecutor to decide (SPP Rules Art. 365, 370). On the
        ground of payment (法释〔2024〕13号 第十一条) a performance must be known; for insufficient evidence the case
        must have been returned for supplementary investigation at least once (SPP Rules Art. 367)."""
        self._reviewing()
        if not reasons.strip():
            raise DomainError("a decision not to prosecute gives its reasons", code="reasons_required")
        if ground == "paid_and_minor" and self.performance is None:
            raise Conflict("no performance by the debtor is known to this review", code="no_performance")
        if ground == "insufficient_evidence" and not self.returns:
            raise Conflict(
                "non-prosecution for insufficient evidence follows at least one return for supplementary "
                "investigation (SPP Rules Art. 367)",
                code="return_first",
            )
        self.proposal = proposal(self.proposal, "non_prosecution", {"ground": ground, "reasons": reasons}, by=by, at=at)
        return self.proposal

    def decide_proposal(
        self, *, approve: bool, note: str | None, by: str, at: datetime, petition_until: datetime | None = None
    ) -> bool:
        """The chief prosecutor's decision on the proposed non-prosecution: approved, it takes effect (the review's
        decision), served on the victim — the creditor — who may petition until `petition_until` (CPL Art. 180);
        rejected, the review goes on. Returns whether it took effect."""
        self._reviewing()
        proposed = awaiting(self.proposal)
        self.proposal = None
        if not approve:
            return False
        self.decision = {
            "decision": "not_prosecuted",
            "ground": proposed["ground"],
            "reasons": proposed["reasons"],
            "at": at.isoformat(),
            "by": proposed["proposed_by"],
            **approval(proposed, by=by, at=at, note=note),
            **({"petition_until": petition_until.isoformat()} if petition_until else {}),
        }
        self.status = ProsecutionStatus.NOT_PROSECUTED
        self.events.append(happened.ProsecutionDeclined(review=self, occurred_at=at))
        return True

    def indict(
        self,
        *,
        number: str,
        defendant_ids: list[str] | None,
        charges: str,
        asset_proposal: dict[str, Any],
        by: str,
        at: datetime,
        others: list[dict[str, Any]] | None = None,
    ) -> None:
        """起诉书 to the court of the county, for the defendants named (all the transferred suspects by default). Each
        transferred suspect not indicted is decided too: handled in a separate case (另案处理), with the reason —
        none is left without a decision."""
        self._deciding()
        known = {d["suspect_id"]: d for d in self.defendants}
        if defendant_ids is not None:
            unknown = [i for i in defendant_ids if i not in known]
            if unknown or not defendant_ids:
                raise DomainError(f"{unknown or 'nobody'} is not a suspect transferred in this case", code="defendants")
        chosen = [known[i] for i in defendant_ids] if defendant_ids is not None else self.defendants
        left = {d["suspect_id"] for d in self.defendants} - {d["suspect_id"] for d in chosen}
        decided = {o["suspect_id"]: o for o in others or []}
        if set(decided) != left or any(not str(o.get("reasons", "")).strip() for o in decided.values()):
            names = sorted(known[i]["name"] for i in left) if left else []
            raise DomainError(
                f"each transferred suspect not indicted is decided, with the reason: {names or 'none is left'}",
                code="others_undecided",
                details={"not_indicted": sorted(left), "decided": sorted(decided)},
            )
        self.decision = {
            "decision": "indicted",
            "document_number": number,
            "defendant_ids": [d["suspect_id"] for d in chosen],
            "others": [{**decided[i], "name": known[i]["name"]} for i in sorted(left)],
            "charges": charges,
            "asset_proposal": asset_proposal,
            "at": at.isoformat(),
            "by": by,
        }
        self.status = ProsecutionStatus.INDICTED
        self.events.append(happened.IndictmentFiled(review=self, defendants=tuple(chosen), occurred_at=at))

    def record_petition(
        self, *, petitioner: str, text: str, filed_at: datetime, until: datetime, by: str, now: datetime
    ) -> dict[str, Any]:
        """申诉 of the victim (the creditor) against the non-prosecution, to the procuratorate at the next level up,
        within 7 days of receiving the decision (`until`, CPL Art. 180); once."""
        if self.status is not ProsecutionStatus.NOT_PROSECUTED or self.decision is None:
            raise Conflict(f"review {self.id} did not end in a non-prosecution", code="not_declined")
        if self.decision.get("petition"):
            raise Conflict("the petition against this non-prosecution is recorded", code="petition_recorded")
        if not petitioner.strip() or not text.strip():
            raise DomainError("a petition names the petitioner and says what is asked", code="petition_shape")
        check_act_time(filed_at, now=now, not_before=datetime.fromisoformat(self.decision["at"]), what="the petition",
                       follows="the non-prosecution")  # fmt: skip
        if filed_at > until:
            raise Conflict(
                f"the 7 days to petition ended {until.isoformat()} (CPL Art. 180); the creditor may still sue in court",
                code="petition_late",
            )
        petition = {
            "petitioner": petitioner,
            "text": text,
            "filed_at": filed_at.isoformat(),
            "recorded_by": by,
            "recorded_at": now.isoformat(),
        }
        self.decision = {**self.decision, "petition": petition}
        return petition

    def case_withdrawn(self, withdrawal: dict[str, Any]) -> bool:
        """The police withdrew the case during its supplementary investigation (MPS Rules Art. 186): the review ends
        with it. False if already known, or if the case was not in the police's hands."""
        if self.status is not ProsecutionStatus.RETURNED:
            return False
        self.decision = {"decision": "withdrawn_by_police", **withdrawal}
        self.status = ProsecutionStatus.WITHDRAWN
        return True

    def record_performance(self, performance: dict[str, Any]) -> None:
        self.performance = performance

    def record_judgment(self, judgment: dict[str, Any]) -> bool:
        if self.judgment is not None:
            return False
        self.judgment, self.status = judgment, ProsecutionStatus.JUDGED
        return True
