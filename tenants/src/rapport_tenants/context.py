"""The tenant of the work at hand, and the ways to query its schema: :func:`tenant_transaction`, and for a
hot read of one statement, :func:`tenant_reads` with tables named by :func:`qualified`."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import asyncpg
from piccolo.engine import engine_finder
from piccolo.engine.postgres import PostgresEngine, PostgresTransaction

from rapport_tenants.names import check_schema_name, search_path_for

__all__ = [
    "NestedTenantTransaction",
    "ScopedTransaction",
    "TenantContext",
    "current_tenant",
    "process_engine",
    "process_pool",
    "qualified",
    "tenant_reads",
    "tenant_transaction",
]

current_tenant: ContextVar[TenantContext | None] = ContextVar("rapport_current_tenant", default=None)
"""The tenant whose request or job is running; set by the tenant middleware and the job middleware."""


@dataclass(frozen=True, slots=True)
class TenantContext:
    """Who the work is for. Small and immutable: it is passed around and put in every job message."""

    id: uuid.UUID
    slug: str
    schema_name: str
    status: str
    display_name: str = ""

    def as_message(self) -> dict[str, Any]:
        return {"id": str(self.id), "slug": self.slug, "schema_name": self.schema_name, "status": self.status}


class NestedTenantTransaction(RuntimeError):
    """A tenant transaction was opened inside another transaction (it could be another tenant's)."""


def process_engine() -> PostgresEngine:
    """The process's one PostgreSQL engine (what Piccolo's ``engine_finder`` returns)."""
    engine = engine_finder()
    if not isinstance(engine, PostgresEngine):
        raise RuntimeError("no PostgreSQL engine configured")
    return engine


def process_pool(engine: PostgresEngine | None = None) -> asyncpg.Pool:
    """The pool of ``engine``, or of the process's engine (started in the app's lifespan or a command's)."""
    pool = (engine or process_engine()).pool
    if pool is None:
        raise RuntimeError("the connection pool is not started")
    return pool


class ScopedTransaction(PostgresTransaction):
    """A Piccolo transaction that opens with ``BEGIN`` and ``SET LOCAL search_path`` in one round trip.

    asyncpg's own transaction object would send ``BEGIN`` alone, then the ``search_path`` would cost a second
    round trip on every request. The statements go as one simple query (no parameters: ``search_path``
    comes from :func:`search_path_for`, which checks the schema name). Inside, savepoints are Piccolo's
    (``transaction.savepoint()``), not asyncpg's ``connection.transaction()``, which refuses to nest in a
    transaction it did not start.
    """

    def __init__(self, engine: PostgresEngine, search_path: str) -> None:
        super().__init__(engine, allow_nested=False)
        self._opening = f"BEGIN; SET LOCAL search_path TO {search_path}"

    async def begin(self) -> None:
        await self.connection.execute(self._opening)

    async def commit(self) -> None:
        await self.connection.execute("COMMIT")
        self._committed = True

    async def rollback(self) -> None:
        await self.connection.execute("ROLLBACK")
        self._rolled_back = True


@asynccontextmanager
async def tenant_transaction(
    ctx: TenantContext, engine: PostgresEngine | None = None
) -> AsyncIterator[PostgresTransaction]:
    """A transaction whose first statement scopes ``search_path`` to the tenant's schema (``SET LOCAL``).

    Every query on tenant tables runs inside one. Outside, the role's empty ``search_path`` makes
    unqualified tenant tables fail to resolve instead of reading another tenant's rows. Nesting is
    refused: an enclosing transaction could belong to another tenant.
    """
    engine = engine or process_engine()
    if engine.current_transaction.get() is not None:
        raise NestedTenantTransaction(f"a transaction is already open; cannot enter tenant {ctx.slug}")
    async with ScopedTransaction(engine, search_path_for(ctx.schema_name)) as transaction:
        token = current_tenant.set(ctx)
        try:
            yield transaction
        finally:
            current_tenant.reset(token)


def qualified(ctx: TenantContext, table: str) -> str:
    """``"t_…".table``: a tenant table named in full, for :func:`tenant_reads` (the schema name is checked;
    ``table`` comes from code, never from input)."""
    return f'"{check_schema_name(ctx.schema_name)}".{table}'


@asynccontextmanager
async def tenant_reads(
    ctx: TenantContext, engine: PostgresEngine | None = None
) -> AsyncIterator[asyncpg.Connection]:
    """A pooled connection, outside any transaction, for reads that name the tenant's tables in full.

    Each statement runs alone (its own snapshot) in one round trip: no ``BEGIN``, ``search_path`` or
    ``COMMIT``. The ``search_path`` stays empty, so a table left unqualified still fails to resolve instead
    of reading another tenant's rows. For a list page read again and again; anything that writes, or needs
    several statements to agree, uses :func:`tenant_transaction`.
    """
    engine = engine or process_engine()
    if engine.current_transaction.get() is not None:
        raise NestedTenantTransaction(f"a transaction is already open; cannot read tenant {ctx.slug}")
    check_schema_name(ctx.schema_name)
    async with process_pool(engine).acquire() as connection:
        token = current_tenant.set(ctx)
        try:
            yield connection
        finally:
            current_tenant.reset(token)
