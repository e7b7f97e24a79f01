"""The events the procuratorate consumes, each mapped to the service-layer handler that applies it."""

from __future__ import annotations

from liandong.contracts import (
    ArrestExecutedV1,
    ArrestReconsiderationRequestedV1,
    ArrestRequestedV1,
    CaseFiledV1,
    CaseFilingDeclinedV1,
    CaseFilingExtendedV1,
    CaseOpenedV1,
    CaseTransferredV1,
    CaseWithdrawnV1,
    CustodyEndedV1,
    DetentionRecordedV1,
    EnforcementPerformedV1,
    EnforcementResumedV1,
    ExplanationGivenV1,
    FilingNoticeCompliedV1,
    JudgmentPronouncedV1,
    PublicProsecutionAcceptedV1,
    ReferralReceivedV1,
    ReferralSubmittedV1,
    ReferralSubmittedV2,
    ReferralWithdrawnV1,
    SupervisionRequestedV1,
)
from liandong.messaging.handlers import EventHandlers
from liandong_procuratorate.service_layer.event_handlers import (
    on_arrest_executed,
    on_arrest_requested,
    on_case_opened,
    on_case_transferred,
    on_case_withdrawn,
    on_explanation_given,
    on_filing_complied,
    on_hand_off,
    on_judgment,
    on_performance,
    on_reconsideration_requested,
    on_supervision_requested,
)
from liandong_procuratorate.service_layer.unit_of_work import ProcuratorateUnitOfWork

HANDLERS = EventHandlers[ProcuratorateUnitOfWork]()
for _contract in (
    ReferralSubmittedV1,
    ReferralSubmittedV2,
    ReferralWithdrawnV1,
    ReferralReceivedV1,
    CaseFiledV1,
    CaseFilingDeclinedV1,
    CaseFilingExtendedV1,
    EnforcementResumedV1,
    DetentionRecordedV1,
    CustodyEndedV1,
    PublicProsecutionAcceptedV1,
):
    HANDLERS.on(_contract, on_hand_off)
(
    HANDLERS.on(ArrestRequestedV1, on_arrest_requested)
    .on(ArrestExecutedV1, on_arrest_executed)
    .on(ArrestReconsiderationRequestedV1, on_reconsideration_requested)
    .on(CaseOpenedV1, on_case_opened)
    .on(SupervisionRequestedV1, on_supervision_requested)
    .on(ExplanationGivenV1, on_explanation_given)
    .on(FilingNoticeCompliedV1, on_filing_complied)
    .on(CaseTransferredV1, on_case_transferred)
    .on(CaseWithdrawnV1, on_case_withdrawn)
    .on(JudgmentPronouncedV1, on_judgment)
    .on(EnforcementPerformedV1, on_performance)
)
