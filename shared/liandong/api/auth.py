"""Staff authentication over HTTP: OAuth2 password flow → signed bearer token; role and unit dependencies."""

from __future__ import annotations

import asyncio
import hmac
import logging
import secrets
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.security import OAuth2PasswordBearer, OAuth2PasswordRequestForm
from prometheus_client import Counter
from pydantic import BaseModel
from sqlalchemy import select

from liandong import audit
from liandong.api.errors import ApiError
from liandong.api.throttle import LoginThrottle, Rules, address_key, user_key
from liandong.security import (
    SERVICE_SCOPES,
    InvalidToken,
    Principal,
    hash_password,
    issue_token,
    read_token,
    verify_password,
)
from liandong.units import CITY_CODE

# Password hashing (scrypt, ~50 ms of CPU and 16 MiB each) runs in its own small thread pool: never on the event
# loop, which the relay, the consumers and the tracker share with the API, and never more than a few at once.
_HASHING = ThreadPoolExecutor(max_workers=4, thread_name_prefix="password-hashing")
_DUMMY: list[str] = []
_LOGINS_HASHING = [0]  # logins holding a place at the pool (running or queued); the event loop's thread only


@contextmanager
def hashing_place(limit: int) -> Iterator[None]:
    """A place for one login at the hashing pool, or 429 when `limit` logins already hold one: a storm of distinct
    usernames is refused before it queues work that would starve staff requests of CPU."""
    if _LOGINS_HASHING[0] >= limit:
        raise ApiError(
            429,
            "login_busy",
            "too many logins are being checked at once; try again shortly",
            headers={"Retry-After": "1"},
        )
    _LOGINS_HASHING[0] += 1
    try:
        yield
    finally:
        _LOGINS_HASHING[0] -= 1


async def checking_password(password: str, stored: str) -> bool:
    return await asyncio.get_running_loop().run_in_executor(_HASHING, verify_password, password, stored)


async def _dummy_hash() -> str:
    if not _DUMMY:
        _DUMMY.append(await asyncio.get_running_loop().run_in_executor(_HASHING, hash_password, secrets.token_hex(16)))
    return _DUMMY[0]


LOGIN_REFUSED = Counter(
    "liandong_logins_refused_total",
    "Logins refused: wrong password, unknown user, disabled, locked out",
    ["agency", "reason"],
)
for _agency in ("court", "police", "procuratorate"):  # every series present from the start: alerts see the first one
    for _reason in ("wrong_password", "unknown_user", "disabled", "locked_out"):
        LOGIN_REFUSED.labels(_agency, _reason)
log = logging.getLogger(__name__)


def refused_login(agency: str, reason: str, username: str, *, known: bool | None) -> None:
    """A refused login, counted and logged — never the password; a username that is no account is masked (it may be
    a password typed in the wrong field)."""
    LOGIN_REFUSED.labels(agency, reason).inc()
    shown = username[:64] if known else mask_name(username)
    log.warning("login refused (%s) for %s", reason, shown, extra={"fields": {"login": shown, "reason": reason}})


def mask_name(username: str) -> str:
    return f"{username[:2]}***({len(username)} characters)" if username else "(empty)"


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


def bearer_token(headers: Iterable[tuple[bytes, bytes]]) -> str | None:
    """The request's bearer token; a request with more than one Authorization header is refused (400)."""
    values = [v for k, v in headers if k.lower() == b"authorization"]
    if len(values) > 1:
        raise ApiError(400, "ambiguous_authorization", "send one Authorization header, not several")
    if not values:
        return None
    scheme, _, token = values[0].decode("latin-1").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "invalid_token", "the Authorization header is not a bearer token", headers=UNAUTHORIZED)
    return token.strip()


def verify(token: str, secret: str, agency: str, now: datetime) -> Principal:
    """The principal of a token signed by this service for this service and not expired, or 401."""
    try:
        return read_token(token, secret=secret, agency=agency, now=now)
    except InvalidToken as exc:
        raise ApiError(
            401, "invalid_token", f"the bearer token is not valid here: {exc}", headers=UNAUTHORIZED
        ) from exc


async def any_caller(request: Request, _: Annotated[str | None, Depends(oauth2_scheme)]) -> Principal:
    """Whoever holds a valid token here: staff, or another agency's service (whose scopes the route then checks)."""
    token = bearer_token(request.headers.raw)
    if token is None:
        raise ApiError(401, "unauthorized", "a bearer token is required", headers=UNAUTHORIZED)
    secret, agency = _auth_settings(request)
    principal = verify(token, secret, agency, request.app.state.runtime.clock.now())
    audit.current_act.set(acting(request, principal))
    request.state.user = principal.username  # the access log's `user`
    return principal


async def current_principal(principal: Annotated[Principal, Depends(any_caller)]) -> Principal:
    """A member of staff. Service tokens are refused here — by default, on every route that does not ask for one of
    their scopes (`staff_or_service`)."""
    if principal.kind == "service":
        raise ApiError(403, "service_not_allowed", "a service token calls only what its client needs, not this")
    return principal


