"""Reminders end to end: the scheduler's minute tick, a real worker, relay and server, and the sockets.

The owner's browser socket receives the notification as soon as its transaction commits; another
member's socket on the same workspace channel never does.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from typing import Any

from dramatiq import Message
from dramatiq.brokers.redis import RedisBroker
from rapport.kernel.devservices import EmbeddedRedis
from rapport.kernel.jobs import NAMESPACE

from tests.events.conftest import Processes, events_redis, processes  # noqa: F401 - fixtures
from tests.realtime.test_socket import _member, _sign_up, server, subscribed  # noqa: F401 - a fixture and helpers


def _at(minutes: float) -> str:
    return (dt.datetime.now(dt.UTC) + dt.timedelta(minutes=minutes)).isoformat()


async def _until(socket: Any, found: Any, seconds: float = 60) -> list[dict[str, Any]]:
    """Messages received up to and including the first for which ``found(message)`` holds."""
    seen: list[dict[str, Any]] = []
    async with asyncio.timeout(seconds):
        while not seen or not found(seen[-1]):
            seen.append(json.loads(await socket.recv()))
    return seen


def _tick(redis: EmbeddedRedis) -> None:
    """Send the minute tick as the scheduler does."""
    broker = RedisBroker(url=redis.url, namespace=NAMESPACE)
    broker.enqueue(
        Message(queue_name="system", actor_name="notifications.remind", args=(), kwargs={}, options={})
    )


async def test_the_owner_is_reminded_live_and_no_one_else_is(
    server: str,  # noqa: F811 - the fixture imported above
    events_redis: EmbeddedRedis,  # noqa: F811
    mail_sink: Any,
) -> None:
    slug, owner = await _sign_up(server)
    member = await _member(owner, f"rep@{slug}.example", "member", mail_sink)
    async with owner.connect() as owner_socket, member.connect() as member_socket:
        await subscribed(owner_socket, member_socket)
        async with owner.http() as client:
            created = await client.post(
                "/api/v1/activities",
                json={"kind": "task", "subject": "Send the quote", "due_at": _at(30), "reminder_at": _at(-1)},
            )
            assert created.status_code == 201, created.text
        _tick(events_redis)
        received = await _until(owner_socket, lambda m: m["event"] == "notification.created")
        live = received[-1]
        assert live["changes"]["user_id"] == [None, owner.user_id]
        assert live["changes"]["title"] == [None, "Send the quote"]
        assert live["changes"]["record_type"] == [None, "activity"]
        async with owner.http() as client:
            listed = (await client.get("/api/v1/notifications")).json()["items"]
            assert [str(n["id"]) for n in listed] == [live["record_id"]]
            assert (await client.get("/api/v1/notifications/unread-count")).json()["count"] == 1
        # Published after the notification on the same channel: once it arrives, the other came first.
        async with member.http() as client:
            await client.post("/api/v1/contacts", json={"last_name": "Final"})
        by_member = await _until(
            member_socket, lambda m: m.get("changes", {}).get("last_name", [None, None])[1] == "Final"
        )
        assert [m["event"] for m in by_member if m["event"].startswith("notification.")] == []
        # Read in one tab: the owner's other tabs hear of it.
        async with owner.http() as client:
            assert (await client.post(f"/api/v1/notifications/{live['record_id']}/read")).status_code == 200
        read = await _until(owner_socket, lambda m: m["event"] == "notification.read")
        assert read[-1]["record_id"] == live["record_id"]
        # The next tick sends a new reminder and not the first one again.
        async with owner.http() as client:
            await client.post(
                "/api/v1/activities",
                json={"kind": "call", "subject": "Call Ann", "due_at": _at(30), "reminder_at": _at(-1)},
            )
        _tick(events_redis)
        later = await _until(owner_socket, lambda m: m["event"] == "notification.created")
        assert [m["changes"]["title"][1] for m in later if m["event"] == "notification.created"] == [
            "Call Ann"
        ]
        async with owner.http() as client:
            titles = [n["title"] for n in (await client.get("/api/v1/notifications")).json()["items"]]
            assert titles == ["Call Ann", "Send the quote"]
