"""The staff console (工作台) under /console/: server-rendered pages over the service's own API.

One door: every page reads and every form acts through the service's API routes, called in process (ASGI) with the
session's bearer token — the same principal, the same unit scoping, the same validation, idempotency, audit and read
log as a call from outside. The console holds no rule: it draws each form from the route's request schema, offers an
act only to the roles the route admits, and shows what the API answers (errors beside the field they concern)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.datastructures import FormData

from liandong.console import forms
from liandong.console.labels import label
from liandong.console.session import (
    CSRF_FIELD,
    LOGIN_COOKIE,
    Session,
    close_session,
    csrf_matches,
    keep_login_csrf,
    login_csrf,
    open_session,
    session_of,
)
from liandong.console.spec import Act, ConsoleSpec, RecordKind
from liandong.sla.counting import SHANGHAI

HERE = Path(__file__).parent
# a name a template uses and the context lacks is an error, never a blank (the tests render every page)
templates = Jinja2Templates(
    env=Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True, undefined=StrictUndefined)
)
ISO_INSTANT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d")
PAGE = 20
KEY_FIELD = "_key"  # the Idempotency-Key the form was drawn with: a form posted twice acts once


def shown_time(value: Any) -> Any:
    """An ISO instant as staff read it, in Asia/Shanghai to the minute; anything else as it is."""
    if isinstance(value, str) and ISO_INSTANT.match(value):
        try:
            return datetime.fromisoformat(value).astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
        except ValueError:
            return value
    return value


def is_scalar(value: Any) -> bool:
    return not isinstance(value, dict | list)


def is_table(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def columns_of(rows: list[dict[str, Any]]) -> list[str]:
    seen: dict[str, None] = {}
    for row in rows:
        for key, value in row.items():
            if is_scalar(value) or (isinstance(value, list) and all(is_scalar(v) for v in value)):
                seen.setdefault(key)
    return list(seen)


@dataclass(frozen=True)
class Countdown:
    hours: float
    text: str
    css: str


def countdown(window: Mapping[str, Any], now: datetime) -> Countdown:
    """How long a window has left (or has been over), as staff read it."""
    state = window.get("state", "")
    if state in ("met", "cancelled"):
        return Countdown(0.0, label(str(state)), "ended")
    due = datetime.fromisoformat(str(window["due_at"]))
    hours = (due - now).total_seconds() / 3600
    if hours < 0:
        return Countdown(hours, f"已超期 {_span(-hours)}", "breached")
    return Countdown(hours, f"剩余 {_span(hours)}", "warning" if state == "at_risk" or hours < 24 else "running")


def _span(hours: float) -> str:
    if hours >= 48:
        return f"{hours / 24:.1f} 天"
    return f"{hours:.1f} 小时"


class Console:
    """The console of one service, over its app."""

    def __init__(self, spec: ConsoleSpec) -> None:
        self.spec = spec

    def words(self, name: Any) -> str:
        return label(str(name), dict(self.spec.labels))

    # the API, in process ------------------------------------------------------------------------------------------

    async def call(
        self,
        request: Request,
        method: str,
        path: str,
        token: str | None,
        *,
        key: str | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        client = (request.client.host, request.client.port) if request.client else ("127.0.0.1", 0)
        transport = httpx.ASGITransport(app=request.app, client=client)
        headers = {**kwargs.pop("headers", {}), **({"Authorization": f"Bearer {token}"} if token else {})}
        if key:
            headers["Idempotency-Key"] = key
        request_id = getattr(request.state, "request_id", None)
        if request_id:
            headers["X-Request-ID"] = str(request_id)
        async with httpx.AsyncClient(transport=transport, base_url="http://console.internal") as http:
            return await http.request(method, path, headers=headers, **kwargs)

    def openapi(self, app: FastAPI) -> dict[str, Any]:
        return app.openapi()

    def route(self, app: FastAPI, method: str, path: str) -> APIRoute | None:
        """The service's API route of an act (its own routers: the console acts on nothing else)."""
        for router in app.state.runtime.spec.routers:
            for route in router.routes:
                if isinstance(route, APIRoute) and route.path == path and method in (route.methods or ()):
                    return route
        return None

    def roles_of(self, app: FastAPI, method: str, path: str) -> frozenset[str] | None:
        """The roles the API route admits (None: any member of staff), from its own dependencies."""
        route = self.route(app, method, path)
        if route is None:
            return frozenset()
        found: set[str] = set()
        restricted = False
        pending = list(route.dependant.dependencies)
        while pending:
            dependant = pending.pop()
            roles_of = getattr(dependant.call, "roles_of", None)
            if roles_of is not None:
                roles = set(roles_of(app.state.runtime.spec))
                found = roles if not restricted else found & roles
                restricted = True
            pending.extend(dependant.dependencies)
        return frozenset(found) if restricted else None

    def may(self, app: FastAPI, session: Session, act: Act) -> bool:
        roles = self.roles_of(app, act.method, act.path)
        return roles is None or session.principal.role in roles

    def form_of(self, app: FastAPI, act: Act, creating: bool = False) -> tuple[str, list[forms.Field]]:
        """The act's media type and fields: its path's parameters past the record's id, then its body's."""
        document = self.openapi(app)
        operation = document["paths"][act.path][act.method.lower()]
        names = re.findall(r"{(\w+)}", act.path)
        fields = [forms.Field(n, self.words(n), "text", required=True) for n in (names if creating else names[1:])]
        if act.upload:  # the file itself is the body (a CSV import)
            return act.upload, [*fields, forms.Field("file", self.words("file"), "file", required=True)]
        body = forms.body_schema(operation, document)
        if body is None or act.no_body:
            return "application/json", fields
        media, schema = body
        return media, fields + forms.fields_of(schema, document, self.words)

    def offered(
        self,
        app: FastAPI,
        act: Act,
        record: Mapping[str, Any],
        values: Mapping[str, Any],
        errors: Mapping[str, str],
        creating: bool = False,
    ) -> dict[str, Any]:
        """An act as its form shows it: fields with the values to show, choices drawn from the record."""
        media, fields = self.form_of(app, act, creating)
        starting = {name: fill(record) for name, fill in act.prefill.items()}
        fields = forms.with_values(fields, {**starting, **values})
        choose(fields, act, record)
        multipart = media == "multipart/form-data"
        return {"act": act, "fields": fields, "errors": errors, "key": str(uuid.uuid4()), "multipart": multipart}

    # pages ---------------------------------------------------------------------------------------------------------

    def context(self, now: datetime, agency: str, session: Session | None, **context: Any) -> dict[str, Any]:
        """What every page is rendered with: the console's words and formats, the session, and the page's own."""
        defaults = {"problem": None, "done": None, "result": None, "open_act": None}
        return {
            "console": self.spec,
            "session": session,
            "csrf_field": CSRF_FIELD,
            "key_field": KEY_FIELD,
            "words": self.words,
            "when": shown_time,
            "is_scalar": is_scalar,
            "is_table": is_table,
            "columns_of": columns_of,
            "countdown": lambda w: countdown(w, now),
            "agency": agency,
            **defaults,
            **context,
        }

    def page(self, request: Request, name: str, session: Session | None, status: int = 200, **context: Any) -> Response:
        runtime = request.app.state.runtime
        return templates.TemplateResponse(
            request, name, self.context(runtime.clock.now(), runtime.agency, session, **context), status_code=status
        )


