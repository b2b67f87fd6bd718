"""The fan-out runner: every schema keeps its own history; parallel, resumable, failures isolated."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import textwrap
import uuid
from importlib import import_module
from pathlib import Path

import asyncpg
from piccolo.engine.postgres import PostgresEngine
from rapport.kernel.migrations import tenant_apps
from rapport.kernel.modules import piccolo_app_paths
from rapport_tenants.fanout import Outcome, migrate_tenants
from rapport_tenants.migrations import MigrationApp
from rapport_tenants.registry import tenant_by_slug

from tests.tenants.conftest import SignedUp, sign_up

EXTRA_MIGRATION = """
from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import BigSerial, Varchar

ID = "{migration_id}"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="{app}")
    manager.add_table(class_name="ExtraNote", tablename="{table}", schema=None, columns=None)
    manager.add_column(
        table_class_name="ExtraNote", tablename="{table}", column_name="id", db_column_name="id",
        column_class_name="BigSerial", column_class=BigSerial, params={{"primary_key": True}}, schema=None,
    )
    manager.add_column(
        table_class_name="ExtraNote", tablename="{table}", column_name="note", db_column_name="note",
        column_class_name="Varchar", column_class=Varchar, schema=None,
        params={{"length": 100, "null": True}},
    )
    return manager
"""


def extra_app(folder: Path, table: str) -> MigrationApp:
    """A one-migration Piccolo app (creates ``table``), written to ``folder`` and imported."""
    migration_id = "2099-01-01T00:00:00:000000"
    app = f"extra_{uuid.uuid4().hex[:8]}"
    path = folder / f"{app}.py"
    path.write_text(textwrap.dedent(EXTRA_MIGRATION.format(migration_id=migration_id, app=app, table=table)))
    spec = importlib.util.spec_from_file_location(app, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return MigrationApp(name=app, modules={migration_id: module})


async def test_each_schema_keeps_its_own_history(
    two_tenants: tuple[SignedUp, SignedUp], database_url: str
) -> None:
    connection = await asyncpg.connect(database_url)
    try:
        for tenant in two_tenants:
            schema = await connection.fetchval(
                "SELECT schema_name FROM control.tenants WHERE id = $1", tenant.id
            )
            history = await connection.fetch(f'SELECT app_name, name FROM "{schema}".migration ORDER BY 1, 2')
            assert {row["app_name"] for row in history} == {app.name for app in tenant_apps()}
        control_apps = {
            row["app_name"] for row in await connection.fetch("SELECT app_name FROM control.migration")
        }
        declared = {import_module(path).APP_CONFIG.app_name for path in piccolo_app_paths("control")}
        assert control_apps == declared
        assert {"tenants", "identity"} <= control_apps
        assert await connection.fetchval("SELECT to_regclass('public.migration')") is None
    finally:
        await connection.close()


async def test_additive_migration_fans_out_resumes_and_isolates_a_failure(
    two_tenants: tuple[SignedUp, SignedUp], engine: PostgresEngine, database_url: str, tmp_path: Path
) -> None:
    table = f"extra_notes_{uuid.uuid4().hex[:6]}"
    app = extra_app(tmp_path, table)
    broken = await tenant_by_slug(two_tenants[1].slug)
    assert broken is not None
    connection = await asyncpg.connect(database_url)
    try:
        # The table exists already in one tenant: its migration fails, the others must not care.
        await connection.execute(f'CREATE TABLE "{broken.schema_name}"."{table}" (id bigint PRIMARY KEY)')
        tenants = await connection.fetchval("SELECT count(*) FROM control.tenants WHERE status <> 'deleting'")

        seen = []
        summary = await migrate_tenants([app], concurrency=3, on_result=seen.append)
        assert summary.count(Outcome.FAILED) == 1
        assert summary.failed[0].slug == broken.slug
        assert "already exists" in (summary.failed[0].error or "")
        assert summary.count(Outcome.DONE) == tenants - 1
        assert len(seen) == tenants
        with_table = await connection.fetchval(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = $1", table
        )
        assert with_table == tenants  # tenants - 1 migrated, plus the one that had it already

        # Resumable: a second run only retries what is behind (the broken one), and skips the rest.
        again = await migrate_tenants([app], concurrency=3)
        assert again.count(Outcome.FAILED) == 1
        assert again.already_current == tenants - 1
        await connection.execute(f'DROP TABLE "{broken.schema_name}"."{table}"')
        fixed = await migrate_tenants([app], concurrency=3)
        assert (fixed.count(Outcome.DONE), fixed.count(Outcome.FAILED)) == (1, 0)
        ledger = await connection.fetchval(
            "SELECT count(*) FROM control.tenant_migrations WHERE app_name = $1", app.name
        )
        assert ledger == tenants
    finally:
        for statement in await connection.fetch(
            "SELECT format('DROP TABLE IF EXISTS %I.%I', table_schema, table_name) AS sql "
            "FROM information_schema.tables WHERE table_name = $1",
            table,
        ):
            await connection.execute(statement["sql"])
        await connection.execute("DELETE FROM control.tenant_migrations WHERE app_name = $1", app.name)
        await connection.close()


async def test_rapport_migrate_reports_a_failed_tenant_and_exits_non_zero(
    app_client: object, service_env: dict[str, str], database_url: str
) -> None:
    good = await sign_up(app_client)  # type: ignore[arg-type]
    bad = await sign_up(app_client)  # type: ignore[arg-type]
    connection = await asyncpg.connect(database_url)
    try:
        schema = await connection.fetchval("SELECT schema_name FROM control.tenants WHERE id = $1", bad.id)
        # Forget that the schema is migrated: the runner re-runs its first migration, which fails.
        await connection.execute(f'DELETE FROM "{schema}".migration')
        await connection.execute("DELETE FROM control.tenant_migrations WHERE schema_name = $1", schema)
        result = subprocess.run(
            [sys.executable, "-m", "rapport", "migrate", "--concurrency", "2"],
            env=service_env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 1, result.stdout + result.stderr
        assert "1 failed" in result.stdout
        assert f"FAILED  {bad.slug}" in result.stderr
        assert good.slug not in result.stderr
        # Repair it by hand (restore its history), and the next run is clean.
        await connection.execute(
            f'INSERT INTO "{schema}".migration (name, app_name, ran_on) '
            "SELECT name, app_name, ran_on FROM tenant_template.migration"
        )
        result = subprocess.run(
            [sys.executable, "-m", "rapport", "migrate"],
            env=service_env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert "0 failed" in result.stdout
    finally:
        await connection.close()
