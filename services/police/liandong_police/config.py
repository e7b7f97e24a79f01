"""Police settings: environment variables prefixed POLICE_ (e.g. POLICE_DATABASE_URL)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from liandong.config import ServiceSettings


class PoliceSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="POLICE_", extra="ignore", frozen=True)

    database_url: str = "sqlite+aiosqlite:///./var/police.db"
