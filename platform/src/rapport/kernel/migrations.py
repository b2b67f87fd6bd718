"""``rapport migrate``: the control plane, then the tenant template, then every tenant schema (fan-out)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import structlog
from rapport_tenants.context import process_engine
from rapport_tenants.fanout import FanOutSummary, Outcome, SchemaResult, migrate_tenants
from rapport_tenants.migrations import MigrationApp, load_apps, migrate_control, migrate_schema
from rapport_tenants.names import EXTENSIONS_SCHEMA, TEMPLATE_SCHEMA
from rapport_tenants.template import Template, store_template

from rapport.kernel.db import create_engine, install_engine
from rapport.kernel.modules import piccolo_app_paths

if TYPE_CHECKING:
    from collections.abc import Callable

    from piccolo.engine.postgres import PostgresEngine

    from rapport.kernel.settings import Settings

__all__ = ["MigrationReport", "prepare_database", "refresh_template", "run_migrations", "tenant_apps"]

log = structlog.get_logger(__name__)


class MigrationReport:
    """What a ``rapport migrate`` run did: control-plane migrations, the template, the tenant fan-out."""

    def __init__(self, control: list[tuple[str, str]], template: Template, tenants: FanOutSummary) -> None:
        self.control = control
        self.template = template
        self.tenants = tenants

    @property
    def ok(self) -> bool:
        return not self.tenants.failed


def tenant_apps() -> list[MigrationApp]:
    return load_apps(piccolo_app_paths("tenant"))


async def prepare_database(engine: PostgresEngine) -> None:
    """Database-wide setup: the role's empty default search_path, shared extensions in their own schema."""
    async with engine.transaction(allow_nested=False) as transaction:
        connection = transaction.connection
        database = await connection.fetchval("SELECT current_database()")
        # quote_ident through format(): the names come from the server, never from input.
        await connection.execute(
            await connection.fetchval(
                "SELECT format('ALTER ROLE %I IN DATABASE %I SET search_path = ''''', "
                "current_user, $1::text)",
                database,
            )
        )
        await connection.execute(f"CREATE SCHEMA IF NOT EXISTS {EXTENSIONS_SCHEMA}")
        await connection.execute(f"CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA {EXTENSIONS_SCHEMA}")


async def refresh_template(dsn: str, apps: list[MigrationApp]) -> Template:
    """Migrate the template schema and store its rendered DDL for provisioning."""
    async with process_engine().transaction(allow_nested=False) as transaction:
        await transaction.connection.execute(f"CREATE SCHEMA IF NOT EXISTS {TEMPLATE_SCHEMA}")
    await migrate_schema(TEMPLATE_SCHEMA, apps)
    applied = [(app.name, migration_id) for app in apps for migration_id in app.ids]
    return await store_template(dsn, applied)


async def run_migrations(
    settings: Settings,
    concurrency: int | None = None,
    on_result: Callable[[SchemaResult], None] | None = None,
    on_total: Callable[[int], None] | None = None,
) -> MigrationReport:
    """Control plane, database setup, template, then every tenant schema ``concurrency`` at a time."""
    concurrency = concurrency or settings.migrate_concurrency
    engine = create_engine(settings.dsn)
    install_engine(engine)
    await engine.start_connection_pool(min_size=1, max_size=concurrency + 1)
    try:
        control = await migrate_control(load_apps(piccolo_app_paths("control")))
        await prepare_database(engine)
        apps = tenant_apps()
        template = await refresh_template(settings.dsn, apps)
        tenants = await migrate_tenants(apps, concurrency=concurrency, on_result=on_result, on_total=on_total)
    finally:
        await engine.close_connection_pool()
    log.info(
        "migrations_applied",
        control=len(control),
        template=template.fingerprint[:12],
        tenants_done=tenants.count(Outcome.DONE),
        tenants_skipped=tenants.count(Outcome.SKIPPED),
        tenants_failed=tenants.count(Outcome.FAILED),
    )
    return MigrationReport(control, template, tenants)
