"""Custom fields: tenant admins add typed fields to companies, contacts, deals and leads.

Values live in each record's ``custom`` JSON object by key and are checked on every write: the type, the
select options, required and unique flags, defaults on create, and that a ``user`` is a member and a
``relation`` an existing record. Lists filter and sort on them as ``custom.<key>``: equality on select,
multi-select and boolean values goes through the table's GIN index on ``custom``; every filterable field
also gets a B-tree expression index ``(value, id)`` when it is defined, so sorts and ranges are indexed.
Dates and times are stored as ISO-8601 text (UTC, fixed width) so their text order is their time order.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
import re
import uuid
from collections.abc import Mapping
from typing import Any

from rapport_tenants.context import TenantContext, tenant_transaction

from rapport.crm.objects import LINKABLE, LISTS, FieldSpec, ListSpec
from rapport.identity import audit
from rapport.identity.audit import Actor
from rapport.kernel.db import transaction_connection
from rapport.kernel.errors import ConflictError, FieldError, NotFoundError, ValidationFailed

__all__ = [
    "TYPES",
    "check_value",
    "create_field",
    "delete_field",
    "extend_spec",
    "field_definitions",
    "list_fields",
    "mentions_custom",
    "validate_custom",
]

TYPES = (
    "text", "long_text", "number", "currency", "date", "datetime", "boolean", "select", "multi_select",
    "user", "relation", "email", "phone", "url",
)  # fmt: skip
KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_FIELDS_PER_TYPE = 100
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9 ().-]{5,30}$")
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
_TEXT_LIKE = ("text", "select", "email", "phone", "url", "user")


def _expression(field_type: str, key: str) -> str | None:
    """The SQL of a field's value in lists (``key`` passed the KEY pattern); None when not filterable.

    Never NULL (a missing value is '', -Infinity or 0), so keyset pages over a sort on it have no gaps;
    filters add ``custom ? key`` so a missing value never matches a comparison.
    """
    text = f"coalesce(custom->>'{key}', '')"
    return {
        "number": f"coalesce((custom->>'{key}')::numeric, '-Infinity')",
        "currency": f"coalesce((custom->>'{key}')::numeric, '-Infinity')",
        "boolean": f"coalesce((custom->>'{key}')::boolean, false)",
        "relation": f"coalesce((custom->>'{key}')::bigint, 0)",
        "date": text,
        "datetime": text,
        **dict.fromkeys(_TEXT_LIKE, text),
    }.get(field_type)


def _spec(definition: Mapping[str, Any]) -> FieldSpec | None:
    field_type, key = definition["type"], definition["key"]
    if field_type == "multi_select":
        return FieldSpec(key, "multi")
    sql = _expression(field_type, key)
    if sql is None:
        return None
    kind = {"number": "number", "currency": "number", "boolean": "boolean", "relation": "id"}.get(
        field_type, "text"
    )
    return FieldSpec(
        sql, kind, sortable=kind != "boolean", ordered=field_type in ("date", "datetime"), custom_key=key
    )


def mentions_custom(filter_tree: Mapping[str, Any], sort: str) -> bool:
    return sort.lstrip("-").startswith("custom.") or '"custom.' in json.dumps(filter_tree)


async def field_definitions(object_type: str) -> list[dict[str, Any]]:
    rows = await transaction_connection().fetch(
        'SELECT id, object_type, key, label, type, required, "unique", "default", options, position, '
        "created_at "
        "FROM custom_fields WHERE object_type = $1 ORDER BY position, id",
        object_type,
    )
    return [
        {**dict(row), "default": json.loads(row["default"]) if row["default"] else None,
         "options": json.loads(row["options"])}
        for row in rows
    ]  # fmt: skip


async def extend_spec(tenant: TenantContext, spec: ListSpec) -> ListSpec:
    """``spec`` with a ``custom.<key>`` field for every filterable custom field of its type."""
    async with tenant_transaction(tenant):
        definitions = await field_definitions(spec.kind.name)
    extra = {f"custom.{d['key']}": field for d in definitions if (field := _spec(d)) is not None}
    return dataclasses.replace(spec, fields={**spec.fields, **extra})


async def list_fields(tenant: TenantContext, object_type: str) -> list[dict[str, Any]]:
    async with tenant_transaction(tenant):
        return await field_definitions(object_type)


def _text(limit: int) -> Any:
    def check(value: Any, options: list[Any]) -> Any:
        if not isinstance(value, str) or len(value) > limit:
            raise ValueError(f"text of at most {limit} characters")
        return value

    return check


def _number(value: Any, options: list[Any]) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError("a number")
    return value


def _currency(value: Any, options: list[Any]) -> Any:
    if round(_number(value, options), 2) != value:
        raise ValueError("an amount with at most two decimals")
    return value


def _date(value: Any, options: list[Any]) -> Any:
    return dt.date.fromisoformat(str(value)).isoformat()


def _datetime(value: Any, options: list[Any]) -> Any:
    moment = dt.datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        raise ValueError("a date and time with its offset, e.g. 2026-12-01T09:00:00Z")
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _boolean(value: Any, options: list[Any]) -> Any:
    if not isinstance(value, bool):
        raise ValueError("true or false")
    return value


def _select(value: Any, options: list[Any]) -> Any:
    if value not in options:
        raise ValueError(f"one of: {', '.join(options)}")
    return value


def _multi_select(value: Any, options: list[Any]) -> Any:
    if not isinstance(value, list) or any(item not in options for item in value):
        raise ValueError(f"a list of: {', '.join(options)}")
    return sorted(set(value), key=options.index)


def _user(value: Any, options: list[Any]) -> Any:
    return str(uuid.UUID(str(value)))


def _relation(value: Any, options: list[Any]) -> Any:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"the id of a {options[0]}")
    return value


def _pattern(name: str, pattern: re.Pattern[str]) -> Any:
    def check(value: Any, options: list[Any]) -> Any:
        if not isinstance(value, str) or len(value) > 2000 or not pattern.match(value.strip()):
            raise ValueError(f"a valid {name}")
        return value.strip().lower() if name == "email" else value.strip()

    return check


_CHECKS = {
    "text": _text(500), "long_text": _text(20_000), "number": _number, "currency": _currency, "date": _date,
    "datetime": _datetime, "boolean": _boolean, "select": _select, "multi_select": _multi_select,
    "user": _user, "relation": _relation, "email": _pattern("email", _EMAIL),
    "phone": _pattern("phone", _PHONE), "url": _pattern("url", _URL),
}  # fmt: skip


def check_value(definition: Mapping[str, Any], value: Any) -> Any:
    """The value as stored, or ValueError with what is expected."""
    return _CHECKS[definition["type"]](value, definition["options"])


async def validate_custom(
    object_type: str, values: dict[str, Any], current: Mapping[str, Any] | None, record_id: int | None,
    errors: list[FieldError],
) -> None:  # fmt: skip
    """Check ``values["custom"]`` and replace it by the record's whole normalized custom object."""
    incoming = values.get("custom", {})
    if current is not None and "custom" not in values:
        return
    if not isinstance(incoming, dict):
        errors.append(FieldError("custom", "an object of custom field values by key"))
        return
    definitions = {d["key"]: d for d in await field_definitions(object_type)}
    existing = current.get("custom") if current is not None else None
    merged: dict[str, Any] = dict(json.loads(existing) if isinstance(existing, str) else existing or {})
    if current is None:
        merged |= {key: d["default"] for key, d in definitions.items() if d["default"] is not None}
    for key, value in incoming.items():
        definition = definitions.get(key)
        if definition is None:
            errors.append(FieldError(f"custom.{key}", "no such custom field"))
            continue
        if value is None or value == "" or value == []:
            merged.pop(key, None)
            continue
        try:
            merged[key] = check_value(definition, value)
        except (ValueError, TypeError) as exc:
            errors.append(FieldError(f"custom.{key}", str(exc)))
    for key, definition in definitions.items():
        if definition["required"] and key not in merged:
            errors.append(FieldError(f"custom.{key}", "is required"))
    await _check_references(object_type, definitions, incoming, merged, record_id, errors)
    values["custom"] = merged


