"""The court's report on a small dataset built by hand: every count below can be checked by reading the records."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from liandong.clock import ManualClock
from liandong.contracts.common import PartyKind, SuspectRole
from liandong_court.bootstrap import spec
from liandong_court.config import CourtSettings
from liandong_court.domain.leads import Lead, LeadSource, LeadStatus
from liandong_court.domain.publicity import Channel, PublicityPiece, TypicalCase
from liandong_court.domain.records import Payment
from liandong_court.domain.referrals import Referral, ReferralStatus
from liandong_court.domain.trials import Trial, TrialKind, TrialStatus
from liandong_court.domain.values import Suspect
from tests.support.apps import login, running_app, runtime_of

OCT = datetime(2025, 10, 1, 2, 0, tzinfo=UTC)  # 1 October 2025, 10:00 in Shanghai
PERIOD = {"from": "2025-10-01", "to": "2025-10-31"}


def lead(number: str, unit: str, created: datetime, *suspects: tuple[str, str, str]) -> Lead:
    return Lead(
        id=str(uuid.uuid4()),
        unit=unit,
        enforcement_case_number=number,
        source=LeadSource.CASE_SCREENING,
        suspects=tuple(Suspect(name=n, kind=PartyKind(k), role=SuspectRole(r)) for n, k, r in suspects),
        amount_owed=Decimal("100000"),
        amount_paid=Decimal("0"),
        summary="拒不履行",
        created_at=created,
        created_by="tongcheng.officer",
    )


def referral(of: Lead, submitted: datetime, status: ReferralStatus, decided: datetime | None = None) -> Referral:
    return Referral(
        id=str(uuid.uuid4()),
        lead_id=of.id,
        letter_number=f"(2025)鄂1222执移{uuid.uuid4().hex[:6]}号",
        court_unit=of.unit,
        police_unit=of.unit,
        submitted_at=submitted,
        submitted_by="tongcheng.judge",
        status=status,
        filed_at=decided if status is ReferralStatus.FILED else None,
        declined_at=decided if status is ReferralStatus.DECLINED else None,
    )


@pytest.fixture
async def court(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    settings = CourtSettings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'court.db'}", kafka_bootstrap_servers="127.0.0.1:1"
    )
    async with running_app(spec(), settings) as client:
        a = lead(
            "(2024)鄂1222执1号", "421222", OCT, ("某公司", "unit", "debtor"), ("祁某", "person", "legal_representative")
        )
        b = lead("(2024)鄂1222执2号", "421222", OCT + timedelta(days=1), ("黄某", "person", "debtor"))
        c = lead("(2024)鄂1222执3号", "421222", OCT + timedelta(days=2), ("罗某", "person", "debtor"))
        c.status, c.performed_at = LeadStatus.PERFORMED, OCT + timedelta(days=9)
        d = lead("(2024)鄂1222执4号", "421222", OCT - timedelta(days=60), ("吴某", "person", "debtor"))
        elsewhere = lead("(2024)鄂1224执5号", "421224", OCT, ("陈某", "person", "debtor"))
        ra = referral(a, OCT + timedelta(days=2), ReferralStatus.FILED, OCT + timedelta(days=7))
        rb = referral(b, OCT + timedelta(days=3), ReferralStatus.DECLINED, OCT + timedelta(days=13))
        rd = referral(d, OCT - timedelta(days=20), ReferralStatus.FILED, OCT + timedelta(days=20))
        public = Trial(
            id=str(uuid.uuid4()),
            kind=TrialKind.PUBLIC,
            lead_id=a.id,
            court_unit="421222",
            status=TrialStatus.JUDGED,
            defendants=[{"defendant_id": "x", "name": "某公司"}, {"defendant_id": "y", "name": "祁某"}],
            received_at=OCT + timedelta(days=12),
            judgment={
                "judged_at": (OCT + timedelta(days=22)).isoformat(),
                "sentences": [{"name": "某公司", "kind": "unit"}, {"name": "祁某", "kind": "person"}],
            },
        )
        private = Trial(
            id=str(uuid.uuid4()),
            kind=TrialKind.PRIVATE,
            lead_id=b.id,
            court_unit="421222",
            status=TrialStatus.COMPLAINT_REGISTERED,
            defendants=[{"defendant_id": "z", "name": "黄某"}],
            received_at=OCT + timedelta(days=15),
        )
        accepted = Trial(
            id=str(uuid.uuid4()),
            kind=TrialKind.PRIVATE,
            lead_id=d.id,
            court_unit="421222",
            status=TrialStatus.ACCEPTED,
            defendants=[{"defendant_id": "w", "name": "吴某"}],
            received_at=OCT - timedelta(days=10),  # the complaint came in September, accepted in October
            accepted_at=OCT + timedelta(days=3),
            court_case_number="(2025)鄂1222刑初3号",
        )
        rejected = Trial(
            id=str(uuid.uuid4()),
            kind=TrialKind.PRIVATE,
            lead_id=c.id,
            court_unit="421222",
            status=TrialStatus.REJECTED,
            defendants=[{"defendant_id": "v", "name": "罗某"}],
            received_at=OCT + timedelta(days=4),
            rejection={"reasons": "证据不足", "by": "j", "at": (OCT + timedelta(days=6)).isoformat()},
        )
        records: list[Any] = [a, b, c, d, elsewhere, ra, rb, rd, public, private, accepted, rejected]
        for paid_on, amount in ((date(2025, 10, 10), "1000"), (date(2025, 11, 2), "5000")):
            records.append(
                Payment(
                    id=str(uuid.uuid4()),
                    lead_id=c.id,
                    amount=Decimal(amount),
                    paid_on=paid_on,
                    channel="court_account",
                    note=None,
                    over_reason=None,
                    recorded_at=OCT,
                    recorded_by="o",
                )
            )
        for published in (date(2025, 10, 5), date(2025, 10, 30), date(2025, 9, 30)):
            records.append(
                PublicityPiece(
                    id=str(uuid.uuid4()),
                    unit="421222",
                    channel=Channel.WECHAT,
                    published_on=published,
                    title="通城法院集中宣判拒执犯罪",
                    link=None,
                    lead_id=None,
                    recorded_at=OCT,
                    recorded_by="o",
                )
            )
        records.append(
            TypicalCase(lead_id=a.id, unit="421222", summary="单位拒执", marked_on=date(2025, 10, 25), marked_by="o")
        )
        runtime = runtime_of(client)
        async with runtime.session_factory() as session, session.begin():
            session.add_all(records)
        yield client


def figures(report: dict[str, Any]) -> dict[str, tuple[Any, Any, Any]]:
    return {f["key"]: (f["cases"], f["persons"], f["amount"]) for f in report["figures"]}


async def test_the_court_counts_its_own_records_for_its_unit_and_the_period(court: httpx.AsyncClient) -> None:
    officer = await login(court, "tongcheng.officer")
    report = (await court.get("/statistics", params=PERIOD, headers=officer)).json()
    assert figures(report) == {
        "leads_screened": (3, 4, None),  # a (2 suspects), b, c — d is older, the other county's is not ours
        "referred": (2, 3, None),  # a and b; d was sent in September
        "filed": (2, 3, None),  # a on 8 October, d on 21 October
        "declined": (1, 1, None),
        "public_prosecutions": (1, 2, None),
        "private_prosecutions": (1, 1, None),  # accepted in October; one registered, one rejected: not accepted
        "judged": (1, 1, None),  # one case; one person convicted (the company is a unit)
        "performed": (1, 1, None),
        "recovered": (None, None, "1000.00"),  # the November payment is outside the period
        "publicity": (2, None, None),
        "typical_cases": (1, None, None),
    }
    judged = next(f for f in report["figures"] if f["key"] == "judged")
    assert judged["units"] == 1, "the company fined is a unit convicted"
    assert all(f["definition"] for f in report["figures"]), "each figure says what it counts"
    assert [s["count"] for s in report["funnel"]] == [3, 2, 2, 2, 1]
    rates = {r["key"]: (r["share"], r["of"]) for r in report["rates"]}
    # decisions in October: a after 5 days, b after 10, d after 40
    assert rates["police_decisions_within_7_days"] == (round(1 / 3, 4), 3)
    assert rates["police_decisions_within_30_days"] == (round(2 / 3, 4), 3)
    cycles = {c["key"]: (c["average_days"], c["samples"]) for c in report["cycle_days"]}
    assert cycles["referral_to_decision"] == (round((5 + 10 + 40) / 3, 2), 3)
    assert cycles["prosecution_to_judgment"] == (10.0, 1)


async def test_the_city_sees_every_county_and_the_report_comes_as_csv_and_html(court: httpx.AsyncClient) -> None:
    city = await login(court, "city.admin")
    report = (await court.get("/statistics", params={**PERIOD, "unit": "421200"}, headers=city)).json()
    assert figures(report)["leads_screened"] == (4, 5, None)
    officer = await login(court, "tongcheng.officer")
    denied = await court.get("/statistics", params={**PERIOD, "unit": "421224"}, headers=officer)
    assert denied.status_code == 403
    backwards = await court.get("/statistics", params={"from": "2025-10-31", "to": "2025-10-01"}, headers=officer)
    assert backwards.json()["error"]["code"] == "invalid_period"
    as_csv = await court.get("/statistics", params={**PERIOD, "format": "csv"}, headers=officer)
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert "figure,leads_screened,排查拒执线索,3,4," in as_csv.text
    page = await court.get("/statistics.html", params=PERIOD, headers=officer)
    assert page.status_code == 200
    assert '<table id="figures">' in page.text
    assert '<svg id="funnel"' in page.text
    assert "排查拒执线索" in page.text
    assert "期间内受理（立案）的自诉案件" in page.text, "each figure's definition beside it"


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def render(browser: str, page_html: str, workdir: Path) -> tuple[str, Path]:
    """The page as chromium parses it (its DOM), and a screenshot kept in test-artifacts/."""
    html_file = workdir / "statistics.html"
    html_file.write_text(page_html, encoding="utf-8")
    artefacts = Path(__file__).resolve().parents[2] / "test-artifacts"
    artefacts.mkdir(exist_ok=True)
    shot = artefacts / "statistics.png"
    shot.unlink(missing_ok=True)
    headless = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]
    dom = subprocess.run(
        [*headless, "--dump-dom", html_file.as_uri()], capture_output=True, text=True, timeout=120, check=True
    ).stdout
    subprocess.run(
        [*headless, "--window-size=1000,1400", f"--screenshot={shot}", html_file.as_uri()],
        capture_output=True,
        timeout=120,
        check=True,
    )
    return dom, shot


async def test_the_report_page_renders_in_a_real_browser(court: httpx.AsyncClient, tmp_path: Path) -> None:
    """Debian's chromium, headless, draws the page; the screenshot is kept in test-artifacts/ for a reader."""
    browser = chromium()
    if browser is None:
        assert os.environ.get("CI") != "true", "CI installs chromium: the browser check must run there"
        pytest.skip("chromium is not installed on this machine (apt-get install chromium)")
    officer = await login(court, "tongcheng.officer")
    page = await court.get("/statistics.html", params=PERIOD, headers=officer)
    dom, shot = await asyncio.to_thread(render, browser, page.text, tmp_path)
    assert 'id="funnel"' in dom
    assert "排查拒执线索" in dom
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 10_000, "a drawn page, not a blank one"


async def test_without_a_period_the_report_is_of_the_current_year_to_date(tmp_path: Path) -> None:
    """`/statistics` and its page with no `from`/`to`: 1 January of this year to today (Asia/Shanghai)."""
    settings = CourtSettings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'court.db'}", kafka_bootstrap_servers="127.0.0.1:1"
    )
    new_years_eve_in_utc = datetime(2025, 12, 31, 17, 0, tzinfo=UTC)  # 1 January 2026, 01:00 in Shanghai
    async with running_app(spec(), settings, clock=ManualClock(new_years_eve_in_utc)) as client:
        officer = await login(client, "tongcheng.officer")
        report = await client.get("/statistics", headers=officer)
        assert report.status_code == 200, report.text
        assert (report.json()["period_from"], report.json()["period_to"]) == ("2026-01-01", "2026-01-01")
        since_june = await client.get("/statistics", params={"from": "2025-06-01"}, headers=officer)
        assert (since_june.json()["period_from"], since_june.json()["period_to"]) == ("2025-06-01", "2026-01-01")
        page = await client.get("/statistics.html", headers=officer)
        assert page.status_code == 200
        assert "2026-01-01" in page.text
