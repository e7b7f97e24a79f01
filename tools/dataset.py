"""A generated city-wide year shaped like the article's: leads in the six counties going through every path — closed
on assessment, performed after the 告知书, referred and then declined and privately prosecuted, filed and withdrawn
after payment, not prosecuted after payment, indicted and judged or awaiting judgment, still under investigation —
plus publicity and typical cases. Everything goes through the services' HTTP APIs, as staff would, and every act is
written to a log; the reports are computed by the services from their own records, never from this log.

    python -m tools.dataset --seed 7 --size 137 [--log dataset-log.json]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

from liandong.accounts import COUNTY_LOGINS
from liandong.contracts.common import EvidenceClass
from liandong.units import COUNTIES, court_code_of
from tools.client import Services, staff, until

# the article's year: of 137 leads screened, 13 debtors performed under the pressure and 25 were referred, of
# which 16 ended in private prosecutions and 3 in public ones (2 judged)
SHAPE = {
    "closed": 0.0,  # the rest
    "performed_after_notice": 13 / 137,
    "private_prosecution": 16 / 137,
    "public_judged": 2 / 137,
    "public_pending": 1 / 137,
    "not_prosecuted_after_payment": 2 / 137,
    "withdrawn_after_payment": 2 / 137,
    "investigating": 2 / 137,
}
# every path the system knows, referred matters weighted up: what `make chaos` drives while it breaks things
EVERY_PATH = {
    "closed": 0.0,
    "performed_after_notice": 0.08,
    "private_prosecution": 0.1,
    "public_judged": 0.12,
    "public_pending": 0.05,
    "not_prosecuted_after_payment": 0.08,
    "withdrawn_after_payment": 0.08,
    "investigating": 0.05,
    "arrested_with_co_offender": 0.2,
    "supervised_after_decline": 0.14,
}
DECLINED_PATHS = ("private_prosecution", "supervised_after_decline")
PUBLICITY_PER_LEAD = 31 / 137
TYPICAL_PER_LEAD = 12 / 137
CHANNELS = ("tv", "newspaper", "weibo", "wechat", "douyin", "website")
SURNAMES = "王李张刘陈杨黄赵周吴徐孙马胡朱郭何罗高林"
NOT_YET_PROVED = {c.value: "证据尚在调取中" for c in EvidenceClass}


def allocate(size: int, shape: dict[str, float] = SHAPE) -> list[str]:
    """How many leads take each path: the shape's shares of `size` (rounded down), at least one of each path when
    the size allows, the rest closed on assessment. For 137 in the article's shape: 13 performed, 25 referred, 99
    closed."""
    paths = [p for p in shape if p != "closed"]
    counts = {p: int(shape[p] * size + 1e-9) for p in paths}
    if size >= 2 * len(paths):
        counts = {p: max(n, 1) for p, n in counts.items()}
    counts["closed"] = size - sum(counts.values())
    return [p for p, n in counts.items() for _ in range(n)]


@dataclass
class Matter:
    path: str
    unit: str
    lead_id: str
    owed: Decimal
    debtor: str
    referral_id: str | None = None
    case_id: str | None = None
    review_id: str | None = None
    trial_id: str | None = None
    abandoned: str | None = None  # why the driver stopped following this matter (make chaos)


@dataclass
class Generator:
    services: Services
    seed: int
    size: int
    shape: dict[str, float] = field(default_factory=lambda: dict(SHAPE))
    patience: float = 60.0  # how long to wait for an event to travel between the services
    # errors after which the driver stops following a matter instead of stopping (make chaos: a response lost in a
    # crash); the matter is logged as abandoned and the run goes on
    abandon_on: tuple[type[Exception], ...] = ()
    log: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self.today = ""  # the services' day (their clocks may have been moved), set when the run starts
        self.criminal_numbers: dict[str, int] = {}  # the last 刑初 number given in each unit's court

    def note(self, act: str, **detail: Any) -> None:
        self.log.append({"act": act, **detail})

    # -- phase 1: the court's leads ------------------------------------------------------------------------------
    def lead(self, number: int, path: str) -> Matter:
        s, rng = self.services, self.rng
        unit = rng.choice(sorted(COUNTY_LOGINS))
        owed = Decimal(rng.randrange(20_000, 220_000, 1_000))  # about ¥2.2 million recovered over a year of 137
        debtor = f"{rng.choice(SURNAMES)}某{number}"
        suspects = [{"name": debtor, "kind": "person", "role": "debtor"}]
        if rng.random() < 0.25:  # a company and its legal representative
            suspects = [
                {"name": f"咸宁某{number}有限公司", "kind": "unit", "role": "debtor"},
                {"name": debtor, "kind": "person", "role": "legal_representative"},
            ]
        body = {
            "enforcement_case_number": f"(2025){COUNTIES[unit].court_code}执{10000 + number}号",
            "amount_owed": str(owed),
            "summary": "判决生效后有能力执行而拒不执行",
            "suspects": suspects,
            "enforcement_basis": f"(2024){COUNTIES[unit].court_code}民初{number}号民事判决书",
            "creditor": f"{rng.choice(SURNAMES)}某某",
        }
        lead = s.post("court", "/leads", staff(unit, "officer"), body)
        self.note("lead_created", unit=unit, lead_id=lead["id"], persons=len(suspects), path=path)
        return Matter(path=path, unit=unit, lead_id=lead["id"], owed=owed, debtor=debtor)

    def assess_and_act(self, m: Matter, number: int) -> None:
        s = self.services
        officer, judge = staff(m.unit, "officer"), staff(m.unit, "judge")
        if m.path == "closed":
            conclusion = {"conclusion": "not_suspected", "reasons": "无履行能力"}
            s.post("court", f"/leads/{m.lead_id}/assessment", judge, conclusion)
            return
        s.post("court", f"/leads/{m.lead_id}/assessment", judge, {"conclusion": "suspected", "reasons": "有履行能力"})
        s.serve_notice(m.lead_id, officer, f"告知书〔{self.today[:4]}〕{number}号")
        if m.path == "performed_after_notice":
            self.pay(m, m.owed)
            return
        letter = {"override_reason": "已查明转移财产", "missing_evidence": NOT_YET_PROVED}
        referral = s.post("court", f"/leads/{m.lead_id}/referral", judge, letter)
        m.referral_id = referral["id"]
        self.note("referral_submitted", unit=m.unit, lead_id=m.lead_id)

    def pay(self, m: Matter, amount: Decimal) -> None:
        body = {"amount": str(amount), "paid_on": self.today, "channel": "court_account"}
        self.services.post("court", f"/leads/{m.lead_id}/payments", staff(m.unit, "officer"), body)
        self.note("payment", unit=m.unit, lead_id=m.lead_id, amount=str(amount), in_full=True)

    # -- phase 2: the police decide --------------------------------------------------------------------------------
    def police_decide(self, m: Matter) -> None:
        s = self.services
        investigator, head = staff(m.unit, "investigator"), staff(m.unit, "head")
        path = f"/referrals/{m.referral_id}"
        s.post("police", f"{path}/registration", investigator)
        if m.path in DECLINED_PATHS:
            s.post("police", f"{path}/decision", investigator, {"decision": "decline", "reasons": "证据不足"})
            s.post("police", f"{path}/decision/approval", head, {"approve": True})
            s.post("police", f"{path}/non-filing-notice", investigator, {})
            self.note("declined", unit=m.unit, lead_id=m.lead_id)
            return
        s.post("police", f"{path}/decision", investigator, {"decision": "file"})
        filed = s.post("police", f"{path}/decision/approval", head, {"approve": True})
        m.case_id = filed["case_id"]
        self.note("filed", unit=m.unit, lead_id=m.lead_id)

    # -- phase 3: after the decision -------------------------------------------------------------------------------
    def after_decision(self, m: Matter) -> None:
        s = self.services
        if m.path == "private_prosecution":
            explained = {"referral_id": m.referral_id, "creditor": "申请执行人", "explained_on": self.today}
            trial = s.post("court", "/trials", staff(m.unit, "officer"), explained)
            complaint = {
                "complainant": "申请执行人",
                "text": "请求追究拒执罪刑事责任",
                "defendants": [{"name": m.debtor}],
            }
            s.post("court", f"/trials/{trial['id']}/complaint", staff(m.unit, "officer"), complaint)
            number = {"court_case_number": self.criminal_case_number(m.unit)}
            s.post("court", f"/trials/{trial['id']}/acceptance", staff(m.unit, "judge"), number)
            self.note("private_prosecution", unit=m.unit, lead_id=m.lead_id, persons=1)
        elif m.path == "supervised_after_decline":
            self.supervise_after_decline(m)
        elif m.path == "arrested_with_co_offender":
            self.arrest_with_co_offender(m)
        elif m.path == "withdrawn_after_payment":
            self.pay(m, m.owed)
            head, investigator = staff(m.unit, "head"), staff(m.unit, "investigator")
            s.post(
                "police",
                f"/cases/{m.case_id}/withdrawal",
                head,
                {"ground": "no_liability", "reasons": "被执行人已全部履行"},
            )
            s.post("police", f"/cases/{m.case_id}/withdrawal-notice", investigator, {})
            self.note("withdrawn", unit=m.unit, lead_id=m.lead_id)
        elif m.path in ("public_judged", "public_pending", "not_prosecuted_after_payment"):
            s.post("police", f"/cases/{m.case_id}/transfer", staff(m.unit, "investigator"), {})
            self.note("transferred", unit=m.unit, lead_id=m.lead_id)
            if m.path == "not_prosecuted_after_payment":
                self.pay(m, m.owed)

    def supervise_after_decline(self, m: Matter) -> None:
        """立案监督 on the court's request: the reasons demanded, given, found wanting; the police file as notified."""
        s, officer, prosecutor = self.services, staff(m.unit, "officer"), staff(m.unit, "prosecutor")
        investigator, head = staff(m.unit, "investigator"), staff(m.unit, "head")
        s.post("court", f"/referrals/{m.referral_id}/supervision-request", officer, {"reasons": "被执行人转移财产"})
        case_id = self._arrived("procuratorate", "/supervision-cases", prosecutor, m.referral_id, key="referral_id")
        path = f"/supervision-cases/{case_id}"
        demanded = s.post("procuratorate", f"{path}/explanation-demand", prosecutor, {"reasons": "请说明不立案理由"})
        demand = demanded["notices"][0]["notice_id"]
        self._notice_at_police(m, demand)
        s.post("police", f"/supervision-notices/{demand}/explanation", investigator, {"explanation": "证据不足"})
        self._wait(
            lambda: s.get("procuratorate", path, prosecutor)["notices"][0]["answer"] is not None, "the reasons back"
        )
        s.post("procuratorate", f"{path}/filing-notice", prosecutor, {"reasons": "不立案理由不能成立"})
        issued = s.post("procuratorate", f"{path}/approval", staff(m.unit, "chief"), {"approve": True})
        notice = issued["notices"][-1]["notice_id"]
        self._notice_at_police(m, notice)
        s.post("police", f"/supervision-notices/{notice}/filing", head, {})
        self.note("filed_on_notice", unit=m.unit, lead_id=m.lead_id)

    def arrest_with_co_offender(self, m: Matter) -> None:
        """Detention, the arrest request, a co-offender found by the reviewer and filed on notice, the approval and
        its execution."""
        s, investigator, head = self.services, staff(m.unit, "investigator"), staff(m.unit, "head")
        prosecutor = staff(m.unit, "prosecutor")
        case = s.get("police", f"/cases/{m.case_id}", investigator)
        debtor = next(x for x in case["suspects"] if x["kind"] == "person")["suspect_id"]
        detention = {"suspect_id": debtor, "detained_at": s.now(), "place": "看守所"}
        s.post("police", f"/cases/{m.case_id}/detentions", investigator, detention)
        case = s.post("police", f"/cases/{m.case_id}/arrest-requests", investigator, {"suspect_ids": [debtor]})
        request_id = case["arrest_requests"][-1]["request_id"]
        review_id = self._arrived("procuratorate", "/arrest-reviews", prosecutor, request_id, key="request_id")
        path = f"/arrest-reviews/{review_id}"
        helper = {"name": f"{m.debtor}之妻", "role": "提供银行账户转移财产", "evidence": ["银行流水"]}
        review = s.post("procuratorate", f"{path}/persons", prosecutor, helper)
        opened = s.post(
            "procuratorate", "/supervision-cases", prosecutor, {"review_id": review_id, "reasons": "同案犯"}
        )
        person = review["persons_involved"][-1]["person_id"]
        notice_body = {"reasons": "涉嫌共同犯罪", "person_id": person}
        s.post("procuratorate", f"/supervision-cases/{opened['id']}/filing-notice", prosecutor, notice_body)
        chief = staff(m.unit, "chief")
        issued = s.post("procuratorate", f"/supervision-cases/{opened['id']}/approval", chief, {"approve": True})
        notice = issued["notices"][-1]["notice_id"]
        self._notice_at_police(m, notice)
        s.post("police", f"/supervision-notices/{notice}/filing", head, {})
        approve = {"decisions": [{"suspect_id": debtor, "decision": "approve", "reasons": "符合逮捕条件"}]}
        s.post("procuratorate", f"{path}/decisions", prosecutor, approve)

        def decided() -> bool:
            requests = s.get("police", f"/cases/{m.case_id}", investigator)["arrest_requests"]
            return debtor in next(r for r in requests if r["request_id"] == request_id)["decisions"]

        self._wait(decided, "the approval at the police")
        execution = {"suspect_id": debtor, "outcome": "arrested"}
        s.post("police", f"/cases/{m.case_id}/arrest-requests/{request_id}/executions", investigator, execution)
        self.note("arrested", unit=m.unit, lead_id=m.lead_id, persons=1)
        self.note("co_offender_filed", unit=m.unit, lead_id=m.lead_id, persons=1)

    def _notice_at_police(self, m: Matter, notice_id: str) -> None:
        inbox = f"/supervision-notices/{notice_id}"
        investigator = staff(m.unit, "investigator")
        self._wait(
            lambda: self.services.exists("police", inbox, investigator), "the procuratorate's notice at the police"
        )

    def _wait(self, check: Callable[[], bool], what: str) -> None:
        until(check, what, timeout=self.patience)

    # -- phase 4: the procuratorate ------------------------------------------------------------------------------
    def prosecute(self, m: Matter) -> None:
        s = self.services
        prosecutor = staff(m.unit, "prosecutor")
        path = f"/prosecution-reviews/{m.review_id}"
        if m.path == "not_prosecuted_after_payment":
            self._wait(lambda: s.get("procuratorate", path, prosecutor)["performance"] is not None, "the payment")
            s.post(
                "procuratorate",
                f"{path}/non-prosecution",
                prosecutor,
                {"ground": "paid_and_minor", "reasons": "已履行"},
            )
            s.post("procuratorate", f"{path}/approval", staff(m.unit, "chief"), {"approve": True})
            self.note("not_prosecuted", unit=m.unit, lead_id=m.lead_id)
            return
        proposal = {"text": "追缴转移财产发还申请执行人", "amount": str(m.owed)}
        review = s.post(
            "procuratorate",
            f"{path}/indictment",
            prosecutor,
            {"charges": "拒不执行判决、裁定罪", "asset_proposal": proposal},
        )
        self.note("indicted", unit=m.unit, lead_id=m.lead_id, persons=len(review["defendants"]))

    # -- phase 5: the court's criminal side ------------------------------------------------------------------------
    def criminal_case_number(self, unit: str) -> str:
        """The next 刑初 number of the unit's court in the services' year, e.g. (2025)鄂1221刑初1号."""
        self.criminal_numbers[unit] = self.criminal_numbers.get(unit, 0) + 1
        return f"({self.today[:4]}){court_code_of(unit)}刑初{self.criminal_numbers[unit]}号"

    def try_case(self, m: Matter) -> None:
        s = self.services
        judge = staff(m.unit, "judge")
        trial = s.get("court", f"/trials/{m.trial_id}", judge)
        number = {"court_case_number": self.criminal_case_number(m.unit)}
        s.post("court", f"/trials/{m.trial_id}/acceptance", judge, number)
        if m.path != "public_judged":
            return
        sentences = [
            {
                "defendant_id": d["defendant_id"],
                **({"fine": "100000"} if d["kind"] == "unit" else {"imprisonment_months": 30}),
            }
            for d in trial["defendants"]
        ]
        s.post("court", f"/trials/{m.trial_id}/judgment", judge, {"sentences": sentences, "recovered": str(m.owed)})
        persons = sum(1 for d in trial["defendants"] if d["kind"] == "person")
        self.note("judged", unit=m.unit, lead_id=m.lead_id, persons=persons)
        self.note("payment", unit=m.unit, lead_id=m.lead_id, amount=str(m.owed), in_full=True)

    # -- publicity -------------------------------------------------------------------------------------------------
    def publicity(self, matters: list[Matter]) -> None:
        s, rng = self.services, self.rng
        for i in range(round(self.size * PUBLICITY_PER_LEAD)):
            unit = rng.choice(sorted(COUNTY_LOGINS))
            piece = {
                "channel": rng.choice(CHANNELS),
                "published_on": self.today,
                "title": f"{COUNTIES[unit].name}法院联动打击拒执犯罪（{i + 1}）",
            }
            s.post("court", "/publicity", staff(unit, "officer"), piece)
            self.note("publicity", unit=unit)
        referred = [m for m in matters if m.referral_id]
        for m in rng.sample(referred, min(len(referred), round(self.size * TYPICAL_PER_LEAD))):
            s.post("court", f"/leads/{m.lead_id}/typical-case", staff(m.unit, "officer"), {"summary": "典型案例"})
            self.note("typical_case", unit=m.unit, lead_id=m.lead_id)

    # -- the whole year --------------------------------------------------------------------------------------------
    def run(self) -> list[dict[str, Any]]:
        s = self.services
        started = s.now()
        self.today = started[:10]
        self.note("started", at=started)
        paths = allocate(self.size, self.shape)
        self.rng.shuffle(paths)
        matters = [self.lead(i, path) for i, path in enumerate(paths)]
        for i, m in enumerate(matters):
            self._step(m, partial(self.assess_and_act, m, i))
        referred = [m for m in matters if m.referral_id]
        for m in referred:
            self._step(m, partial(self._wait, partial(self._at_police, m), "a referral arriving at the police"))
            self._step(m, partial(self.police_decide, m))
        for m in referred:
            self._step(m, partial(self._wait, partial(self._decided_at_court, m), "the police's decision at the court"))
            self._step(m, partial(self.after_decision, m))
        for m in (m for m in referred if m.path in ("public_judged", "public_pending", "not_prosecuted_after_payment")):
            self._step(m, partial(self._review_then_prosecute, m))
        for m in (m for m in referred if m.path in ("public_judged", "public_pending")):
            self._step(m, partial(self._trial_then_try, m))
        self.publicity([m for m in matters if not m.abandoned])
        self.note("finished", at=s.now())
        return self.log

    def _step(self, m: Matter, act: Callable[[], None]) -> None:
        """One step of a matter's path, unless the driver stopped following the matter."""
        if m.abandoned:
            return
        try:
            act()
        except self.abandon_on as exc:
            m.abandoned = f"{type(exc).__name__}: {exc}"
            self.note("abandoned", unit=m.unit, lead_id=m.lead_id, path=m.path, reason=m.abandoned)

    def _review_then_prosecute(self, m: Matter) -> None:
        m.review_id = self._arrived("procuratorate", "/prosecution-reviews", staff(m.unit, "prosecutor"), m.case_id)
        self.prosecute(m)

    def _trial_then_try(self, m: Matter) -> None:
        m.trial_id = self._arrived("court", "/trials", staff(m.unit, "judge"), m.case_id)
        self.try_case(m)

    def _at_police(self, m: Matter) -> bool:
        return self.services.exists("police", f"/referrals/{m.referral_id}", staff(m.unit, "investigator"))

    def _decided_at_court(self, m: Matter) -> bool:
        want = "declined" if m.path in DECLINED_PATHS else "filed"
        return bool(
            self.services.get("court", f"/referrals/{m.referral_id}", staff(m.unit, "officer"))["status"] == want
        )

    def _arrived(self, service: str, path: str, user: str, wanted: str | None, key: str = "case_id") -> str:
        """The id of the record of `path` whose `key` is `wanted`, once it has arrived."""
        found: list[str] = []

        def check() -> bool:
            items = self.services.get(service, path, user, limit=200)["items"]
            found[:] = [i["id"] for i in items if i.get(key) == wanted]
            return bool(found)

        self._wait(check, f"{key} {wanted} arriving at {service}")
        return found[0]


