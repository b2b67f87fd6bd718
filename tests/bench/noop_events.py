"""Bench-only: a consumer of every ``bench.*`` event that does nothing (beyond claiming it)."""

from __future__ import annotations

from rapport.events.consumers import EventConsumer
from rapport.events.outbox import Event
from rapport.kernel.modules import Module
from rapport_tenants.context import TenantContext

__all__ = ["module"]


async def nothing(_tenant: TenantContext, _events: list[Event]) -> None:
    return None


module = Module(
    name="bench_events",
    event_consumers=[EventConsumer("bench.noop", nothing, events=("bench.*",))],
    depends_on=("events",),
)
