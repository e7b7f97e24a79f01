"""The events the court consumes, each mapped to the service-layer handler that applies it."""

from __future__ import annotations

from liandong.contracts import (
    ArrestDecidedV1,
    ArrestExecutedV1,
    ArrestRequestedV1,
    CaseFiledV1,
    CaseFilingDeclinedV1,
    CaseFilingExtendedV1,
    CaseOpenedV1,
    CaseTransferredV1,
    CaseWithdrawnV1,
    CorrectionNoticeIssuedV1,
    CustodyEndedV1,
    DetentionRecordedV1,
    ExplanationDemandedV1,
    ExplanationGivenV1,
    FilingNoticeCompliedV1,
    FilingNoticeIssuedV1,
    IndictmentFiledV1,
    ProsecutionDeclinedV1,
    ProsecutionReturnedV1,
    ReferralReceivedV1,
    ReminderSentV1,
    SupervisionClosedV1,
)
from liandong.messaging.handlers import EventHandlers
from liandong_court.service_layer import event_handlers as on
from liandong_court.service_layer.unit_of_work import CourtUnitOfWork

HANDLERS = (
    EventHandlers[CourtUnitOfWork]()
    .on(ReferralReceivedV1, on.on_referral_received)
    .on(CaseFiledV1, on.on_case_filed)
    .on(CaseFilingDeclinedV1, on.on_filing_declined)
    .on(CaseFilingExtendedV1, on.on_filing_extended)
    .on(CaseOpenedV1, on.on_case_opened)
    .on(DetentionRecordedV1, on.on_detention_recorded)
    .on(CustodyEndedV1, on.on_custody_ended)
    .on(ArrestRequestedV1, on.on_arrest_requested)
    .on(ArrestDecidedV1, on.on_arrest_decided)
    .on(ArrestExecutedV1, on.on_arrest_executed)
    .on(ExplanationDemandedV1, on.on_supervision_news)
    .on(ExplanationGivenV1, on.on_supervision_news)
    .on(FilingNoticeIssuedV1, on.on_supervision_news)
    .on(FilingNoticeCompliedV1, on.on_supervision_news)
    .on(CorrectionNoticeIssuedV1, on.on_supervision_news)
    .on(ReminderSentV1, on.on_supervision_news)
    .on(SupervisionClosedV1, on.on_supervision_news)
    .on(CaseTransferredV1, on.on_case_progress)
    .on(ProsecutionReturnedV1, on.on_case_progress)
    .on(ProsecutionDeclinedV1, on.on_case_progress)
    .on(CaseWithdrawnV1, on.on_case_progress)
    .on(IndictmentFiledV1, on.on_indictment)
)
