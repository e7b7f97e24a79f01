"""Passwords and bearer tokens, free of the web framework.

Passwords: scrypt (standard library) with a random salt. Tokens: HS256-signed JWTs naming the agency (audience),
the user, role and unit; service tokens (`kind=service`) are for agency-to-agency calls such as the evidence claim
check, and carry no staff role.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

import jwt

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
CLOCK_LEEWAY_SECONDS = 60  # machines' clocks differ a little


def hash_password(password: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    return (
        f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"
    )


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt_b64, digest_b64 = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    digest = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt_b64), n=int(n), r=int(r), p=int(p), dklen=32)
    return hmac.compare_digest(digest, base64.b64decode(digest_b64))


@dataclass(frozen=True)
class Principal:
    """Who is calling: a member of staff (role and unit) or another agency's service."""

    username: str
    agency: str
    role: str
    unit: str
    kind: Literal["staff", "service"] = "staff"
    scopes: frozenset[str] = frozenset()  # a service's: exactly what its client may call (SERVICE_SCOPES)


# What each other agency's service may call here, by client id: the police fetch referred evidence (claim check).
# A service token carries its client's scopes and is refused by every route that does not ask for one of them.
SERVICE_SCOPES: dict[str, frozenset[str]] = {
    "court": frozenset({"documents:read"}),
    "police": frozenset({"evidence:read", "documents:read"}),
    "procuratorate": frozenset({"documents:read"}),
}


class InvalidToken(Exception):
    pass


def issue_token(principal: Principal, *, secret: str, now: datetime, ttl: timedelta) -> str:
    claims = {
        "sub": principal.username,
        "aud": principal.agency,
        "role": principal.role,
        "unit": principal.unit,
        "kind": principal.kind,
        **({"scope": " ".join(sorted(principal.scopes))} if principal.scopes else {}),
        "iat": int(now.timestamp()),
        "exp": int((now + ttl).timestamp()),
    }
    return jwt.encode(claims, secret, algorithm="HS256")


@functools.lru_cache(maxsize=4096)
def _signed_claims(token: str, secret: str, agency: str) -> tuple[tuple[str, Any], ...]:
    """The claims of a token whose signature and audience hold: what a token says never changes, so a member of
    staff's requests check its signature once (the cache keeps only tokens that passed; expiry is checked on every
    use, against the caller's clock)."""
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            secret,
            algorithms=["HS256"],
            audience=agency,
            options={"require": ["exp", "iat", "sub", "aud"], "verify_exp": False, "verify_iat": False},
        )
    except jwt.PyJWTError as exc:
        raise InvalidToken(str(exc)) from exc
    return tuple(claims.items())


def read_token(token: str, *, secret: str, agency: str, now: datetime) -> Principal:
    """The principal of a token this agency signed, checked against `now` — the service's own clock, so a service
    whose clock is injected (tests) judges expiry by the time it lives in, not the machine's."""
    claims = dict(_signed_claims(token, secret, agency))
    instant = now.timestamp()
    if float(claims["exp"]) <= instant:
        raise InvalidToken("the token has expired")
    if float(claims["iat"]) > instant + CLOCK_LEEWAY_SECONDS:
        raise InvalidToken("the token was issued in the future")
    return Principal(
        username=str(claims["sub"]),
        agency=agency,
        role=str(claims.get("role", "")),
        unit=str(claims.get("unit", "")),
        kind="service" if claims.get("kind") == "service" else "staff",
        scopes=frozenset(str(claims.get("scope", "")).split()),
    )
