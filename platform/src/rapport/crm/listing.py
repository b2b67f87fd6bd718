"""One list shape for every CRM object: filters (AND/OR), sort on indexed fields, keyset cursors, field
selection, ``q=`` search, and an estimated total from the planner (never ``COUNT(*)`` per page).

SQL is assembled from the declared :class:`~rapport.crm.objects.ListSpec` (names never come from input;
values are always parameters). The caller's row scope, hidden fields and soft deletes apply here.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import json
import time
import uuid
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import msgspec
from rapport_tenants.context import TenantContext, qualified, tenant_reads

from rapport.crm.custom_fields import extend_spec, mentions_custom
from rapport.crm.objects import LINKABLE, FieldSpec, ListSpec
from rapport.identity.access import Access
from rapport.kernel.errors import FieldError, ValidationFailed

__all__ = [
    "ListRequest", "Page", "escape_like", "list_columns", "list_page", "parse_cursor", "parse_filter",
    "record_conditions",
]  # fmt: skip

TEXT_OPS = {"eq", "ne", "in", "is_empty"}
TRIGRAM_OPS = {"contains", "starts_with"}
ORDER_OPS = {"eq", "ne", "in", "lt", "lte", "gt", "gte", "between", "is_empty"}
MAX_CONDITIONS = 20
ESTIMATE_SECONDS = 30.0
"""How long a process reuses the planner's estimate for one list (its statistics change far more slowly)."""
ESTIMATES_KEPT = 4096


@dataclass(frozen=True, slots=True)
class ListRequest:
    filter: Mapping[str, Any] = field(default_factory=dict)
    sort: str = "id"
    cursor: str | None = None
    limit: int = 50
    fields: tuple[str, ...] = ()
    q: str | None = None


@dataclass(frozen=True, slots=True)
class Page:
    items: list[dict[str, Any]]
    next_cursor: str | None
    estimated_total: int | None


class _Sql:
    """Collects parameters; ``add`` returns the placeholder of a value. With a tenant, ``table`` names its
    tables in full (for :func:`tenant_reads`); without, as the open tenant transaction resolves them."""

    def __init__(self, tenant: TenantContext | None = None) -> None:
        self.args: list[Any] = []
        self.tenant = tenant

    def table(self, name: str) -> str:
        return qualified(self.tenant, name) if self.tenant is not None else name

    def add(self, value: Any) -> str:
        self.args.append(value)
        return f"${len(self.args)}"


def _ops(spec: FieldSpec) -> set[str]:
    if spec.kind == "text":
        ranges = {"lt", "lte", "gt", "gte", "between"} if spec.ordered else set()
        return TEXT_OPS | (TRIGRAM_OPS if spec.trigram else set()) | ranges
    if spec.kind == "multi":
        return {"eq", "in"}
    if spec.kind == "boolean":
        return {"eq", "ne"}
    if spec.kind == "tag":
        return {"eq", "ne", "in"}
    return ORDER_OPS


def _coerce(spec: FieldSpec, value: Any, path: str) -> Any:
    if spec.kind == "boolean":
        if not isinstance(value, bool):
            raise ValidationFailed("The filter is not valid.", errors=[FieldError(path, "true or false")])
        return value
    try:
        if spec.kind == "datetime":
            return dt.datetime.fromisoformat(str(value))
        if spec.kind == "uuid":
            return uuid.UUID(str(value))
        if spec.kind == "id":
            return int(value)
        if spec.kind == "number":
            return decimal.Decimal(str(value))
        if spec.kind == "date":
            return dt.date.fromisoformat(str(value))
    except (TypeError, ValueError, decimal.InvalidOperation):
        raise ValidationFailed(
            "The filter is not valid.", errors=[FieldError(path, f"not a valid {spec.kind} value")]
        ) from None
    if not isinstance(value, str):
        raise ValidationFailed("The filter is not valid.", errors=[FieldError(path, "must be text")])
    return value


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _leaf(spec: FieldSpec, op: str, value: Any, sql: _Sql, path: str) -> str:
    column = spec.sql
    if op == "is_empty":
        empty = f"({column} IS NULL" + (f" OR {column} = ''" if spec.kind == "text" else "") + ")"
        return empty if value in (True, None) else f"NOT {empty}"
    if op == "in":
        if not isinstance(value, list) or not 1 <= len(value) <= 500:
            raise ValidationFailed(
                "The filter is not valid.", errors=[FieldError(path, "a list of 1 to 500 values")]
            )
        pg_type = {"text": "text", "id": "bigint", "uuid": "uuid", "datetime": "timestamptz", "date": "date",
                   "number": "numeric"}[spec.kind]  # fmt: skip
        return f"{column} = ANY({sql.add([_coerce(spec, v, path) for v in value])}::{pg_type}[])"
    if op == "between":
        if not isinstance(value, list) or len(value) != 2:
            raise ValidationFailed(
                "The filter is not valid.", errors=[FieldError(path, "a list [low, high]")]
            )
        low, high = (_coerce(spec, v, path) for v in value)
        return f"{column} BETWEEN {sql.add(low)} AND {sql.add(high)}"
    if op in TRIGRAM_OPS:
        text = escape_like(str(_coerce(spec, value, path)))
        pattern = f"%{text}%" if op == "contains" else f"{text}%"
        return f"{column} ILIKE {sql.add(pattern)}"
    symbol = {"eq": "=", "ne": "IS DISTINCT FROM", "lt": "<", "lte": "<=", "gt": ">", "gte": ">="}[op]
    return f"{column} {symbol} {sql.add(_coerce(spec, value, path))}"


