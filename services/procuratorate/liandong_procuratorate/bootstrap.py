"""Wires the procuratorate service: its tables, migrations, translator, event handlers, routes and accounts."""

from __future__ import annotations

from pathlib import Path

from liandong.accounts import DevAccount, county_accounts
from liandong.api.statistics import statistics_router
from liandong.runtime import ServiceSpec
from liandong_procuratorate.adapters import orm
from liandong_procuratorate.adapters.statistics import procuratorate_figures
from liandong_procuratorate.adapters.translators import translate
from liandong_procuratorate.entrypoints import consumers
from liandong_procuratorate.entrypoints.api import matters, prosecutions, reviews, supervision
from liandong_procuratorate.entrypoints.console import CONSOLE
from liandong_procuratorate.service_layer.handlers import ADMIN, ALL_ROLES, CHIEF_PROSECUTOR, PROSECUTOR, SUPERVISOR
from liandong_procuratorate.service_layer.unit_of_work import ProcuratorateUnitOfWork

DEV_ACCOUNTS = (
    *county_accounts(
        {
            "prosecutor": ("检察院检察官", PROSECUTOR),
            "supervisor": ("检察院部门负责人", SUPERVISOR),
            "chief": ("检察院检察长", CHIEF_PROSECUTOR),
        }
    ),
    DevAccount("city.supervisor", "咸宁市检察院", SUPERVISOR, "421200"),
    DevAccount("city.chief", "咸宁市人民检察院检察长", CHIEF_PROSECUTOR, "421200"),
    DevAccount("city.admin", "咸宁市检察院系统管理员", ADMIN, "421200"),
)


def spec() -> ServiceSpec:
    return ServiceSpec(
        agency="procuratorate",
        title="Liandong — procuratorate (检察院)",
        metadata=orm.metadata,
        tables=orm.common,
        migrations=str(Path(__file__).parent / "migrations"),
        translate=translate,
        handlers=consumers.HANDLERS,
        routers=(
            matters.router,
            reviews.router,
            supervision.router,
            prosecutions.router,
            statistics_router(procuratorate_figures),
        ),
        roles=ALL_ROLES,
        dev_accounts=DEV_ACCOUNTS,
        deadline_roles=(SUPERVISOR,),
        audit_roles=(SUPERVISOR, ADMIN),
        documents_of=(
            ("arrest-reviews", "arrest_review"),
            ("prosecution-reviews", "prosecution_review"),
            ("supervision-cases", "supervision_case"),
        ),
        matter_units=(
            (orm.arrest_reviews, "correlation_id", "unit"),
            (orm.supervision_cases, "correlation_id", "unit"),
            (orm.prosecution_reviews, "correlation_id", "unit"),
            (orm.police_cases, "correlation_id", "police_unit"),
        ),
        unit_of_work=ProcuratorateUnitOfWork,
        console=CONSOLE,
        views=supervision.VIEWS,
    )
