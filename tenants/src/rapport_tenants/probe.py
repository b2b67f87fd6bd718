"""Ask many tenant schemas one question at once: which of them have something to do.

A periodic job that would otherwise send a message to every workspace (most with nothing to do) probes
the schemas a chunk at a time, one ``UNION ALL`` query per chunk, and sends jobs only to those that
answered. Schemas without the table yet (being provisioned or migrated) are left out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import asyncpg

from rapport_tenants.names import check_schema_name

__all__ = ["PROBE_CHUNK", "schemas_where"]

PROBE_CHUNK = 200
"""Tenant schemas probed per query."""

_HAS_TABLE = """
SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relname = $1 AND c.relkind IN ('r', 'p') AND n.nspname = ANY($2::text[])
"""


async def schemas_where(
    connection: asyncpg.Connection | asyncpg.Pool,
    schemas: Sequence[str],
    table: str,
    condition: Callable[[str], str],
    *args: Any,
) -> set[str]:
    """Which of ``schemas`` hold ``table`` and meet ``condition(schema)``: a boolean SQL expression that
    names the schema's tables in full (``"<schema>".<table>``) and may use ``args`` as ``$1``, ``$2``….
    One query per ``PROBE_CHUNK`` schemas."""
    ready = {row["nspname"] for row in await connection.fetch(_HAS_TABLE, table, list(schemas))}
    candidates = [check_schema_name(schema) for schema in schemas if schema in ready]
    found: set[str] = set()
    for start in range(0, len(candidates), PROBE_CHUNK):
        chunk = candidates[start : start + PROBE_CHUNK]
        probe = " UNION ALL ".join(f"SELECT '{schema}' AS s WHERE ({condition(schema)})" for schema in chunk)
        found |= {row["s"] for row in await connection.fetch(probe, *args)}
    return found
