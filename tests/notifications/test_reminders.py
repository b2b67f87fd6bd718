"""Activity reminders become one notification for the activity's owner, readable by that member only."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
from litestar.testing import AsyncTestClient
from piccolo.engine.postgres import PostgresEngine
from rapport.app import create_app
from rapport.kernel.db import create_engine, install_engine
from rapport.kernel.settings import Settings
from rapport.notifications.reminders import RECENT, send_due_reminders, tenants_with_due

from tests.conftest import MailSink
from tests.factories import SHARED_EMAIL, SignedUp, invite_member
from tests.probe.fixtures import sign_in, tenant_context

Client = AsyncTestClient  # type: ignore[type-arg]


def _at(minutes: float) -> str:
    return (dt.datetime.now(dt.UTC) + dt.timedelta(minutes=minutes)).isoformat()


@contextlib.asynccontextmanager
async def _this_loops_engine(database_url: str) -> AsyncIterator[PostgresEngine]:
    """An engine on the test's loop for calling services directly (the test client's app runs on another).

    Piccolo finds the installed engine; a test client created afterwards installs its app's own again.
    """
    engine = create_engine(database_url)
    install_engine(engine)
    await engine.start_connection_pool(min_size=1, max_size=4)
    try:
        yield engine
    finally:
        await engine.close_connection_pool()


async def _activity(client: Client, headers: dict[str, str], **fields: Any) -> int:
    body = {"kind": "call", "subject": "Call back", **fields}
    created = await client.post("/api/v1/activities", json=body, headers=headers)
    assert created.status_code == 201, created.text
    return int(created.json()["id"])


async def _events(database_url: str, schema: str) -> list[tuple[str, dict[str, Any]]]:
    """The notification events in the schema's outbox: (name, changes)."""
    connection = await asyncpg.connect(database_url)
    try:
        rows = await connection.fetch(
            f'SELECT name, changes FROM "{schema}".outbox_events WHERE name LIKE $1 ORDER BY id',
            "notification.%",
        )
    finally:
        await connection.close()
    return [(row["name"], json.loads(row["changes"])) for row in rows]


async def test_a_due_reminder_notifies_the_owner_once_and_nothing_else_does(
    app_client: Client,
    two_tenants: tuple[SignedUp, SignedUp],
    mail_sink: MailSink,
    migrated: Settings,
) -> None:
    first, second = two_tenants
    owner = await sign_in(app_client, first.slug, SHARED_EMAIL)
    rep_email = f"rep-{uuid.uuid4().hex[:6]}@example.com"
    rep_id = await invite_member(app_client, mail_sink, owner, rep_email, "member")
    contact = (await app_client.post("/api/v1/contacts", json={"last_name": "Remind"}, headers=owner)).json()
    link = {"record_type": "contact", "record_id": contact["id"]}
    # The owner writes it, the rep owns it: the rep is reminded.
    due = await _activity(
        app_client, owner, subject="Call Remind back", due_at=_at(30), reminder_at=_at(-5),
        owner_id=str(rep_id), **link,
    )  # fmt: skip
    unlinked = await _activity(app_client, owner, subject="Own task", due_at=_at(10), reminder_at=_at(-1))
    await _activity(app_client, owner, subject="Done", due_at=_at(5), reminder_at=_at(-5), done=True)
    await _activity(app_client, owner, subject="Later", due_at=_at(120), reminder_at=_at(60))
    await _activity(app_client, owner, subject="Too old", due_at=_at(-2000), reminder_at=_at(-2900))
    await _activity(app_client, owner, subject="No reminder", due_at=_at(-5))
    deleted = await _activity(app_client, owner, subject="Deleted", due_at=_at(5), reminder_at=_at(-5))
    assert (await app_client.delete(f"/api/v1/activities/{deleted}", headers=owner)).status_code == 204
    # The other tenant has a due reminder of its own (same owner, same ids): it is not this tenant's job.
    other_owner = await sign_in(app_client, second.slug, SHARED_EMAIL)
    await _activity(app_client, other_owner, subject="Elsewhere", due_at=_at(5), reminder_at=_at(-5))

    database_url = migrated.dsn
    tenant = await tenant_context(database_url, first)
    other = await tenant_context(database_url, second)
    schemas = [tenant.schema_name, other.schema_name]
    async with _this_loops_engine(database_url) as engine:
        async with engine.transaction() as transaction:
            assert await tenants_with_due(transaction.connection, schemas) == set(schemas)
        # Twice at once, then once more: one notification per reminder.
        sent = await asyncio.gather(*(send_due_reminders(tenant) for _ in range(2)))
        assert sorted(sent) == [0, 2]
        assert await send_due_reminders(tenant) == 0
        async with engine.transaction() as transaction:
            assert await tenants_with_due(transaction.connection, schemas) == {other.schema_name}
        await _probe_recent_and_catch_up(engine, schemas, other.schema_name)

    async with AsyncTestClient(app=create_app(migrated)) as client:
        await _read_as_members(client, first, rep_email, due, unlinked, contact["id"])
    events = await _events(database_url, tenant.schema_name)
    assert [name for name, _ in events] == ["notification.created"] * 2
    by_title = {changes["title"][1]: changes for _, changes in events}
    assert by_title["Call Remind back"]["user_id"] == [None, str(rep_id)]
    assert by_title["Own task"]["user_id"] == [None, str(first.user_id)]
    assert await _events(database_url, other.schema_name) == []


