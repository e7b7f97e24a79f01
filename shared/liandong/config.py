"""Settings every service shares; each service subclasses with its own env prefix (COURT_, POLICE_, ...)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar, Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEVELOPMENT_SECRET = "development-only-secret-change-me-0000000000"
DEVELOPMENT_CLIENT_SECRET = "development-only-client-secret-000000000000"
DEVELOPMENT_KAFKA_PASSWORD_PREFIX = "liandong-dev-kafka-"
DEVELOPMENT_PORTS = {"court": 8001, "police": 8002, "procuratorate": 8003}  # `make run`


def development_peers(agency: str) -> dict[str, str]:
    """The other agencies' APIs as `make run` serves them."""
    return {a: f"http://127.0.0.1:{port}" for a, port in DEVELOPMENT_PORTS.items() if a != agency}


def development_clients(agency: str) -> dict[str, str]:
    """The other agencies' services, each with the development secret (refused in production)."""
    return {a: DEVELOPMENT_CLIENT_SECRET for a in DEVELOPMENT_PORTS if a != agency}


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", frozen=True)
    AGENCY: ClassVar[str] = ""  # each service's settings name their agency

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = "sqlite+aiosqlite:///./var/service.db"
    database_pool_size: int = Field(default=10, ge=1)
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    # the service's own principal on the broker (SASL); its ACLs come from the topic catalogue (docs/security.md)
    kafka_security_protocol: Literal["PLAINTEXT", "SASL_PLAINTEXT", "SASL_SSL"] = "SASL_PLAINTEXT"
    kafka_sasl_mechanism: Literal["SCRAM-SHA-512", "SCRAM-SHA-256"] = "SCRAM-SHA-512"
    kafka_username: str = Field(default="", max_length=200)  # empty: the agency's name (court, police, …)
    kafka_password: str = ""  # empty: the development password (refused in production)
    kafka_ssl_cafile: str = ""  # SASL_SSL: the CA bundle the broker's certificate is checked against
    kafka_client_id_suffix: str = ""
    # static group membership: a name of its own for each replica, stable across its restarts; empty: dynamic
    kafka_group_instance_id: str = Field(default="", max_length=200)
    secret_key: str = DEVELOPMENT_SECRET
    # staff tokens are short-lived: staff log in again after this many minutes
    access_token_minutes: int = Field(default=30, ge=1, le=24 * 60)
    # failed logins in a window, per username and per client address, before a lockout (POST /auth/token → 429)
    login_max_failures_per_user: int = Field(default=5, ge=1)
    login_max_failures_per_address: int = Field(default=30, ge=1)  # an office may share one address
    login_failure_window_seconds: int = Field(default=900, ge=1)
    login_lockout_seconds: int = Field(default=900, ge=1)
    # logins checked or waiting at the password-hashing pool (4 threads) at once; more are refused (429 login_busy)
    login_hashing_queue: int = Field(default=8, ge=1, le=1000)
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    # reverse proxies (addresses or networks, e.g. the ingress controller's pods) whose X-Forwarded-For and
    # X-Forwarded-Proto are believed; empty: none — every client is the address it connects from
    trusted_proxies: list[str] = Field(default_factory=list)
    # other agencies' services allowed to call this one (client id -> secret), e.g. the police fetching evidence
    service_clients: dict[str, str] = Field(default_factory=dict)
    # the other agencies' APIs (agency -> base URL), where this service fetches the documents they announce to it;
    # it presents itself there as the client named after its agency, with this secret
    peer_urls: dict[str, str] = Field(default_factory=dict)
    peer_client_secret: str = DEVELOPMENT_CLIENT_SECRET
    document_fetch_seconds: float = Field(default=2.0, gt=0)

    # the answers of the busiest reads kept ready, served again while their records are unchanged (liandong.api.kept)
    kept_answers_mib: int = Field(default=64, ge=0, le=4096)

    relay_batch_size: int = Field(default=1000, ge=1)
    relay_idle_seconds: float = Field(default=0.5, gt=0)
    relay_send_timeout_seconds: float = Field(default=15.0, gt=0)
    relay_backoff_max_seconds: float = Field(default=30.0, gt=0)

    consumer_stall_seconds: float = Field(default=45.0, gt=0)
    consumer_max_handler_attempts: int = Field(default=5, ge=1)
    # restart a consumer left without partitions for consumer_stall_seconds; turn off when replicas of the service
    # outnumber the partitions of its topics (then some members are idle by design)
    consumer_restart_when_unassigned: bool = True

    # how often the unhandled dead letters are counted (the broker's offsets against the actions recorded)
    dead_letter_watch_seconds: float = Field(default=60.0, gt=0)
    # a database that does not answer at start-up: the service stays up, unready, and tries again after this long,
    # doubling up to the maximum (one log line per attempt)
    startup_retry_seconds: float = Field(default=1.0, gt=0)
    startup_retry_max_seconds: float = Field(default=30.0, gt=0)
    sla_tick_seconds: float = Field(default=5.0, gt=0)
    sla_late_after_seconds: float = Field(default=120.0, gt=0)
    sla_batch_size: int = Field(default=500, ge=1)
    # configurable windows (local agreements only), e.g. {"police_investigation": 10}
    sla_window_overrides: dict[str, int] = Field(default_factory=dict)
    # the legal calendar: holidays and 调休 working days ops add to (or override in) the statutory calendar
    calendar_extra_holidays: list[date] = Field(default_factory=list)
    calendar_extra_workdays: list[date] = Field(default_factory=list)

    # development and test only, refused in production: the movable clock starts at testing_clock_start (an ISO
    # instant, past or future; default: the system's time) plus testing_clock_offset_seconds (a harness restarting a
    # service whose clock it had moved starts it where it was)
    testing_clock_start: datetime | None = None
    testing_clock_offset_seconds: float = Field(default=0.0, ge=-10 * 365 * 86400, le=10 * 365 * 86400)
    # the clock control (GET/POST /testing/clock, for administrators only) exists only when asked for: the demo, the
    # end-to-end tests and chaos set it; a development stack started any other way has no door to move its time
    testing_clock_control: bool = False

    # traces across agencies (liandong.tracing): off unless asked for; spans go to an OTLP/HTTP collector
    tracing_enabled: bool = False
    tracing_otlp_endpoint: str = "http://127.0.0.1:4318/v1/traces"
    tracing_export_timeout_seconds: float = Field(default=5.0, gt=0, le=60)

    # exposure: /docs and /openapi.json are off in production unless turned on; in production /metrics and /healthz's
    # details answer only the operations token (Prometheus and ops send it as a bearer token; the probes /livez and
    # /readyz stay open and say nothing internal); SQLite in production only for an intended single-node deployment
    api_docs: bool | None = None
    ops_token: str = ""
    single_node: bool = False

    topic_partitions: int = Field(default=6, ge=1)
    topic_replication_factor: int = Field(default=1, ge=1)

    @model_validator(mode="after")
    def _real_time_in_production(self) -> ServiceSettings:
        if self.environment == "production" and self.testing_clock_offset_seconds:
            raise ValueError("testing_clock_offset_seconds is for development and tests, never production")
        if self.environment == "production" and self.testing_clock_start is not None:
            raise ValueError("testing_clock_start is for development and tests, never production")
        if self.environment == "production" and self.testing_clock_control:
            raise ValueError("testing_clock_control is for development and tests, never production")
        if self.testing_clock_start is not None and self.testing_clock_start.tzinfo is None:
            raise ValueError("testing_clock_start must be an instant with its offset, e.g. 2026-09-30T17:00:00+08:00")
        return self

    @model_validator(mode="before")
    @classmethod
    def _development_peers(cls, values: Any) -> Any:
        """Outside production, the other agencies as `make run` serves them, unless set: each service fetches their
        documents and admits their services with the development secret. Production names its peers itself."""
        if isinstance(values, dict) and cls.AGENCY and values.get("environment", "development") != "production":
            values = {
                "peer_urls": development_peers(cls.AGENCY),
                "service_clients": development_clients(cls.AGENCY),
                **values,
            }
        return values

    @model_validator(mode="after")
    def _no_default_secret_outside_development(self) -> ServiceSettings:
        if self.environment == "production" and (self.secret_key == DEVELOPMENT_SECRET or len(self.secret_key) < 32):
            raise ValueError("secret_key must be set to a private value of 32+ characters in production")
        if self.environment == "production" and any(
            secret == DEVELOPMENT_CLIENT_SECRET or len(secret) < 32 for secret in self.service_clients.values()
        ):
            raise ValueError("service client secrets must be private values of 32+ characters in production")
        if (
            self.environment == "production"
            and self.peer_urls
            and (self.peer_client_secret == DEVELOPMENT_CLIENT_SECRET or len(self.peer_client_secret) < 32)
        ):
            raise ValueError("peer_client_secret must be a private value of 32+ characters in production")
        return self

    @model_validator(mode="after")
    def _production_exposure(self) -> ServiceSettings:
        if self.environment == "production" and self.database_url.startswith("sqlite") and not self.single_node:
            raise ValueError(
                "SQLite in production serves one process on one disk: set single_node=true if that is intended"
            )
        if self.ops_token and len(self.ops_token) < 32:
            raise ValueError("ops_token must be a private value of 32+ characters")
        return self

    @property
    def docs_enabled(self) -> bool:
        return self.api_docs if self.api_docs is not None else self.environment != "production"

    @model_validator(mode="after")
    def _authenticated_broker_in_production(self) -> ServiceSettings:
        if self.environment == "production" and self.kafka_security_protocol == "PLAINTEXT":
            raise ValueError("kafka_security_protocol PLAINTEXT lets anyone who reaches the broker write events")
        if self.environment == "production" and (
            not self.kafka_password or self.kafka_password.startswith(DEVELOPMENT_KAFKA_PASSWORD_PREFIX)
        ):
            raise ValueError("kafka_password must be set to the service's private broker password in production")
        return self

    @property
    def is_development(self) -> bool:
        """Development and test environments: development accounts are seeded, never in production."""
        return self.environment != "production"
