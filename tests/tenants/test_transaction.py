"""The tenant transaction is the only way to tenant rows; outside one, queries fail loudly."""

from __future__ import annotations

import uuid

import asyncpg
import pytest
from piccolo.engine.postgres import PostgresEngine
from rapport.identity.tables import Membership
from rapport.kernel.settings import Settings
from rapport.tenancy.tables import WorkspaceSettings
from rapport_tenants.context import (
    NestedTenantTransaction,
    TenantContext,
    current_tenant,
    qualified,
    tenant_reads,
    tenant_transaction,
)
from rapport_tenants.names import check_schema_name, schema_name_for, search_path_for
from rapport_tenants.registry import tenant_by_slug

from tests.tenants.conftest import SignedUp


async def contexts(*tenants: SignedUp) -> list[TenantContext]:
    found = [await tenant_by_slug(tenant.slug) for tenant in tenants]
    assert all(found)
    return [context for context in found if context is not None]


async def test_a_query_outside_a_tenant_transaction_fails(engine: PostgresEngine) -> None:
    with pytest.raises(asyncpg.UndefinedTableError, match='relation "memberships" does not exist'):
        await Membership.select()
    async with engine.transaction():  # a plain transaction is not enough either
        with pytest.raises(asyncpg.UndefinedTableError):
            await WorkspaceSettings.select()


async def test_the_role_itself_has_an_empty_search_path(migrated: Settings) -> None:
    """Even a connection opened without our engine's settings (psql, a script) finds no tenant table."""
    connection = await asyncpg.connect(migrated.dsn)
    try:
        assert await connection.fetchval("SHOW search_path") == '""'
        with pytest.raises(asyncpg.UndefinedTableError):
            await connection.fetch("SELECT * FROM memberships")
    finally:
        await connection.close()


async def test_each_transaction_sees_only_its_tenant(
    two_tenants: tuple[SignedUp, SignedUp], engine: PostgresEngine
) -> None:
    first, second = await contexts(*two_tenants)
    for context, name in ((first, "First Org"), (second, "Second Org")):
        async with tenant_transaction(context):
            rows = await WorkspaceSettings.select(WorkspaceSettings.id, WorkspaceSettings.name)
            assert current_tenant.get() == context
        assert rows == [{"id": 1, "name": name}]  # the same id in both schemas, different rows
    assert current_tenant.get() is None


async def test_nested_tenant_transactions_are_refused(
    two_tenants: tuple[SignedUp, SignedUp], engine: PostgresEngine
) -> None:
    first, second = await contexts(*two_tenants)
    async with tenant_transaction(first):
        with pytest.raises(NestedTenantTransaction):
            async with tenant_transaction(second):
                pass
        assert await WorkspaceSettings.count() == 1  # the outer transaction is still usable


async def test_search_path_is_transaction_local(
    two_tenants: tuple[SignedUp, SignedUp], engine: PostgresEngine
) -> None:
    first, _ = await contexts(*two_tenants)
    async with tenant_transaction(first) as transaction:
        connection = transaction.connection
        assert await connection.fetchval("SELECT current_schemas(false)") == [first.schema_name, "ext"]
    # The pooled connection went back with its empty search_path.
    async with engine.transaction() as transaction:
        assert await transaction.connection.fetchval("SHOW search_path") in ('""', "")


async def test_reads_outside_a_transaction_name_their_tenant_in_full(
    two_tenants: tuple[SignedUp, SignedUp], engine: PostgresEngine
) -> None:
    """``tenant_reads``: no transaction and no search_path; qualified tables read one tenant, unqualified
    ones still fail, and it refuses to run inside a transaction (which could be another tenant's)."""
    first, second = await contexts(*two_tenants)
    for context, name in ((first, "First Org"), (second, "Second Org")):
        async with tenant_reads(context) as connection:
            assert current_tenant.get() == context
            assert not connection.is_in_transaction()
            table = qualified(context, "workspace_settings")
            assert await connection.fetchval(f"SELECT name FROM {table}") == name
            with pytest.raises(asyncpg.UndefinedTableError):
                await connection.fetch("SELECT name FROM workspace_settings")
    assert current_tenant.get() is None
    with pytest.raises(ValueError, match="invalid tenant schema name"):
        qualified(TenantContext(first.id, first.slug, 'x"; DROP SCHEMA ext; --', "active"), "contacts")
    async with tenant_transaction(first):
        with pytest.raises(NestedTenantTransaction):
            async with tenant_reads(second):
                pass


@pytest.mark.parametrize(
    "name",
    ["public", "control", 't_x"; DROP SCHEMA control; --', "t_" + "g" * 32, "T_" + "a" * 32, "t_" + "a" * 31],
)
def test_schema_names_are_checked_before_use(name: str) -> None:
    with pytest.raises(ValueError, match="invalid tenant schema name"):
        check_schema_name(name)
    with pytest.raises(ValueError, match="invalid tenant schema name"):
        search_path_for(name)


def test_schema_name_for_an_id() -> None:
    tenant_id = uuid.uuid4()
    assert schema_name_for(tenant_id) == "t_" + tenant_id.hex