async def _probe_recent_and_catch_up(engine: PostgresEngine, schemas: list[str], other: str) -> None:
    """The minute probe sees what came due or was written lately; the catch-up sees the whole day."""
    now = dt.datetime.now(dt.UTC)

    async def probe(recent: bool) -> set[str]:
        async with engine.transaction() as transaction:
            since = now - RECENT if recent else None
            return await tenants_with_due(transaction.connection, schemas, now, since)

    assert await probe(recent=True) == {other}  # written a moment ago, its reminder already due
    async with engine.transaction() as transaction:
        age = f'UPDATE "{other}".activities SET updated_at = $1, reminder_at = $2'
        await transaction.connection.execute(age, now - dt.timedelta(hours=2), now - dt.timedelta(minutes=30))
    assert await probe(recent=True) == set()
    assert await probe(recent=False) == {other}
    async with engine.transaction() as transaction:
        await transaction.connection.execute(
            f'UPDATE "{other}".activities SET reminder_at = $1', now - dt.timedelta(minutes=2)
        )
    assert await probe(recent=True) == {other}  # came due lately, written long ago


async def _read_as_members(
    app_client: Client, first: SignedUp, rep_email: str, due: int, unlinked: int, contact: int
) -> None:
    owner = await sign_in(app_client, first.slug, SHARED_EMAIL)
    rep = await sign_in(app_client, first.slug, rep_email)
    mine = (await app_client.get("/api/v1/notifications", headers=rep)).json()
    assert [(n["kind"], n["title"], n["record_type"], n["record_id"]) for n in mine["items"]] == [
        ("reminder", "Call Remind back", "contact", contact)
    ]
    assert mine["items"][0]["data"]["activity_id"] == due
    assert mine["items"][0]["read_at"] is None
    owners = (await app_client.get("/api/v1/notifications", headers=owner)).json()
    assert [(n["title"], n["record_type"], n["record_id"]) for n in owners["items"]] == [
        ("Own task", "activity", unlinked)  # an unlinked activity leads to itself
    ]


async def _remind(migrated: Settings, *signed_up: SignedUp) -> None:
    """Run the reminder job of each tenant once, as the worker would."""
    tenants = [await tenant_context(migrated.dsn, each) for each in signed_up]
    async with _this_loops_engine(migrated.dsn):
        for tenant in tenants:
            await send_due_reminders(tenant)


