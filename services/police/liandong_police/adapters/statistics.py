"""The bureau's figures for its units and a period, from its own records: referrals received, filed and declined,
decisions within the filing window, arrests requested and approved, co-offender cases, transfers and withdrawals."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import select

from liandong.api.statistics import Figure, Figures, Stage, cycle, rate, within
from liandong.persistence.uow import SqlUnitOfWork
from liandong.sla.kinds import Kind
from liandong_police.adapters.orm import cases as cases_table
from liandong_police.adapters.orm import referrals as referrals_table
from liandong_police.domain.cases import Case
from liandong_police.domain.model import Referral


def _at(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


async def police_figures(uow: SqlUnitOfWork, units: Collection[str], since: datetime, until: datetime) -> Figures:
    session = uow.session
    inbox = (await session.scalars(select(Referral).where(referrals_table.c.police_unit.in_(units)))).all()
    cases = (await session.scalars(select(Case).where(cases_table.c.police_unit.in_(units)))).all()
    d = uow.tables.deadlines
    filing_windows = (
        await session.execute(
            select(d.c.met_at, d.c.due_at).where(
                d.c.unit.in_(units),
                d.c.kind == Kind.POLICE_FILING_DECISION.value,
                d.c.met_at >= since,
                d.c.met_at < until,
            )
        )
    ).all()

    received = [r for r in inbox if within(r.arrived_at, since, until)]
    filed = [r for r in inbox if within(r.filed_at, since, until)]
    declined = [r for r in inbox if within(r.declined_at, since, until)]
    requests = [r for c in cases for r in c.arrest_requests if within(_at(r["requested_at"]), since, until)]
    approved = [
        d
        for c in cases
        for r in c.arrest_requests
        for d in r["decisions"].values()
        if d["decision"] == "approve" and within(_at(d["decided_at"]), since, until)
    ]
    co_offender_cases = [c for c in cases if c.referral_id is None and within(c.opened_at, since, until)]
    sent = [(c, t) for c in cases for t in c.transfers or [] if within(_at(t["transferred_at"]), since, until)]
    transferred = {c.id: t for c, t in sent if not t.get("resubmission")}  # a case's first transfer
    resubmitted = [t for _, t in sent if t.get("resubmission")]  # again after a return for supplementary work
    withdrawn = [c for c in cases if c.withdrawal and within(_at(c.withdrawal["decided_at"]), since, until)]
    decided = [(r.arrived_at, r.filed_at or r.declined_at) for r in [*filed, *declined]]
    return Figures(
        figures=[
            Figure(
                key="referrals_received",
                label="接受移送",
                definition="期间内收到的法院移送函；人数为移送所列涉嫌人员",
                cases=len(received),
                persons=_people(received),
            ),
            Figure(
                key="filed",
                label="立案",
                definition="期间内立案的刑事案件：法院移送的（含依检察院通知立案的），及依通知对同案犯另行立案的",
                cases=len(filed) + len(co_offender_cases),
                persons=_filed_people(filed) + sum(len(c.suspects) for c in co_offender_cases),
            ),
            Figure(
                key="declined",
                label="不予立案",
                definition="期间内经负责人批准不予立案的移送",
                cases=len(declined),
                persons=_people(declined),
            ),
            Figure(
                key="arrests_requested",
                label="提请批准逮捕",
                definition="期间内提请批准逮捕的次数；人数为提请所列犯罪嫌疑人",
                cases=len(requests),
                persons=_named(requests),
            ),
            Figure(
                key="arrests_approved",
                label="批准逮捕",
                definition="期间内检察院批准逮捕的人数",
                persons=len(approved),
            ),
            Figure(
                key="co_offender_cases",
                label="依通知立案的同案犯案件",
                definition="期间内依检察院通知对同案犯另行立案的案件（已计入立案）",
                cases=len(co_offender_cases),
            ),
            Figure(
                key="transferred",
                label="移送审查起诉",
                definition="期间内首次移送审查起诉的案件及其犯罪嫌疑人，每案每人只计一次；补充侦查后重新移送另计",
                cases=len(transferred),
                persons=_named(list(transferred.values())),
            ),
            Figure(
                key="resubmitted",
                label="补充侦查后重新移送",
                definition="期间内退回补充侦查后重新移送审查起诉的次数",
                cases=len(resubmitted),
            ),
            Figure(
                key="withdrawn",
                label="撤销案件",
                definition="期间内经负责人批准撤销的案件",
                cases=len(withdrawn),
            ),
        ],
        funnel=[
            Stage(key="received", label="接受移送", count=len(received)),
            Stage(key="filed", label="立案", count=len(filed)),
            Stage(key="arrests_requested", label="提请逮捕", count=len(requests)),
            Stage(key="transferred", label="移送起诉", count=len(transferred)),
        ],
        cycle_days=[cycle("arrival_to_decision", "接受移送至立案决定", [(a, b) for a, b in decided if b is not None])],
        rates=[
            rate(
                "filing_decisions_within_window",
                "立案审查期限内作出决定",
                sum(1 for met, due in filing_windows if met <= due),
                len(filing_windows),
            )
        ],
    )


def _people(referrals: list[Referral]) -> int:
    return sum(len(r.suspects) for r in referrals)


def _filed_people(referrals: list[Referral]) -> int:
    return sum(len(r.filed_suspects or []) for r in referrals)


def _named(acts: list[dict[str, Any]]) -> int:
    return sum(len(a.get("suspect_ids") or []) for a in acts)
