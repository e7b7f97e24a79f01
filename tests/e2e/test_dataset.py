"""The generated year, through the same APIs as staff: the court's report, computed by the court from its own records,
equals the counts recomputed from the generator's own log of what it did — two computations, one answer."""

from __future__ import annotations

from collections import Counter

import httpx
import pytest

from tests.e2e.conftest import Stack, token
from tools.client import Services
from tools.dataset import Generator, allocate, expected
from tools.demo import Stories, report_table

pytestmark = [pytest.mark.e2e, pytest.mark.kafka]


def test_allocation_follows_the_articles_shape() -> None:
    paths = Counter(allocate(137))
    assert paths["performed_after_notice"] == 13
    assert paths["private_prosecution"] == 16
    assert paths["public_judged"] + paths["public_pending"] == 3
    assert sum(paths.values()) == 137
    assert set(Counter(allocate(20))) == set(paths), "a small year still takes every path"


def test_the_generated_year_is_reported_as_it_was_made(stack: Stack) -> None:
    services = Services(court=stack.court.url, police=stack.police.url, procuratorate=stack.procuratorate.url)
    log = Generator(services, seed=11, size=20).run()
    first, last = log[0]["at"][:10], log[-1]["at"][:10]
    period = {"from": first, "to": last, "unit": "421200"}
    report = httpx.get(f"{stack.court.url}/statistics", params=period, headers=token(stack.court, "city.admin")).json()
    figures = {f["key"]: (f["cases"], f["persons"], f["amount"]) for f in report["figures"]}
    assert figures == expected(log)

    acts = Counter(e["act"] for e in log)
    police = httpx.get(f"{stack.police.url}/statistics", params=period, headers=token(stack.police, "city.supervisor"))
    police_figures = {f["key"]: f["cases"] for f in police.json()["figures"]}
    # every 立案 of the bureau: on a referral, on the procuratorate's notice after a decline, and a co-offender's case
    assert police_figures["filed"] == acts["filed"] + acts["filed_on_notice"] + acts["co_offender_filed"]
    assert police_figures["declined"] == acts["declined"]
    assert police_figures["transferred"] == acts["transferred"]
    assert police_figures["withdrawn"] == acts["withdrawn"]
    procuratorate = httpx.get(
        f"{stack.procuratorate.url}/statistics", params=period, headers=token(stack.procuratorate, "city.supervisor")
    )
    prosecution = {f["key"]: f["cases"] for f in procuratorate.json()["figures"]}
    assert prosecution["indictments"] == acts["indicted"]
    assert prosecution["non_prosecutions"] == acts["not_prosecuted"]


def test_the_demo_stories_run_on_the_system(stack: Stack, capsys: pytest.CaptureFixture[str]) -> None:
    """What `make demo` drives before the generated year: the four stories of the article, clocks moved."""
    services = Services(court=stack.court.url, police=stack.police.url, procuratorate=stack.procuratorate.url)
    stories = Stories(services)
    for story in (stories.chibi, stories.tongcheng, stories.tongshan, stories.jiayu):
        story()
    told = capsys.readouterr().out
    assert "approaching_48h" in told, "a warning before the debtor's window closed"
    assert "breached" in told, "the police's filing window ran out"
    assert "met" in told
    assert "祁某某 有期徒刑30个月" in told
    today = services.now()[:10]
    report = services.get("court", "/statistics", "city.admin", **{"from": "2020-01-01", "to": today, "unit": "421200"})
    assert "排查拒执线索" in report_table(report)
    assert {f["key"]: f["cases"] for f in report["figures"]}["judged"] == 1
