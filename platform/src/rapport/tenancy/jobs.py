"""Actors of the tenancy module."""

from __future__ import annotations

import uuid

import dramatiq
import structlog
from rapport_tenants.lifecycle import purge_due

from rapport.kernel.db import create_engine, install_engine
from rapport.kernel.files import file_store, tenant_prefix
from rapport.kernel.settings import Settings, load_settings

__all__ = ["purge_deleted", "purge_now", "purge_tenants"]

log = structlog.get_logger(__name__)


async def purge_tenants(settings: Settings) -> list[str]:
    """Purge every tenant whose grace period is over: its files first, then its schema and rows."""
    store = file_store(settings)

    async def delete_files(tenant_id: uuid.UUID) -> None:
        deleted = await store.delete_prefix(tenant_prefix(tenant_id))
        log.info("tenant_files_deleted", tenant_id=str(tenant_id), files=deleted)

    purged = await purge_due(before_drop=delete_files)
    if purged:
        log.info("tenants_purged", slugs=purged)
    return purged


async def purge_now(settings: Settings | None = None) -> list[str]:
    """Drop every tenant whose deletion grace period is over, on a short-lived pool."""
    settings = settings or load_settings()
    engine = create_engine(settings.dsn)
    install_engine(engine)
    await engine.start_connection_pool(min_size=1, max_size=2)
    try:
        return await purge_tenants(settings)
    finally:
        await engine.close_connection_pool()


@dramatiq.actor(actor_name="tenancy.purge_deleted", max_retries=3, queue_name="system")
async def purge_deleted() -> None:
    """Periodic: drop tenants marked for deletion once their grace period has passed.

    On the worker's own engine and loop: a short-lived engine of its own (what ``purge_now`` does for the
    CLI) would replace the process's engine under the other actors running at the same time.
    """
    from rapport.kernel.jobs import ensure_worker_engine

    await ensure_worker_engine()
    await purge_tenants(load_settings())
