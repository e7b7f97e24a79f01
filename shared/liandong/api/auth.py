"""Staff authentication over HTTP: OAuth2 password flow → signed bearer token; role and unit dependencies."""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.security import OAuth2PasswordBearer, OAuth2PasswordRequestForm
from pydantic import BaseModel
from sqlalchemy import select

from liandong.api.errors import ApiError
from liandong.security import (
    InvalidToken,
    Principal,
    issue_token,
    read_token,
    unverified_subject,
    verify_password,
)
from liandong.units import CITY_CODE

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/auth/token", auto_error=False)

UNAUTHORIZED = {"WWW-Authenticate": "Bearer"}


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int
    role: str
    unit: str


class PrincipalOut(BaseModel):
    username: str
    agency: str
    role: str
    unit: str
    kind: str


def _auth_settings(request: Request) -> tuple[str, str]:
    runtime = request.app.state.runtime
    return runtime.settings.secret_key, runtime.agency


async def current_principal(request: Request, token: Annotated[str | None, Depends(oauth2_scheme)]) -> Principal:
    if token is None:
        raise ApiError(401, "unauthorized", "a bearer token is required", headers=UNAUTHORIZED)
    secret, agency = _auth_settings(request)
    try:
        return read_token(token, secret=secret, agency=agency)
    except InvalidToken as exc:
        raise ApiError(
            401, "invalid_token", f"the bearer token is not valid here: {exc}", headers=UNAUTHORIZED
        ) from exc


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require_roles(*roles: str) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency that admits staff holding one of `roles`."""

    async def check(principal: CurrentPrincipal) -> Principal:
        if principal.kind != "staff" or principal.role not in roles:
            raise ApiError(403, "forbidden", f"this action needs one of the roles {sorted(roles)}")
        return principal

    return check


def require_service(client_id: str) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency that admits the named agency's service (client credentials), and nobody else."""

    async def check(principal: CurrentPrincipal) -> Principal:
        if principal.kind != "service" or principal.username != client_id:
            raise ApiError(403, "forbidden", f"this endpoint serves the {client_id} service")
        return principal

    return check


def idempotency_scope(headers: dict[bytes, bytes]) -> str:
    auth = headers.get(b"authorization", b"").decode("latin-1")
    token = auth[7:] if auth.lower().startswith("bearer ") else ""
    return unverified_subject(token) or "anonymous"


def auth_router() -> APIRouter:
    router = APIRouter(prefix="/auth", tags=["auth"])

    @router.post("/token", response_model=TokenOut)
    async def login(request: Request, form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> TokenOut:
        runtime = request.app.state.runtime
        users = runtime.tables.users
        async with runtime.session_factory() as session:
            row = (await session.execute(select(users).where(users.c.username == form.username))).first()
        if row is None or not row.active or not verify_password(form.password, row.password_hash):
            raise ApiError(401, "invalid_credentials", "wrong username or password", headers=UNAUTHORIZED)
        ttl = timedelta(minutes=runtime.settings.access_token_minutes)
        principal = Principal(username=row.username, agency=runtime.agency, role=row.role, unit=row.unit)
        token = issue_token(principal, secret=runtime.settings.secret_key, now=runtime.clock.now(), ttl=ttl)
        return TokenOut(access_token=token, expires_in=int(ttl.total_seconds()), role=row.role, unit=row.unit)

    @router.post("/service-token", response_model=TokenOut)
    async def service_token(
        request: Request,
        client_id: Annotated[str, Form(max_length=64)],
        client_secret: Annotated[str, Form(max_length=256)],
    ) -> TokenOut:
        """OAuth2 client credentials for another agency's service (e.g. the police fetching evidence)."""
        runtime = request.app.state.runtime
        expected = runtime.settings.service_clients.get(client_id)
        if expected is None or not hmac.compare_digest(expected.encode(), client_secret.encode()):
            raise ApiError(401, "invalid_client", "unknown service client or wrong secret", headers=UNAUTHORIZED)
        ttl = timedelta(minutes=15)
        principal = Principal(
            username=client_id, agency=runtime.agency, role=f"service:{client_id}", unit=CITY_CODE, kind="service"
        )
        token = issue_token(principal, secret=runtime.settings.secret_key, now=runtime.clock.now(), ttl=ttl)
        return TokenOut(access_token=token, expires_in=int(ttl.total_seconds()), role=principal.role, unit=CITY_CODE)

    @router.get("/me", response_model=PrincipalOut)
    async def me(principal: CurrentPrincipal) -> PrincipalOut:
        return PrincipalOut(**principal.__dict__)

    return router
