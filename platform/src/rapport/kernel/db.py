"""The database engine: one Piccolo ``PostgresEngine`` (asyncpg pool) per process, set up at startup."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlsplit

import asyncpg
from piccolo.engine.postgres import PostgresEngine
from piccolo.table import Table

__all__ = [
    "DatabaseUnreachable",
    "bind_tables",
    "check_database",
    "configured_engine",
    "create_engine",
    "describe_dsn",
    "fetch_one",
    "install_engine",
    "savepoint",
    "transaction_connection",
]

_installed: PostgresEngine | None = None


class DatabaseUnreachable(Exception):
    """PostgreSQL could not be reached; the message is one readable line."""


def describe_dsn(dsn: str) -> str:
    """The DSN without its password, for messages and logs."""
    parts = urlsplit(dsn)
    host = parts.hostname or "localhost"
    return f"{parts.username or ''}@{host}:{parts.port or 5432}{parts.path}"


def create_engine(dsn: str) -> PostgresEngine:
    """An engine for ``dsn``; its pool is started in the app's lifespan.

    Every connection starts with an empty ``search_path``: an unqualified table name resolves only
    inside a tenant transaction (which sets it, transaction-local), so a query that forgot its tenant
    fails instead of reading someone's rows. ``rapport migrate`` also sets it on the role.
    """
    return PostgresEngine(config={"dsn": dsn, "server_settings": {"search_path": ""}}, log_queries=False)


def install_engine(engine: PostgresEngine) -> None:
    """Make ``engine`` the process's engine: ``rapport.piccolo_conf`` and every module's tables use it.

    One engine per process matters: a Piccolo transaction is tracked per engine, so a query on another
    engine would run outside the tenant transaction.
    """
    global _installed
    _installed = engine
    os.environ.setdefault("PICCOLO_CONF", "rapport.piccolo_conf")
    from piccolo.apps.migrations.tables import Migration

    from rapport.kernel.modules import object_types, piccolo_table_classes

    kinds = [kind.table for kind in object_types().values()]
    bind_tables(engine, [Migration, *piccolo_table_classes(), *kinds])


def configured_engine() -> PostgresEngine:
    """The installed engine, or (for Piccolo's own CLI) one from ``RAPPORT_DATABASE_URL``, installed."""
    if _installed is not None:
        return _installed
    dsn = os.environ.get("RAPPORT_DATABASE_URL")
    if not dsn:
        raise DatabaseUnreachable("RAPPORT_DATABASE_URL is required")
    engine = create_engine(dsn)
    install_engine(engine)
    return engine


def bind_tables(engine: PostgresEngine, tables: Iterable[type[Table]]) -> None:
    """Point tables at ``engine`` so none of them falls back to looking up ``piccolo_conf``."""
    for table in tables:
        table._meta.db = engine


async def check_database(dsn: str, connect_timeout: float = 3.0) -> None:
    """Open one connection and run ``SELECT 1``, or raise :class:`DatabaseUnreachable`."""
    try:
        connection = await asyncpg.connect(dsn=dsn, timeout=connect_timeout)
    except (OSError, TimeoutError, asyncpg.PostgresError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise DatabaseUnreachable(f"cannot reach PostgreSQL at {describe_dsn(dsn)}: {reason}") from None
    try:
        await connection.fetchval("SELECT 1")
    finally:
        await connection.close()


def transaction_connection() -> asyncpg.Connection:
    """The asyncpg connection of the Piccolo transaction open in this task; raises outside one."""
    from piccolo.engine import engine_finder

    engine = engine_finder()
    transaction = engine.current_transaction.get() if engine is not None else None
    if transaction is None:
        raise RuntimeError("this runs inside a tenant transaction")
    connection: asyncpg.Connection = transaction.connection
    return connection


async def fetch_one(query: str, *args: Any) -> dict[str, Any] | None:
    """The first row of a raw statement (``$n`` placeholders) on a pooled connection, outside any
    transaction: for statements on every request, where building a Piccolo query cost more than running it."""
    from rapport_tenants.context import process_pool

    row = await process_pool().fetchrow(query, *args)
    return dict(row) if row is not None else None


@asynccontextmanager
async def savepoint() -> AsyncIterator[None]:
    """A savepoint in the open transaction: an exception inside rolls back to it (and is re-raised)."""
    from piccolo.engine import engine_finder

    engine = engine_finder()
    transaction = engine.current_transaction.get() if engine is not None else None
    if transaction is None:
        raise RuntimeError("a savepoint needs an open transaction")
    point = await transaction.savepoint()
    try:
        yield
    except BaseException:
        await point.rollback_to()
        raise
    await point.release()


async def release_connection(connection: asyncpg.Connection) -> None:
    """What the pool does with a connection handed back (asyncpg's ``reset=`` hook).

    asyncpg's default resets every session setting with a query on each release (a round trip per
    transaction). Rapport keeps no session state on pooled connections — ``search_path`` is set
    transaction-locally, nothing LISTENs or takes advisory locks on them — so only an unfinished
    transaction needs ending.
    """
    if connection.is_in_transaction():
        await connection.execute("ROLLBACK")
