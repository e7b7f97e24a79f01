"""The court's figures for its units and a period, from its own records: the article's table (leads screened, referred,
in public prosecution, private prosecutions, judged, persons convicted, debtors who performed, amount recovered,
publicity, typical cases), the funnel, the days each stage took, and how often the police decided within 7 and 30
days. Cases (件) and persons (人) are counted separately."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from liandong.api.statistics import Figure, Figures, Stage, cycle, rate, within
from liandong.persistence.uow import SqlUnitOfWork
from liandong.sla.counting import SHANGHAI
from liandong_court.adapters.orm import leads as leads_table
from liandong_court.adapters.orm import payments as payments_table
from liandong_court.adapters.orm import publicity_pieces, referrals, settlements, trials, typical_cases
from liandong_court.domain.leads import Lead, LeadStatus
from liandong_court.domain.publicity import PublicityPiece, TypicalCase
from liandong_court.domain.records import Payment, Settlement
from liandong_court.domain.referrals import Referral
from liandong_court.domain.trials import Trial, TrialKind


def _day(at: datetime) -> date:
    return at.astimezone(SHANGHAI).date()


async def court_figures(uow: SqlUnitOfWork, units: Collection[str], since: datetime, until: datetime) -> Figures:
    session = uow.session
    leads = {lead.id: lead for lead in (await session.scalars(select(Lead).where(leads_table.c.unit.in_(units)))).all()}
    sent = (await session.scalars(select(Referral).where(referrals.c.court_unit.in_(units)))).all()
    tried = (await session.scalars(select(Trial).where(trials.c.court_unit.in_(units)))).all()
    lead_ids = list(leads)
    paid = (await session.scalars(select(Payment).where(payments_table.c.lead_id.in_(lead_ids)))).all()
    settled = (await session.scalars(select(Settlement).where(settlements.c.lead_id.in_(lead_ids)))).all()
    pieces = (await session.scalars(select(PublicityPiece).where(publicity_pieces.c.unit.in_(units)))).all()
    typical = (await session.scalars(select(TypicalCase).where(typical_cases.c.unit.in_(units)))).all()
    first, last = _day(since), _day(until - timedelta(microseconds=1))

    def of_leads(sent: list[Referral]) -> int:
        return sum(len(leads[r.lead_id].suspects) for r in sent if r.lead_id in leads)

    def suspects(some: list[Lead]) -> int:
        return sum(len(lead.suspects) for lead in some)

    def debtors(some: list[Lead]) -> int:
        return sum(1 for lead in some for s in lead.suspects if s.role.value == "debtor")

    def defendants(some: list[Trial]) -> int:
        return sum(len(t.defendants) for t in some)

    screened = [lead for lead in leads.values() if within(lead.created_at, since, until)]
    referred = [r for r in sent if within(r.submitted_at, since, until)]
    filed = [r for r in sent if within(r.filed_at, since, until)]
    declined = [r for r in sent if within(r.declined_at, since, until)]
    public = [t for t in tried if t.kind is TrialKind.PUBLIC and within(t.received_at, since, until)]
    private = [t for t in tried if t.kind is TrialKind.PRIVATE and within(t.accepted_at, since, until)]
    judged = [t for t in tried if t.judgment and within(datetime.fromisoformat(t.judgment["judged_at"]), since, until)]
    sentenced = [s for t in judged for s in (t.judgment or {})["sentences"] if not s.get("acquitted")]
    convicted = sum(1 for s in sentenced if s["kind"] == "person")
    units_convicted = sum(1 for s in sentenced if s["kind"] == "unit")
    performed = [
        lead
        for lead in leads.values()
        if lead.status is LeadStatus.PERFORMED and within(lead.performed_at, since, until)
    ]
    recovered = sum((p.amount for p in paid if first <= p.paid_on <= last), Decimal(0)) + sum(
        (s.paid_now for s in settled if first <= s.signed_on <= last), Decimal(0)
    )
    publicity = [p for p in pieces if first <= p.published_on <= last]
    marked = [t for t in typical if first <= t.marked_on <= last]

    decisions = [(r.submitted_at, r.filed_at or r.declined_at) for r in [*filed, *declined]]
    filed_on = {r.lead_id: r.filed_at for r in sent if r.filed_at is not None}
    return Figures(
        figures=[
            Figure(
                key="leads_screened",
                label="排查拒执线索",
                definition="期间内录入拒执线索库的线索；人数为线索所列涉嫌人员",
                cases=len(screened),
                persons=suspects(screened),
            ),
            Figure(
                key="referred",
                label="移送公安机关",
                definition="期间内发出的移送函（每函一件，再次移送另计一件）",
                cases=len(referred),
                persons=of_leads(referred),
            ),
            Figure(
                key="filed",
                label="公安机关立案",
                definition="期间内公安机关对本院移送作出立案决定的件数（以公安机关告知为准）",
                cases=len(filed),
                persons=of_leads(filed),
            ),
            Figure(
                key="declined",
                label="公安机关不予立案",
                definition="期间内公安机关对本院移送作出不予立案决定的件数",
                cases=len(declined),
                persons=of_leads(declined),
            ),
            Figure(
                key="public_prosecutions",
                label="提起公诉",
                definition="期间内收到的检察院起诉书；人数为被告人（含被告单位）",
                cases=len(public),
                persons=defendants(public),
            ),
            Figure(
                key="private_prosecutions",
                label="受理自诉",
                definition="期间内受理（立案）的自诉案件；不予受理的不计",
                cases=len(private),
                persons=defendants(private),
            ),
            Figure(
                key="judged",
                label="审结（判决）",
                definition="期间内作出判决的案件；人为判处刑罚或免予刑事处罚的自然人，单位为判处罚金的被告单位",
                cases=len(judged),
                persons=convicted,
                units=units_convicted,
            ),
            Figure(
                key="performed",
                label="迫于压力履行",
                definition="期间内全部履行而执结的线索；人数为其中的被执行人",
                cases=len(performed),
                persons=debtors(performed),
            ),
            Figure(
                key="recovered",
                label="执行到位金额",
                definition="期间内登记的履行款与和解协议当场支付款之和（元）",
                amount=recovered.quantize(Decimal("0.01")),
            ),
            Figure(key="publicity", label="宣传报道", definition="期间内发布的宣传报道篇数", cases=len(publicity)),
            Figure(key="typical_cases", label="典型案例", definition="期间内确定的典型案例", cases=len(marked)),
        ],
        funnel=[
            Stage(key="screened", label="排查", count=len(screened)),
            Stage(key="referred", label="移送", count=len(referred)),
            Stage(key="filed", label="立案", count=len(filed)),
            Stage(key="prosecuted", label="公诉/自诉", count=len(public) + len(private)),
            Stage(key="judged", label="判决", count=len(judged)),
        ],
        cycle_days=[
            cycle(
                "lead_to_referral",
                "线索至移送",
                [(leads[r.lead_id].created_at, r.submitted_at) for r in referred if r.lead_id in leads],
            ),
            cycle("referral_to_decision", "移送至公安决定", [(a, b) for a, b in decisions if b is not None]),
            cycle(
                "filing_to_prosecution",
                "立案至提起公诉",
                [(filed_on[t.lead_id], t.received_at) for t in public if t.lead_id in filed_on and t.received_at],
            ),
            cycle(
                "prosecution_to_judgment",
                "起诉至判决",
                [
                    (t.received_at, datetime.fromisoformat((t.judgment or {})["judged_at"]))
                    for t in judged
                    if t.received_at is not None
                ],
            ),
        ],
        rates=[
            rate(
                "police_decisions_within_7_days",
                "公安机关七日内作出立案决定",
                sum(1 for a, b in decisions if b is not None and b - a <= timedelta(days=7)),
                len(decisions),
            ),
            rate(
                "police_decisions_within_30_days",
                "公安机关三十日内作出立案决定",
                sum(1 for a, b in decisions if b is not None and b - a <= timedelta(days=30)),
                len(decisions),
            ),
        ],
    )
