"""Rule documents: validation against an object type, condition evaluation, and the actions.

A rule runs as the workspace (full access to records), attributed in the audit log and in events to
``automation rule #<id>``. Actions run inside the caller's tenant transaction; mail is handed to a job.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from piccolo.columns import Date, Timestamp, Timestamptz

from rapport.events.outbox import NewEvent, emit
from rapport.identity.access import BUILTIN_ROLES, Access
from rapport.identity.audit import Actor
from rapport.identity.records import apply_update
from rapport.kernel.errors import FieldError, ValidationFailed
from rapport.kernel.objects import ObjectType

__all__ = ["OPS", "RuleSpec", "evaluate", "parse_rule", "perform", "rule_actor"]

OPS = ("eq", "ne", "lt", "lte", "gt", "gte", "contains", "in", "is_empty", "changed", "changed_to")
TRIGGERS = ("created", "updated", "date")
ACTIONS = ("update_field", "assign_round_robin", "send_email", "call_webhook", "create_task")
TASK_LINKS = ("company", "contact", "deal")
"""Record types a task created by a rule is linked to (the CRM's linkable records); others get no link."""
MAX_TASK_DUE_HOURS = 24 * 365
MAX_CONDITIONS = 50
MAX_ACTIONS = 10
_TEMPLATE = re.compile(r"\{\{\s*(\w+)\s*\}\}")


@dataclass(frozen=True, slots=True)
class RuleSpec:
    id: int
    name: str
    object_type: str
    trigger: Mapping[str, Any]
    conditions: Mapping[str, Any]
    actions: Sequence[Mapping[str, Any]]
    round_robin_position: int = 0


def rule_actor(rule_id: int, name: str) -> Actor:
    return Actor(None, f"automation rule #{rule_id} ({name})"[:320], "automation")


def system_access() -> Access:
    """What a rule may do: everything on records (only owners and admins write rules)."""
    return Access(user_id=uuid.UUID(int=0), role=BUILTIN_ROLES["admin"], teammates=frozenset())


# --- validation ---------------------------------------------------------------------------------------


def parse_rule(
    kinds: Mapping[str, ObjectType], object_type: str, trigger: Any, conditions: Any, actions: Any
) -> None:
    """Check a rule document; every problem at once as 422 field errors."""
    errors: list[FieldError] = []
    kind = kinds.get(object_type)
    if kind is None:
        raise ValidationFailed(
            "The rule is not valid.",
            errors=[FieldError("object_type", f"unknown; known: {', '.join(sorted(kinds)) or 'none'}")],
        )
    errors += _trigger_errors(kind, trigger)
    errors += _condition_errors(kind, conditions, "conditions", [0])
    if not isinstance(actions, list) or not 1 <= len(actions) <= MAX_ACTIONS:
        errors.append(FieldError("actions", f"a list of 1 to {MAX_ACTIONS} actions"))
    else:
        for index, action in enumerate(actions):
            errors += _action_errors(kind, action, f"actions.{index}")
    if errors:
        raise ValidationFailed("The rule is not valid.", errors=errors)


def _trigger_errors(kind: ObjectType, trigger: Any) -> list[FieldError]:
    if not isinstance(trigger, Mapping) or trigger.get("type") not in TRIGGERS:
        return [FieldError("trigger.type", f"one of: {', '.join(TRIGGERS)}")]
    errors = []
    if trigger["type"] == "updated":
        fields = trigger.get("fields", [])
        if not isinstance(fields, list) or any(name not in kind.fields for name in fields):
            errors.append(FieldError("trigger.fields", f"a list of {kind.label} fields (empty: any field)"))
    if trigger["type"] == "date":
        column = getattr(kind.table, str(trigger.get("field")), None)
        if not isinstance(column, Timestamptz | Timestamp | Date):
            errors.append(FieldError("trigger.field", f"a date or time field of {kind.label}"))
        offset = trigger.get("offset_minutes", 0)
        if not isinstance(offset, int) or abs(offset) > 525_600:
            errors.append(FieldError("trigger.offset_minutes", "whole minutes, at most a year either way"))
    return errors


def _condition_errors(kind: ObjectType, node: Any, path: str, count: list[int]) -> list[FieldError]:
    if node in ({}, None):
        return []
    count[0] += 1
    if count[0] > MAX_CONDITIONS:
        return [FieldError(path, f"at most {MAX_CONDITIONS} conditions")]
    if isinstance(node, Mapping) and len(node) == 1 and ("all" in node or "any" in node):
        ((group, children),) = node.items()
        if not isinstance(children, list):
            return [FieldError(f"{path}.{group}", "a list of conditions")]
        return [
            error
            for index, child in enumerate(children)
            for error in _condition_errors(kind, child, f"{path}.{group}.{index}", count)
        ]
    if not isinstance(node, Mapping):
        return [
            FieldError(
                path, 'a condition {"field", "op", "value"} or a group {"all": [...]} / {"any": [...]}'
            )
        ]
    errors = []
    if node.get("field") not in kind.fields:
        errors.append(FieldError(f"{path}.field", f"{kind.label} has no field {node.get('field')!r}"))
    if node.get("op") not in OPS:
        errors.append(FieldError(f"{path}.op", f"one of: {', '.join(OPS)}"))
    if node.get("op") == "in" and not isinstance(node.get("value"), list):
        errors.append(FieldError(f"{path}.value", "a list for the 'in' operator"))
    return errors


def _action_errors(kind: ObjectType, action: Any, path: str) -> list[FieldError]:
    if not isinstance(action, Mapping) or action.get("type") not in ACTIONS:
        return [FieldError(f"{path}.type", f"one of: {', '.join(ACTIONS)}")]
    kind_of = action["type"]
    if kind_of == "update_field" and (action.get("field") not in kind.fields or "value" not in action):
        return [FieldError(f"{path}.field", f"a {kind.label} field, with a value")]
    if kind_of == "assign_round_robin" and not isinstance(action.get("team_id"), int):
        return [FieldError(f"{path}.team_id", "the id of the team to take turns among")]
    if kind_of == "send_email":
        to = action.get("to")
        if not (to == "owner" or (isinstance(to, str) and re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", to))):
            return [FieldError(f"{path}.to", "'owner' or an email address")]
        if not action.get("subject") or not isinstance(action.get("body", ""), str):
            return [FieldError(f"{path}.subject", "a subject (and a body); {{field}} inserts a value")]
    if kind_of == "create_task":
        return _task_errors(action, path)
    if kind_of == "call_webhook" and not re.fullmatch(r"[a-z0-9_.]{1,60}", str(action.get("event", ""))):
        return [
            FieldError(f"{path}.event", "the event name webhook subscriptions receive (automation.<event>)")
        ]
    return []


def _task_errors(action: Mapping[str, Any], path: str) -> list[FieldError]:
    from rapport.kernel.modules import object_types

    if "activity" not in object_types():
        return [FieldError(f"{path}.type", "tasks need the CRM module, which is not loaded")]
    subject = action.get("subject")
    if not isinstance(subject, str) or not subject.strip() or len(subject) > 200:
        return [FieldError(f"{path}.subject", "a subject of up to 200 characters; {{field}} inserts a value")]
    due = action.get("due_in_hours")
    if due is not None and not (isinstance(due, int) and 0 <= due <= MAX_TASK_DUE_HOURS):
        return [FieldError(f"{path}.due_in_hours", f"whole hours from 0 to {MAX_TASK_DUE_HOURS}")]
    return []


# --- evaluation ---------------------------------------------------------------------------------------


def _compare(op: str, actual: Any, expected: Any, changes: Mapping[str, Any], field: str) -> bool:
    checks: dict[str, Callable[[], bool]] = {
        "eq": lambda: actual == expected,
        "ne": lambda: actual != expected,
        "lt": lambda: actual is not None and actual < expected,
        "lte": lambda: actual is not None and actual <= expected,
        "gt": lambda: actual is not None and actual > expected,
        "gte": lambda: actual is not None and actual >= expected,
        "contains": lambda: isinstance(actual, str) and str(expected).lower() in actual.lower(),
        "in": lambda: actual in expected,
        "is_empty": lambda: (actual in (None, "", [])) == bool(expected if expected is not None else True),
        "changed": lambda: field in changes,
        "changed_to": lambda: field in changes and changes[field][1] == expected,
    }
    try:
        return bool(checks[op]())
    except TypeError:  # e.g. a number compared with text: not a match
        return False


def evaluate(
    node: Mapping[str, Any], record: Mapping[str, Any], changes: Mapping[str, Any], log: list[dict[str, Any]]
) -> bool:
    """Whether ``record`` (with this event's ``changes``) satisfies ``node``; each leaf is logged."""
    if not node:
        return True
    if "all" in node:
        return all([evaluate(child, record, changes, log) for child in node["all"]])
    if "any" in node:
        return any([evaluate(child, record, changes, log) for child in node["any"]])
    field, op, expected = node["field"], node["op"], node.get("value")
    actual = _plain(record.get(field))
    result = _compare(op, actual, expected, changes, field)
    log.append({"field": field, "op": op, "value": expected, "actual": actual, "result": result})
    return result


def _plain(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def render(template: str, record: Mapping[str, Any]) -> str:
    return _TEMPLATE.sub(lambda match: str(_plain(record.get(match.group(1), ""))), template)


# --- actions ------------------------------------------------------------------------------------------


async def _create_task(
    action: Mapping[str, Any], actor: Actor, kind: ObjectType, record: Mapping[str, Any], *, dry_run: bool
) -> dict[str, Any]:
    """A task for the record's owner, linked to the record, due ``due_in_hours`` from now (or undated)."""
    from rapport.identity.records import apply_create
    from rapport.kernel.modules import object_types

    subject = render(action["subject"], record)[:200]
    hours = action.get("due_in_hours")
    due = dt.datetime.now(dt.UTC) + dt.timedelta(hours=hours) if hours is not None else None
    values: dict[str, Any] = {"kind": "task", "subject": subject, "due_at": due}
    if record.get(kind.owner_field) is not None:
        values["owner_id"] = record[kind.owner_field]
    if kind.name in TASK_LINKS:
        values |= {"record_type": kind.name, "record_id": record[kind.id_field]}
    entry: dict[str, Any] = {
        "type": "create_task", "subject": subject, "due_at": due.isoformat() if due else None
    }  # fmt: skip
    if not dry_run:
        created = await apply_create(system_access(), actor, object_types()["activity"], values)
        entry["activity_id"] = created["id"]
    return entry


async def perform(
    rule: RuleSpec,
    kind: ObjectType,
    record: Mapping[str, Any],
    *,
    dry_run: bool = False,
) -> list[dict[str, Any]]:
    """Do (or, dry, describe) the rule's actions on ``record``, inside the caller's tenant transaction."""
    from rapport.automation import effects

    actor = rule_actor(rule.id, rule.name)
    done: list[dict[str, Any]] = []
    record_id = record[kind.id_field]
    for action in rule.actions:
        kind_of = action["type"]
        if kind_of == "update_field":
            entry = {"type": kind_of, "field": action["field"], "value": action["value"]}
            if not dry_run:
                await apply_update(
                    system_access(), actor, kind, record_id, {action["field"]: action["value"]}
                )
        elif kind_of == "assign_round_robin":
            owner = await effects.next_in_team(rule.id, action["team_id"], advance=not dry_run)
            entry = {"type": kind_of, "team_id": action["team_id"], "owner_id": str(owner) if owner else None}
            if owner is not None and not dry_run:
                await apply_update(system_access(), actor, kind, record_id, {kind.owner_field: owner})
        elif kind_of == "create_task":
            entry = await _create_task(action, actor, kind, record, dry_run=dry_run)
        elif kind_of == "send_email":
            to = await effects.recipient(action["to"], record.get(kind.owner_field))
            subject, body = render(action["subject"], record), render(action.get("body", ""), record)
            entry = {"type": kind_of, "to": to, "subject": subject}
            if to and not dry_run:
                effects.send_mail_later(to, subject, body)
        else:
            name = f"automation.{action['event']}"
            entry = {"type": kind_of, "event": name}
            if not dry_run:
                visible = {key: _plain(value) for key, value in record.items()}
                await emit(
                    NewEvent(name, kind.name, record_id, {"record": [None, visible]}, None, actor.label)
                )
        done.append(entry)
    return done
