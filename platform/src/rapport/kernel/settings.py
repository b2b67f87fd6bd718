"""One typed settings object, read from the environment (prefix ``RAPPORT_``) at startup."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Literal

from pydantic import Field, PostgresDsn, RedisDsn, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Environment", "Settings", "SettingsError", "load_settings"]


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class Settings(BaseSettings):
    """Every setting of a Rapport process. See the configuration table in README.md."""

    model_config = SettingsConfigDict(env_prefix="RAPPORT_", frozen=True, extra="ignore")

    env: Environment = Environment.PRODUCTION
    database_url: PostgresDsn
    redis_url: RedisDsn
    secret_key: SecretStr = Field(min_length=32)
    smtp_url: str | None = None
    """``smtp://user:pass@host:587``, ``smtp+starttls://…`` or ``smtps://…``; unset in development: files."""
    mail_from: str = "Rapport <no-reply@rapport.localhost>"
    encryption_keys: list[SecretStr] = Field(default_factory=list)
    """Fernet keys for secrets at rest, newest first (JSON list); default: one derived from the secret key."""
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    base_domain: str = "localhost"
    log_level: str = "INFO"
    log_json: bool | None = None
    db_pool_min: int = Field(default=2, ge=1)
    db_pool_max: int = Field(default=20, ge=1)
    db_connection_max_queries: int = Field(default=20_000, ge=100)
    """Queries before a pooled connection is replaced (caps PostgreSQL's per-connection catalog cache)."""
    worker_processes: int = Field(default=1, ge=1)
    worker_threads: int = Field(default=4, ge=1)
    job_max_retries: int = Field(default=20, ge=0)
    job_min_backoff_ms: int = Field(default=15_000, ge=1)
    """First retry delay of a failed job; it doubles up to ``job_max_backoff_ms``."""
    job_max_backoff_ms: int = Field(default=86_400_000, ge=1)
    job_heartbeat_timeout_ms: int = Field(default=60_000, ge=1000)
    """A worker silent this long is presumed dead and its unacknowledged jobs go back to the queue."""
    job_maintenance_chance: int = Field(default=1000, ge=1, le=1_000_000)
    """Broker commands per million that also run queue maintenance (requeueing dead workers' jobs)."""
    relay_poll_seconds: float = Field(default=5.0, gt=0)
    """How often the outbox relay sweeps every tenant for unpublished events (the LISTEN safety net)."""
    relay_batch: int = Field(default=500, ge=1, le=10_000)
    dns_nameservers: list[str] = Field(default_factory=list)
    """Resolvers for domain verification (``["10.0.0.2"]``, ``["127.0.0.1:5353"]``); default: the system's."""
    webhook_allowed_networks: list[str] = Field(default_factory=list)
    """CIDRs webhooks may reach although private or loopback (e.g. ``["10.1.0.0/16"]``); default none."""
    webhook_retry_seconds: list[float] = Field(
        default_factory=lambda: [5.0, 300.0, 1800.0, 7200.0, 18000.0, 36000.0, 36000.0]
    )
    """Waits before each retry of a failed delivery (the default spans about a day, as Standard Webhooks)."""
    webhook_disable_after_failures: int = Field(default=50, ge=1)
    webhook_disable_after_hours: float = Field(default=24.0, ge=0)
    """An endpoint failing every delivery this many times, and for this long, is disabled with a notice."""
    webhook_timeout_seconds: float = Field(default=10.0, gt=0, le=60)
    data_dir: Path = Path(".data")
    files_backend: Literal["local", "s3"] = "local"
    """Where product files (exports) go: ``local`` (``data_dir/files``) or ``s3``."""
    s3_bucket: str | None = Field(default=None, min_length=3, validate_default=True)
    s3_endpoint_url: str | None = None
    """An S3-compatible store's address (``https://minio.internal:9000``); default: AWS S3."""
    s3_region: str | None = None
    """The bucket's region; default: boto3's (``AWS_DEFAULT_REGION``, the profile). Credentials: its chain."""
    web_dist: Path | None = None
    """The built web app served at ``/``; default: ``frontend/dist`` of the source tree."""
    disabled_modules: frozenset[str] = frozenset()
    public_url: str | None = None
    """Where users reach the product (``https://rapport.example``); a tenant is ``<slug>.`` + host."""
    migrate_concurrency: int = Field(default=4, ge=1, le=64)
    operator_token: SecretStr | None = Field(default=None, min_length=32)
    """Bearer token of the platform operator API (``/api/v1/admin``); the API is off when unset."""
    tenant_delete_grace_hours: float = Field(default=168, ge=0)
    signup_rate_per_hour: int = Field(default=20, ge=1)
    rate_limit_per_minute: int = Field(default=1200, ge=1)
    """Requests per minute per (tenant, client address) across all API processes."""
    tenant_cache_seconds: float = Field(default=60.0, ge=0)
    """How long a process may reuse a tenant lookup when it missed the change announcement (Redis down)."""

    @field_validator("s3_bucket")
    @classmethod
    def _bucket_for_s3(cls, bucket: str | None, info: ValidationInfo) -> str | None:
        if bucket is None and info.data.get("files_backend") == "s3":
            raise ValueError("is required when RAPPORT_FILES_BACKEND is s3")
        return bucket

    @property
    def json_logs(self) -> bool:
        """JSON logs outside development unless told otherwise."""
        if self.log_json is not None:
            return self.log_json
        return self.env is not Environment.DEVELOPMENT

    @property
    def dsn(self) -> str:
        return str(self.database_url)

    def tenant_url(self, slug: str) -> str:
        """The address of a tenant's workspace, e.g. ``http://acme.localhost:8000/``."""
        base = self.public_url or f"http://{self.base_domain}:{self.port}"
        scheme, _, host = base.rstrip("/").partition("://")
        return f"{scheme}://{slug}.{host}/"


class SettingsError(Exception):
    """The environment does not hold valid settings; the message is one readable line."""


def load_settings(**overrides: object) -> Settings:
    """Build the settings from the environment (and explicit overrides), or raise SettingsError."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            name = "RAPPORT_" + "_".join(str(part) for part in error["loc"][:1]).upper()
            if error["type"] == "missing":
                reason = "is required"
            elif error["type"] == "value_error":
                reason = str(error.get("ctx", {}).get("error", error["msg"]))  # our own words, as written
            else:
                reason = error["msg"].lower()
            problems.append(f"{name} {reason}")
        raise SettingsError("invalid settings: " + "; ".join(problems)) from None
