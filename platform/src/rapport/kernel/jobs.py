"""dramatiq on Redis: the broker every process (API, worker, scheduler, relay) sets up at startup.

Tenant-aware jobs: :class:`TenantStamp` stamps the tenant of the work in progress on every message sent
inside it, and hands the stamp to actors declared with :func:`tenant_actor`, which run with that tenant
as ``current_tenant``. The tenant travels in the message and then in a keyword argument, never through
``CurrentMessage``: that is empty inside async actors (dramatiq #586). Actors take ids, never objects.
"""

from __future__ import annotations

import asyncio
import functools
import importlib
import uuid
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import dramatiq
from dramatiq.broker import MessageProxy
from dramatiq.brokers.redis import RedisBroker
from dramatiq.middleware import AsyncIO, Retries
from rapport_tenants.context import TenantContext, current_tenant
from rapport_tenants.names import check_schema_name
from rapport_tenants.tables import Tenant, TenantStatus

if TYPE_CHECKING:
    from rapport.kernel.modules import LoadedModules
    from rapport.kernel.settings import Settings

__all__ = [
    "NAMESPACE",
    "TENANT_OPTION",
    "TenantStamp",
    "configure_broker",
    "ensure_worker_engine",
    "import_actor_modules",
    "send_for_tenant",
    "send_to_tenants",
    "tenant_actor",
]

NAMESPACE = "rapport-jobs"
TENANT_OPTION = "rapport_tenant"
_TENANT_KWARG = "_rapport_tenant"
_settings: Settings | None = None


class MissingTenant(Exception):
    """A tenant actor's message carries no tenant stamp; it is not run."""


class TenantStamp(dramatiq.Middleware):
    """Carry the tenant from the sender's context to the actor's."""

    @property
    def actor_options(self) -> set[str]:
        return {"tenant_aware"}

    def before_enqueue(self, broker: dramatiq.Broker, message: dramatiq.Message[Any], delay: int) -> None:
        if TENANT_OPTION not in message.options:
            tenant = current_tenant.get()
            if tenant is not None:
                message.options[TENANT_OPTION] = tenant.as_message()

    def before_process_message(self, broker: dramatiq.Broker, message: MessageProxy) -> None:
        actor = broker.get_actor(message.actor_name)
        if not actor.options.get("tenant_aware"):
            return
        stamp = message.options.get(TENANT_OPTION)
        if stamp is None:
            raise MissingTenant(f"{message.actor_name} message {message.message_id} has no tenant")
        message.kwargs[_TENANT_KWARG] = stamp


def _tenant_from(stamp: dict[str, Any]) -> TenantContext:
    return TenantContext(
        id=uuid.UUID(stamp["id"]),
        slug=stamp["slug"],
        schema_name=check_schema_name(stamp["schema_name"]),
        status=stamp["status"],
    )


TenantJob = Callable[..., Awaitable[Any]]


def tenant_actor(*, actor_name: str, **options: Any) -> Callable[[TenantJob], dramatiq.Actor[Any, Any]]:
    """Declare an async actor that runs for one tenant: it is called as ``fn(tenant, *args, **kwargs)``.

    Send it inside the tenant's work (the stamp is added) or with :func:`send_for_tenant`.
    """

    def decorate(fn: TenantJob) -> dramatiq.Actor[Any, Any]:
        @functools.wraps(fn)
        async def run(*args: Any, **kwargs: Any) -> Any:
            tenant = _tenant_from(kwargs.pop(_TENANT_KWARG))
            await ensure_worker_engine()
            token = current_tenant.set(tenant)
            try:
                return await fn(tenant, *args, **kwargs)
            finally:
                current_tenant.reset(token)

        declared: dramatiq.Actor[Any, Any] = dramatiq.actor(
            actor_name=actor_name, tenant_aware=True, **options
        )(run)
        return declared

    return decorate


def send_for_tenant(
    tenant: TenantContext, actor: dramatiq.Actor[Any, Any], *args: Any, **kwargs: Any
) -> dramatiq.Message[Any]:
    """Send a tenant actor's message for ``tenant`` from outside that tenant's context."""
    options: dict[str, Any] = {TENANT_OPTION: tenant.as_message()}
    return actor.send_with_options(args=args, kwargs=kwargs, **options)


LIVE = (TenantStatus.ACTIVE, TenantStatus.SUSPENDED)
"""Workspaces that hold data a periodic job looks after (not those being provisioned or purged)."""
Probe = Callable[[list[str]], Awaitable[set[str]]]
"""Which of these schema names have something to do (``rapport_tenants.probe.schemas_where`` underneath)."""


async def send_to_tenants(
    actor: dramatiq.Actor[Any, Any], probe: Probe | None = None, statuses: tuple[TenantStatus, ...] = LIVE
) -> None:
    """A periodic job's fan-out: send ``actor`` for each workspace in ``statuses`` (only those ``probe``
    names, when given: most workspaces have nothing to do, and get no message)."""
    await ensure_worker_engine()
    rows = await Tenant.select(Tenant.id, Tenant.slug, Tenant.schema_name, Tenant.status).where(
        Tenant.status.is_in([status.value for status in statuses])
    )
    tenants = {row["schema_name"]: TenantContext(row["id"], row["slug"], row["schema_name"], row["status"])
               for row in rows}  # fmt: skip
    chosen = await probe(sorted(tenants)) if probe is not None else set(tenants)
    for schema in sorted(chosen):
        send_for_tenant(tenants[schema], actor)


def configure_broker(settings: Settings) -> RedisBroker:
    """Create the Redis broker with async actors, tenant stamps and the configured retry backoff."""
    global _settings
    _settings = settings
    broker = RedisBroker(  # type: ignore[no-untyped-call]
        url=str(settings.redis_url),
        namespace=NAMESPACE,
        heartbeat_timeout=settings.job_heartbeat_timeout_ms,
        maintenance_chance=settings.job_maintenance_chance,
    )
    for middleware in broker.middleware:
        if isinstance(middleware, Retries):
            middleware.max_retries = settings.job_max_retries
            middleware.min_backoff = settings.job_min_backoff_ms
            middleware.max_backoff = settings.job_max_backoff_ms
    broker.add_middleware(AsyncIO())
    broker.add_middleware(TenantStamp())
    dramatiq.set_broker(broker)
    return broker


_engine_lock: asyncio.Lock | None = None
_engine_ready = False


async def ensure_worker_engine() -> None:
    """Start this worker process's database engine on the AsyncIO middleware's loop, once."""
    global _engine_lock, _engine_ready
    if _engine_ready:
        return
    if _engine_lock is None:
        _engine_lock = asyncio.Lock()
    async with _engine_lock:
        if _engine_ready:
            return
        from rapport.kernel.db import create_engine, install_engine, release_connection
        from rapport.kernel.settings import load_settings

        settings = _settings or load_settings()
        engine = create_engine(settings.dsn)
        install_engine(engine)
        await engine.start_connection_pool(
            min_size=1, max_size=settings.worker_threads + 1, reset=release_connection
        )
        _engine_ready = True


def import_actor_modules(loaded: LoadedModules) -> None:
    """Import each module's actor modules, which declares their actors on the current broker."""
    for module in loaded.modules:
        for path in module.actor_modules:
            importlib.import_module(path)
