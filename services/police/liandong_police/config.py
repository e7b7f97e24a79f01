"""Police settings: environment variables prefixed POLICE_ (e.g. POLICE_DATABASE_URL)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from liandong.config import DEVELOPMENT_CLIENT_SECRET, ServiceSettings


class PoliceSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="POLICE_", extra="ignore", frozen=True)

    database_url: str = "sqlite+aiosqlite:///./var/police.db"
    # the court's API, for evidence by claim check, and the police's service credentials there
    court_url: str = "http://127.0.0.1:8001"
    court_client_id: str = "police"
    court_client_secret: str = DEVELOPMENT_CLIENT_SECRET
    evidence_fetch_seconds: float = Field(default=2.0, gt=0)
    AGENCY: ClassVar[str] = "police"

    @model_validator(mode="after")
    def _no_default_client_secret_in_production(self) -> PoliceSettings:
        if self.environment == "production" and (
            self.court_client_secret == DEVELOPMENT_CLIENT_SECRET or len(self.court_client_secret) < 32
        ):
            raise ValueError("court_client_secret must be a private value of 32+ characters in production")
        return self
