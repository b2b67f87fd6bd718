"""Provisioning from the template gives exactly a migrated schema; all tenant DDL stays Citus-compatible."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import asyncpg
from piccolo.engine.postgres import PostgresEngine
from rapport.kernel.migrations import tenant_apps
from rapport.kernel.modules import piccolo_app_paths
from rapport_tenants.migrations import migrate_schema
from rapport_tenants.names import TEMPLATE_SCHEMA, schema_name_for
from rapport_tenants.registry import tenant_by_slug

from tests.tenants.conftest import SignedUp

PICCOLO_BOOKKEEPING = {"migration"}
"""Piccolo's own history table has an integer key; it is per schema and never distributed."""

CATALOG_QUERIES = {
    "columns": """
        SELECT table_name, column_name, ordinal_position, data_type, udt_name, is_nullable, column_default,
               character_maximum_length, numeric_precision, is_identity
        FROM information_schema.columns WHERE table_schema = $1 ORDER BY table_name, ordinal_position""",
    "constraints": """
        SELECT cl.relname, co.conname, co.contype, pg_get_constraintdef(co.oid) AS definition
        FROM pg_constraint co JOIN pg_class cl ON cl.oid = co.conrelid
        JOIN pg_namespace n ON n.oid = cl.relnamespace WHERE n.nspname = $1 ORDER BY 1, 2""",
    "indexes": "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = $1 ORDER BY 1, 2",
    "sequences": """
        SELECT sequence_name, data_type, start_value, minimum_value, maximum_value, increment, cycle_option
        FROM information_schema.sequences WHERE sequence_schema = $1 ORDER BY 1""",
    "owned_sequences": """
        SELECT s.relname AS sequence, t.relname AS owner_table, a.attname AS owner_column
        FROM pg_depend d JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
        JOIN pg_class t ON t.oid = d.refobjid
        JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
        JOIN pg_namespace n ON n.oid = s.relnamespace WHERE n.nspname = $1 AND d.deptype = 'a' ORDER BY 1""",
    "relations": """
        SELECT c.relname, c.relkind, c.relpersistence FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 ORDER BY 1""",
}


async def catalog(connection: asyncpg.Connection, schema: str) -> dict[str, list[tuple[object, ...]]]:
    """Everything about a schema's structure, with its own name replaced so two schemas compare."""
    snapshot = {}
    for name, sql in CATALOG_QUERIES.items():
        rows = await connection.fetch(sql, schema)
        snapshot[name] = [
            tuple(
                str(value).replace(schema, "<schema>") if isinstance(value, str) else value for value in row
            )
            for row in rows
        ]
    return snapshot


async def test_a_provisioned_schema_is_identical_to_a_migrated_one(
    two_tenants: tuple[SignedUp, SignedUp], engine: PostgresEngine, database_url: str
) -> None:
    provisioned = await tenant_by_slug(two_tenants[0].slug)
    assert provisioned is not None
    migrated_schema = schema_name_for(uuid.uuid4())
    async with engine.transaction() as transaction:
        await transaction.connection.execute(f'CREATE SCHEMA "{migrated_schema}"')
    applied = await migrate_schema(migrated_schema, tenant_apps())
    assert len(applied) == sum(len(app.ids) for app in tenant_apps())
    connection = await asyncpg.connect(database_url)
    try:
        expected = await catalog(connection, migrated_schema)
        actual = await catalog(connection, provisioned.schema_name)
        template = await catalog(connection, TEMPLATE_SCHEMA)
        history = await connection.fetch(
            f'SELECT app_name, name FROM "{provisioned.schema_name}".migration ORDER BY app_name, name'
        )
        expected_history = await connection.fetch(
            f'SELECT app_name, name FROM "{migrated_schema}".migration ORDER BY app_name, name'
        )
        await connection.execute(f'DROP SCHEMA "{migrated_schema}" CASCADE')
    finally:
        await connection.close()
    assert expected["columns"], "the migrated schema has tables"
    assert actual == expected
    assert template == expected
    assert [tuple(row) for row in history] == [tuple(row) for row in expected_history]


async def test_tenant_ddl_is_citus_compatible(
    two_tenants: tuple[SignedUp, SignedUp], database_url: str
) -> None:
    """bigint or UUID keys; no foreign key leaves its schema; control tables can be reference tables."""
    connection = await asyncpg.connect(database_url)
    try:
        keys = await connection.fetch(
            """
            SELECT n.nspname, c.relname, a.attname, format_type(a.atttypid, a.atttypmod) AS type
            FROM pg_constraint co JOIN pg_class c ON c.oid = co.conrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ANY (co.conkey)
            WHERE co.contype = 'p' AND (n.nspname LIKE 't\\_%' OR n.nspname IN ('control', $1))""",
            TEMPLATE_SCHEMA,
        )
        cross_schema_keys = await connection.fetch(
            """
            SELECT n.nspname, c.relname, co.conname FROM pg_constraint co
            JOIN pg_class c ON c.oid = co.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_class r ON r.oid = co.confrelid
            WHERE co.contype = 'f' AND r.relnamespace <> c.relnamespace"""
        )
        template_ddl = await connection.fetchval(
            "SELECT ddl FROM control.schema_templates ORDER BY created_at DESC LIMIT 1"
        )
    finally:
        await connection.close()
    assert keys
    bad_keys = [
        tuple(row)
        for row in keys
        if row["type"] not in ("bigint", "uuid") and row["relname"] not in PICCOLO_BOOKKEEPING
    ]
    assert bad_keys == []
    assert [tuple(row) for row in cross_schema_keys] == []
    assert not re.search(r"CREATE\s+SCHEMA\b[^;]*\bCREATE\s+TABLE", template_ddl, re.IGNORECASE)


def test_no_migration_creates_tables_inside_create_schema() -> None:
    import importlib

    folders = [
        Path(importlib.import_module(path).APP_CONFIG.resolved_migrations_folder_path)
        for path in piccolo_app_paths()
    ]
    sources = [file.read_text() for folder in folders for file in folder.glob("*.py")]
    assert sources
    for source in sources:
        assert not re.search(r"CREATE\s+SCHEMA\b[^;\"]*\bCREATE\s+TABLE", source, re.IGNORECASE)
