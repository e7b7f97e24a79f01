"""Wires the police service: its tables, migrations, translator, event handlers, routes and accounts."""

from __future__ import annotations

from pathlib import Path

from liandong.api.auth import DevAccount
from liandong.runtime import ServiceSpec
from liandong_police.adapters import orm
from liandong_police.adapters.translators import translate
from liandong_police.entrypoints import consumers
from liandong_police.entrypoints.api import referrals
from liandong_police.entrypoints.api.deps import INVESTIGATOR, SUPERVISOR
from liandong_police.service_layer.unit_of_work import PoliceUnitOfWork

DEV_ACCOUNTS = (
    DevAccount("tongcheng.investigator", "通城县公安局侦查员", INVESTIGATOR, "421222"),
    DevAccount("tongcheng.supervisor", "通城县公安局法制大队", SUPERVISOR, "421222"),
    DevAccount("tongshan.investigator", "通山县公安局侦查员", INVESTIGATOR, "421224"),
    DevAccount("city.supervisor", "咸宁市公安局", SUPERVISOR, "421200"),
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
        subscriptions=consumers.SUBSCRIPTIONS,
        routers=(referrals.router,),
        dev_accounts=DEV_ACCOUNTS,
        deadline_roles=(SUPERVISOR,),
        unit_of_work=PoliceUnitOfWork,
    )
