"""Court route dependencies: roles and a fresh unit of work."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from liandong.api.auth import require_roles
from liandong.api.deps import uow_dependency
from liandong.security import Principal
from liandong_court.service_layer.unit_of_work import CourtUnitOfWork

ENFORCEMENT_OFFICER = "enforcement_officer"
CRIMINAL_JUDGE = "criminal_judge"
PUBLICITY_OFFICER = "publicity_officer"
ADMIN = "admin"
ALL_ROLES = (ENFORCEMENT_OFFICER, CRIMINAL_JUDGE, PUBLICITY_OFFICER, ADMIN)

Staff = Annotated[Principal, Depends(require_roles(*ALL_ROLES))]
Officer = Annotated[Principal, Depends(require_roles(ENFORCEMENT_OFFICER, ADMIN))]
Judge = Annotated[Principal, Depends(require_roles(CRIMINAL_JUDGE))]
Referrer = Annotated[Principal, Depends(require_roles(ENFORCEMENT_OFFICER, CRIMINAL_JUDGE, ADMIN))]


UowDep = Annotated[CourtUnitOfWork, Depends(uow_dependency(CourtUnitOfWork))]
