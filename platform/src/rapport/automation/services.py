"""Automation rules for owners and admins: create, change, delete, dry-run, and the run log."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from rapport_tenants.context import TenantContext, tenant_transaction

from rapport.automation.consumer import spec_of
from rapport.automation.rules import evaluate, parse_rule, perform
from rapport.automation.tables import AutomationRule, AutomationRun
from rapport.identity import audit
from rapport.identity.audit import Actor
from rapport.kernel.db import transaction_connection
from rapport.kernel.errors import NotFoundError
from rapport.kernel.objects import ObjectType

__all__ = ["create_rule", "delete_rule", "dry_run", "get_rule", "list_rules", "list_runs", "update_rule"]

_FIELDS = ("name", "object_type", "trigger", "conditions", "actions", "active")


def _out(row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "name": row["name"],
        "object_type": row["object_type"],
        "trigger": _json(row["trigger"]),
        "conditions": _json(row["conditions"]),
        "actions": _json(row["actions"]),
        "active": row["active"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


async def list_rules(tenant: TenantContext) -> list[dict[str, Any]]:
    async with tenant_transaction(tenant):
        rows = await AutomationRule.select().order_by(AutomationRule.id)
    return [_out(row) for row in rows]


async def _row(rule_id: int) -> dict[str, Any]:
    row = await AutomationRule.select().where(AutomationRule.id == rule_id).first()
    if row is None:
        raise NotFoundError(f"No automation rule {rule_id}.")
    return dict(row)


async def get_rule(tenant: TenantContext, rule_id: int) -> dict[str, Any]:
    async with tenant_transaction(tenant):
        return _out(await _row(rule_id))


async def _index_date_rule(
    tenant: TenantContext, rule_id: int, trigger: Mapping[str, Any], active: bool
) -> None:
    """Keep the control-plane index of date rules in step, in the rule's transaction."""
    connection = transaction_connection()
    if active and trigger.get("type") == "date":
        await connection.execute(
            "INSERT INTO control.automation_date_rules (tenant_id, rule_id) VALUES ($1, $2) "
            "ON CONFLICT DO NOTHING",
            tenant.id,
            rule_id,
        )
    else:
        await connection.execute(
            "DELETE FROM control.automation_date_rules WHERE tenant_id = $1 AND rule_id = $2",
            tenant.id,
            rule_id,
        )


def _stored(values: Mapping[str, Any]) -> dict[str, Any]:
    return {
        name: json.dumps(value) if name in ("trigger", "conditions", "actions") else value
        for name, value in values.items()
    }


async def create_rule(
    tenant: TenantContext, actor: Actor, kinds: Mapping[str, ObjectType], data: Mapping[str, Any]
) -> dict[str, Any]:
    parse_rule(kinds, data["object_type"], data["trigger"], data.get("conditions", {}), data["actions"])
    values = {name: data[name] for name in _FIELDS if name in data}
    async with tenant_transaction(tenant):
        inserted = await AutomationRule.insert(
            AutomationRule(**_stored(values), created_by=actor.user_id)
        ).returning(AutomationRule.id)
        rule_id = inserted[0]["id"]
        await _index_date_rule(tenant, rule_id, data["trigger"], data.get("active", True))
        await audit.record(
            actor,
            "automation_rule.created",
            "automation_rule",
            rule_id,
            {k: (None, v) for k, v in values.items()},
        )
        return _out(await _row(rule_id))


async def update_rule(
    tenant: TenantContext,
    actor: Actor,
    kinds: Mapping[str, ObjectType],
    rule_id: int,
    changes: Mapping[str, Any],
) -> dict[str, Any]:
    async with tenant_transaction(tenant):
        before = _out(await _row(rule_id))
        after = {**before, **{name: changes[name] for name in _FIELDS if name in changes}}
        parse_rule(kinds, after["object_type"], after["trigger"], after["conditions"], after["actions"])
        diff = {name: (before[name], after[name]) for name in _FIELDS if before[name] != after[name]}
        if diff:
            await AutomationRule.update(
                {
                    **{
                        getattr(AutomationRule, name): value
                        for name, value in _stored({k: v[1] for k, v in diff.items()}).items()
                    },
                    AutomationRule.updated_at: _now(),
                }
            ).where(AutomationRule.id == rule_id)
            await _index_date_rule(tenant, rule_id, after["trigger"], after["active"])
            await audit.record(actor, "automation_rule.updated", "automation_rule", rule_id, diff)
        return _out(await _row(rule_id))


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


async def delete_rule(tenant: TenantContext, actor: Actor, rule_id: int) -> None:
    async with tenant_transaction(tenant):
        before = _out(await _row(rule_id))
        await AutomationRule.delete().where(AutomationRule.id == rule_id)
        await _index_date_rule(tenant, rule_id, {}, False)
        await audit.record(
            actor, "automation_rule.deleted", "automation_rule", rule_id, {"name": (before["name"], None)}
        )


async def dry_run(
    tenant: TenantContext, kinds: Mapping[str, ObjectType], rule_id: int, record_id: int
) -> dict[str, Any]:
    """Evaluate the rule against a record and say what it would do; nothing is written."""
    async with tenant_transaction(tenant):
        rule = spec_of(await _row(rule_id))
        kind = kinds.get(rule.object_type)
        if kind is None:
            raise NotFoundError(f"The rule's object type {rule.object_type!r} is not installed.")
        record = await kind.table.select().where(kind.column(kind.id_field) == record_id).first()
        if record is None:
            raise NotFoundError(f"No {kind.label} with id {record_id}.")
        evaluations: list[dict[str, Any]] = []
        matched = evaluate(rule.conditions, record, {}, evaluations)
        actions = await perform(rule, kind, record, dry_run=True) if matched else []
    return {"matched": matched, "conditions": evaluations, "actions": actions}


async def list_runs(
    tenant: TenantContext, rule_id: int, before: int | None, limit: int
) -> list[dict[str, Any]]:
    """The rule's runs, newest first (keyset on the run id)."""
    query = (
        AutomationRun.select()
        .where(AutomationRun.rule_id == rule_id)
        .order_by(AutomationRun.id, ascending=False)
        .limit(limit)
    )
    if before is not None:
        query = query.where(AutomationRun.id < before)
    async with tenant_transaction(tenant):
        await _row(rule_id)
        rows = await query
    for row in rows:
        row["conditions"], row["actions"] = _json(row["conditions"]), _json(row["actions"])
    return rows
