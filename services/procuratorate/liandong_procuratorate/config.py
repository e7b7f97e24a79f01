"""Procuratorate settings: environment variables prefixed PROCURATORATE_."""

from __future__ import annotations

from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from liandong.config import ServiceSettings


class ProcuratorateSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PROCURATORATE_", extra="ignore", frozen=True)

    database_url: str = "sqlite+aiosqlite:///./var/procuratorate.db"
    AGENCY: ClassVar[str] = "procuratorate"
