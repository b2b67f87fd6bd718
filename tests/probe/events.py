"""Test-only event consumers, installed into worker processes the tests start (as a distribution).

``probe.effects`` counts effects: one row per event in the tenant's own ``probe_effects`` table, with the
tenant the job ran for. ``probe.poison`` fails until the tenant's ``probe_switch`` table has a row.
"""

from __future__ import annotations

import asyncio
import os

from piccolo.engine import engine_finder
from rapport.events.consumers import EventConsumer
from rapport.events.outbox import Event
from rapport.kernel.modules import Module
from rapport_tenants.context import TenantContext, current_tenant

__all__ = ["DDL", "module"]

DDL = """
CREATE TABLE IF NOT EXISTS "{schema}".probe_effects (event_id uuid NOT NULL, ran_for text NOT NULL);
CREATE TABLE IF NOT EXISTS "{schema}".probe_switch (on_ boolean);
"""


def _connection():  # type: ignore[no-untyped-def]
    return engine_finder().current_transaction.get().connection  # type: ignore[union-attr]


async def record_effects(tenant: TenantContext, events: list[Event]) -> None:
    running = current_tenant.get()
    assert running is not None
    await _connection().execute(
        "INSERT INTO probe_effects (event_id, ran_for) SELECT unnest($1::uuid[]), $2",
        [event.id for event in events],
        running.slug,
    )
    await asyncio.sleep(int(os.environ.get("PROBE_CONSUMER_SLEEP_MS", "0")) / 1000)


async def poison(tenant: TenantContext, events: list[Event]) -> None:
    if not await _connection().fetchval("SELECT count(*) FROM probe_switch"):
        raise RuntimeError("probe_switch is off")
    await record_effects(tenant, events)


module = Module(
    name="probe_events",
    event_consumers=[
        EventConsumer("probe.effects", record_effects, events=("probe.*",)),
        EventConsumer("probe.poison", poison, events=("poison.*",)),
    ],
    depends_on=("events",),
)
