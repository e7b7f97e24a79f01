"""Wires the court service: its tables, migrations, translator, event handlers, routes and accounts."""

from __future__ import annotations

from pathlib import Path

from liandong.accounts import DevAccount, county_accounts
from liandong.api.statistics import statistics_router
from liandong.runtime import ServiceSpec
from liandong_court.adapters import files, orm
from liandong_court.adapters.statistics import court_figures
from liandong_court.adapters.translators import translate
from liandong_court.entrypoints import consumers
from liandong_court.entrypoints.api import cases, evidence, leads, publicity, referrals, trials
from liandong_court.entrypoints.api.deps import ADMIN, ALL_ROLES, CRIMINAL_JUDGE, ENFORCEMENT_OFFICER
from liandong_court.entrypoints.console import CONSOLE
from liandong_court.service_layer.unit_of_work import CourtUnitOfWork

DEV_ACCOUNTS = (
    *county_accounts(
        {"officer": ("人民法院执行干警", ENFORCEMENT_OFFICER), "judge": ("人民法院刑庭法官", CRIMINAL_JUDGE)}
    ),
    DevAccount("city.admin", "咸宁中院管理员", ADMIN, "421200"),
)


def spec() -> ServiceSpec:
    return ServiceSpec(
        agency="court",
        title="Liandong — court (法院)",
        metadata=orm.metadata,
        tables=orm.common,
        migrations=str(Path(__file__).parent / "migrations"),
        translate=translate,
        handlers=consumers.HANDLERS,
        routers=(
            leads.router,  # the routes staff ask for most come first (matched in order)
            cases.router,
            referrals.router,
            evidence.router,
            trials.router,
            publicity.router,
            statistics_router(court_figures),
        ),
        body_limit_overrides={r"^/leads/[^/]+/evidence$": 11 * 1024 * 1024},
        roles=ALL_ROLES,
        dev_accounts=DEV_ACCOUNTS,
        deadline_roles=(ADMIN,),
        audit_roles=(ADMIN,),
        matter_units=((orm.leads, "id", "unit"), (orm.trials, "lead_id", "court_unit")),
        documents_of=(("leads", "lead"), ("referrals", "referral"), ("trials", "trial")),
        matter_files=files.matter_files,
        unit_of_work=CourtUnitOfWork,
        console=CONSOLE,
        views=leads.VIEWS,
    )