def staff_or_service(scope: str) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency that admits staff, and the services whose tokens carry `scope`."""

    async def check(principal: Annotated[Principal, Depends(any_caller)]) -> Principal:
        if principal.kind == "service" and scope not in principal.scopes:
            raise ApiError(403, "service_not_allowed", f"this needs the scope {scope!r}, which the token lacks")
        return principal

    return check


def acting(request: Request, principal: Principal) -> audit.Act:
    """The act a request is, for the audit trail: who, by which route, on what (the ids its URL names)."""
    route = getattr(request.scope.get("route"), "path", request.url.path)
    subjects = tuple((name.removesuffix("_id"), str(value)) for name, value in request.path_params.items())
    return audit.Act(
        actor=principal.username if principal.kind == "staff" else f"service:{principal.username}",
        role=principal.role,
        unit=principal.unit,
        action=f"{request.method} {route}",
        request_id=getattr(request.state, "request_id", None),
        subjects=subjects,
    )


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require_roles(*roles: str) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency that admits staff holding one of `roles`."""

    async def check(principal: CurrentPrincipal) -> Principal:
        if principal.kind != "staff" or principal.role not in roles:
            raise ApiError(403, "forbidden", f"this action needs one of the roles {sorted(roles)}")
        return principal

    setattr(check, "roles_of", lambda _spec: roles)  # noqa: B010 — read by the console: who may take the act
    return check


def spec_roles(roles_of: Callable[[Any], Sequence[str]], refusal: str) -> Callable[..., Awaitable[Principal]]:
    """A dependency that admits staff holding one of the roles the service's spec names for it (`roles_of(spec)`);
    others get 403 with `refusal` followed by those roles."""

    async def check(request: Request, principal: CurrentPrincipal) -> Principal:
        roles = roles_of(request.app.state.runtime.spec)
        if principal.kind != "staff" or principal.role not in roles:
            raise ApiError(403, "forbidden", f"{refusal} {sorted(roles)}")
        return principal

    setattr(check, "roles_of", roles_of)  # noqa: B010 — read by the console: who may take the act
    return check


# the service's administrators (its spec's ops_roles): the operations desk and, where mounted, the clock
Admin = Annotated[Principal, Depends(spec_roles(lambda spec: spec.ops_roles, "operations need one of the roles"))]


def idempotency_scope(headers: Iterable[tuple[bytes, bytes]], secret: str, agency: str, now: datetime) -> str | None:
    """Whose Idempotency-Keys a request may use: the verified principal (signature, audience, expiry), or None when
    the request carries no token (it records nothing and gets nothing replayed). An invalid token is a 401 before any
    key is looked up, so a forged token neither gets a stored response nor spoils the rightful caller's key."""
    token = bearer_token(headers)
    if token is None:
        return None
    principal = verify(token, secret, agency, now)
    return f"{principal.kind}:{principal.username}"


def token_principal(
    headers: Iterable[tuple[bytes, bytes]], secret: str, agency: str, now: datetime
) -> Principal | None:
    """The verified principal of a request's token, or None (no token, or one the route itself will refuse)."""
    try:
        token = bearer_token(headers)
        return None if token is None else verify(token, secret, agency, now)
    except ApiError:
        return None


def auth_router() -> APIRouter:
    router = APIRouter(prefix="/auth", tags=["auth"])

    @router.post("/token", response_model=TokenOut)
    async def login(request: Request, form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> TokenOut:
        runtime = request.app.state.runtime
        users = runtime.tables.users
        now = runtime.clock.now()
        throttle = LoginThrottle(runtime.session_factory, runtime.tables.login_throttle, Rules.of(runtime.settings))
        keys = [user_key(form.username), address_key(request.client.host if request.client else "unknown")]
        with hashing_place(runtime.settings.login_hashing_queue):  # before the attempt counts: a refusal is not one
            # locked out, or the attempt over the limit: refused before any password is checked (the attempt is
            # counted first, atomically), alike for known and unknown usernames
            retry = await throttle.retry_after(keys, now) or await throttle.attempt(keys, now)
            if retry is not None:
                refused_login(runtime.agency, "locked_out", form.username, known=None)
                raise ApiError(
                    429,
                    "too_many_attempts",
                    "too many failed logins; try again later or ask the administrator to lift the lockout",
                    headers={"Retry-After": str(retry)},
                )
            async with runtime.session_factory() as session:
                row = (await session.execute(select(users).where(users.c.username == form.username))).first()
            # an unknown username costs the same hashing as a known one, so timing does not tell them apart
            stored = row.password_hash if row is not None else await _dummy_hash()
            matches = await checking_password(form.password, stored)
        if row is None or not row.active or not matches:  # counted already
            reason = "unknown_user" if row is None else "disabled" if not row.active else "wrong_password"
            refused_login(runtime.agency, reason, form.username, known=row is not None)
            raise ApiError(401, "invalid_credentials", "wrong username or password", headers=UNAUTHORIZED)
        await throttle.succeeded(keys)
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
            username=client_id,
            agency=runtime.agency,
            role=f"service:{client_id}",
            unit=CITY_CODE,
            kind="service",
            scopes=SERVICE_SCOPES.get(client_id, frozenset()),
        )
        token = issue_token(principal, secret=runtime.settings.secret_key, now=runtime.clock.now(), ttl=ttl)
        return TokenOut(access_token=token, expires_in=int(ttl.total_seconds()), role=principal.role, unit=CITY_CODE)

    @router.get("/me", response_model=PrincipalOut)
    async def me(principal: CurrentPrincipal) -> PrincipalOut:
        return PrincipalOut(**principal.__dict__)

    return router
