"""GET /statistics (JSON, or CSV with `format=csv`) and GET /statistics.html: an agency's figures for a unit (or the
whole city) and a period, computed from its own records — cases (件) and persons (人) counted separately — with the
funnel, the average days per stage, the rates within the windows, and the breaches of the period.

Each service computes its figures (`Figures`); this module parses the period, scopes the units, and renders JSON,
CSV and a server-rendered HTML page (a table, an SVG funnel, the breach list; no script, no build step).
"""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Awaitable, Callable, Collection
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from liandong.api.auth import CurrentPrincipal
from liandong.api.bounds import LegalDate
from liandong.api.deps import RuntimeDep, ShanghaiTime
from liandong.errors import DomainError, Forbidden
from liandong.persistence.uow import SqlUnitOfWork
from liandong.sla.counting import SHANGHAI
from liandong.units import COUNTIES, visible_units


class Figure(BaseModel):
    key: str
    label: str
    definition: str = Field(description="what is counted, and when: the figure's rule, shown beside it")
    cases: int | None = Field(default=None, description="件")
    persons: int | None = Field(default=None, description="人")
    units: int | None = Field(default=None, description="单位 (units, e.g. companies convicted)")
    amount: Decimal | None = Field(default=None, description="yuan")


class Stage(BaseModel):
    key: str
    label: str
    count: int


class CycleDays(BaseModel):
    key: str
    label: str
    average_days: float | None
    samples: int


class Rate(BaseModel):
    key: str
    label: str
    share: float | None
    of: int


class Breach(BaseModel):
    agency: str
    unit: str
    kind: str
    title: str
    subject_type: str
    subject_id: str
    due_at: ShanghaiTime


class Figures(BaseModel):
    """What a service computes for the units and the period."""

    figures: list[Figure]
    funnel: list[Stage] = []
    cycle_days: list[CycleDays] = []
    rates: list[Rate] = []
    breaches: list[Breach] = []


class Report(Figures):
    agency: str
    unit: str
    unit_name: str
    period_from: date
    period_to: date
    computed_at: ShanghaiTime


AGENCY_NAMES = {"court": "人民法院", "police": "公安机关", "procuratorate": "人民检察院"}
Compute = Callable[[SqlUnitOfWork, Collection[str], datetime, datetime], Awaitable[Figures]]


def period(start: date, end: date) -> tuple[datetime, datetime]:
    """From 00:00 of the first day to 24:00 of the last day, Asia/Shanghai, as UTC instants."""
    if end < start:
        raise DomainError(f"the period ends ({end}) before it starts ({start})", code="invalid_period")
    return (
        datetime.combine(start, time(0), tzinfo=SHANGHAI).astimezone(UTC),
        datetime.combine(end + timedelta(days=1), time(0), tzinfo=SHANGHAI).astimezone(UTC),
    )


def within(at: datetime | None, start: datetime, end: datetime) -> bool:
    return at is not None and start <= at < end


def cycle(key: str, label: str, pairs: list[tuple[datetime, datetime]]) -> CycleDays:
    """The average days from each pair's first instant to its second."""
    days = round(sum((b - a).total_seconds() for a, b in pairs) / 86400 / len(pairs), 2) if pairs else None
    return CycleDays(key=key, label=label, average_days=days, samples=len(pairs))


def rate(key: str, label: str, hits: int, of: int) -> Rate:
    return Rate(key=key, label=label, share=round(hits / of, 4) if of else None, of=of)


def as_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["section", "key", "label", "cases", "persons", "units", "amount_or_value", "definition"])
    for f in report.figures:
        writer.writerow(["figure", f.key, f.label, f.cases, f.persons, f.units, f.amount, f.definition])
    for s in report.funnel:
        writer.writerow(["funnel", s.key, s.label, s.count, "", "", "", ""])
    for c in report.cycle_days:
        writer.writerow(["cycle_days", c.key, c.label, c.samples, "", "", c.average_days, ""])
    for r in report.rates:
        writer.writerow(["rate", r.key, r.label, r.of, "", "", r.share, ""])
    return out.getvalue()


def _svg_funnel(stages: list[Stage]) -> str:
    if not stages:
        return ""
    widest = max(s.count for s in stages) or 1
    rows = []
    for i, s in enumerate(stages):
        width = max(2, int(560 * s.count / widest))
        x, y = (600 - width) // 2, 10 + i * 46
        label = html.escape(f"{s.label}  {s.count}")
        rows.append(
            f'<rect x="{x}" y="{y}" width="{width}" height="36" fill="#b03a2e" opacity="{1 - i * 0.12:.2f}"/>'
            f'<text x="300" y="{y + 24}" text-anchor="middle" fill="#111" font-size="15">{label}</text>'
        )
    height = 20 + 46 * len(stages)
    return f'<svg id="funnel" xmlns="http://www.w3.org/2000/svg" width="600" height="{height}">{"".join(rows)}</svg>'


