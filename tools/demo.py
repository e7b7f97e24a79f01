"""`make demo`: the article's stories on the running system, then a generated year, then the court's report next to
the article's table.

The stories — Chibi (the debtor pays within the five days), Tongcheng (referral, the police late, filed), Tongshan
(detention, arrest, the wife filed as a co-offender on the procuratorate's notice), Jiayu (the company fined, its
legal representative imprisoned) — go through the same HTTP APIs as staff, with the development clock control moving
the services' time so that windows visibly warn, breach and get met. The report is computed by the court from its
own records.

    python -m tools.demo [--start] [--seed 2025] [--size 137] [--start-at 2026-09-30T17:00+08:00]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from datetime import datetime
from typing import Any

import httpx

from liandong.contracts.common import EvidenceClass
from liandong.devstack import REPO, SERVICES
from tools.client import Services, instant, just_after, until
from tools.dataset import Generator

DAY = 86400
NOT_YET_PROVED = {c.value: "证据尚在调取中" for c in EvidenceClass}
ARTICLE = {  # the figures the article reports for the year
    "leads_screened": 137,
    "referred": 25,
    "public_prosecutions": 3,
    "private_prosecutions": 16,
    "judged": 2,
    "performed": 13,
    "recovered": "2230000.00",
    "publicity": 31,
    "typical_cases": 12,
}


def say(line: str) -> None:
    print(line, flush=True)


class Stories:
    def __init__(self, services: Services) -> None:
        self.s = services

    def windows(self, service: str, user: str, subject_id: str) -> str:
        """Each window of the subject: its state, its end, and what its tracker did (started, warnings, breach, met)."""
        lines = []
        for w in self.s.get(service, "/deadlines", user, subject_id=subject_id)["items"]:
            history = [h["action"] for h in self.s.get(service, f"/deadlines/{w['id']}", user)["history"]]
            lines.append(f"{w['title']}：{w['state']}（至 {w['due_at'][:16]}；{' → '.join(history)}）")
        return "；".join(lines)

    def lead(self, unit_login: str, number: str, suspects: list[dict[str, str]], owed: str) -> dict[str, Any]:
        body = {
            "enforcement_case_number": number,
            "amount_owed": owed,
            "summary": "判决生效后有能力执行而拒不执行",
            "suspects": suspects,
            "enforcement_basis": "民事判决书",
            "creditor": "申请执行人",
        }
        lead: dict[str, Any] = self.s.post("court", "/leads", f"{unit_login}.officer", body)
        return lead

    def refer(self, unit_login: str, lead: dict[str, Any]) -> dict[str, Any]:
        judge = f"{unit_login}.judge"
        self.s.post(
            "court", f"/leads/{lead['id']}/assessment", judge, {"conclusion": "suspected", "reasons": "有履行能力"}
        )
        self.s.serve_notice(lead["id"], f"{unit_login}.officer", f"告知书〔{self.s.now()[:4]}〕{lead['id'][:6]}号")
        letter = {"override_reason": "已查明转移财产", "missing_evidence": NOT_YET_PROVED}
        referral: dict[str, Any] = self.s.post("court", f"/leads/{lead['id']}/referral", judge, letter)
        investigator = f"{unit_login}.investigator"
        until(
            lambda: self.s.exists("police", f"/referrals/{referral['id']}", investigator), "the referral at the police"
        )
        return referral

    def file(self, unit_login: str, referral: dict[str, Any]) -> dict[str, Any]:
        investigator, head = f"{unit_login}.investigator", f"{unit_login}.head"
        path = f"/referrals/{referral['id']}"
        self.s.post("police", f"{path}/registration", investigator)
        self.s.post("police", f"{path}/decision", investigator, {"decision": "file"})
        filed = self.s.post("police", f"{path}/decision/approval", head, {"approve": True})
        case: dict[str, Any] = self.s.get("police", f"/cases/{filed['case_id']}", investigator)
        return case

    def chibi(self) -> None:
        say("\n== 赤壁：被执行人在五日内履行 ==")
        lead = self.lead(
            "chibi", "(2023)鄂1281执456号", [{"name": "熊某", "kind": "person", "role": "debtor"}], "86000.00"
        )
        self.s.post(
            "court", f"/leads/{lead['id']}/assessment", "chibi.judge", {"conclusion": "suspected", "reasons": "有能力"}
        )
        self.s.serve_notice(lead["id"], "chibi.officer", "赤法告〔2025〕7号")
        # to the window's first warning, wherever weekends and holidays put its end
        window = self.s.window("court", "chibi.officer", lead["id"], "debtor_performance")
        self.s.advance_to(window["next_fire_at"])
        until(lambda: "approaching" in self.windows("court", "chibi.officer", lead["id"]), "the 48-hour warning")
        say(f"  {self.s.now()[:10]}，期满前四十八小时：" + self.windows("court", "chibi.officer", lead["id"]))
        payment = {"amount": "86000.00", "paid_on": self.s.now()[:10], "channel": "court_account"}
        paid = self.s.post("court", f"/leads/{lead['id']}/payments", "chibi.officer", payment)
        say(f"  被执行人全部履行，线索状态：{paid['status']}；" + self.windows("court", "chibi.officer", lead["id"]))

    def tongcheng(self) -> None:
        say("\n== 通城：移送公安，逾期后立案 ==")
        lead = self.lead(
            "tongcheng", "(2024)鄂1222执123号", [{"name": "黎某某", "kind": "person", "role": "debtor"}], "350000.00"
        )
        referral = self.refer("tongcheng", lead)
        self.s.post("police", f"/referrals/{referral['id']}/registration", "tongcheng.investigator")
        window = self.s.window("police", "tongcheng.investigator", referral["id"], "police_filing_decision")
        self.s.advance_to(just_after(window["due_at"]))
        until(
            lambda: "breached" in self.windows("court", "tongcheng.officer", referral["id"]),
            "the filing window breaching",
        )
        say(
            f"  {self.s.now()[:10]}，期限届满（法院镜像）："
            + self.windows("court", "tongcheng.officer", referral["id"])
        )
        path = f"/referrals/{referral['id']}"
        self.s.post("police", f"{path}/decision", "tongcheng.investigator", {"decision": "file"})
        filed = self.s.post("police", f"{path}/decision/approval", "tongcheng.head", {"approve": True})
        say(
            f"  公安机关立案 {filed['case_number']}；"
            + self.windows("police", "tongcheng.investigator", referral["id"])
        )

    def tongshan(self) -> None:
        say("\n== 通山：拘留、提请逮捕，妻子郑某某作为同案犯依通知立案 ==")
        lead = self.lead(
            "tongshan", "(2023)鄂1224执789号", [{"name": "陈某某", "kind": "person", "role": "debtor"}], "1200000.00"
        )
        case = self.file("tongshan", self.refer("tongshan", lead))
        chen = case["suspects"][0]["suspect_id"]
        detention = {"suspect_id": chen, "detained_at": self.s.now(), "place": "通山县看守所"}
        self.s.post("police", f"/cases/{case['id']}/detentions", "tongshan.investigator", detention)
        self.s.advance(1 * DAY)
        case = self.s.post(
            "police", f"/cases/{case['id']}/arrest-requests", "tongshan.investigator", {"suspect_ids": [chen]}
        )
        request_id = case["arrest_requests"][0]["request_id"]
        reviews: list[dict[str, Any]] = []

        def arrived() -> bool:
            items = self.s.get("procuratorate", "/arrest-reviews", "tongshan.prosecutor", limit=200)["items"]
            reviews[:] = [r for r in items if r["request_id"] == request_id]
            return bool(reviews)

        until(arrived, "the arrest request at the procuratorate")
        review = reviews[0]
        wife = {"name": "郑某某", "role": "提供本人银行账户供陈某某转移财产", "evidence": ["郑某某银行流水"]}
        review = self.s.post("procuratorate", f"/arrest-reviews/{review['id']}/persons", "tongshan.prosecutor", wife)
        opened = self.s.post(
            "procuratorate",
            "/supervision-cases",
            "tongshan.prosecutor",
            {"review_id": review["id"], "reasons": "审查逮捕中发现同案犯"},
        )
        notice = {"reasons": "郑某某涉嫌共同犯罪", "person_id": review["persons_involved"][0]["person_id"]}
        self.s.post("procuratorate", f"/supervision-cases/{opened['id']}/filing-notice", "tongshan.prosecutor", notice)
        supervised = self.s.post(
            "procuratorate", f"/supervision-cases/{opened['id']}/approval", "tongshan.chief", {"approve": True}
        )  # 经检察长决定
        notice_id = supervised["notices"][0]["notice_id"]
        inbox = f"/supervision-notices/{notice_id}"
        until(lambda: self.s.exists("police", inbox, "tongshan.investigator"), "the notice at the police")
        self.s.post("police", f"/supervision-notices/{notice_id}/filing", "tongshan.head", {})
        say("  郑某某依通知立案（同一事项的第二个刑事案件）")
        self.s.advance(2 * DAY)
        approve = {"decisions": [{"suspect_id": chen, "decision": "approve", "reasons": "符合逮捕条件"}]}
        self.s.post("procuratorate", f"/arrest-reviews/{review['id']}/decisions", "tongshan.prosecutor", approve)
        until(
            lambda: (
                chen
                in self.s.get("police", f"/cases/{case['id']}", "tongshan.investigator")["arrest_requests"][0][
                    "decisions"
                ]
            ),
            "the approval at the police",
        )
        self.s.post(
            "police",
            f"/cases/{case['id']}/arrest-requests/{request_id}/executions",
            "tongshan.investigator",
            {"suspect_id": chen, "outcome": "arrested"},
        )
        timeline = self.s.get("court", f"/matters/{lead['id']}/timeline", "tongshan.officer")
        say(f"  法院所见全程：{len(timeline['events'])} 个事件，{len(timeline['windows'])} 个期限")
        for w in timeline["windows"]:
            used = "—" if w["days_used"] is None else f"{w['days_used']} 天"  # a window still running has none yet
            say(f"    {w['agency']:<13} {w['title'][:28]:<30} {w['state']:<9} 用时 {used}")

    def jiayu(self) -> None:
        say("\n== 嘉鱼：单位判处罚金，法定代表人判处有期徒刑 ==")
        suspects = [
            {"name": "武汉某建筑工程有限公司", "kind": "unit", "role": "debtor"},
            {"name": "祁某某", "kind": "person", "role": "legal_representative"},
        ]
        lead = self.lead("jiayu", "(2022)鄂1221执1234号", suspects, "380000.00")
        case = self.file("jiayu", self.refer("jiayu", lead))
        self.s.post("police", f"/cases/{case['id']}/transfer", "jiayu.investigator", {})
        found: list[str] = []

        def arrived(service: str, path: str, user: str) -> bool:
            found[:] = [
                i["id"] for i in self.s.get(service, path, user, limit=200)["items"] if i.get("case_id") == case["id"]
            ]
            return bool(found)

        until(lambda: arrived("procuratorate", "/prosecution-reviews", "jiayu.prosecutor"), "the transfer")
        indictment = {"charges": "拒不执行判决、裁定罪", "asset_proposal": {"text": "追缴发还", "amount": "380000.00"}}
        self.s.post("procuratorate", f"/prosecution-reviews/{found[0]}/indictment", "jiayu.prosecutor", indictment)
        until(lambda: arrived("court", "/trials", "jiayu.judge"), "the indictment at the court")
        trial_id = found[0]
        trial = self.s.post(
            "court", f"/trials/{trial_id}/acceptance", "jiayu.judge", {"court_case_number": "(2025)鄂1221刑初45号"}
        )
        sentences = [
            {
                "defendant_id": d["defendant_id"],
                **({"fine": "100000"} if d["kind"] == "unit" else {"imprisonment_months": 30}),
            }
            for d in trial["defendants"]
        ]
        judged = self.s.post(
            "court", f"/trials/{trial_id}/judgment", "jiayu.judge", {"sentences": sentences, "recovered": "380000.00"}
        )
        terms = "；".join(
            f"{t['name']} 罚金¥{t['fine']}" if t.get("fine") else f"{t['name']} 有期徒刑{t['imprisonment_months']}个月"
            for t in judged["judgment"]["sentences"]
        )
        served = {"served_at": self.s.now()}  # the written judgment received: the appeal period runs from the day after
        judged = self.s.post("court", f"/trials/{trial_id}/judgment-service", "jiayu.judge", served)
        say(f"  判决：{terms}；上诉期至 {judged['judgment']['appeal_ends_at'][:10]}")


def report_table(report: dict[str, Any]) -> str:
    figures = {f["key"]: f for f in report["figures"]}
    lines = [f"{'项目':<14}{'报道':>14}{'本系统（件）':>14}{'人':>8}"]
    for key, article in ARTICLE.items():
        f = figures[key]
        ours = f["amount"] if f["amount"] is not None else f["cases"]
        lines.append(f"{f['label']:<14}{article!s:>14}{ours!s:>14}{f['persons'] or '':>8}")
    lines.append(f"{'判处罪犯（人）':<14}{2:>14}{figures['judged']['persons']!s:>14}")
    return "\n".join(lines)


def clocks_moved_to(services: Services, start: datetime) -> bool:
    """A running system's clocks can only move forward: to `start` if it lies ahead of them."""
    now = datetime.fromisoformat(services.now())
    if start < now:
        say(f"the running system's clocks already read {now.isoformat()}: stop it to start the demo at {start}")
        return False
    services.advance_to(start.isoformat())
    return True