def parse_filter(
    spec: ListSpec,
    access: Access,
    node: Mapping[str, Any],
    sql: _Sql,
    path: str = "filter",
    count: list[int] | None = None,
) -> str | None:
    """The SQL condition of a filter tree; every field and operator checked against the list spec."""
    count = count if count is not None else [0]
    if not node:
        return None
    count[0] += 1
    if count[0] > MAX_CONDITIONS:
        raise ValidationFailed(
            "The filter is not valid.", errors=[FieldError(path, f"at most {MAX_CONDITIONS} conditions")]
        )
    if len(node) == 1 and ("and" in node or "or" in node):
        ((group, children),) = node.items()
        if not isinstance(children, list) or not children:
            raise ValidationFailed(
                "The filter is not valid.", errors=[FieldError(f"{path}.{group}", "a non-empty list")]
            )
        parts = [
            parse_filter(spec, access, child, sql, f"{path}.{group}.{i}", count)
            for i, child in enumerate(children)
        ]
        joined = f" {group.upper()} ".join(f"({part})" for part in parts if part)
        return joined or None
    name, op = node.get("field"), node.get("op")
    field_spec = spec.fields.get(str(name))
    if field_spec is None:
        raise ValidationFailed(
            "The filter is not valid.",
            errors=[FieldError(f"{path}.field", f"filterable fields: {', '.join(sorted(spec.fields))}")],
        )
    if str(name).startswith("custom."):
        access.check_fields(spec.kind, ["custom"], writing=False)
    elif field_spec.kind != "tag":
        access.check_fields(spec.kind, field_spec.reads or [str(name)], writing=False)
    if op not in _ops(field_spec):
        raise ValidationFailed(
            "The filter is not valid.",
            errors=[FieldError(f"{path}.op", f"for {name}: one of {', '.join(sorted(_ops(field_spec)))}")],
        )
    if field_spec.kind == "tag":
        return _tag_leaf(spec, str(op), node.get("value"), sql, path)
    if field_spec.kind == "multi":
        return _multi_leaf(field_spec, str(op), node.get("value"), sql, path)
    if field_spec.custom_key is not None:
        return _custom_leaf(field_spec, field_spec.custom_key, str(op), node.get("value"), sql, path)
    return _leaf(field_spec, str(op), node.get("value"), sql, path)


def _custom_leaf(spec: FieldSpec, key: str, op: str, value: Any, sql: _Sql, path: str) -> str:
    """A condition on a custom field: only records that have a value match (except ``is_empty``/``ne``)."""
    has = f"custom ? {sql.add(key)}"
    if op == "is_empty":
        return f"NOT ({has})" if value in (True, None) else has
    condition = _leaf(spec, op, value, sql, path)
    return f"(NOT ({has}) OR {condition})" if op == "ne" else f"({has} AND {condition})"


def _multi_leaf(spec: FieldSpec, op: str, value: Any, sql: _Sql, path: str) -> str:
    """A multi-select holds the choice (``eq``) or any of them (``in``): containment, served by GIN."""
    choices = value if op == "in" else [value]
    if (
        not isinstance(choices, list)
        or not 1 <= len(choices) <= 50
        or not all(isinstance(c, str) for c in choices)
    ):
        raise ValidationFailed("The filter is not valid.", errors=[FieldError(path, "choices (texts)")])
    terms = [
        f"custom @> {sql.add(json.dumps({spec.sql: [choice]}))}::jsonb" for choice in choices
    ]  # sql: key
    return "(" + " OR ".join(terms) + ")"