async def test_members_list_and_read_only_their_own_notifications(
    app_client: Client,
    two_tenants: tuple[SignedUp, SignedUp],
    mail_sink: MailSink,
    migrated: Settings,
) -> None:
    first, second = two_tenants
    owner = await sign_in(app_client, first.slug, SHARED_EMAIL)
    rep_email = f"rep-{uuid.uuid4().hex[:6]}@example.com"
    rep_id = await invite_member(app_client, mail_sink, owner, rep_email, "member")
    await _activity(app_client, owner, subject="Owner's", due_at=_at(5), reminder_at=_at(-9))
    for minutes in (-8, -7, -6):
        await _activity(
            app_client, owner, subject=f"Rep {minutes}", due_at=_at(5), reminder_at=_at(minutes),
            owner_id=str(rep_id),
        )  # fmt: skip
    other_owner = await sign_in(app_client, second.slug, SHARED_EMAIL)
    await _activity(app_client, other_owner, subject="Second's", due_at=_at(5), reminder_at=_at(-3))
    await _remind(migrated, first, second)

    async with AsyncTestClient(app=create_app(migrated)) as client:
        owner = await sign_in(client, first.slug, SHARED_EMAIL)
        rep = await sign_in(client, first.slug, rep_email)
        other_owner = await sign_in(client, second.slug, SHARED_EMAIL)
        # Newest first, two at a time.
        page = (await client.get("/api/v1/notifications", params={"limit": 2}, headers=rep)).json()
        assert [n["title"] for n in page["items"]] == ["Rep -6", "Rep -7"]
        rest = await client.get(
            "/api/v1/notifications", params={"limit": 2, "cursor": page["next_cursor"]}, headers=rep
        )
        assert ([n["title"] for n in rest.json()["items"]], rest.json()["next_cursor"]) == (["Rep -8"], None)
        reps = [n["id"] for n in page["items"] + rest.json()["items"]]
        assert (await client.get("/api/v1/notifications/unread-count", headers=rep)).json()["count"] == 3

        # Another member of the workspace, and the same person in another workspace, get "not found".
        owners = (await client.get("/api/v1/notifications", headers=owner)).json()["items"]
        assert [n["title"] for n in owners] == ["Owner's"]
        assert (await client.post(f"/api/v1/notifications/{reps[0]}/read", headers=owner)).status_code == 404
        seconds = (await client.get("/api/v1/notifications", headers=other_owner)).json()["items"]
        assert [n["title"] for n in seconds] == ["Second's"]
        for notification_id in reps:
            crossed = await client.post(f"/api/v1/notifications/{notification_id}/read", headers=other_owner)
            assert crossed.status_code == 404, crossed.text
            assert crossed.json()["type"].endswith("/not-found")
        # The second workspace's own row with the owner's id there is its own to read.
        overlapping = await client.post(f"/api/v1/notifications/{owners[0]['id']}/read", headers=other_owner)
        assert overlapping.status_code == (200 if owners[0]["id"] == seconds[0]["id"] else 404)
        assert (await client.get("/api/v1/notifications/unread-count", headers=owner)).json()["count"] == 1

        read = await client.post(f"/api/v1/notifications/{reps[1]}/read", headers=rep)
        assert read.status_code == 200, read.text
        assert read.json()["read_at"] is not None
        again = await client.post(f"/api/v1/notifications/{reps[1]}/read", headers=rep)
        assert again.json()["read_at"] == read.json()["read_at"]  # unchanged
        unread = await client.get("/api/v1/notifications", params={"unread": "true"}, headers=rep)
        assert [n["id"] for n in unread.json()["items"]] == [reps[0], reps[2]]
        assert (await client.get("/api/v1/notifications/unread-count", headers=rep)).json()["count"] == 2

        assert (await client.post("/api/v1/notifications/read-all", headers=rep)).json() == {"marked": 2}
        assert (await client.post("/api/v1/notifications/read-all", headers=rep)).json() == {"marked": 0}
        assert (await client.get("/api/v1/notifications/unread-count", headers=rep)).json()["count"] == 0
        assert (await client.get("/api/v1/notifications/unread-count", headers=owner)).json()["count"] == 1
        client.cookies.clear()
        anonymous = await client.get("/api/v1/notifications", headers={"x-tenant": first.slug})
        assert anonymous.status_code == 401

    tenant = await tenant_context(migrated.dsn, first)
    events = await _events(migrated.dsn, tenant.schema_name)
    reads = [changes for name, changes in events if name == "notification.read"]
    assert [changes["user_id"] for changes in reads] == [[str(rep_id), str(rep_id)]] * 2
