"""The automation consumer: record events in, matching rules run, every run logged.

It runs inside the events consumer's tenant transaction (exactly once per event). Each rule runs in its
own savepoint: a failing rule is logged as failed and rolled back alone. Loops are cut twice: a rule
ignores changes it made itself, and nothing reacts to a change made ``MAX_DEPTH`` reactions deep.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import structlog
from rapport_tenants.context import TenantContext

from rapport.automation.rules import RuleSpec, evaluate, perform, rule_actor
from rapport.events.consumers import EventConsumer
from rapport.events.outbox import Event, cause_depth
from rapport.kernel.db import savepoint, transaction_connection
from rapport.kernel.objects import ObjectType

__all__ = ["CONSUMER", "MAX_DEPTH", "load_rules", "run_rule"]

MAX_DEPTH = 3
log = structlog.get_logger(__name__)


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def spec_of(row: Mapping[str, Any]) -> RuleSpec:
    return RuleSpec(
        id=row["id"],
        name=row["name"],
        object_type=row["object_type"],
        trigger=_json(row["trigger"]),
        conditions=_json(row["conditions"]),
        actions=_json(row["actions"]),
        round_robin_position=row["round_robin_position"],
    )


async def load_rules(object_types: Iterable[str], trigger_types: Sequence[str]) -> list[RuleSpec]:
    rows = await transaction_connection().fetch(
        "SELECT id, name, object_type, trigger, conditions, actions, round_robin_position "
        "FROM automation_rules "
        "WHERE active AND object_type = ANY($1::text[]) AND trigger->>'type' = ANY($2::text[]) ORDER BY id",
        list(object_types),
        list(trigger_types),
    )
    return [spec_of(row) for row in rows]


async def load_records(kind: ObjectType, ids: Iterable[object]) -> dict[str, dict[str, Any]]:
    """The current rows of ``ids`` (one query), by id as text."""
    numeric = sorted({int(str(record_id)) for record_id in ids if str(record_id).isdigit()})
    rows = await kind.table.select().where(kind.column(kind.id_field).is_in(numeric)) if numeric else []
    return {str(row[kind.id_field]): row for row in rows}


def _triggered(rule: RuleSpec, event: Event) -> bool:
    if event.name.endswith(".created"):
        return bool(rule.trigger["type"] == "created")
    fields = rule.trigger.get("fields") or []
    return rule.trigger["type"] == "updated" and (not fields or any(name in event.changes for name in fields))


async def run_rule(
    rule: RuleSpec,
    kind: ObjectType,
    record: Mapping[str, Any],
    *,
    changes: Mapping[str, Any],
    trigger: str,
    event_id: object = None,
    depth: int = 0,
    fire_key: str | None = None,
) -> str:
    """Evaluate and (on a match) act, in a savepoint; log the run. Returns the run's status."""
    evaluations: list[dict[str, Any]] = []
    actions: list[dict[str, Any]] = []
    error = None
    token = cause_depth.set(depth + 1)
    try:
        async with savepoint():  # a failing rule rolls back alone
            if evaluate(rule.conditions, record, changes, evaluations):
                actions = await perform(rule, kind, record)
                status = "done"
            else:
                status = "no_match"
    except Exception as exc:
        status, error = "failed", f"{type(exc).__name__}: {exc}"[:1000]
        log.warning(
            "automation_rule_failed", rule=rule.id, record=str(record.get(kind.id_field)), error=error
        )
    finally:
        cause_depth.reset(token)
    await _log_run(
        rule.id, event_id, record[kind.id_field], trigger, status, evaluations, actions, error, fire_key
    )
    return status


async def _log_run(
    rule_id: int,
    event_id: object,
    record_id: object,
    trigger: str,
    status: str,
    evaluations: list[dict[str, Any]],
    actions: list[dict[str, Any]],
    error: str | None,
    fire_key: str | None = None,
) -> None:
    await transaction_connection().execute(
        "INSERT INTO automation_runs "
        "(rule_id, event_id, record_id, trigger, status, conditions, actions, error, "
        "fire_key, created_at) VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8, $9, now())",
        rule_id,
        event_id,
        str(record_id),
        trigger,
        status,
        json.dumps(evaluations, default=str),
        json.dumps(actions, default=str),
        error,
        fire_key,
    )


async def handle(tenant: TenantContext, events: list[Event]) -> None:
    from rapport.kernel.modules import object_types

    kinds = object_types()
    relevant = [event for event in events if event.record_type in kinds]
    if not relevant:
        return
    rules = await load_rules({event.record_type for event in relevant}, ["created", "updated"])
    if not rules:
        return
    by_type: dict[str, list[RuleSpec]] = defaultdict(list)
    for rule in rules:
        by_type[rule.object_type].append(rule)
    records = {
        name: await load_records(kinds[name], [e.record_id for e in relevant if e.record_type == name])
        for name in by_type
    }
    for event in relevant:
        record = records.get(event.record_type, {}).get(event.record_id)
        if record is None:
            continue
        for rule in by_type.get(event.record_type, []):
            if not _triggered(rule, event) or event.actor == rule_actor(rule.id, rule.name).label:
                continue  # a rule never reacts to its own change
            if event.depth >= MAX_DEPTH:
                await _log_run(rule.id, event.id, event.record_id, event.name, "loop_stopped", [], [], None)
                continue
            await run_rule(
                rule,
                kinds[event.record_type],
                record,
                changes=event.changes,
                trigger=event.name,
                event_id=event.id,
                depth=event.depth,
            )


CONSUMER = EventConsumer("automation.rules", handle, events=("*.created", "*.updated"))
