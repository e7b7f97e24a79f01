"""The events the court consumes, each mapped to the service-layer handler that applies it."""

from __future__ import annotations

from liandong.contracts import CaseFiledV1, CaseFilingDeclinedV1, CaseFilingExtendedV1, ReferralReceivedV1
from liandong.messaging.handlers import EventHandlers
from liandong_court.service_layer import event_handlers as on
from liandong_court.service_layer.unit_of_work import CourtUnitOfWork

HANDLERS = (
    EventHandlers[CourtUnitOfWork]()
    .on(ReferralReceivedV1, on.on_referral_received)
    .on(CaseFiledV1, on.on_case_filed)
    .on(CaseFilingDeclinedV1, on.on_filing_declined)
    .on(CaseFilingExtendedV1, on.on_filing_extended)
)
