"""Police route dependencies: roles and a fresh unit of work."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from liandong.api.auth import require_roles
from liandong.api.deps import uow_dependency
from liandong.security import Principal
from liandong_police.service_layer.roles import ALL_ROLES, BUREAU_HEAD, INVESTIGATOR, SUPERVISOR
from liandong_police.service_layer.unit_of_work import PoliceUnitOfWork

Staff = Annotated[Principal, Depends(require_roles(*ALL_ROLES))]
Investigator = Annotated[Principal, Depends(require_roles(INVESTIGATOR, SUPERVISOR))]
Supervisor = Annotated[Principal, Depends(require_roles(SUPERVISOR))]
BureauHead = Annotated[Principal, Depends(require_roles(BUREAU_HEAD))]
# who may answer for the bureau's decisions (the head approved the decline being explained)
Answerer = Annotated[Principal, Depends(require_roles(INVESTIGATOR, SUPERVISOR, BUREAU_HEAD))]


UowDep = Annotated[PoliceUnitOfWork, Depends(uow_dependency(PoliceUnitOfWork))]
