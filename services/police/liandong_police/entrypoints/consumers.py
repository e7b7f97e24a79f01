"""The events the police consume, each mapped to the service-layer handler that applies it."""

from __future__ import annotations

from liandong.contracts import (
    ArrestDecidedV1,
    ArrestReconsideredV1,
    CorrectionNoticeIssuedV1,
    EnforcementPerformedV1,
    EnforcementResumedV1,
    ExplanationDemandedV1,
    FilingNoticeIssuedV1,
    IndictmentFiledV1,
    JudgmentPronouncedV1,
    ProsecutionDeclinedV1,
    ProsecutionReturnedV1,
    ReferralSubmittedV1,
    ReferralSubmittedV2,
    ReferralWithdrawnV1,
    ReminderSentV1,
)
from liandong.messaging.handlers import EventHandlers
from liandong_police.service_layer import event_handlers as on
from liandong_police.service_layer.unit_of_work import PoliceUnitOfWork

HANDLERS = (
    EventHandlers[PoliceUnitOfWork]()
    .on(ReferralSubmittedV1, on.on_referral_submitted)
    .on(ReferralSubmittedV2, on.on_referral_submitted)
    .on(ReferralWithdrawnV1, on.on_referral_withdrawn)
    .on(EnforcementPerformedV1, on.on_enforcement_performed)
    .on(EnforcementResumedV1, on.on_enforcement_resumed)
    .on(ArrestDecidedV1, on.on_arrest_decided)
    .on(ArrestReconsideredV1, on.on_arrest_reconsidered)
    .on(ExplanationDemandedV1, on.on_supervision_notice)
    .on(FilingNoticeIssuedV1, on.on_supervision_notice)
    .on(CorrectionNoticeIssuedV1, on.on_supervision_notice)
    .on(ReminderSentV1, on.on_supervision_notice)
    .on(ProsecutionReturnedV1, on.on_prosecution_news)
    .on(ProsecutionDeclinedV1, on.on_prosecution_news)
    .on(IndictmentFiledV1, on.on_prosecution_news)
    .on(JudgmentPronouncedV1, on.on_judgment)
)
