"""/evidence/{sha256}: evidence content by digest, for the court's staff and for the police (claim check)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path
from fastapi.responses import Response

from liandong.api.auth import staff_or_service
from liandong.errors import Forbidden, NotFound
from liandong.security import Principal
from liandong.units import can_see
from liandong_court.entrypoints.api.deps import ALL_ROLES, UowDep

router = APIRouter(prefix="/evidence", tags=["evidence"])
EvidenceReader = Annotated[Principal, Depends(staff_or_service("evidence:read"))]


@router.get("/{sha256}", response_class=Response)
async def content(
    sha256: Annotated[str, Path(pattern=r"^[0-9a-f]{64}$")], principal: EvidenceReader, uow: UowDep
) -> Response:
    """The file whose SHA-256 digest is given. Staff see files of their units' leads; the police service sees files
    of referred leads in the referral's county."""
    async with uow:
        citing = await uow.evidence.citing(sha256)
        if not citing:
            raise NotFound(f"no evidence with digest {sha256}")
        if principal.kind == "service":  # the police's claim check (scope evidence:read)
            if not await uow.evidence.referred_units(sha256):
                raise Forbidden("this evidence has not been referred to you")
        elif principal.role not in ALL_ROLES or not any(can_see(principal.unit, c.unit) for c in citing):
            raise Forbidden("this evidence belongs to another unit")
        data = await uow.evidence.content(sha256)
        if data is None:
            raise NotFound(f"the content of {sha256} is missing")
        return Response(
            content=data,
            media_type=citing[0].content_type,
            headers={"Content-Disposition": f"attachment; filename*=UTF-8''{sha256}", "X-Content-SHA256": sha256},
        )
