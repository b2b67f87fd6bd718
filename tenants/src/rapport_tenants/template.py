"""Provisioning from a template: new tenant schemas replay DDL rendered from the migrated template schema.

``rapport migrate`` migrates the ``tenant_template`` schema like any tenant, then renders its DDL with
``pg_dump --schema-only`` and stores it (with the list of applied migrations) as a ``SchemaTemplate``.
Provisioning a tenant is then ``CREATE SCHEMA`` plus one multi-statement ``execute`` inside the signup
transaction: no migration replay, and the result is the migrated schema's exact catalog (a test compares).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import uuid
from dataclasses import dataclass

from piccolo.engine.postgres import PostgresTransaction

from rapport_tenants.names import TEMPLATE_SCHEMA, check_schema_name, search_path_for
from rapport_tenants.pgtools import run_pg_tool
from rapport_tenants.tables import SchemaTemplate

__all__ = ["NoTemplate", "Template", "latest_template", "provision_schema", "render_ddl", "store_template"]

_QUALIFIER = re.compile(rf"\b{TEMPLATE_SCHEMA}\.")


class NoTemplate(RuntimeError):
    """No template has been rendered yet: ``rapport migrate`` has not run."""


@dataclass(frozen=True, slots=True)
class Template:
    fingerprint: str
    ddl: str
    migrations: list[tuple[str, str]]


def normalize_dump(dump: str) -> str:
    """Keep pg_dump's DDL statements, unqualified (they resolve through the new schema's search_path)."""
    kept: list[str] = []
    for line in dump.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith(("--", "\\", "SET ", "SELECT pg_catalog.set_config")):
            continue
        if stripped.startswith("CREATE SCHEMA "):
            continue
        kept.append(_QUALIFIER.sub("", line))
    return "\n".join(kept) + "\n"


def render_ddl(dsn: str) -> str:
    """The template schema's DDL as pg_dump prints it (schema only, no owners or grants), unqualified."""
    dump = run_pg_tool(
        "pg_dump",
        dsn,
        ["--schema-only", "--no-owner", "--no-privileges", "--no-comments", f"--schema={TEMPLATE_SCHEMA}"],
    )
    return normalize_dump(dump.decode())


async def store_template(dsn: str, migrations: list[tuple[str, str]]) -> Template:
    """Render the template's DDL and store it, unless an identical one is stored already."""
    ddl = await asyncio.to_thread(render_ddl, dsn)
    fingerprint = hashlib.sha256(json.dumps([ddl, migrations]).encode()).hexdigest()
    await SchemaTemplate.raw(
        "INSERT INTO control.schema_templates (id, fingerprint, ddl, migrations, created_at) "
        "VALUES ({}, {}, {}, {}, now()) ON CONFLICT (fingerprint) DO NOTHING",
        uuid.uuid4(),
        fingerprint,
        ddl,
        json.dumps(migrations),
    )
    return Template(fingerprint=fingerprint, ddl=ddl, migrations=migrations)


async def latest_template() -> Template:
    """The newest stored template, or :class:`NoTemplate`."""
    row = (
        await SchemaTemplate.select(SchemaTemplate.fingerprint, SchemaTemplate.ddl, SchemaTemplate.migrations)
        .order_by(SchemaTemplate.created_at, ascending=False)
        .first()
    )
    if row is None:
        raise NoTemplate("no tenant schema template: run `rapport migrate` first")
    migrations = json.loads(row["migrations"]) if isinstance(row["migrations"], str) else row["migrations"]
    return Template(
        fingerprint=row["fingerprint"], ddl=row["ddl"], migrations=[(app, mid) for app, mid in migrations]
    )


async def provision_schema(transaction: PostgresTransaction, schema_name: str, template: Template) -> None:
    """Create ``schema_name`` from ``template`` inside ``transaction`` and leave search_path on it.

    The caller's transaction decides: if anything after this fails, the schema is rolled back with it.
    """
    check_schema_name(schema_name)
    connection = transaction.connection
    await connection.execute(f'CREATE SCHEMA "{schema_name}"')  # name checked by check_schema_name
    await connection.execute("SELECT set_config('search_path', $1, true)", search_path_for(schema_name))
    await connection.execute(template.ddl)
    apps = [app for app, _ in template.migrations]
    ids = [migration_id for _, migration_id in template.migrations]
    await connection.execute(
        "INSERT INTO migration (name, app_name, ran_on) "
        "SELECT name, app, now() FROM unnest($1::text[], $2::text[]) AS m(app, name)",
        apps,
        ids,
    )
    await connection.execute(
        "INSERT INTO control.tenant_migrations (id, schema_name, app_name, migration_id, applied_at) "
        "SELECT gen_random_uuid(), $1, app, max(name), now() "
        "FROM unnest($2::text[], $3::text[]) AS m(app, name) GROUP BY app",
        schema_name,
        apps,
        ids,
    )
