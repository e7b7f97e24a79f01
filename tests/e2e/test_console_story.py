"""The Tongshan matter carried through the three staff consoles in a real browser (Playwright driving Debian's
chromium), by the accounts of each role, on the real stack: lead, evidence, 研判, notice, referral; registration,
decision and approval, detention, arrest request; review and approval per suspect; execution; the co-offender's
notice to file, its approval and the filing. Each step's page is kept in test-artifacts/console/."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from liandong.devstack import ServiceProcess
from tests.e2e.conftest import Stack, court_now
from tests.support.infra import wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.kafka]

SHANGHAI = ZoneInfo("Asia/Shanghai")
ARTIFACTS = Path("test-artifacts/console")
EVIDENCE = b"%PDF-1.4\n% bank flow of the debtor and his wife\n%%EOF\n"


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        assert os.environ.get("CI") != "true", "CI installs chromium: the browser tests must run there"
        pytest.skip("chromium is not installed on this machine (apt-get install chromium)")
    return found


class Desk:
    """One member of staff at one agency's console, in a browser page."""

    def __init__(self, page: Page, service: ServiceProcess, shots: list[str]) -> None:
        self.page, self.service, self.shots = page, service, shots

    def url(self, path: str) -> str:
        return f"{self.service.url}/console{path}"

    def login(self, username: str) -> Desk:
        self.page.context.clear_cookies()
        self.page.goto(self.url("/login"))
        self.page.get_by_label("用户名").fill(username)
        self.page.get_by_label("密码").fill("liandong-dev")
        with self.page.expect_navigation():  # the form's answer, not the page it was sent from
            self.page.get_by_role("button", name="登录").click()
        assert self.page.url.endswith("/console/"), self.page.url
        assert username in self.page.content()
        return self

    def open(self, path: str) -> None:
        response = self.page.goto(self.url(path))
        assert response is not None, path
        assert response.status == 200, f"{path}: {response.status}"

    def act(self, name: str, fields: dict[str, str | list[str] | bool | tuple[str, bytes]] | None = None) -> None:
        """Open the act's form, fill it as a person would and submit it; the page then says it was done."""
        form = self.page.locator(f'form[data-act="{name}"]')
        details = self.page.locator("details", has=form)
        if details.get_attribute("open") is None:
            details.locator("summary").click()
        for field, value in (fields or {}).items():
            target = form.locator(f'[name="{field}"]')
            tag = target.first.evaluate("e => e.tagName + ':' + (e.type || '')")
            if isinstance(value, tuple):
                target.set_input_files({"name": value[0], "mimeType": "application/pdf", "buffer": value[1]})
            elif isinstance(value, bool):
                target.set_checked(value)
            elif isinstance(value, list):
                for choice in value:
                    form.locator(f'[name="{field}"][value="{choice}"]').check()
            elif tag.startswith("SELECT"):
                target.select_option(value)
            else:
                target.fill(value)
        with self.page.expect_navigation():
            form.locator('button[type="submit"]').click()
        problem = self.page.locator(".problem")
        assert problem.count() == 0, f"{name}: {problem.first.inner_text()}"

    def done(self, title: str) -> None:
        assert self.page.locator(".done").inner_text() == f"已办理：{title}"

    def shot(self, step: str) -> None:
        path = ARTIFACTS / f"{len(self.shots) + 1:02d}-{step}.png"
        self.page.screenshot(path=str(path), full_page=True)
        self.shots.append(path.name)

    def first_link(self, listing: str, text: str, timeout: float = 20) -> str:
        """The record of the list whose row holds `text` (waiting for it to arrive from another agency)."""

        def found() -> bool:
            self.open(listing)
            return bool(self.page.locator("tbody tr", has_text=text).count() > 0)

        wait_until(found, timeout, interval=0.5, message=f"{text} in {listing}")
        href = self.page.locator("tbody tr", has_text=text).first.locator("a").first.get_attribute("href")
        assert href is not None
        return str(href).removeprefix("/console")


