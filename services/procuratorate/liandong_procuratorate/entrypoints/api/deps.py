"""Procuratorate route dependencies: roles and a fresh unit of work."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from liandong.api.auth import require_roles
from liandong.api.deps import uow_dependency
from liandong.security import Principal
from liandong_procuratorate.service_layer.handlers import ALL_ROLES, CHIEF_PROSECUTOR, PROSECUTOR, SUPERVISOR
from liandong_procuratorate.service_layer.unit_of_work import ProcuratorateUnitOfWork

Staff = Annotated[Principal, Depends(require_roles(*ALL_ROLES))]
Prosecutor = Annotated[Principal, Depends(require_roles(PROSECUTOR))]
Supervisor = Annotated[Principal, Depends(require_roles(SUPERVISOR))]
ChiefProsecutor = Annotated[Principal, Depends(require_roles(CHIEF_PROSECUTOR))]


UowDep = Annotated[ProcuratorateUnitOfWork, Depends(uow_dependency(ProcuratorateUnitOfWork))]
