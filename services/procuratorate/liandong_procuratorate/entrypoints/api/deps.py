"""Procuratorate route dependencies: roles and a fresh unit of work."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from liandong.api.auth import require_roles
from liandong.api.deps import unit_of_work_of
from liandong.security import Principal
from liandong_procuratorate.service_layer.unit_of_work import ProcuratorateUnitOfWork

PROSECUTOR = "prosecutor"
SUPERVISOR = "supervisor"
ALL_ROLES = (PROSECUTOR, SUPERVISOR)

Staff = Annotated[Principal, Depends(require_roles(*ALL_ROLES))]


UowDep = Annotated[ProcuratorateUnitOfWork, Depends(unit_of_work_of(ProcuratorateUnitOfWork))]
