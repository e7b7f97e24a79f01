"""The staff console without a browser: every act of the API has a form, every page renders valid HTML from sample
data with no name missing, and the court's console on SQLite keeps its promises — a strict session cookie, CSRF on
every form, buttons only for the acts a role may take (and 403 on a forged POST), a form posted twice acting once,
errors beside their fields, another county's records out of reach."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import html5lib
import httpx
import pytest
from fastapi import FastAPI, Response
from fastapi.routing import APIRoute
from sqlalchemy import func, select

from liandong.api.app import create_app
from liandong.clock import ManualClock
from liandong.console.forms import resolve
from liandong.console.routes import Console, templates
from liandong.console.session import SESSION_COOKIE, Session, open_session
from liandong.runtime import ServiceSpec, service_spec
from liandong.security import Principal
from liandong.sla.counting import SHANGHAI
from liandong_court.adapters.orm import leads
from liandong_court.bootstrap import spec as court_spec
from liandong_court.config import CourtSettings
from tests.support.apps import running_app, runtime_of
from tests.support.letters import PARTICULARS

SERVICES = ("court", "police", "procuratorate")
NOW = datetime(2026, 10, 9, 1, 0, tzinfo=UTC)


def specs() -> list[ServiceSpec]:
    return [service_spec(name) for name in SERVICES]


def app_of(spec: ServiceSpec) -> FastAPI:
    settings = CourtSettings(database_url="sqlite+aiosqlite:///:memory:", kafka_bootstrap_servers="127.0.0.1:1")
    app = create_app(spec, settings)
    app.state.runtime = SimpleNamespace(spec=spec)  # what the console reads of the runtime to find the routes
    return app


@pytest.mark.parametrize("name", SERVICES)
def test_every_act_of_the_api_has_a_form_in_the_console(name: str) -> None:
    """Each POST route of the service's own API (what staff do) is an act of its console, and every act names a
    route that exists with its method."""
    spec = service_spec(name)
    assert spec.console is not None
    posted = {
        route.path
        for router in spec.routers
        for route in router.routes
        if isinstance(route, APIRoute) and "POST" in (route.methods or ())
    }
    acts = [a for kind in spec.console.records for a in (*kind.acts, *kind.creates)]
    assert {a.path for a in acts if a.method == "POST"} == posted


def sample(schema: Mapping[str, Any], document: Mapping[str, Any], depth: int = 0) -> Any:
    """A value of every field a response schema has (one item per list), to render a page with nothing left out."""
    resolved = resolve(schema, document)
    if "enum" in resolved:
        return resolved["enum"][0]
    kind = resolved.get("type")
    if kind == "object" or "properties" in resolved:
        if depth > 4:
            return {}
        return {k: sample(v, document, depth + 1) for k, v in resolved.get("properties", {}).items()}
    if kind == "array":
        return [sample(resolved.get("items", {}), document, depth + 1)]
    if kind == "integer":
        return 3
    if kind == "number":
        return "120000.00"
    if kind == "boolean":
        return True
    if resolved.get("format") == "date-time":
        return "2026-10-09T09:00:00+08:00"
    if resolved.get("format") == "date":
        return "2026-10-09"
    return "示例<b>文字</b>"  # markup in data must come out escaped


def valid_html(page: str) -> None:
    parser = html5lib.HTMLParser(strict=True)
    parser.parse(page)
    assert "<b>文字</b>" not in page, "data is escaped, never markup"


WINDOW = {
    "id": "w1",
    "kind": "police_arrest_request",
    "title": "提请批准逮捕",
    "legal_basis": "《刑事诉讼法》第九十一条",
    "unit": "421224",
    "subject_type": "case",
    "subject_id": "c1",
    "correlation_id": "m1",
    "state": "running",
    "custody": True,
    "due_at": "2026-10-10T09:00:00+08:00",
}


@pytest.mark.parametrize("name", SERVICES)
def test_every_page_and_form_renders_valid_html_from_sample_data(name: str) -> None:
    spec = service_spec(name)
    assert spec.console is not None
    app = app_of(spec)
    console = Console(spec.console)
    document = app.openapi()
    staff = Session("token", Principal("tongshan.someone", spec.agency, spec.roles[0], "421224"), "csrf")

    def render(template: str, **context: Any) -> str:
        page = templates.get_template(template).render(console.context(NOW, spec.agency, staff, **context))
        valid_html(page)
        return page

    for kind in spec.console.records:
        listed = document["paths"][kind.listing]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        item = listed["$ref"].rsplit("/", 1)[-1].removeprefix("Page_").removesuffix("_")  # Page_LeadPublic_
        page = {"items": [sample({"$ref": f"#/components/schemas/{item}"}, document)], "total": 41}
        creates = [console.offered(app, a, {}, {}, {}, creating=True) for a in kind.creates]
        shown = render(
            "list.html", kind=kind, page=page, filters=[], creates=creates, previous="offset=0", following="offset=40"
        )
        assert kind.title in shown
        if kind.detail is None:
            continue
        detail = document["paths"][kind.detail]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        record = sample(detail, document)
        acts = []
        for act in kind.acts:
            offered = console.offered(app, act, record, {}, {})
            first = offered["fields"][0].name if offered["fields"] else ""
            acts.append({**offered, "errors": {first: "必填"}, "reason": None, "open": True})
        shown = render(
            "record.html",
            kind=kind,
            record=record,
            windows=[WINDOW],
            record_id="r1",
            acts=acts,
            files=[("证据.pdf", "/evidence/abc")],
            documents=[
                {
                    "title": "移送函",
                    "number": "(2026)鄂1222执移1号",
                    "pdf_url": "/documents/d1.pdf",
                    "issued_at": "2026-12-07T10:00:00+08:00",
                    "pages": 2,
                }
            ],
            timeline={"correlation_id": "m1", "events": [], "windows": []},
            done="研判",
        )
        assert "法律文书" in shown
        assert "(2026)鄂1222执移1号" in shown
        for act in kind.acts:
            assert f'data-act="{act.name}"' in shown, f"{kind.name}: the form of {act.name}"
        assert shown.count('class="error"') >= sum(1 for a in acts if a["fields"]), "each error beside its field"
    render(
        "home.html",
        windows=[WINDOW, {**WINDOW, "state": "breached", "subject_type": "detention"}],
        queues=[],
        subjects={},
    )
    render("login.html", csrf="x" * 40, next="/console/")
    render("error.html", problem="没有这个页面")
    render("statistics.html", report={"figures": [{"key": "filed", "cases": 1}]}, params={})
    render(
        "matter.html",
        timeline={
            "correlation_id": "m1",
            "events": [{"at": "2026-10-09T09:00:00+08:00", "agency": "court", "summary": "移送"}],
            "windows": [{**WINDOW, "agency": "police", "started_at": WINDOW["due_at"], "ended_at": None}],
        },
    )


def test_a_time_is_shown_in_shanghai_and_a_window_counts_down() -> None:
    from liandong.console.routes import countdown, shown_time

    assert shown_time("2026-10-09T01:00:00+00:00") == "2026-10-09 09:00"
    assert countdown({"state": "running", "due_at": "2026-10-09T13:00:00+08:00"}, NOW).text == "剩余 4.0 小时"
    late = countdown({"state": "breached", "due_at": "2026-10-09T07:00:00+08:00"}, NOW)
    assert (late.text, late.css) == ("已超期 2.0 小时", "breached")
    assert countdown({"state": "met", "due_at": "2026-10-09T07:00:00+08:00"}, NOW).css == "ended"


def test_the_session_cookie_is_secure_in_production() -> None:
    for environment, secure in (("production", True), ("development", False)):
        runtime = SimpleNamespace(settings=SimpleNamespace(environment=environment))
        request = SimpleNamespace(app=SimpleNamespace(state=SimpleNamespace(runtime=runtime)))
        response = Response()
        open_session(request, response, "token", 1800)  # type: ignore[arg-type]
        cookie = response.headers["set-cookie"]
        assert "HttpOnly" in cookie
        assert "SameSite=strict" in cookie
        assert "Max-Age=1800" in cookie
        assert ("Secure" in cookie) is secure


# the court's console on SQLite ---------------------------------------------------------------------------------------

SECRET = "test-secret-0123456789-0123456789-xyz"


@pytest.fixture
async def court(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    settings = CourtSettings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'court.db'}",
        kafka_bootstrap_servers="127.0.0.1:1",
        secret_key=SECRET,
    )
    async with running_app(court_spec(), settings, ManualClock(NOW)) as client:
        yield client


def hidden(page: str, name: str, act: str | None = None) -> str:
    if act is not None:
        page = page[page.index(f'data-act="{act}"') :]
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found, f"no {name} on the page"
    return found.group(1)


async def log_in(client: httpx.AsyncClient, username: str) -> None:
    client.cookies.clear()
    page = await client.get("/console/login")
    answer = await client.post(
        "/console/login",
        data={
            "_csrf": hidden(page.text, "_csrf"),
            "username": username,
            "password": "liandong-dev",
            "next": "/console/",
        },
    )
    assert (answer.status_code, answer.headers["location"]) == (303, "/console/"), answer.text


LEAD = {
    "enforcement_case_number": "(2024)鄂1222执123号",
    "suspects.0.name": "黎某某",
    "suspects.0.kind": "person",
    "suspects.0.role": "debtor",
    "suspects.0.id_number": "42122219800101123X",
    "amount_owed": "350000.00",
    "summary": "被执行人有履行能力而拒不履行",
    **PARTICULARS,
}


async def new_lead(client: httpx.AsyncClient, **changes: str) -> httpx.Response:
    page = (await client.get("/console/leads")).text
    form = {**LEAD, "_csrf": hidden(page, "_csrf"), "_key": hidden(page, "_key", "new"), **changes}
    return await client.post("/console/leads/-/new", data=form)


async def lead_count(client: httpx.AsyncClient) -> int:
    async with runtime_of(client).session_factory() as session:
        return int(await session.scalar(select(func.count()).select_from(leads)) or 0)


async def test_logging_in_opens_a_session_and_logging_out_ends_it(court: httpx.AsyncClient) -> None:
    first = await court.get("/console/leads?status=open")
    assert first.status_code == 303
    assert first.headers["location"].startswith("/console/login?next=")
    page = await court.get("/console/login")
    wrong = await court.post(
        "/console/login", data={"_csrf": hidden(page.text, "_csrf"), "username": "tongcheng.officer", "password": "x"}
    )
    assert wrong.status_code == 401
    assert "wrong username or password" in wrong.text
    assert SESSION_COOKIE not in court.cookies
    forged = await court.post("/console/login", data={"username": "tongcheng.officer", "password": "liandong-dev"})
    assert forged.status_code == 403, "a login form without its CSRF token is refused"
    await log_in(court, "tongcheng.officer")
    home = await court.get("/console/")
    assert home.status_code == 200
    assert "tongcheng.officer" in home.text
    assert "工作台" in home.text
    out = await court.post("/console/logout", data={"_csrf": hidden(home.text, "_csrf")})
    assert out.status_code == 303
    assert (await court.get("/console/")).status_code == 303, "logged out: back to the login page"


async def test_the_session_ends_with_its_token(court: httpx.AsyncClient) -> None:
    await log_in(court, "tongcheng.officer")
    assert (await court.get("/console/")).status_code == 200
    clock = runtime_of(court).clock
    assert isinstance(clock, ManualClock)
    clock.advance(timedelta(minutes=31))
    assert (await court.get("/console/")).status_code == 303


async def test_a_post_without_its_csrf_token_is_refused_and_changes_nothing(court: httpx.AsyncClient) -> None:
    await log_in(court, "tongcheng.officer")
    page = (await court.get("/console/leads")).text
    refused = await court.post("/console/leads/-/new", data={**LEAD, "_key": hidden(page, "_key", "new")})
    assert refused.status_code == 403
    wrong = await court.post("/console/leads/-/new", data={**LEAD, "_csrf": "0" * 40})
    assert wrong.status_code == 403
    assert await lead_count(court) == 0


async def test_a_form_posted_twice_acts_once(court: httpx.AsyncClient) -> None:
    await log_in(court, "tongcheng.officer")
    page = (await court.get("/console/leads")).text
    form = {**LEAD, "_csrf": hidden(page, "_csrf"), "_key": hidden(page, "_key", "new")}
    first = await court.post("/console/leads/-/new", data=form)
    again = await court.post("/console/leads/-/new", data=form)
    assert first.status_code == again.status_code == 303
    assert first.headers["location"] == again.headers["location"]
    assert await lead_count(court) == 1
    shown = await court.get(first.headers["location"])
    assert shown.status_code == 200
    assert "(2024)鄂1222执123号" in shown.text
    assert "42122219800101123X" in shown.text, "the record's own page shows its unit's staff the number"
    listed = (await court.get("/console/leads")).text
    assert "42122219800101123X" not in listed, "lists mask identity numbers, as the API does"


async def test_errors_land_beside_their_fields_and_the_values_stay(court: httpx.AsyncClient) -> None:
    await log_in(court, "tongcheng.officer")
    answer = await new_lead(court, amount_owed="很多")
    assert answer.status_code == 422
    assert 'id="f-amount_owed-error"' in answer.text
    assert 'value="(2024)鄂1222执123号"' in answer.text, "what was typed is kept"
    assert await lead_count(court) == 0


async def test_a_role_sees_only_its_acts_and_a_forged_post_is_refused(court: httpx.AsyncClient) -> None:
    await log_in(court, "tongcheng.officer")
    created = await new_lead(court)
    lead_page = created.headers["location"]
    officer_view = (await court.get(lead_page)).text
    assert 'data-act="assessment"' not in officer_view, "研判 is the criminal judge's"
    assert "暂不能办理：须先经刑事审判法官研判为涉嫌犯罪" in officer_view, "the notice waits, with the reason why"
    assert 'data-act="notice"' not in officer_view
    forged = await court.post(
        f"{lead_page}/assessment",
        data={"_csrf": hidden(officer_view, "_csrf"), "conclusion": "suspected", "reasons": "有能力履行"},
    )
    assert forged.status_code == 403
    await log_in(court, "tongcheng.judge")
    judge_view = (await court.get(lead_page)).text
    assert 'data-act="assessment"' in judge_view
    assert 'data-act="new"' not in (await court.get("/console/leads")).text, "a judge does not create leads"
    assessed = await court.post(
        f"{lead_page}/assessment",
        data={
            "_csrf": hidden(judge_view, "_csrf"),
            "_key": hidden(judge_view, "_key", "assessment"),
            "conclusion": "suspected",
            "reasons": "有能力履行而拒不履行",
        },
    )
    assert assessed.status_code == 303
    assert assessed.headers["location"].endswith("?done=assessment")
    done = (await court.get(assessed.headers["location"])).text
    assert "已办理：研判" in done
    assert "涉嫌犯罪" in done
    assert "暂不能办理：已研判" in done
    assert 'data-act="assessment"' not in done


async def test_another_countys_record_is_out_of_reach(court: httpx.AsyncClient) -> None:
    await log_in(court, "tongcheng.officer")
    lead_page = (await new_lead(court)).headers["location"]
    await log_in(court, "chibi.officer")
    other = await court.get(lead_page)
    assert other.status_code in (403, 404)
    assert "黎某某" not in other.text
    page = (await court.get("/console/leads")).text
    forged = await court.post(
        f"{lead_page}/payments",
        data={"_csrf": hidden(page, "_csrf"), "amount": "1.00", "paid_on": "2026-10-09", "channel": "银行"},
    )
    assert forged.status_code in (403, 404)


async def test_a_date_time_typed_in_shanghai_reaches_the_api_with_its_offset(court: httpx.AsyncClient) -> None:
    await log_in(court, "tongcheng.officer")
    lead_page = (await new_lead(court)).headers["location"]
    await log_in(court, "tongcheng.judge")
    view = (await court.get(lead_page)).text
    form = {"_csrf": hidden(view, "_csrf"), "conclusion": "suspected", "reasons": "有能力履行而拒不履行"}
    await court.post(f"{lead_page}/assessment", data={**form, "_key": hidden(view, "_key", "assessment")})
    clock = runtime_of(court).clock
    assert isinstance(clock, ManualClock)
    clock.advance(timedelta(hours=1))  # to 10:00 in Shanghai: the notice served at 09:30, after the assessment
    await log_in(court, "tongcheng.officer")
    view = (await court.get(lead_page)).text
    served = await court.post(
        f"{lead_page}/notice",
        data={
            "_csrf": hidden(view, "_csrf"),
            "_key": hidden(view, "_key", "notice"),
            "served_at": "2026-10-09T09:30",
            "notice_number": "通法告〔2026〕1号",
        },
    )
    assert served.status_code == 303, served.text
    shown = (await court.get(lead_page)).text
    assert "2026-10-09 09:30" in shown, "typed in Asia/Shanghai, shown back the same"


async def test_a_csv_import_shows_its_report_row_by_row(court: httpx.AsyncClient) -> None:
    from tests.unit.test_court_workflow_api import CSV

    await log_in(court, "tongcheng.officer")
    page = (await court.get("/console/enforcement-cases")).text
    form = {"_csrf": hidden(page, "_csrf"), "_key": hidden(page, "_key", "import")}
    answer = await court.post(
        "/console/enforcement-cases/-/import", data=form, files={"file": ("终本案件.csv", CSV, "text/csv")}
    )
    assert answer.status_code == 200, answer.text
    report = answer.text[answer.text.index("办理结果") :]
    assert "no_id_number" in report
    assert "case_of_other_court" in report
    assert "(2023)鄂1222执11号" in (await court.get("/console/enforcement-cases")).text
    again = await court.post(
        "/console/enforcement-cases/-/import",
        data={**form, "_key": "another-key"},
        files={"file": ("终本案件.csv", CSV, "text/csv")},
    )
    assert again.status_code == 422, "every row a duplicate: the report says so, row by row"
    assert "办理结果" in again.text


async def test_the_home_page_lists_each_running_window_once_most_urgent_first(court: httpx.AsyncClient) -> None:
    await log_in(court, "tongcheng.officer")
    lead_page = (await new_lead(court)).headers["location"]
    await log_in(court, "tongcheng.judge")
    view = (await court.get(lead_page)).text
    form = {"_csrf": hidden(view, "_csrf"), "_key": hidden(view, "_key", "assessment")}
    await court.post(f"{lead_page}/assessment", data={**form, "conclusion": "suspected", "reasons": "有能力履行"})
    clock = runtime_of(court).clock
    assert isinstance(clock, ManualClock)
    clock.advance(timedelta(minutes=10))
    await log_in(court, "tongcheng.officer")
    view = (await court.get(lead_page)).text
    served_at = (NOW + timedelta(minutes=5)).astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")
    served = await court.post(
        f"{lead_page}/notice",
        data={
            "_csrf": hidden(view, "_csrf"),
            "_key": hidden(view, "_key", "notice"),
            "served_at": served_at,
            "notice_number": "通法告〔2026〕2号",
        },
    )
    assert served.status_code == 303, served.text
    clock.advance(timedelta(days=4))  # the debtor's window now warns: it is both at risk and running
    await log_in(court, "tongcheng.officer")
    home = (await court.get("/console/")).text
    windows = home[home.index('id="windows-h"') :].split("</section>")[0]
    assert windows.count(lead_page) == 1, "one line for the window, however many lists hold it"
    assert "剩余" in windows, "with its countdown"
    assert lead_page in home.split("</section>", 1)[1], "and the lead in the officer's queue below"