def _tag_leaf(spec: ListSpec, op: str, value: Any, sql: _Sql, path: str) -> str:
    """Has the tag (``eq``), any of them (``in``), or not (``ne``): an index probe on taggings."""
    names = value if op == "in" else [value]
    if not isinstance(names, list) or not 1 <= len(names) <= 50 or not all(isinstance(n, str) for n in names):
        raise ValidationFailed("The filter is not valid.", errors=[FieldError(path, "tag names")])
    exists = (
        f"EXISTS (SELECT 1 FROM {sql.table('taggings')} tg JOIN {sql.table('tags')} t ON t.id = tg.tag "
        "WHERE tg.record_type = "
        f"'{spec.kind.name}' AND tg.record_id = {spec.table}.id "
        f"AND lower(t.name) = ANY({sql.add([n.lower() for n in names])}::text[]))"
    )  # type and table names come from the list spec
    return f"NOT {exists}" if op == "ne" else exists


def _encode_cursor(value: Any, row_id: int) -> str:
    plain = value.isoformat() if isinstance(value, dt.date) else value
    plain = str(plain) if isinstance(plain, uuid.UUID | decimal.Decimal) else plain
    return base64.urlsafe_b64encode(json.dumps([plain, row_id]).encode()).decode().rstrip("=")


def parse_cursor(cursor: str, spec: FieldSpec) -> tuple[Any, int]:
    try:
        value, row_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        return _coerce(spec, value, "cursor") if spec.kind != "text" else str(value), int(row_id)
    except (ValueError, TypeError, ValidationFailed):
        raise ValidationFailed(
            "The cursor is not valid.", errors=[FieldError("cursor", "use next_cursor as given")]
        ) from None


