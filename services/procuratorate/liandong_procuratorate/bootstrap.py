"""Wires the procuratorate service: its tables, migrations, translator, event handlers, routes and accounts."""

from __future__ import annotations

from pathlib import Path

from liandong.accounts import DevAccount
from liandong.api.statistics import statistics_router
from liandong.runtime import ServiceSpec
from liandong_procuratorate.adapters import orm
from liandong_procuratorate.adapters.statistics import procuratorate_figures
from liandong_procuratorate.adapters.translators import translate
from liandong_procuratorate.entrypoints import consumers
from liandong_procuratorate.entrypoints.api import matters, prosecutions, reviews, supervision
from liandong_procuratorate.service_layer.handlers import ALL_ROLES, PROSECUTOR, SUPERVISOR
from liandong_procuratorate.service_layer.unit_of_work import ProcuratorateUnitOfWork

DEV_ACCOUNTS = (
    DevAccount("tongcheng.prosecutor", "通城县检察院检察官", PROSECUTOR, "421222"),
    DevAccount("tongshan.prosecutor", "通山县检察院检察官", PROSECUTOR, "421224"),
    DevAccount("tongshan.supervisor", "通山县检察院部门负责人", SUPERVISOR, "421224"),
    DevAccount("city.supervisor", "咸宁市检察院", SUPERVISOR, "421200"),
    DevAccount("jiayu.prosecutor", "嘉鱼县检察院检察官", PROSECUTOR, "421221"),
    DevAccount("jiayu.supervisor", "嘉鱼县检察院部门负责人", SUPERVISOR, "421221"),
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
        unit_of_work=ProcuratorateUnitOfWork,
    )
