"""The console's session: the API's own bearer token, kept in a cookie (HttpOnly, SameSite=Strict, Secure in
production) that ends with the token; and a CSRF token on every form, derived from the session by the service's key
(before login, a random one in a cookie of its own: double submit)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from fastapi import Request, Response

from liandong.api.auth import verify
from liandong.api.errors import ApiError
from liandong.security import Principal

SESSION_COOKIE = "liandong_console"
LOGIN_COOKIE = "liandong_console_login"
CSRF_FIELD = "_csrf"
PATH = "/console"


@dataclass(frozen=True)
class Session:
    token: str
    principal: Principal
    csrf: str


def _runtime(request: Request) -> object:
    return request.app.state.runtime


def csrf_of(secret: str, token: str) -> str:
    return hmac.new(secret.encode(), f"console-csrf:{token}".encode(), hashlib.sha256).hexdigest()[:40]


def session_of(request: Request) -> Session | None:
    """The session the request's cookie holds, if its token is valid here now."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    runtime = request.app.state.runtime
    try:
        principal = verify(token, runtime.settings.secret_key, runtime.agency, runtime.clock.now())
    except ApiError:
        return None
    if principal.kind != "staff":
        return None
    return Session(token, principal, csrf_of(runtime.settings.secret_key, token))


def csrf_matches(expected: str, submitted: object) -> bool:
    return isinstance(submitted, str) and bool(submitted) and hmac.compare_digest(expected, submitted)


def _secure(request: Request) -> bool:
    return bool(request.app.state.runtime.settings.environment == "production")


def open_session(request: Request, response: Response, token: str, seconds: int) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=seconds,
        path=PATH,
        httponly=True,
        samesite="strict",
        secure=_secure(request),
    )
    response.delete_cookie(LOGIN_COOKIE, path=PATH)


def close_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path=PATH)


def login_csrf(request: Request) -> str:
    """The CSRF token of the login form: the one the browser holds already, or a new one."""
    held = request.cookies.get(LOGIN_COOKIE)
    return held if held and len(held) == 40 else secrets.token_hex(20)


def keep_login_csrf(request: Request, response: Response, value: str) -> None:
    response.set_cookie(
        LOGIN_COOKIE, value, max_age=3600, path=PATH, httponly=True, samesite="strict", secure=_secure(request)
    )