def running(services: Services) -> bool:
    try:
        return all(httpx.get(f"{services.url(name)}/readyz", timeout=2).status_code == 200 for name in SERVICES)
    except httpx.HTTPError:
        return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--start", action="store_true", help="start the system (make run) if it is not running")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--size", type=int, default=137)
    parser.add_argument(
        "--start-at",
        type=instant,
        default=None,
        help="the instant the system's clocks start at (ISO, with its offset, e.g. 2026-09-30T17:00+08:00)",
    )
    args = parser.parse_args(argv)
    services = Services()
    stack: subprocess.Popen[bytes] | None = None
    if running(services):
        if args.start_at is not None and not clocks_moved_to(services, args.start_at):
            return 2
    else:
        if not args.start:
            say("the system is not running: start it with `make run` (or run `make demo`, which starts it)")
            return 2
        say("starting the system (python -m liandong.devstack) …")
        command = [sys.executable, "-m", "liandong.devstack", "--clock-control"]
        if args.start_at is not None:
            command += ["--clock-start", args.start_at.isoformat()]
        stack = subprocess.Popen(command, cwd=REPO)
        deadline = time.monotonic() + 180
        while not running(services):
            if time.monotonic() > deadline or stack.poll() is not None:
                say("the system did not start; see var/*.log")
                return 1
            time.sleep(1)
    try:
        first_day = services.now()[:10]
        stories = Stories(services)
        for story in (stories.chibi, stories.tongcheng, stories.tongshan, stories.jiayu):
            story()
        say(f"\n== 生成全市一年的数据（seed {args.seed}，{args.size} 条线索）==")
        log = Generator(services, seed=args.seed, size=args.size).run()
        say(f"  完成：{len(log)} 项操作")
        period = {"from": first_day, "to": services.now()[:10], "unit": "421200"}
        report = services.get("court", "/statistics", "city.admin", **period)
        say(f"\n== 咸宁市法院报告（{period['from']} 至 {period['to']}，由法院数据库计算）==")
        say(report_table(report))
        say(f"\n  网页版：{services.court}/statistics.html?from={period['from']}&to={period['to']}&unit=421200")
        return 0
    finally:
        if stack is not None:
            stack.terminate()
            stack.wait(timeout=60)


if __name__ == "__main__":
    sys.exit(main())
