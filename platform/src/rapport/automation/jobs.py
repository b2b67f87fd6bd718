"""Actors of the automation module: the minute tick of date triggers, their firing, and mail."""

from __future__ import annotations

import datetime as dt

import dramatiq
import structlog
from rapport_tenants.context import TenantContext, tenant_transaction

from rapport.automation.consumer import load_records, run_rule, spec_of
from rapport.automation.tables import DateRuleIndex
from rapport.kernel.jobs import ensure_worker_engine, send_for_tenant, tenant_actor

__all__ = ["date_tick", "fire_date_rule", "send_mail"]

log = structlog.get_logger(__name__)
LOOKBACK = dt.timedelta(days=1)
"""A date rule fires for dates that passed within this window (a new rule does not fire for old dates)."""
FIRE_BATCH = 500


@dramatiq.actor(actor_name="automation.date_tick", queue_name="system", max_retries=0)
async def date_tick() -> None:
    """Every minute: one job per tenant rule that fires on a date."""
    await ensure_worker_engine()
    rows = await DateRuleIndex.raw(
        "SELECT i.rule_id, t.id, t.slug, t.schema_name, t.status FROM control.automation_date_rules i "
        "JOIN control.tenants t ON t.id = i.tenant_id WHERE t.status = 'active'"
    )
    for row in rows:
        tenant = TenantContext(row["id"], row["slug"], row["schema_name"], row["status"])
        send_for_tenant(tenant, fire_date_rule, row["rule_id"])


@tenant_actor(actor_name="automation.fire_date_rule", queue_name="automation")
async def fire_date_rule(tenant: TenantContext, rule_id: int) -> None:
    """Run a date rule for every record whose date (plus offset) has come and that it has not fired for."""
    from rapport.kernel.modules import object_types

    async with tenant_transaction(tenant) as transaction:
        connection = transaction.connection
        row = await connection.fetchrow(
            "SELECT id, name, object_type, trigger, conditions, actions, round_robin_position "
            "FROM automation_rules WHERE id = $1 AND active AND trigger->>'type' = 'date'",
            rule_id,
        )
        if row is None:
            return
        rule = spec_of(row)
        kind = object_types().get(rule.object_type)
        if kind is None:
            return
        field = kind.column(rule.trigger["field"])._meta.db_column_name
        offset = dt.timedelta(minutes=rule.trigger.get("offset_minutes", 0))
        now = dt.datetime.now(dt.UTC)
        table = kind.table._meta.tablename
        due = await connection.fetch(
            # Table and column names come from the declared object type, not from input.
            f'SELECT id, "{field}"::text AS fire_key FROM "{table}" '
            f'WHERE "{field}" <= $1 AND "{field}" > $2 AND NOT EXISTS ('
            "SELECT 1 FROM automation_runs r WHERE r.rule_id = $3 AND r.record_id = "
            f'"{table}".id::text AND r.fire_key = "{field}"::text) ORDER BY id LIMIT $4',
            now - offset,
            now - offset - LOOKBACK,
            rule_id,
            FIRE_BATCH,
        )
        records = await load_records(kind, [item["id"] for item in due])
        for item in due:
            record = records.get(str(item["id"]))
            if record is not None:
                await run_rule(rule, kind, record, changes={}, trigger="date", fire_key=item["fire_key"])
    if len(due) == FIRE_BATCH:
        send_for_tenant(tenant, fire_date_rule, rule_id)


@dramatiq.actor(actor_name="automation.send_mail", queue_name="mail", max_retries=10)
async def send_mail(to: str, subject: str, body: str) -> None:
    from rapport.kernel.mail import send_mail as deliver
    from rapport.kernel.settings import load_settings

    await deliver(load_settings(), to, subject, body)