def as_html(report: Report) -> str:
    e = html.escape

    def cell(v: Any) -> str:
        return "" if v is None else e(str(v))

    figures = "".join(
        f"<tr><td>{e(f.label)}</td><td>{cell(f.cases)}</td><td>{cell(f.persons)}</td><td>{cell(f.units)}</td>"
        f'<td>{cell(f.amount)}</td><td class="definition">{e(f.definition)}</td></tr>'
        for f in report.figures
    )
    cycles = "".join(
        f"<tr><td>{e(c.label)}</td><td>{cell(c.average_days)}</td><td>{c.samples}</td></tr>" for c in report.cycle_days
    )
    rates = "".join(
        f"<tr><td>{e(r.label)}</td><td>{'' if r.share is None else f'{r.share:.1%}'}</td><td>{r.of}</td></tr>"
        for r in report.rates
    )
    breaches = (
        "".join(
            f"<tr><td>{e(b.agency)}</td><td>{e(b.unit)}</td><td>{e(b.title)}</td><td>{e(b.subject_type)} "
            f"{e(b.subject_id)}</td><td>{e(b.due_at.isoformat())}</td></tr>"
            for b in report.breaches
        )
        or '<tr><td colspan="5">无</td></tr>'
    )
    agency = AGENCY_NAMES.get(report.agency, report.agency)
    computed = report.computed_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
    title = f"{report.unit_name}{agency} 统计（{report.period_from} 至 {report.period_to}）"
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{e(title)}</title>
<style>body{{font-family:"Noto Sans CJK SC","WenQuanYi Zen Hei",sans-serif;margin:2em;max-width:960px}}
table{{border-collapse:collapse;margin:1em 0}}
td,th{{border:1px solid #999;padding:4px 10px}}th{{background:#eee}}
td.definition{{font-size:0.85em;color:#444}}</style></head>
<body><h1>{e(title)}</h1><p>计算于 {computed}，依据本机关数据库中的记录。</p>
<table id="figures"><tr><th>项目</th><th>件</th><th>人</th><th>单位</th><th>金额（元）</th><th>口径</th></tr>
{figures}</table>
<h2>流程漏斗</h2>{_svg_funnel(report.funnel)}
<h2>各环节平均用时（日）</h2><table id="cycles"><tr><th>环节</th><th>平均日数</th><th>样本</th></tr>{cycles}</table>
<h2>期限内办结比例</h2><table id="rates"><tr><th>项目</th><th>比例</th><th>基数</th></tr>{rates}</table>
<h2>期限届满未办结</h2><table id="breaches"><tr><th>机关</th><th>单位</th><th>期限</th><th>事项</th><th>届满</th></tr>
{breaches}</table></body></html>"""


async def period_breaches(
    uow: SqlUnitOfWork, agency: str, units: Collection[str], since: datetime, until: datetime
) -> list[Breach]:
    """The windows of the units that breached in the period: this agency's own, and the others' it was told of."""
    d, r = uow.tables.deadlines, uow.tables.received_breaches
    own = await uow.session.execute(
        select(d.c.unit, d.c.kind, d.c.title, d.c.subject_type, d.c.subject_id, d.c.due_at).where(
            d.c.unit.in_(units), d.c.breached_at >= since, d.c.breached_at < until
        )
    )
    others = await uow.session.execute(
        select(r.c.agency, r.c.unit, r.c.kind, r.c.title, r.c.subject_type, r.c.subject_id, r.c.due_at).where(
            r.c.unit.in_(units), r.c.fired_at >= since, r.c.fired_at < until
        )
    )
    breaches = [Breach(agency=agency, **row._mapping) for row in own] + [Breach(**row._mapping) for row in others]
    return sorted(breaches, key=lambda b: (b.due_at, b.kind, b.subject_id))


def statistics_router(compute: Compute) -> APIRouter:
    router = APIRouter(tags=["statistics"])

    async def report(
        runtime: RuntimeDep, actor: CurrentPrincipal, unit: str | None, start: date | None, end: date | None
    ) -> Report:
        # without a period: the current year to date, in the services' own calendar day (Asia/Shanghai)
        today = runtime.clock.now().astimezone(SHANGHAI).date()
        end = end or today
        start = start or date(end.year, 1, 1)
        unit = unit or actor.unit
        units = visible_units(actor.unit)
        if unit not in units:
            raise Forbidden(f"your unit {actor.unit} cannot see unit {unit}")
        since, until = period(start, end)
        scope = visible_units(unit)  # the unit, or every county for the city
        async with runtime.uow() as uow:
            figures = await compute(uow, scope, since, until)
            figures.breaches = await period_breaches(uow, runtime.agency, scope, since, until)
        name = COUNTIES[unit].name if unit in COUNTIES else "咸宁市"
        return Report(
            **figures.model_dump(),
            agency=runtime.agency,
            unit=unit,
            unit_name=name,
            period_from=start,
            period_to=end,
            computed_at=runtime.clock.now(),
        )

    @router.get("/statistics", response_model=Report)
    async def statistics(
        runtime: RuntimeDep,
        actor: CurrentPrincipal,
        start: Annotated[
            LegalDate | None, Query(alias="from", description="1 January of `to`'s year by default")
        ] = None,
        end: Annotated[LegalDate | None, Query(alias="to", description="today by default")] = None,
        unit: Annotated[str | None, Query(max_length=16, description="your unit by default; 421200 the city")] = None,
        format: Annotated[Literal["json", "csv"], Query()] = "json",
    ) -> Any:
        """The figures of a unit (or the city) for a period, as JSON or CSV."""
        computed = await report(runtime, actor, unit, start, end)
        if format == "csv":
            return Response(as_csv(computed), media_type="text/csv; charset=utf-8")
        return computed

    @router.get("/statistics.html", response_class=HTMLResponse)
    async def statistics_page(
        runtime: RuntimeDep,
        actor: CurrentPrincipal,
        start: Annotated[
            LegalDate | None, Query(alias="from", description="1 January of `to`'s year by default")
        ] = None,
        end: Annotated[LegalDate | None, Query(alias="to", description="today by default")] = None,
        unit: Annotated[str | None, Query(max_length=16)] = None,
    ) -> HTMLResponse:
        """The same figures as a page: the table, a funnel chart and the breaches of the period."""
        return HTMLResponse(as_html(await report(runtime, actor, unit, start, end)))

    return router