@dataclass(frozen=True)
class Submitted:
    """A form sent back to its page: what was typed, the errors by field, the line for the whole form, which act."""

    act: str
    values: Mapping[str, Any]
    errors: Mapping[str, str]
    problem: str | None
    status: int


NOTHING_SUBMITTED = Submitted("", {}, {}, None, 200)


def choose(fields: list[forms.Field], act: Act, record: Mapping[str, Any], prefix: str = "") -> None:
    """The act's choices drawn from the record, on the fields they name (in groups and repeated rows too)."""
    for f in fields:
        name = f"{prefix}{f.name}" if prefix else f.name
        if name in act.options:  # one of the record's items; several where the API takes a list
            f.kind, f.options = ("choices" if f.kind in ("lines", "choices") else "select"), act.options[name](record)
        if f.kind == "repeat":
            choose(f.children, act, record, prefix=f"{f.name}.")
        elif f.kind == "group":
            choose(f.children, act, record)


def to_login(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/console/login?{urlencode({'next': target})}", status_code=303)


def safe_next(value: Any) -> str:
    text = value if isinstance(value, str) else ""
    return text if text.startswith("/console/") and not text.startswith("//") and "\\" not in text else "/console/"


def problem_of(response: httpx.Response) -> tuple[str, dict[str, str]]:
    """The API's refusal as the form shows it: a line for the whole form, and messages by field."""
    try:
        error = response.json().get("error", {})
    except ValueError:
        return f"{response.status_code}", {}
    by_field: dict[str, str] = {}
    details = error.get("details")
    if isinstance(details, list):
        for detail in details:
            if isinstance(detail, dict) and "loc" in detail:
                by_field[forms.error_name(detail["loc"])] = str(detail.get("msg", ""))
    return f"{error.get('message', response.status_code)}（{error.get('code', response.status_code)}）", by_field


def values_of(form: FormData) -> dict[str, Any]:
    return {k: v for k, v in form.multi_items() if isinstance(v, str) and not k.startswith("_")}


def console_router(console_spec: ConsoleSpec) -> APIRouter:
    console = Console(console_spec)
    router = APIRouter(prefix="/console", include_in_schema=False)

    @router.get("/static/console.css")
    async def stylesheet() -> FileResponse:
        return FileResponse(HERE / "static" / "console.css", media_type="text/css")

    @router.get("/login", response_class=HTMLResponse)
    async def login_page(request: Request) -> Response:
        token = login_csrf(request)
        response = console.page(
            request, "login.html", None, csrf=token, next=safe_next(request.query_params.get("next"))
        )
        keep_login_csrf(request, response, token)
        return response

    @router.post("/login", response_class=HTMLResponse)
    async def login(request: Request) -> Response:
        form = await request.form()
        held = request.cookies.get(LOGIN_COOKIE, "")
        if not held or not csrf_matches(held, form.get(CSRF_FIELD)):
            return console.page(
                request,
                "login.html",
                None,
                403,
                csrf=login_csrf(request),
                problem="表单已失效，请重新登录",
                next="/console/",
            )
        target = safe_next(form.get("next"))
        answer = await console.call(
            request,
            "POST",
            "/auth/token",
            None,
            data={"username": str(form.get("username", "")), "password": str(form.get("password", ""))},
        )
        if answer.status_code != 200:
            problem, _ = problem_of(answer)
            page = console.page(
                request,
                "login.html",
                None,
                answer.status_code,
                csrf=held,
                problem=problem,
                next=target,
                username=str(form.get("username", "")),
            )
            if "retry-after" in answer.headers:
                page.headers["Retry-After"] = answer.headers["retry-after"]
            return page
        issued = answer.json()
        response = RedirectResponse(target, status_code=303)
        open_session(request, response, issued["access_token"], int(issued["expires_in"]))
        return response

    @router.post("/logout")
    async def logout(request: Request) -> Response:
        session = session_of(request)
        form = await request.form()
        if session is not None and not csrf_matches(session.csrf, form.get(CSRF_FIELD)):
            return console.page(request, "error.html", session, 403, problem="表单已失效（CSRF），请刷新页面后重试")
        response = RedirectResponse("/console/login", status_code=303)
        close_session(response)
        return response

    @router.get("/", response_class=HTMLResponse)
    async def home(request: Request) -> Response:
        session = session_of(request)
        if session is None:
            return to_login(request)
        found: dict[str, dict[str, Any]] = {}  # by id: a warning window is also a running one, listed once
        for state in ("breached", "at_risk", "running"):
            answer = await console.call(
                request, "GET", "/deadlines", session.token, params={"state": state, "limit": 50}
            )
            if answer.status_code == 200:
                for window in answer.json()["items"]:
                    found.setdefault(window["id"], window)
        windows = sorted(found.values(), key=lambda w: (w["state"] != "breached", w["due_at"]))
        queues = []
        for queue in console.spec.queues:
            if session.principal.role not in queue.roles:
                continue
            kind = console.spec.record(queue.kind)
            if kind is None:
                continue
            answer = await console.call(
                request, "GET", kind.listing, session.token, params={**queue.params, "limit": PAGE}
            )
            listed = answer.json() if answer.status_code == 200 else {"items": [], "total": 0}
            rows, total = listed["items"], listed["total"]
            queues.append({"queue": queue, "kind": kind, "rows": rows, "total": total})
        subjects = {subject: r for r in console.spec.records if r.detail for subject in r.subjects}
        return console.page(request, "home.html", session, windows=windows, queues=queues, subjects=subjects)

    @router.get("/statistics", response_class=HTMLResponse)
    async def statistics(request: Request) -> Response:
        session = session_of(request)
        if session is None:
            return to_login(request)
        params = {k: v for k, v in request.query_params.items() if k in ("from", "to", "unit") and v}
        answer = await console.call(request, "GET", "/statistics", session.token, params=params)
        report = answer.json() if answer.status_code == 200 else None
        problem = None if report is not None else problem_of(answer)[0]
        return console.page(
            request, "statistics.html", session, answer.status_code, report=report, problem=problem, params=params
        )

    @router.get("/matters/{correlation_id}", response_class=HTMLResponse)
    async def matter(request: Request, correlation_id: str) -> Response:
        session = session_of(request)
        if session is None:
            return to_login(request)
        answer = await console.call(request, "GET", f"/matters/{correlation_id}/timeline", session.token)
        if answer.status_code != 200:
            return console.page(request, "error.html", session, answer.status_code, problem=problem_of(answer)[0])
        return console.page(request, "matter.html", session, timeline=answer.json())

    @router.get("/files", response_class=Response)
    async def file(request: Request, path: str) -> Response:
        """A file a record lists (evidence), fetched through the API as the session's user: its headers kept."""
        session = session_of(request)
        if session is None:
            return to_login(request)
        if not path.startswith("/") or path.startswith("//") or path.startswith("/console"):
            return console.page(request, "error.html", session, 400, problem="文件地址无效")
        answer = await console.call(request, "GET", path, session.token)
        kept = {k: v for k, v in answer.headers.items() if k in ("content-type", "content-disposition")}
        return Response(
            answer.content, status_code=answer.status_code, headers={**kept, "X-Content-Type-Options": "nosniff"}
        )

    @router.get("/{kind_name}", response_class=HTMLResponse)
    async def listing(request: Request, kind_name: str) -> Response:
        session = session_of(request)
        if session is None:
            return to_login(request)
        kind = console.spec.record(kind_name)
        if kind is None:
            return console.page(request, "error.html", session, 404, problem="没有这个页面")
        return await list_page(request, session, kind, NOTHING_SUBMITTED)

    async def list_page(
        request: Request, session: Session, kind: RecordKind, sent: Submitted, result: Any = None, status: int = 0
    ) -> Response:
        document = console.openapi(request.app)
        parameters = document["paths"][kind.listing]["get"].get("parameters", [])
        filters = [
            forms.field_of(p["name"], p["name"], p.get("schema", {}), document, console.words, False)
            for p in parameters
            if p["in"] == "query" and p["name"] not in ("limit", "offset")
        ]
        chosen = {f.name: request.query_params.get(f.name, "") for f in filters}
        try:
            offset = max(0, int(request.query_params.get("offset", "0")))
        except ValueError:
            offset = 0
        params = {**{k: v for k, v in chosen.items() if v}, "limit": PAGE, "offset": offset}
        answer = await console.call(request, "GET", kind.listing, session.token, params=params)
        if answer.status_code != 200:
            return console.page(request, "error.html", session, answer.status_code, problem=problem_of(answer)[0])
        page = answer.json()
        creates = [
            console.offered(
                request.app,
                act,
                {},
                sent.values if act.name == sent.act else {},
                sent.errors if act.name == sent.act else {},
                creating=True,
            )
            for act in kind.creates
            if console.may(request.app, session, act)
        ]
        links = {k: v for k, v in chosen.items() if v}
        return console.page(
            request,
            "list.html",
            session,
            status or sent.status,
            kind=kind,
            page=page,
            filters=forms.with_values(filters, chosen),
            creates=creates,
            problem=sent.problem,
            open_act=sent.act or None,
            result=result,
            previous=urlencode({**links, "offset": max(0, offset - PAGE)}) if offset > 0 else None,
            following=urlencode({**links, "offset": offset + PAGE}) if offset + PAGE < page["total"] else None,
        )

    @router.get("/{kind_name}/{record_id}", response_class=HTMLResponse)
    async def record_page_route(request: Request, kind_name: str, record_id: str) -> Response:
        session = session_of(request)
        if session is None:
            return to_login(request)
        kind = console.spec.record(kind_name)
        if kind is None or kind.detail is None:
            return console.page(request, "error.html", session, 404, problem="没有这个页面")
        done = request.query_params.get("done")
        return await record_page(request, session, kind, record_id, NOTHING_SUBMITTED, done=done)

    async def record_page(
        request: Request, session: Session, kind: RecordKind, record_id: str, sent: Submitted, done: str | None = None
    ) -> Response:
        detail = kind.detail or ""
        path = detail.replace(detail[detail.index("{") : detail.index("}") + 1], record_id)
        answer = await console.call(request, "GET", path, session.token)
        if answer.status_code != 200:
            return console.page(request, "error.html", session, answer.status_code, problem=problem_of(answer)[0])
        record = answer.json()
        windows = record.get("windows")
        if windows is None:  # a record that does not show its windows itself: those whose subject it is
            found = await console.call(
                request, "GET", "/deadlines", session.token, params={"subject_id": record_id, "limit": 50}
            )
            windows = found.json()["items"] if found.status_code == 200 else []
        acts = []
        for act in kind.acts:
            if not act.shown(record) or not console.may(request.app, session, act):
                continue  # an act the user's role may not take has no button
            reason = act.ready({**record, "windows": windows}, session.principal.role)  # the windows it runs
            mine = act.name == sent.act
            offered = console.offered(
                request.app, act, record, sent.values if mine else {}, sent.errors if mine else {}
            )
            acts.append({**offered, "reason": reason, "open": mine})
        # the papers of the record's acts (liandong.api.documents), where the service issues them
        documents: list[dict[str, Any]] = []
        collection = detail.strip("/").split("/")[0]
        if collection in {c for c, _ in request.app.state.runtime.spec.documents_of}:
            issued = await console.call(request, "GET", f"{path}/documents", session.token)
            documents = issued.json() if issued.status_code == 200 else []
        correlation = kind.matter_of(record)
        timeline = None
        if correlation:
            line = await console.call(request, "GET", f"/matters/{correlation}/timeline", session.token)
            timeline = line.json() if line.status_code == 200 else None
        done_act = next((a for a in kind.acts if a.name == done), None)
        return console.page(
            request,
            "record.html",
            session,
            sent.status,
            kind=kind,
            record=record,
            windows=windows,
            record_id=record_id,
            acts=acts,
            files=kind.files(record),
            documents=documents,
            timeline=timeline,
            problem=sent.problem,
            done=done_act.title if done_act else None,
            open_act=sent.act or None,
        )

    @router.post("/{kind_name}/{record_id}/{act_name}", response_class=HTMLResponse)
    async def act_route(request: Request, kind_name: str, record_id: str, act_name: str) -> Response:
        session = session_of(request)
        if session is None:
            return to_login(request)
        kind = console.spec.record(kind_name)
        creating = record_id == "-"
        act = (
            None
            if kind is None
            else next((a for a in (kind.creates if creating else kind.acts) if a.name == act_name), None)
        )
        if kind is None or act is None:
            return console.page(request, "error.html", session, 404, problem="没有这个操作")
        form = await request.form()
        if not csrf_matches(session.csrf, form.get(CSRF_FIELD)):
            return console.page(request, "error.html", session, 403, problem="表单已失效（CSRF），请刷新页面后重试")
        values = values_of(form)

        async def again(status: int, problem: str | None, errors: Mapping[str, str]) -> Response:
            sent = Submitted(act.name, values, errors, problem, status)
            if creating:
                return await list_page(request, session, kind, sent)
            return await record_page(request, session, kind, record_id, sent)

        if not console.may(request.app, session, act):
            return console.page(request, "error.html", session, 403, problem="您的角色不能办理此事项")
        media, fields = console.form_of(request.app, act, creating)
        try:
            body, uploads = forms.read_form(fields, form)
        except forms.FormProblem as problem:
            return await again(422, "请更正标出的字段", {problem.name: str(problem)})
        path = act.path
        names = re.findall(r"{(\w+)}", act.path)
        given = {names[0]: record_id} if names and not creating else {}
        for name in names[len(given) :]:
            given[name] = str(body.pop(name, "") or "")
            if not given[name]:
                return await again(422, "请更正标出的字段", {name: "必填"})
        for name, value in given.items():
            path = path.replace("{" + name + "}", value)
        key = form.get(KEY_FIELD)
        key = key if isinstance(key, str) and key else None
        if act.upload:
            upload = uploads.get("file")
            content = await upload.read() if upload is not None else b""
            headers = {"Content-Type": act.upload}
            answer = await console.call(
                request, act.method, path, session.token, key=key, content=content, headers=headers
            )
        elif media == "multipart/form-data":
            files = {
                name: (u.filename or name, await u.read(), u.content_type or "application/octet-stream")
                for name, u in uploads.items()
            }
            data = {k: str(v) for k, v in body.items()}
            answer = await console.call(request, act.method, path, session.token, key=key, data=data, files=files)
        elif act.no_body:
            answer = await console.call(request, act.method, path, session.token, key=key)
        else:
            answer = await console.call(request, act.method, path, session.token, key=key, json=body)
        if answer.status_code >= 400:
            report = answer.json() if answer.headers.get("content-type", "").startswith("application/json") else None
            if creating and isinstance(report, dict) and "error" not in report:  # a report of rows refused
                return await list_page(request, session, kind, NOTHING_SUBMITTED, report, answer.status_code)
            problem_line, by_field = problem_of(answer)
            return await again(answer.status_code, problem_line, by_field)
        result = answer.json() if answer.headers.get("content-type", "").startswith("application/json") else {}
        if creating:
            created = result.get("id") if isinstance(result, dict) else None
            if created is None:  # an act that answers a report (a case import): shown on the list
                return await list_page(request, session, kind, NOTHING_SUBMITTED, result)
            return RedirectResponse(f"/console/{kind.name}/{created}", status_code=303)
        return RedirectResponse(f"/console/{kind.name}/{record_id}?{urlencode({'done': act.name})}", status_code=303)

    return router
