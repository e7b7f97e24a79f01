"""The procuratorate's figures for its units and a period, from its own records: arrest reviews and approvals,
supervision cases and filing notices, prosecution reviews, indictments and non-prosecutions."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import select

from liandong.api.statistics import Figure, Figures, Stage, cycle, within
from liandong.persistence.uow import SqlUnitOfWork
from liandong_procuratorate.adapters.orm import arrest_reviews, prosecution_reviews, supervision_cases
from liandong_procuratorate.domain.prosecutions import ProsecutionReview
from liandong_procuratorate.domain.reviews import ArrestReview
from liandong_procuratorate.domain.supervision import FILING, SupervisionCase


def _at(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


async def procuratorate_figures(
    uow: SqlUnitOfWork, units: Collection[str], since: datetime, until: datetime
) -> Figures:
    session = uow.session
    arrests = (await session.scalars(select(ArrestReview).where(arrest_reviews.c.unit.in_(units)))).all()
    supervised = (await session.scalars(select(SupervisionCase).where(supervision_cases.c.unit.in_(units)))).all()
    prosecutions = (await session.scalars(select(ProsecutionReview).where(prosecution_reviews.c.unit.in_(units)))).all()

    reviews = [r for r in arrests if within(r.received_at, since, until)]
    decided = [
        s for r in arrests for s in r.suspects if s.get("decision") and within(_at(s["decided_at"]), since, until)
    ]
    approvals = [s for s in decided if s["decision"] == "approve"]
    opened = [c for c in supervised if within(c.opened_at, since, until)]
    notices = [
        n for c in supervised for n in c.notices if n["kind"] == FILING and within(_at(n["issued_at"]), since, until)
    ]
    co_offenders = [n for n in notices if n.get("co_offender")]
    received = [p for p in prosecutions if within(p.received_at, since, until)]
    outcomes = [p for p in prosecutions if p.decision and within(_at(p.decision["at"]), since, until)]
    indicted = [p for p in outcomes if p.decision and p.decision["decision"] == "indicted"]
    declined = [p for p in outcomes if p.decision and p.decision["decision"] == "not_prosecuted"]
    return Figures(
        figures=[
            Figure(
                key="arrest_reviews",
                label="审查逮捕",
                definition="期间内受理的提请批准逮捕；人数为提请所列犯罪嫌疑人",
                cases=len(reviews),
                persons=sum(len(r.suspects) for r in reviews),
            ),
            Figure(
                key="arrests_approved",
                label="批准逮捕",
                definition="期间内作出批准逮捕决定的人数",
                persons=len(approvals),
            ),
            Figure(
                key="arrests_refused",
                label="不批准逮捕",
                definition="期间内作出不批准逮捕决定的人数",
                persons=len(decided) - len(approvals),
            ),
            Figure(
                key="supervision_cases",
                label="立案监督案件",
                definition="期间内受理或依职权立案的立案监督案件",
                cases=len(opened),
            ),
            Figure(
                key="filing_notices",
                label="通知立案",
                definition="期间内发出的通知立案书；人数为其中对同案犯的通知",
                cases=len(notices),
                persons=len(co_offenders),
            ),
            Figure(
                key="prosecution_reviews",
                label="审查起诉",
                definition="期间内受理的移送审查起诉案件；人数为犯罪嫌疑人",
                cases=len(received),
                persons=sum(len(p.defendants) for p in received),
            ),
            Figure(
                key="indictments",
                label="提起公诉",
                definition="期间内作出起诉决定的案件；人数为起诉的被告人（含被告单位）",
                cases=len(indicted),
                persons=sum(len((p.decision or {}).get("defendant_ids") or []) for p in indicted),
            ),
            Figure(
                key="non_prosecutions", label="不起诉", definition="期间内作出不起诉决定的案件", cases=len(declined)
            ),
        ],
        funnel=[
            Stage(key="prosecution_reviews", label="审查起诉", count=len(received)),
            Stage(key="indicted", label="提起公诉", count=len(indicted)),
            Stage(key="judged", label="判决", count=sum(1 for p in prosecutions if p.judgment)),
        ],
        cycle_days=[
            cycle(
                "review_to_decision",
                "受理至起诉决定",
                [(p.received_at, at) for p in outcomes if (at := _at((p.decision or {}).get("at"))) is not None],
            )
        ],
    )


def _people(reviews: list[ArrestReview]) -> int:
    return sum(len(r.suspects) for r in reviews)


def _defendants(reviews: list[ProsecutionReview]) -> int:
    return sum(len(p.defendants) for p in reviews)
