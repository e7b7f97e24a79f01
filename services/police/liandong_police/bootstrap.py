"""Wires the police service: its tables, migrations, translator, event handlers, routes and accounts."""

from __future__ import annotations

from pathlib import Path

from liandong.accounts import DevAccount, county_accounts
from liandong.api.deps import unit_of_work_of
from liandong.api.statistics import statistics_router
from liandong.runtime import Runtime, ServiceSpec
from liandong_police.adapters import orm
from liandong_police.adapters.court_client import CourtClient
from liandong_police.adapters.statistics import police_figures
from liandong_police.adapters.translators import translate
from liandong_police.config import PoliceSettings
from liandong_police.entrypoints import consumers
from liandong_police.entrypoints.api import cases, referrals, supervision
from liandong_police.entrypoints.console import CONSOLE
from liandong_police.entrypoints.evidence_fetcher import EvidenceFetcher
from liandong_police.service_layer.roles import ADMIN, ALL_ROLES, BUREAU_HEAD, INVESTIGATOR, SUPERVISOR
from liandong_police.service_layer.unit_of_work import PoliceUnitOfWork

DEV_ACCOUNTS = (
    *county_accounts(
        {
            "investigator": ("公安局侦查员", INVESTIGATOR),
            "supervisor": ("公安局法制大队", SUPERVISOR),
            "head": ("公安局副局长", BUREAU_HEAD),
        }
    ),
    DevAccount("city.supervisor", "咸宁市公安局", SUPERVISOR, "421200"),
    DevAccount("city.admin", "咸宁市公安局系统管理员", ADMIN, "421200"),
)


def evidence_fetcher(runtime: Runtime) -> EvidenceFetcher:
    settings = runtime.settings
    assert isinstance(settings, PoliceSettings)

    police_uow = unit_of_work_of(PoliceUnitOfWork)

    return EvidenceFetcher(
        uow_factory=lambda: police_uow(runtime),
        court=CourtClient(
            settings.court_url, settings.court_client_id, settings.court_client_secret, tracing=runtime.tracing
        ),
        clock=runtime.clock,
        interval_seconds=settings.evidence_fetch_seconds,
    )


def spec() -> ServiceSpec:
    return ServiceSpec(
        agency="police",
        title="Liandong — police (公安)",
        metadata=orm.metadata,
        tables=orm.common,
        migrations=str(Path(__file__).parent / "migrations"),
        translate=translate,
        handlers=consumers.HANDLERS,
        routers=(cases.router, referrals.router, supervision.router, statistics_router(police_figures)),
        roles=ALL_ROLES,
        dev_accounts=DEV_ACCOUNTS,
        deadline_roles=(SUPERVISOR,),
        audit_roles=(SUPERVISOR, ADMIN),
        workers=(evidence_fetcher,),
        documents_of=(("referrals", "referral"), ("cases", "case"), ("supervision-notices", "supervision_notice")),
        matter_units=(
            (orm.referrals, "lead_id", "police_unit"),
            (orm.cases, "correlation_id", "police_unit"),
            (orm.supervision_notices, "correlation_id", "police_unit"),
        ),
        unit_of_work=PoliceUnitOfWork,
        console=CONSOLE,
        views=cases.VIEWS,
    )
