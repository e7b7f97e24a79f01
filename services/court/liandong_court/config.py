"""Court settings: environment variables prefixed COURT_ (e.g. COURT_DATABASE_URL)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from liandong.config import ServiceSettings


class CourtSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="COURT_", extra="ignore", frozen=True)

    database_url: str = "sqlite+aiosqlite:///./var/court.db"
    evidence_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    # the other agencies' services that may call the court (client id -> secret): the police fetch evidence
    AGENCY: ClassVar[str] = "court"
