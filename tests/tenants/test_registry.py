"""`rapport migrate` creates the control plane; `rapport demo seed` registers the demo tenant, once."""

from __future__ import annotations

import subprocess
import sys

import asyncpg
import pytest

RAPPORT = [sys.executable, "-m", "rapport"]


@pytest.fixture(scope="module")
def migrated(service_env: dict[str, str]) -> dict[str, str]:
    for _ in range(2):  # a second run applies nothing and succeeds
        subprocess.run([*RAPPORT, "migrate"], env=service_env, check=True, capture_output=True, timeout=120)
    return service_env


async def test_migrate_creates_the_tenant_registry(migrated: dict[str, str], database_url: str) -> None:
    connection = await asyncpg.connect(database_url)
    try:
        columns = await connection.fetch(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = 'control' AND table_name = 'tenants' ORDER BY column_name"
        )
    finally:
        await connection.close()
    assert [row["column_name"] for row in columns] == [
        "created_at",
        "delete_after",
        "display_name",
        "id",
        "schema_name",
        "slug",
        "status",
        "status_reason",
    ]


async def test_demo_seed_is_idempotent(migrated: dict[str, str], database_url: str) -> None:
    outputs = [
        subprocess.run(
            [*RAPPORT, "demo", "seed"], env=migrated, check=True, capture_output=True, text=True, timeout=120
        ).stdout
        for _ in range(2)
    ]
    shown = [[line for line in out.splitlines() if "tenant_created" not in line] for out in outputs]
    assert "demo tenant 'demo'" in shown[0][0]
    # The first run seeds the CRM data unless an earlier test did; the second always finds it there.
    crm = "demo CRM data:"
    assert [line for line in shown[0] if crm not in line] == [line for line in shown[1] if crm not in line]
    assert f"{crm} present in 'demo'" in shown[1]
    assert "tenant_created" not in outputs[1]
    connection = await asyncpg.connect(database_url)
    try:
        rows = await connection.fetch(
            "SELECT slug, status, schema_name FROM control.tenants WHERE slug = 'demo'"
        )
        assert len(rows) == 1
        assert rows[0]["status"] == "active"
        schema_exists = await connection.fetchval(
            "SELECT count(*) FROM pg_namespace WHERE nspname = $1", rows[0]["schema_name"]
        )
    finally:
        await connection.close()
    assert schema_exists == 1
