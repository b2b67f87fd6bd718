"""Piccolo migrations applied per schema: the control plane once, then the template and every tenant.

Piccolo's own runner checks ``Migration.table_exists()``, which looks for a ``migration`` table in *any*
schema: the second tenant then fails, or worse reads another schema's history. Here every schema's
migrations run inside one transaction whose ``search_path`` is that schema, and the tracking table is
created in it first (``create_table(if_not_exists=True)``), so each schema keeps its own history.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from types import ModuleType

from piccolo.apps.migrations.auto import migration_manager
from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.apps.migrations.commands.base import BaseMigrationManager
from piccolo.apps.migrations.tables import Migration
from piccolo.conf.apps import AppConfig
from piccolo.engine.postgres import PostgresEngine, PostgresTransaction

from rapport_tenants.context import process_engine
from rapport_tenants.names import search_path_for

__all__ = ["MigrationApp", "apply_pending", "load_apps", "migrate_control", "migrate_schema"]


def _quiet(*_args: object, **_kwargs: object) -> None:
    """Piccolo's MigrationManager prints a line per migration: 10,000 schemas would flood the terminal."""


# A module-level name shadows the builtin for that module only. Swapping sys.stdout instead (redirect_stdout)
# is process-wide: concurrent schema migrations interleave the swaps and leave stdout on a buffer.
migration_manager.print = _quiet  # type: ignore[attr-defined]


@dataclass(frozen=True)
class MigrationApp:
    """One Piccolo app's migrations, imported once and reused for every schema."""

    name: str
    modules: dict[str, ModuleType] = field(repr=False)

    @property
    def ids(self) -> list[str]:
        return sorted(self.modules)

    @property
    def latest(self) -> str | None:
        ids = self.ids
        return ids[-1] if ids else None


def load_apps(piccolo_app_paths: Sequence[str]) -> list[MigrationApp]:
    """Import the ``APP_CONFIG`` of each ``piccolo_app`` module path and its migration modules."""
    apps = []
    finder = BaseMigrationManager()
    for path in piccolo_app_paths:
        config: AppConfig = importlib.import_module(path).APP_CONFIG
        modules = finder.get_migration_modules(config.resolved_migrations_folder_path)
        apps.append(MigrationApp(name=config.app_name, modules=dict(modules)))
    return apps


def checked_engine() -> PostgresEngine:
    """The process's engine, which Piccolo's MigrationManager also finds (so it joins our transaction)."""
    engine = process_engine()
    Migration._meta.db = engine
    return engine


async def apply_pending(apps: Sequence[MigrationApp]) -> list[tuple[str, str]]:
    """Run every app's migrations that the current schema has not run; return ``(app, id)`` applied.

    Call inside a transaction whose search_path is the schema to migrate.
    """
    await Migration.create_table(if_not_exists=True)
    rows = await Migration.select(Migration.name, Migration.app_name)
    ran = {(row["app_name"], row["name"]) for row in rows}
    applied: list[tuple[str, str]] = []
    for app in apps:
        for migration_id in app.ids:
            if (app.name, migration_id) in ran:
                continue
            response = await app.modules[migration_id].forwards()
            if isinstance(response, MigrationManager):
                await response.run()
            await Migration.insert(Migration(name=migration_id, app_name=app.name))
            applied.append((app.name, migration_id))
    return applied


async def _set_search_path(transaction: PostgresTransaction, search_path: str) -> None:
    await transaction.connection.execute("SELECT set_config('search_path', $1, true)", search_path)


async def migrate_control(apps: Sequence[MigrationApp]) -> list[tuple[str, str]]:
    """Apply the control-plane apps in one transaction (their history lives in ``control.migration``)."""
    engine = checked_engine()
    async with engine.transaction(allow_nested=False) as transaction:
        await transaction.connection.execute("CREATE SCHEMA IF NOT EXISTS control")
        await _adopt_public_history(transaction)
        await _set_search_path(transaction, "control")
        applied = await apply_pending(apps)
    return applied


async def _adopt_public_history(transaction: PostgresTransaction) -> None:
    # Databases migrated before the control plane kept its own history have it in public.migration.
    await transaction.connection.execute(
        "DO $$ BEGIN "
        "IF to_regclass('public.migration') IS NOT NULL AND to_regclass('control.migration') IS NULL "
        "THEN ALTER TABLE public.migration SET SCHEMA control; END IF; END $$"
    )


async def migrate_schema(schema_name: str, apps: Sequence[MigrationApp]) -> list[tuple[str, str]]:
    """Apply pending migrations to one tenant (or the template) schema in one transaction.

    Records the newest applied migration per app in ``control.tenant_migrations``.
    """
    engine = checked_engine()
    async with engine.transaction(allow_nested=False) as transaction:
        await _set_search_path(transaction, search_path_for(schema_name))
        applied = await apply_pending(apps)
        if applied:
            latest = {app.name: app.latest for app in apps if app.latest is not None}
            await transaction.connection.execute(
                "INSERT INTO control.tenant_migrations (id, schema_name, app_name, migration_id, applied_at) "
                "SELECT gen_random_uuid(), $1, app, name, now() "
                "FROM unnest($2::text[], $3::text[]) AS m(app, name) "
                "ON CONFLICT (schema_name, app_name) DO UPDATE "
                "SET migration_id = excluded.migration_id, applied_at = excluded.applied_at",
                schema_name,
                list(latest),
                list(latest.values()),
            )
    return applied
