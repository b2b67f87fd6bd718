"""Global search: contacts, companies, deals and leads the caller may see, typo-tolerant (pg_trgm) and
prefix-friendly.

One ``UNION ALL`` query over the object types the caller may read and whose searched fields they may
see (matching on a hidden field would reveal it). Row scope and soft deletes apply; trigram GIN indexes
on each type's search expression serve both ``ILIKE`` and the word-similarity operator.
"""

from __future__ import annotations

from typing import Any

from rapport_tenants.context import TenantContext, tenant_transaction

from rapport.crm.listing import escape_like
from rapport.crm.objects import LISTS
from rapport.identity.access import Access

__all__ = ["search_all"]


async def search_all(tenant: TenantContext, access: Access, q: str, limit: int) -> list[dict[str, Any]]:
    args: list[Any] = [q, f"%{escape_like(q)}%", f"{escape_like(q)}%"]
    parts = []
    for name, spec in LISTS.items():
        if (
            not spec.global_search
            or not access.allows(name, "read")
            or set(spec.search_fields) & access.hidden(name)
        ):
            continue
        scope = ""
        owners = access.scope_owners(spec.kind)
        if owners is not None:
            args.append(sorted(owners))
            scope = f" AND owner_id = ANY(${len(args)}::uuid[])"
        parts.append(
            f"(SELECT '{name}' AS type, id, {spec.title_sql} AS title, "  # names come from the list specs
            f"word_similarity($1, {spec.search_sql}) "
            f"+ CASE WHEN {spec.title_sql} ILIKE $3 THEN 1 ELSE 0 END AS score "
            f"FROM {spec.table} WHERE deleted_at IS NULL{scope} "
            f"AND ({spec.search_sql} ILIKE $2 OR $1 <% {spec.search_sql}) "
            f"ORDER BY score DESC, id LIMIT {limit})"
        )
    if not parts:
        return []
    query = f"SELECT * FROM ({' UNION ALL '.join(parts)}) hits ORDER BY score DESC, type, id LIMIT {limit}"
    async with tenant_transaction(tenant) as transaction:
        rows = await transaction.connection.fetch(query, *args)
    return [{**dict(row), "score": round(float(row["score"]), 3)} for row in rows]