async def _check_references(
    object_type: str, definitions: Mapping[str, Any], incoming: Mapping[str, Any], merged: Mapping[str, Any],
    record_id: int | None, errors: list[FieldError],
) -> None:  # fmt: skip
    """Unique values not taken by another record, users who are members, related records that exist."""
    connection = transaction_connection()
    table = LISTS[object_type].table
    for key in incoming:
        definition, value = definitions.get(key), merged.get(key)
        if definition is None or value is None:
            continue
        if definition["unique"] and await connection.fetchval(
            f"SELECT EXISTS (SELECT 1 FROM {table} WHERE custom @> $1::jsonb AND deleted_at IS NULL "
            "AND id IS DISTINCT FROM $2)",
            json.dumps({key: value}),
            record_id,
        ):
            errors.append(FieldError(f"custom.{key}", "another record has this value"))
        if definition["type"] == "user" and not await connection.fetchval(
            "SELECT EXISTS (SELECT 1 FROM memberships WHERE user_id = $1::uuid AND active)", value
        ):
            errors.append(FieldError(f"custom.{key}", "not a member of this workspace"))
        if definition["type"] == "relation":
            target = LISTS[definition["options"][0]].table
            if not await connection.fetchval(
                f"SELECT EXISTS (SELECT 1 FROM {target} WHERE id = $1 AND deleted_at IS NULL)", value
            ):
                errors.append(FieldError(f"custom.{key}", f"no {definition['options'][0]} {value}"))