def list_columns(wanted: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """The columns ``wanted`` reads: a custom field's column (``custom.<key>``) reads ``custom``."""
    return tuple(dict.fromkeys("custom" if name.startswith("custom.") else name for name in wanted))


def _columns(spec: ListSpec, access: Access, wanted: tuple[str, ...]) -> list[str]:
    hidden = spec.kind.columns_of(access.hidden(spec.kind.name))
    wanted = list_columns(wanted)
    if wanted:
        unknown = [name for name in wanted if name not in spec.columns]
        if unknown:
            raise ValidationFailed(
                "Unknown fields.", errors=[FieldError("fields", f"choose from: {', '.join(spec.columns)}")]
            )
        access.check_fields(spec.kind, wanted, writing=False)
    chosen = [name for name in (wanted or spec.columns) if name not in hidden]
    return ["id", *[name for name in chosen if name != "id"]]


def record_conditions(
    spec: ListSpec,
    access: Access,
    sql: _Sql,
    tree: Mapping[str, Any],
    q: str | None,
    *,
    path: str = "filter",
    live: bool = True,
) -> list[str]:
    """The SQL conditions of a list request: live (or deleted) records in the caller's row scope that match
    the filter ``tree`` (checked, its errors named under ``path``) and the search ``q``. Bulk actions on
    everything a list matches use the same."""
    deleted = spec.kind.deleted_field
    conditions = [f"{deleted} IS {'' if live else 'NOT '}NULL"] if deleted else []
    owners = access.scope_owners(spec.kind)
    if owners is not None:
        conditions.append(f"owner_id = ANY({sql.add(sorted(owners))}::uuid[])")
    parsed = parse_filter(spec, access, tree, sql, path)
    if parsed:
        conditions.append(f"({parsed})")
    if q:
        access.check_fields(spec.kind, spec.search_fields, writing=False)
        conditions.append(f"{spec.search_sql} ILIKE {sql.add('%' + escape_like(q) + '%')}")
    return conditions


async def list_page(tenant: TenantContext, access: Access, spec: ListSpec, request: ListRequest) -> Page:
    """One page of the list, visible fields only, within the caller's row scope."""
    access.require(spec.kind, "read")
    if spec.kind.name in LINKABLE and mentions_custom(request.filter, request.sort):
        spec = await extend_spec(tenant, spec)
    descending = request.sort.startswith("-")
    sort_name = request.sort.lstrip("-")
    sort_spec = spec.fields.get(sort_name)
    if sort_spec is None or not sort_spec.sortable:
        sortable = sorted(name for name, item in spec.fields.items() if item.sortable)
        raise ValidationFailed(
            "The sort is not valid.", errors=[FieldError("sort", f"one of: {', '.join(sortable)}")]
        )
    access.check_fields(spec.kind, sort_spec.reads or [sort_name.split(".")[0]], writing=False)
    with_tags = "tags" in request.fields and "tag" in spec.fields
    columns = _columns(
        spec, access, tuple(name for name in request.fields if name != "tags" or not with_tags)
    )
    sql = _Sql(tenant)
    conditions = record_conditions(spec, access, sql, request.filter, request.q)
    estimate_conditions = list(conditions)
    if request.cursor:
        value, row_id = parse_cursor(request.cursor, sort_spec)
        comparison = "<" if descending else ">"
        conditions.append(f"({sort_spec.sql}, id) {comparison} ({sql.add(value)}, {sql.add(row_id)})")
    direction = "DESC" if descending else "ASC"
    where = " AND ".join(conditions) or "true"
    select = ", ".join(f'"{name}"' for name in columns)
    query = (
        f"SELECT {select}, {sort_spec.sql} AS _sort FROM {sql.table(spec.table)} WHERE {where} "
        f"ORDER BY {sort_spec.sql} {direction}, id {direction} LIMIT {request.limit + 1}"
    )
    estimate_query = ""
    estimate_key: tuple[str, str, str] | None = None
    estimate = None
    if not request.cursor:  # the cursor's parameters come last: the estimate uses those before them
        where_all = " AND ".join(estimate_conditions) or "true"
        estimate_query = f"EXPLAIN (FORMAT JSON) SELECT 1 FROM {sql.table(spec.table)} WHERE {where_all}"
        estimate_key = (tenant.schema_name, estimate_query, repr(sql.args))
        estimate = _known_estimate(estimate_key)
    # One statement each, outside a transaction (tenant_reads): the page, then the tags and the estimate
    # only when they are asked for and not known.
    async with tenant_reads(tenant) as connection:
        rows = await connection.fetch(query, *sql.args)
        tags: dict[int, list[str]] = {}
        if with_tags and rows:
            tags = {
                row["record_id"]: list(row["names"])
                for row in await connection.fetch(
                    "SELECT tg.record_id, array_agg(t.name ORDER BY lower(t.name)) AS names "
                    f"FROM {sql.table('taggings')} tg JOIN {sql.table('tags')} t ON t.id = tg.tag "
                    "WHERE tg.record_type = $1 AND tg.record_id = ANY($2::bigint[]) "
                    "GROUP BY tg.record_id",
                    spec.kind.name,
                    [row["id"] for row in rows[: request.limit]],
                )
            }
        if estimate_key is not None and estimate is None:
            estimate = await _estimate(connection, estimate_key, estimate_query, sql.args)
    more = len(rows) > request.limit
    rows = rows[: request.limit]
    next_cursor = _encode_cursor(rows[-1]["_sort"], rows[-1]["id"]) if more and rows else None
    # JSON columns go out as the database wrote them (msgspec.Raw): no parse and re-encode per row.
    json_columns = {column._meta.name for column in spec.kind.table._meta.json_columns}
    raw_json = [name for name in columns if name in json_columns]
    items = []
    for row in rows:
        item = dict(zip(columns, row, strict=False))  # the row ends with _sort, which is left out
        for name in raw_json:
            item[name] = _raw_json(item[name])
        items.append(item)
    if with_tags:
        for item in items:
            item["tags"] = tags.get(item["id"], [])
    return Page(items, next_cursor, estimate)


def _raw_json(value: Any) -> Any:
    return msgspec.Raw(value.encode()) if isinstance(value, str) else value


_estimates: OrderedDict[tuple[str, str, str], tuple[float, int]] = OrderedDict()
"""Recent estimates per (tenant schema, query, values): the first page of a list shown again and again
(the row scope is among the conditions) costs no extra round trip."""


def _known_estimate(key: tuple[str, str, str]) -> int | None:
    known = _estimates.get(key)
    if known is None or known[0] <= time.monotonic():
        return None
    return known[1]


async def _estimate(connection: Any, key: tuple[str, str, str], query: str, args: list[Any]) -> int:
    """The planner's row estimate for the filtered list (cheap at any size; exact enough for a UI)."""
    plan = await connection.fetchval(query, *args)
    parsed = json.loads(plan) if isinstance(plan, str) else plan
    rows = int(parsed[0]["Plan"]["Plan Rows"])
    _estimates[key] = (time.monotonic() + ESTIMATE_SECONDS, rows)
    _estimates.move_to_end(key)
    if len(_estimates) > ESTIMATES_KEPT:
        _estimates.popitem(last=False)
    return rows