def expected(log: list[dict[str, Any]]) -> dict[str, tuple[int | None, int | None, str | None]]:
    """The court's figures recomputed from the generator's log alone (cases, persons, amount)."""
    acts = Counter(entry["act"] for entry in log)
    persons: Counter[str] = Counter()
    for entry in log:
        persons[entry["act"]] += int(entry.get("persons", 0))
    by_lead = {e["lead_id"]: e["persons"] for e in log if e["act"] == "lead_created"}
    referred = [e["lead_id"] for e in log if e["act"] == "referral_submitted"]
    filed = [e["lead_id"] for e in log if e["act"] == "filed"]
    declined = [e["lead_id"] for e in log if e["act"] == "declined"]
    paid = sum((Decimal(e["amount"]) for e in log if e["act"] == "payment"), Decimal(0))
    performed = {e["lead_id"] for e in log if e["act"] == "payment" and e["in_full"]}
    debtors = {e["lead_id"]: 1 for e in log if e["act"] == "lead_created"}
    return {
        "leads_screened": (acts["lead_created"], persons["lead_created"], None),
        "referred": (len(referred), sum(by_lead[i] for i in referred), None),
        "filed": (len(filed), sum(by_lead[i] for i in filed), None),
        "declined": (len(declined), sum(by_lead[i] for i in declined), None),
        "public_prosecutions": (acts["indicted"], persons["indicted"], None),
        "private_prosecutions": (acts["private_prosecution"], persons["private_prosecution"], None),
        "judged": (acts["judged"], persons["judged"], None),
        "performed": (len(performed), sum(debtors[i] for i in performed), None),
        "recovered": (None, None, str(paid.quantize(Decimal("0.01")))),
        "publicity": (acts["publicity"], None, None),
        "typical_cases": (acts["typical_case"], None, None),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--size", type=int, default=137, help="leads to screen (the article's year: 137)")
    parser.add_argument("--log", type=Path, default=None, help="write the generator's log here (JSON)")
    parser.add_argument("--court", default="http://127.0.0.1:8001")
    parser.add_argument("--police", default="http://127.0.0.1:8002")
    parser.add_argument("--procuratorate", default="http://127.0.0.1:8003")
    args = parser.parse_args(argv)
    services = Services(court=args.court, police=args.police, procuratorate=args.procuratorate)
    log = Generator(services, seed=args.seed, size=args.size).run()
    if args.log:
        args.log.write_text(json.dumps(log, ensure_ascii=False, indent=1))
    print(f"generated {args.size} leads (seed {args.seed}): {dict(Counter(e['act'] for e in log))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