def _option_errors(values: Mapping[str, Any]) -> list[FieldError]:
    options = values.get("options") or []
    if values["type"] in ("select", "multi_select"):
        if not options or len(options) > 200 or len(set(options)) != len(options):
            return [FieldError("options", "1 to 200 different choices")]
        if any(not isinstance(o, str) or not o.strip() or len(o) > 100 for o in options):
            return [FieldError("options", "choices are texts of up to 100 characters")]
    elif values["type"] == "relation":
        if len(options) != 1 or options[0] not in LINKABLE:
            return [FieldError("options", f"[the related object type]: one of {', '.join(LINKABLE)}")]
    elif options:
        return [FieldError("options", "only select, multi_select and relation fields have options")]
    return []


def _check_definition(values: dict[str, Any]) -> None:
    errors: list[FieldError] = []
    if values["object_type"] not in LINKABLE:
        errors.append(FieldError("object_type", f"one of: {', '.join(LINKABLE)}"))
    if not KEY.match(values["key"]):
        errors.append(FieldError("key", "lower-case letters, digits and _, starting with a letter (max 40)"))
    if values["type"] not in TYPES:
        errors.append(FieldError("type", f"one of: {', '.join(TYPES)}"))
    else:
        errors += _option_errors(values)
    if values["unique"] and values["type"] in ("long_text", "boolean", "multi_select"):
        errors.append(FieldError("unique", f"a {values['type']} field cannot be unique"))
    if values.get("default") is not None and not errors:
        try:
            values["default"] = check_value(values, values["default"])
        except (ValueError, TypeError) as exc:
            errors.append(FieldError("default", str(exc)))
    if errors:
        raise ValidationFailed("The custom field is not valid.", errors=errors)


def _index_name(object_type: str, key: str) -> str:
    return f"cf_{object_type}_{key}"


async def create_field(tenant: TenantContext, actor: Actor, values: dict[str, Any]) -> dict[str, Any]:
    """Define a field (and index its values for lists); existing records simply have no value yet."""
    _check_definition(values)
    if values["required"] and values.get("default") is None:
        values_note = "a required field needs a default, so existing records have a value"
        raise ValidationFailed("The custom field is not valid.", errors=[FieldError("default", values_note)])
    async with tenant_transaction(tenant) as transaction:
        connection = transaction.connection
        count = await connection.fetchval(
            "SELECT count(*) FROM custom_fields WHERE object_type = $1", values["object_type"]
        )
        if count >= MAX_FIELDS_PER_TYPE:
            raise ConflictError(f"A type may have at most {MAX_FIELDS_PER_TYPE} custom fields.")
        row = await connection.fetchrow(
            "INSERT INTO custom_fields (object_type, key, label, type, required, \"unique\", \"default\", "
            "options, "
            "position, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb, $9, now()) "
            "ON CONFLICT (object_type, key) DO NOTHING RETURNING id",
            values["object_type"], values["key"], values["label"], values["type"], values["required"],
            values["unique"], json.dumps(values.get("default")), json.dumps(values.get("options") or []),
            values.get("position", 0),
        )  # fmt: skip
        if row is None:
            raise ConflictError(f"The {values['object_type']} field {values['key']!r} exists already.")
        table = LISTS[values["object_type"]].table
        if values["required"]:
            await connection.execute(
                f"UPDATE {table} SET custom = custom || $1::jsonb WHERE NOT custom ? $2",
                json.dumps({values["key"]: values["default"]}),
                values["key"],
            )
        expression = _expression(values["type"], values["key"])
        if expression is not None:
            await connection.execute(
                f'CREATE INDEX "{_index_name(values["object_type"], values["key"])}" ON {table} '
                f"({expression}, id) WHERE deleted_at IS NULL"
            )
        changes = {"key": (None, values["key"]), "type": (None, values["type"])}
        await audit.record(actor, "custom_field.created", "custom_field", row["id"], changes)
        created = [d for d in await field_definitions(values["object_type"]) if d["id"] == row["id"]]
    return created[0]


async def delete_field(tenant: TenantContext, actor: Actor, field_id: int) -> None:
    """Forget a field: its index and every record's value go with it."""
    async with tenant_transaction(tenant) as transaction:
        connection = transaction.connection
        row = await connection.fetchrow(
            "DELETE FROM custom_fields WHERE id = $1 RETURNING object_type, key", field_id
        )
        if row is None:
            raise NotFoundError(f"No custom field {field_id}.")
        table = LISTS[row["object_type"]].table
        await connection.execute(f'DROP INDEX IF EXISTS "{_index_name(row["object_type"], row["key"])}"')
        await connection.execute(f"UPDATE {table} SET custom = custom - $1 WHERE custom ? $1", row["key"])
        await audit.record(
            actor, "custom_field.deleted", "custom_field", field_id, {"key": (row["key"], None)}
        )
