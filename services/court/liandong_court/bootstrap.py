"""Wires the court service: its tables, migrations, translator, event handlers, routes and accounts."""

from __future__ import annotations

from pathlib import Path

from liandong.accounts import DevAccount
from liandong.api.statistics import statistics_router
from liandong.runtime import ServiceSpec
from liandong_court.adapters import orm
from liandong_court.adapters.statistics import court_figures
from liandong_court.adapters.translators import translate
from liandong_court.entrypoints import consumers
from liandong_court.entrypoints.api import cases, evidence, leads, publicity, referrals, trials
from liandong_court.entrypoints.api.deps import ADMIN, ALL_ROLES, CRIMINAL_JUDGE, ENFORCEMENT_OFFICER
from liandong_court.service_layer.unit_of_work import CourtUnitOfWork

DEV_ACCOUNTS = (
    DevAccount("tongcheng.officer", "通城法院执行干警", ENFORCEMENT_OFFICER, "421222"),
    DevAccount("tongcheng.judge", "通城法院刑庭法官", CRIMINAL_JUDGE, "421222"),
    DevAccount("tongshan.officer", "通山法院执行干警", ENFORCEMENT_OFFICER, "421224"),
    DevAccount("tongshan.judge", "通山法院刑庭法官", CRIMINAL_JUDGE, "421224"),
    DevAccount("chibi.officer", "赤壁法院执行干警", ENFORCEMENT_OFFICER, "421281"),
    DevAccount("city.admin", "咸宁中院管理员", ADMIN, "421200"),
    DevAccount("jiayu.officer", "嘉鱼法院执行干警", ENFORCEMENT_OFFICER, "421221"),
    DevAccount("jiayu.judge", "嘉鱼法院刑庭法官", CRIMINAL_JUDGE, "421221"),
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
            cases.router,
            leads.router,
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
        unit_of_work=CourtUnitOfWork,
    )