def minute(stack: Stack) -> str:
    """The services' time now, to the minute, as a datetime-local field takes it (Asia/Shanghai)."""
    return court_now(stack).astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def browser() -> Iterator[Browser]:
    with sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=chromium())
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A page of the browser; what it showed last is kept (test-artifacts/console/last-page.*) to read a failure."""
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    opened = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    try:
        yield opened
    finally:
        (ARTIFACTS / "last-page.html").write_text(opened.content())
        opened.screenshot(path=str(ARTIFACTS / "last-page.png"), full_page=True)


def test_tongshan_carried_through_the_three_consoles(stack: Stack, page: Page) -> None:
    shots: list[str] = []
    court = Desk(page, stack.court, shots)
    police = Desk(page, stack.police, shots)
    procuratorate = Desk(page, stack.procuratorate, shots)
    number = f"(2023)鄂1224执{datetime.now().microsecond}号"

    # the court: the lead, its evidence, 研判, the notice, the referral
    court.login("tongshan.officer")
    court.open("/leads")
    court.act(
        "new",
        {
            "enforcement_case_number": number,
            "suspects.0.name": "陈某某",
            "suspects.0.kind": "person",
            "suspects.0.role": "debtor",
            "suspects.0.id_number": "42122419700101123X",
            "amount_owed": "1200000.00",
            "summary": "判决生效后将名下财产转移至他人账户，拒不履行",
            "enforcement_basis": "(2022)鄂1224民初456号民事判决书",
            "creditor": "洪某某",
        },
    )
    lead = page.url.removeprefix(court.url(""))
    assert number in page.content()
    court.shot("court-lead")
    court.act(
        "evidence",
        {
            "file": ("陈某某银行流水.pdf", EVIDENCE),
            "evidence_class": "ability_to_perform",
            "evidence_type": "fund_flow",
        },
    )
    court.done("上传证据")
    assert "陈某某银行流水.pdf" in page.content()
    assert page.locator('form[data-act="assessment"]').count() == 0, "研判 is the criminal judge's: no button"
    court.shot("court-evidence")

    court.login("tongshan.judge")
    court.open(lead)
    court.act("assessment", {"conclusion": "suspected", "reasons": "有能力执行而转移财产，拒不执行"})
    court.done("研判")
    court.shot("court-assessment")

    court.login("tongshan.officer")
    court.open(lead)
    court.act("notice", {"served_at": minute(stack), "notice_number": "通山法告〔2026〕1号"})
    court.done("送达《告知书》")
    reason = str(page.locator("details", has_text="移送公安机关").locator(".reason").text_content())
    assert "被执行人履行期限尚未届满" in reason, "the officer waits for the debtor's window: the page says why"
    court.shot("court-notice")

    court.login("tongshan.judge")
    court.open(lead)
    court.act(
        "referral",
        {
            "override_reason": "已查明转移财产，情况紧急",
            "missing_evidence.identity": "户籍信息调取中",
            "missing_evidence.duty": "生效判决已附",
            "missing_evidence.refusal": "拒不履行情况调取中",
            "missing_evidence.aggravating": "情节严重的证据调取中",
        },
    )
    court.done("移送公安机关")
    court.shot("court-referral")

    # the police: registration, the investigator's proposal, the head's approval
    police.login("tongshan.investigator")
    referral = police.first_link("/referrals", number)
    police.open(referral)
    police.act("registration")
    police.done("登记受理")
    police.act("decision", {"decision": "file", "case_number": "通公(经)立字〔2026〕88号"})
    police.done("提出立案或不予立案意见")
    assert page.locator('form[data-act="approval"]').count() == 0, "the head approves: no button for an investigator"
    csrf = str(page.locator('input[name="_csrf"]').first.get_attribute("value"))
    forged = page.request.post(police.url(f"{referral}/approval"), form={"_csrf": csrf, "approve": "true"})
    assert forged.status == 403, "a forged approval by an investigator is refused"
    no_token = page.request.post(police.url(f"{referral}/approval"), form={"approve": "true"})
    assert no_token.status == 403, "a POST without its CSRF token is refused"
    police.shot("police-proposal")

    police.login("tongshan.head")
    police.open(referral)
    police.act("approval", {"approve": True, "note": "同意立案"})
    police.done("审批立案意见")
    police.shot("police-filed")

    # the investigator detains 陈某某 and requests his arrest
    police.login("tongshan.investigator")
    case = police.first_link("/cases", "通公(经)立字〔2026〕88号")
    police.open(case)
    option = page.locator('form[data-act="detentions"] select[name="suspect_id"] option', has_text="陈某某")
    chen = str(option.get_attribute("value"))
    police.act(
        "detentions",
        {"suspect_id": chen, "detained_at": minute(stack), "place": "通山县看守所"},
    )
    police.done("刑事拘留")
    police.act("arrest-request", {"suspect_ids": [chen]})
    police.done("提请批准逮捕")
    assert "提请批准逮捕" in page.content()
    police.shot("police-arrest-request")

    # the procuratorate reviews per suspect and approves
    procuratorate.login("tongshan.prosecutor")
    review = procuratorate.first_link("/arrest-reviews", "通山")
    procuratorate.open(review)
    assert "陈某某" in page.content()
    procuratorate.act(
        "decisions",
        {
            "decisions.0.suspect_id": chen,
            "decisions.0.decision": "approve",
            "decisions.0.reasons": "有证据证明有拒不执行判决的犯罪事实，可能判处徒刑以上刑罚",
        },
    )
    procuratorate.done("作出批准或不批准逮捕决定")
    procuratorate.shot("procuratorate-approved")

    # the police execute the arrest once the decision has arrived
    police.login("tongshan.investigator")

    def decision_arrived() -> bool:
        police.open(case)
        return "批准逮捕" in page.locator("section", has_text="详细信息").inner_text()

    wait_until(decision_arrived, 20, interval=0.5, message="the decision reaching the police")
    request_id = page.locator('form[data-act="execution"] select[name="request_id"] option').nth(1)
    police.act(
        "execution",
        {
            "request_id": str(request_id.get_attribute("value")),
            "suspect_id": chen,
            "outcome": "arrested",
            "executed_at": minute(stack),
        },
    )
    police.done("执行逮捕决定")
    police.shot("police-executed")

    # the co-offender: the procuratorate notifies the police to file against 郑某某; the chief approves
    procuratorate.login("tongshan.prosecutor")
    procuratorate.open(review)
    procuratorate.act("supervision", {"reasons": "审查逮捕中发现同案犯郑某某"})
    procuratorate.done("立案监督（审查逮捕中发现）")
    supervision = procuratorate.first_link("/supervision-cases", "审查逮捕")
    procuratorate.open(supervision)
    procuratorate.act(
        "filing-notice",
        {
            "reasons": "郑某某提供本人银行账户供陈某某转移财产，涉嫌共同犯罪，应当立案侦查",
            "co_offender.name": "郑某某",
            "co_offender.kind": "person",
            "co_offender.role": "helper",
            "co_offender.part_in_scheme": "提供本人银行账户",
            "co_offender.evidence": "郑某某名下银行账户流水",
        },
    )
    procuratorate.done("提出通知立案意见")
    procuratorate.shot("procuratorate-filing-notice-proposed")

    procuratorate.login("tongshan.chief")
    procuratorate.open(supervision)
    procuratorate.act("approval", {"approve": True, "note": "同意通知立案"})
    procuratorate.done("检察长审批")
    assert "通山检刑通立〔" in page.content()
    procuratorate.shot("procuratorate-notice-issued")

    # the bureau head files the co-offender's case on the notice
    police.login("tongshan.investigator")
    notice = police.first_link("/supervision-notices", "通知立案")
    police.open(notice)
    assert page.locator('form[data-act="filing"]').count() == 0, "the head files on a notice"
    police.login("tongshan.head")
    police.open(notice)
    police.act("filing", {"case_number": "通公(经)立字〔2026〕89号"})
    police.done("依通知立案")
    police.shot("police-co-offender-filed")

    # another county's staff cannot open the matter's records
    police.login("chibi.investigator")
    other = page.goto(police.url(notice))
    assert other is not None
    assert other.status in (403, 404)
    assert "郑某某" not in page.content()

    # the court's page of the matter shows the whole story, on a desk and on a tablet
    court.login("tongshan.officer")
    court.open(lead)
    timeline = page.locator("section", has_text="办案经过").inner_text()
    assert "刑事拘留" in timeline, "the court's page of the lead holds the matter's whole timeline"
    court.shot("court-matter")
    page.set_viewport_size({"width": 768, "height": 1024})
    court.open(lead)
    assert page.evaluate("document.documentElement.scrollWidth") <= 768, "nothing runs off a tablet's screen"
    court.shot("court-matter-tablet")
    court.open("/statistics")
    assert "figures" not in page.locator("main").inner_text() or "统计" in page.content()
    court.shot("court-statistics")
    assert len(shots) >= 16
    assert all((ARTIFACTS / name).stat().st_size > 10_000 for name in shots), "every step's page was drawn"
