"""Handlers for the events the procuratorate consumes: every hand-off goes on the matter's timeline."""

from __future__ import annotations

from liandong.contracts import ReferralReceivedV1, ReferralSubmittedV1
from liandong.messaging import topics
from liandong.messaging.consumer import Delivery, Handler, Outcome
from liandong.persistence.uow import SqlUnitOfWork
from liandong_procuratorate.domain.model import TimelineEntry
from liandong_procuratorate.service_layer.unit_of_work import ProcuratorateUnitOfWork


def summarise(delivery: Delivery) -> str:
    payload = delivery.payload
    if isinstance(payload, ReferralSubmittedV1):
        return f"{payload.court_code} 移送 {payload.enforcement_case_number} 至 {payload.police_unit} 公安机关"
    if isinstance(payload, ReferralReceivedV1):
        return f"{payload.police_unit} 公安机关受案登记 {payload.receipt_number}"
    return delivery.envelope.event_type


async def on_hand_off(delivery: Delivery, uow: SqlUnitOfWork) -> Outcome:
    assert isinstance(uow, ProcuratorateUnitOfWork)
    env = delivery.envelope
    uow.timeline.add(
        TimelineEntry(
            event_id=str(env.event_id),
            correlation_id=env.correlation_id,
            event_type=env.event_type,
            producer_agency=env.producer.agency,
            producer_unit=env.producer.unit,
            jurisdiction=env.jurisdiction,
            occurred_at=env.occurred_at,
            recorded_at=uow.clock.now(),
            summary=summarise(delivery),
        )
    )
    return Outcome.APPLIED


HANDLERS: dict[str, Handler] = {
    ReferralSubmittedV1.event_type: on_hand_off,
    ReferralReceivedV1.event_type: on_hand_off,
}
SUBSCRIPTIONS = [topics.COURT_REFERRALS, topics.POLICE_REFERRALS]
