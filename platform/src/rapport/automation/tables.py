"""Automation tables: rules and their run log (tenant schema); the index of date-triggered rules (control)."""

from __future__ import annotations

from piccolo.columns import JSONB, UUID, BigInt, BigSerial, Boolean, Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.constraints import Unique
from piccolo.table import Table
from rapport_tenants.tables import CONTROL_SCHEMA

__all__ = ["AutomationRule", "AutomationRun", "DateRuleIndex"]


class AutomationRule(Table, tablename="automation_rules"):
    id = BigSerial(primary_key=True)
    name = Varchar(length=100)
    object_type = Varchar(length=50, index=True)
    trigger = JSONB(default={})
    """``{"type": "created"}``, ``{"type": "updated", "fields": [...]}`` or
    ``{"type": "date", "field": "...", "offset_minutes": n}``."""
    conditions = JSONB(default={})
    """``{"all": [...]}`` / ``{"any": [...]}`` of ``{"field", "op", "value"}`` leaves or nested groups."""
    actions = JSONB(default=[])
    active = Boolean(default=True)
    round_robin_position = Integer(default=0)
    created_by = UUID(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class AutomationRun(Table, tablename="automation_runs"):
    """One evaluation of a rule against a record: what triggered it, the conditions, the actions."""

    id = BigSerial(primary_key=True)
    rule_id = BigInt(index=True)
    event_id = UUID(null=True, default=None)
    record_id = Varchar(length=100)
    trigger = Varchar(length=100)
    status = Varchar(length=20)
    """``done``, ``no_match``, ``failed``, ``loop_stopped`` or ``dry_run``."""
    conditions = JSONB(default=[])
    actions = JSONB(default=[])
    error = Varchar(length=1000, null=True, default=None)
    fire_key = Varchar(length=100, null=True, default=None)
    """For date triggers: the date value that fired, so each date fires a rule once per record."""
    created_at = Timestamptz(default=TimestamptzNow())

    unique_date_firing = Unique([rule_id, record_id, fire_key])


class DateRuleIndex(Table, tablename="automation_date_rules", schema=CONTROL_SCHEMA):
    """Which tenants have active date-triggered rules: the minute tick visits only those."""

    id = BigSerial(primary_key=True)
    tenant_id = UUID(index=True)
    rule_id = BigInt()

    unique_tenant_rule = Unique([tenant_id, rule_id])
