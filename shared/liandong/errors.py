"""Domain errors, free of any web framework: the API layer maps them to HTTP statuses and the JSON error model."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A request that breaks a rule of the domain (HTTP 422 unless a subclass says otherwise)."""

    code = "rule_violation"

    def __init__(self, message: str, *, code: str | None = None, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details = details


class NotFound(DomainError):
    code = "not_found"


class Conflict(DomainError):
    """The thing exists but its state does not allow this now (e.g. already decided)."""

    code = "conflict"


class Forbidden(DomainError):
    code = "forbidden"
