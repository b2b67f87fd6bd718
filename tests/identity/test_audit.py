"""The audit log: writes and sign-ins recorded with actor and changes, append-only, for owners and admins."""

from __future__ import annotations

import csv
import io
import json

import asyncpg
import pytest
from litestar.testing import AsyncTestClient
from rapport.kernel.settings import Settings

from tests.factories import PASSWORD, SHARED_EMAIL, SignedUp


@pytest.fixture
async def owner(
    app_client: AsyncTestClient,
    two_tenants: tuple[SignedUp, SignedUp],
    migrated: Settings,  # type: ignore[type-arg]
) -> tuple[SignedUp, SignedUp, dict[str, str]]:
    first, second = two_tenants
    response = await app_client.post(
        "/api/v1/auth/login",
        json={"email": SHARED_EMAIL, "password": PASSWORD},
        headers={"x-tenant": first.slug},
    )
    return first, second, {"x-tenant": first.slug, "x-csrf-token": response.json()["csrf_token"]}


async def test_writes_and_sign_ins_are_recorded_in_their_tenant_only(
    app_client: AsyncTestClient,
    owner: tuple[SignedUp, SignedUp, dict[str, str]],  # type: ignore[type-arg]
) -> None:
    first, second, headers = owner
    await app_client.post(
        "/api/v1/auth/login", json={"email": SHARED_EMAIL, "password": "wrong password here"},
        headers={"x-tenant": first.slug},
    )  # fmt: skip
    key = (
        await app_client.post("/api/v1/api-keys", json={"name": "ci", "scopes": ["read"]}, headers=headers)
    ).json()
    await app_client.delete(f"/api/v1/api-keys/{key['api_key']['id']}", headers=headers)
    events = (await app_client.get("/api/v1/audit", headers=headers)).json()["items"]
    actions = [event["action"] for event in events]
    assert actions[:4] == ["api_key.revoked", "api_key.created", "auth.sign_in_failed", "auth.signed_in"]
    assert {"tenant.created", "membership.created"} <= set(actions)
    created = events[1]
    assert (created["actor"], created["via"], created["object_id"]) == (
        SHARED_EMAIL,
        "session",
        key["api_key"]["id"],
    )
    assert created["changes"]["name"] == [None, "ci"]
    assert created["request_id"]
    assert key["key"] not in json.dumps(events)  # the secret is never recorded
    failed = events[2]
    assert (failed["actor_user_id"], failed["via"]) == (None, "anonymous")
    # The other tenant's log has its own history, none of the above.
    connection = await asyncpg.connect(str(app_client.app.state.settings.database_url))
    try:
        schema = await connection.fetchval("SELECT schema_name FROM control.tenants WHERE id = $1", second.id)
        other = await connection.fetch(f'SELECT action FROM "{schema}".audit_events')
    finally:
        await connection.close()
    assert "api_key.created" not in {row["action"] for row in other}


async def test_the_log_is_append_only(
    app_client: AsyncTestClient,
    owner: tuple[SignedUp, SignedUp, dict[str, str]],
    database_url: str,  # type: ignore[type-arg]
) -> None:
    first, _, _ = owner
    connection = await asyncpg.connect(database_url)
    try:
        schema = await connection.fetchval("SELECT schema_name FROM control.tenants WHERE id = $1", first.id)
        for statement in (
            f"UPDATE \"{schema}\".audit_events SET actor = 'someone else'",
            f'DELETE FROM "{schema}".audit_events',
            f'TRUNCATE "{schema}".audit_events',
        ):
            with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
                await connection.execute(statement)
        assert await connection.fetchval(f'SELECT count(*) FROM "{schema}".audit_events') > 0
        # Each write maintains only the indexes the filters use (no single-column twins of the keyset ones).
        indexes = await connection.fetch(
            "SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND tablename = 'audit_events'", schema
        )
        assert {row["indexname"] for row in indexes} == {
            "audit_events_pkey", "audit_events_occurred_at", "audit_events_action_id",
            "audit_events_actor_id", "audit_events_object_id",
        }  # fmt: skip
    finally:
        await connection.close()


async def test_filters_pagination_and_exports(
    app_client: AsyncTestClient,
    owner: tuple[SignedUp, SignedUp, dict[str, str]],  # type: ignore[type-arg]
) -> None:
    _, _, headers = owner
    for index in range(3):
        await app_client.post(
            "/api/v1/api-keys", json={"name": f"k{index}", "scopes": ["read"]}, headers=headers
        )
    only = (
        await app_client.get("/api/v1/audit", params={"action": "api_key.created"}, headers=headers)
    ).json()
    assert [event["action"] for event in only["items"]] == ["api_key.created"] * 3
    seen: list[int] = []
    cursor = None
    while True:
        params = {"limit": "2", **({"cursor": str(cursor)} if cursor else {})}
        page = (await app_client.get("/api/v1/audit", params=params, headers=headers)).json()
        seen.extend(event["id"] for event in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(seen, reverse=True)
    assert len(seen) == len(set(seen)) >= 6
    exported = await app_client.get("/api/v1/audit/export", params={"format": "csv"}, headers=headers)
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [int(row["id"]) for row in rows] == seen
    lines = (await app_client.get("/api/v1/audit/export", params={"format": "jsonl"}, headers=headers)).text
    assert [json.loads(line)["id"] for line in lines.splitlines()] == seen
    bad = await app_client.get("/api/v1/audit", params={"since": "yesterday"}, headers=headers)
    assert bad.status_code in (400, 422)


async def test_only_owners_and_admins_read_the_log(
    app_client: AsyncTestClient,
    owner: tuple[SignedUp, SignedUp, dict[str, str]],
    database_url: str,  # type: ignore[type-arg]
) -> None:
    first, _, headers = owner
    connection = await asyncpg.connect(database_url)
    try:
        schema = await connection.fetchval("SELECT schema_name FROM control.tenants WHERE id = $1", first.id)
        await connection.execute(f"UPDATE \"{schema}\".memberships SET role = 'member'")
        assert (await app_client.get("/api/v1/audit", headers=headers)).status_code == 403
        assert (await app_client.get("/api/v1/audit/export", headers=headers)).status_code == 403
        await connection.execute(f"UPDATE \"{schema}\".memberships SET role = 'admin'")
        assert (await app_client.get("/api/v1/audit", headers=headers)).status_code == 200
    finally:
        await connection.execute(f"UPDATE \"{schema}\".memberships SET role = 'owner'")
        await connection.close()
