"""Court settings: environment variables prefixed COURT_ (e.g. COURT_DATABASE_URL)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from liandong.config import ServiceSettings


class CourtSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="COURT_", extra="ignore", frozen=True)

    database_url: str = "sqlite+aiosqlite:///./var/court.db"
