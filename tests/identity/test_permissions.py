"""Roles, proved: every role by operation on an object type, row scopes, hidden and read-only fields.

The object type is the test-only probe module (``tests/probe``), built on the same access layer the CRM's
object types use. Every expectation below is written out by hand, not derived from the code under test.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from dataclasses import dataclass
from typing import Any

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from tests.conftest import MailSink
from tests.factories import SignedUp, invite_member, sign_up
from tests.probe.fixtures import schema_of, sign_in
from tests.probe.module import create_probe_table

SECRET = "s3cret-value-never-shown"
CLOSER_PERMISSIONS = {
    "objects": {
        "probe": {
            "ops": ["create", "read", "update", "export"],
            "scope": "all",
            "fields": {"secret": "hidden", "stage": "read_only"},
        }
    }
}


@dataclass
class Person:
    email: str
    user_id: uuid.UUID
    headers: dict[str, str]


@dataclass
class World:
    client: AsyncTestClient  # type: ignore[type-arg]
    tenant: SignedUp
    other: SignedUp
    people: dict[str, Person]
    records: dict[str, int]
    """Record id by the name of the person who owns it."""

    async def call(self, who: str, method: str, path: str, **kwargs: Any) -> Any:
        return await self.client.request(method, path, headers=self.people[who].headers, **kwargs)


ROLES = {"admin": "admin", "manager": "manager", "member": "member", "loner": "member"}
ROLES |= {"reader": "read-only", "closer": "member"}


@pytest.fixture
async def world(probe_client: AsyncTestClient, database_url: str, mail_sink: MailSink) -> World:  # type: ignore[type-arg]
    client = probe_client
    tenant = await sign_up(client)
    other = await sign_up(client)
    for signed_up in (tenant, other):
        await create_probe_table(database_url, await schema_of(database_url, signed_up))
    owner_email = f"admin@{tenant.slug}.example"
    people = {"owner": Person(owner_email, tenant.user_id, await sign_in(client, tenant.slug, owner_email))}
    for name, role in ROLES.items():
        email = f"{name}-user@{tenant.slug}.example"
        user_id = await invite_member(client, mail_sink, people["owner"].headers, email, role)
        people[name] = Person(email, user_id, {})
    owner = people["owner"].headers
    created = await client.post(
        "/api/v1/roles",
        json={"key": "closer", "name": "Closer", "permissions": CLOSER_PERMISSIONS},
        headers=owner,
    )
    assert created.status_code == 201, created.text
    assert (
        await client.patch(
            f"/api/v1/members/{people['closer'].user_id}", json={"role": "closer"}, headers=owner
        )
    ).status_code == 200
    team = await client.post(
        "/api/v1/teams",
        json={"name": "East", "members": [str(people["manager"].user_id), str(people["member"].user_id)]},
        headers=owner,
    )
    assert team.status_code == 201, team.text
    for name in ROLES:
        people[name].headers = await sign_in(client, tenant.slug, people[name].email)
    records = {}
    for name in ("owner", "manager", "member", "loner"):
        response = await client.post(
            "/api/v1/probe-records",
            json={"name": f"{name}'s deal", "secret": SECRET, "owner_id": str(people[name].user_id)},
            headers=owner,
        )
        assert response.status_code == 201, response.text
        records[name] = response.json()["id"]
    return World(client, tenant, other, people, records)


# Which operations each role may perform on probe records (written out, not computed).
MATRIX = {
    "owner": {"create", "read", "update", "delete", "export"},
    "admin": {"create", "read", "update", "delete", "export"},
    "manager": {"create", "read", "update", "delete", "export"},
    "member": {"create", "read", "update"},
    "loner": {"create", "read", "update"},
    "reader": {"read"},
    "closer": {"create", "read", "update", "export"},
}
# Which people's records each role sees (row scope: all / team / own).
SEES = {
    "owner": {"owner", "manager", "member", "loner"},
    "admin": {"owner", "manager", "member", "loner"},
    "manager": {"manager", "member"},
    "member": {"member"},
    "loner": {"loner"},
    "reader": {"owner", "manager", "member", "loner"},
    "closer": {"owner", "manager", "member", "loner"},
}


async def _attempt(world: World, who: str, op: str) -> int:
    own = world.records["loner" if who == "loner" else ("member" if who == "member" else "manager")]
    own = own if who in {"manager", "member", "loner"} else world.records["owner"]
    if op == "create":
        response = await world.call(who, "POST", "/api/v1/probe-records", json={"name": f"new by {who}"})
    elif op == "read":
        response = await world.call(who, "GET", f"/api/v1/probe-records/{own}")
    elif op == "update":
        response = await world.call(
            who, "PATCH", f"/api/v1/probe-records/{own}", json={"name": f"edited by {who}"}
        )
    elif op == "delete":
        fresh = await world.call(
            "owner",
            "POST",
            "/api/v1/probe-records",
            json={"name": "to delete", "owner_id": str(world.people[who].user_id)},
        )
        response = await world.call(who, "DELETE", f"/api/v1/probe-records/{fresh.json()['id']}")
    else:
        response = await world.call(who, "GET", "/api/v1/probe-records/export")
    return response.status_code


@pytest.mark.parametrize("op", ["create", "read", "update", "delete", "export"])
async def test_role_by_operation_matrix(world: World, op: str) -> None:
    outcome = {who: await _attempt(world, who, op) for who in MATRIX}
    expected = {who: (op in allowed) for who, allowed in MATRIX.items()}
    assert {who: status < 300 for who, status in outcome.items()} == expected, outcome
    assert {status for status in outcome.values()} <= {200, 201, 204, 403}


async def test_row_scope_limits_lists_records_exports_and_writes(world: World) -> None:
    by_id = {record_id: name for name, record_id in world.records.items()}
    for who, sees in SEES.items():
        listed = (await world.call(who, "GET", "/api/v1/probe-records")).json()
        assert {by_id[row["id"]] for row in listed if row["id"] in by_id} == sees, who
        for name, record_id in world.records.items():
            status = (await world.call(who, "GET", f"/api/v1/probe-records/{record_id}")).status_code
            assert status == (200 if name in sees else 404), (who, name)
    # Outside the scope a record does not exist, for writes too; and nothing changed.
    hidden_from_member = world.records["loner"]
    assert (
        await world.call("member", "PATCH", f"/api/v1/probe-records/{hidden_from_member}", json={"name": "x"})
    ).status_code == 404
    assert (
        await world.call("manager", "DELETE", f"/api/v1/probe-records/{hidden_from_member}")
    ).status_code == 404
    assert (await world.call("owner", "GET", f"/api/v1/probe-records/{hidden_from_member}")).json()[
        "name"
    ] == "loner's deal"
    # Exports follow the same scope.
    exported = (await world.call("manager", "GET", "/api/v1/probe-records/export")).text
    ids = {int(row["id"]) for row in csv.DictReader(io.StringIO(exported))}
    assert {by_id[i] for i in ids if i in by_id} == SEES["manager"]
    # Giving a record away to someone outside one's scope is refused.
    member_record = world.records["member"]
    give_away = await world.call(
        "member",
        "PATCH",
        f"/api/v1/probe-records/{member_record}",
        json={"owner_id": str(world.people["loner"].user_id)},
    )
    assert give_away.status_code == 403
    manager_gives = await world.call(
        "manager",
        "PATCH",
        f"/api/v1/probe-records/{member_record}",
        json={"owner_id": str(world.people["manager"].user_id)},
    )
    assert manager_gives.status_code == 200


async def test_a_hidden_field_never_appears_in_any_response(world: World) -> None:
    record_id = world.records["loner"]
    responses = [
        await world.call("closer", "GET", "/api/v1/probe-records"),
        await world.call("closer", "GET", "/api/v1/probe-records", params={"q": "deal"}),
        await world.call("closer", "GET", f"/api/v1/probe-records/{record_id}"),
        await world.call("closer", "GET", "/api/v1/probe-records/export"),
        await world.call("closer", "POST", "/api/v1/probe-records", json={"name": "closer's own"}),
        await world.call("closer", "PATCH", f"/api/v1/probe-records/{record_id}", json={"name": "renamed"}),
    ]
    assert [response.status_code for response in responses] == [200, 200, 200, 200, 201, 200]
    for response in responses:
        assert SECRET not in response.text
        assert "secret" not in response.text
    assert len(responses[0].json()) == 4  # every record (scope all), without the hidden field
    # Searching or writing on the hidden field is refused (a match would reveal its value).
    search = await world.call(
        "closer", "GET", "/api/v1/probe-records", params={"q": "s3cret", "search_field": "secret"}
    )
    assert search.status_code == 403
    assert SECRET not in search.text
    sneak = await world.call(
        "closer", "PATCH", f"/api/v1/probe-records/{record_id}", json={"secret": "overwritten"}
    )
    assert (sneak.status_code, sneak.json()["errors"]) == (
        403,
        [{"field": "secret", "message": "not allowed for your role"}],
    )
    # The owner still sees it, unchanged.
    assert (await world.call("owner", "GET", f"/api/v1/probe-records/{record_id}")).json()["secret"] == SECRET


async def test_a_read_only_field_can_be_read_but_not_written(world: World) -> None:
    record_id = world.records["member"]
    row = (await world.call("closer", "GET", f"/api/v1/probe-records/{record_id}")).json()
    assert row["stage"] == "new"
    refused = await world.call(
        "closer", "PATCH", f"/api/v1/probe-records/{record_id}", json={"stage": "won", "name": "n"}
    )
    assert refused.status_code == 403
    assert refused.json()["type"].endswith("/permission-denied")
    created = await world.call("closer", "POST", "/api/v1/probe-records", json={"name": "x", "stage": "won"})
    assert created.status_code == 403
    assert (await world.call("owner", "GET", f"/api/v1/probe-records/{record_id}")).json()[
        "name"
    ] == "member's deal"


async def test_changing_a_custom_role_applies_at_once_and_is_audited(world: World) -> None:
    owner = world.people["owner"].headers
    before = await world.call("closer", "GET", "/api/v1/probe-records/export")
    assert before.status_code == 200
    narrowed = {"objects": {"probe": {"ops": ["read"], "scope": "own", "fields": {}}}}
    patched = await world.client.patch("/api/v1/roles/closer", json={"permissions": narrowed}, headers=owner)
    assert patched.status_code == 200, patched.text
    assert patched.json()["permissions"] == {
        "objects": {"probe": {"ops": ["read"], "scope": "own", "fields": {}}}
    }
    assert (await world.call("closer", "GET", "/api/v1/probe-records/export")).status_code == 403
    assert (await world.call("closer", "GET", "/api/v1/probe-records")).json() == []
    mine = await world.call("closer", "GET", "/api/v1/me/permissions")
    assert mine.json()["role"]["key"] == "closer"
    events = (await world.client.get("/api/v1/audit", params={"object_type": "role"}, headers=owner)).json()[
        "items"
    ]
    assert [event["action"] for event in events] == ["role.updated", "role.created"]
    assert "permissions" in events[0]["changes"]


async def test_role_administration_validates_and_protects(world: World, mail_sink: MailSink) -> None:
    owner = world.people["owner"].headers
    bad = await world.client.post(
        "/api/v1/roles",
        json={
            "key": "Bad Key!",
            "name": "x",
            "permissions": {
                "objects": {
                    "nope": {},
                    "probe": {"ops": ["fly"], "scope": "galaxy", "fields": {"ghost": "hidden"}},
                }
            },
        },
        headers=owner,
    )
    assert bad.status_code == 422
    assert [error["field"] for error in bad.json()["errors"]] == ["key"]
    bad_permissions = await world.client.post(
        "/api/v1/roles",
        json={
            "key": "analyst",
            "name": "Analyst",
            "permissions": {
                "objects": {
                    "nope": {},
                    "probe": {"ops": ["fly"], "scope": "galaxy", "fields": {"ghost": "hidden"}},
                }
            },
        },
        headers=owner,
    )
    assert bad_permissions.status_code == 422
    assert {error["field"] for error in bad_permissions.json()["errors"]} == {
        "permissions.objects.nope",
        "permissions.objects.probe.ops",
        "permissions.objects.probe.scope",
        "permissions.objects.probe.fields.ghost",
    }
    assert (
        await world.client.post(
            "/api/v1/roles", json={"key": "admin", "name": "A", "based_on": "member"}, headers=owner
        )
    ).status_code == 409
    assert (
        await world.client.patch("/api/v1/roles/member", json={"name": "Changed"}, headers=owner)
    ).status_code == 409
    assert (
        await world.client.delete("/api/v1/roles/closer", headers=owner)
    ).status_code == 409  # someone holds it
    based = await world.client.post(
        "/api/v1/roles", json={"key": "helper", "name": "Helper", "based_on": "read-only"}, headers=owner
    )
    assert based.status_code == 201
    assert based.json()["permissions"]["objects"]["*"]["ops"] == ["read"]
    keys = [role["key"] for role in (await world.client.get("/api/v1/roles", headers=owner)).json()]
    assert keys == ["owner", "admin", "manager", "member", "read-only", "closer", "helper"]
    assert (await world.client.delete("/api/v1/roles/helper", headers=owner)).status_code == 204
    # Invitations offer custom roles too; an unknown role is refused.
    newcomer = await invite_member(
        world.client, mail_sink, owner, f"new@{world.tenant.slug}.example", "closer"
    )
    members = (await world.client.get("/api/v1/members", headers=owner)).json()["items"]
    assert {member["user_id"]: member["role"] for member in members}[str(newcomer)] == "closer"
    ghost = await world.client.post(
        "/api/v1/invitations", json={"email": "g@x.example", "role": "ghost"}, headers=owner
    )
    assert (ghost.status_code, ghost.json()["errors"][0]["field"]) == (422, "role")
    assert (await world.client.get("/api/v1/roles/helper", headers=owner)).status_code == 404
    # Only admins administer roles; members are refused, whatever their role allows on records.
    assert (await world.call("manager", "GET", "/api/v1/roles")).status_code == 403
    assert (
        await world.call(
            "manager", "POST", "/api/v1/roles", json={"key": "x1", "name": "x", "based_on": "owner"}
        )
    ).status_code == 403


async def test_members_and_teams_administration(world: World) -> None:
    owner = world.people["owner"].headers
    page = (await world.call("member", "GET", "/api/v1/members", params={"limit": 3})).json()
    assert len(page["items"]) == 3
    assert page["next_cursor"] is not None
    rest = (
        await world.call("member", "GET", "/api/v1/members", params={"cursor": page["next_cursor"]})
    ).json()
    members = {item["email"]: item for item in page["items"] + rest["items"]}
    assert len(members) == 7
    assert rest["next_cursor"] is None
    assert members[world.people["member"].email]["teams"] == members[world.people["manager"].email]["teams"]
    # Members may not change members; admins may not make owners; the last owner stays owner.
    loner = world.people["loner"].user_id
    assert (
        await world.call("member", "PATCH", f"/api/v1/members/{loner}", json={"role": "admin"})
    ).status_code == 403
    assert (
        await world.call("admin", "PATCH", f"/api/v1/members/{loner}", json={"role": "owner"})
    ).status_code == 403
    demote = await world.client.patch(
        f"/api/v1/members/{world.people['owner'].user_id}", json={"role": "admin"}, headers=owner
    )
    assert demote.status_code == 409
    assert (
        await world.client.patch(f"/api/v1/members/{loner}", json={"role": "ghost"}, headers=owner)
    ).status_code == 422
    # Deactivating a member signs them out of this workspace at once.
    assert (
        await world.client.patch(f"/api/v1/members/{loner}", json={"active": False}, headers=owner)
    ).status_code == 200
    assert (await world.call("loner", "GET", "/api/v1/probe-records")).status_code == 401
    # Teams: a loner joins East and so comes into the manager's scope.
    teams = (await world.client.get("/api/v1/teams", headers=owner)).json()
    east = teams[0]["id"]
    joined = await world.client.patch(
        f"/api/v1/members/{loner}", json={"active": True, "teams": [east]}, headers=owner
    )
    assert joined.json()["teams"] == [east]
    world.people["loner"].headers = await sign_in(
        world.client, world.tenant.slug, world.people["loner"].email
    )
    assert (
        await world.call("manager", "GET", f"/api/v1/probe-records/{world.records['loner']}")
    ).status_code == 200
    assert (await world.client.post("/api/v1/teams", json={"name": "East"}, headers=owner)).status_code == 409
    stranger = await world.client.post(
        "/api/v1/teams", json={"name": "West", "members": [str(uuid.uuid4())]}, headers=owner
    )
    assert stranger.status_code == 422
    assert (await world.client.delete(f"/api/v1/teams/{east}", headers=owner)).status_code == 204
    assert (
        await world.call("manager", "GET", f"/api/v1/probe-records/{world.records['loner']}")
    ).status_code == 404


async def test_nothing_crosses_to_another_tenant(world: World) -> None:
    """The other tenant's owner sees none of this tenant's roles, teams, members or records."""
    client = world.client
    other = await sign_in(client, world.other.slug, f"admin@{world.other.slug}.example")
    assert [role["key"] for role in (await client.get("/api/v1/roles", headers=other)).json()] == [
        "owner", "admin", "manager", "member", "read-only",
    ]  # fmt: skip
    assert (await client.get("/api/v1/roles/closer", headers=other)).status_code == 404
    assert (await client.get("/api/v1/teams", headers=other)).json() == []
    members = (await client.get("/api/v1/members", headers=other)).json()["items"]
    assert [member["email"] for member in members] == [f"admin@{world.other.slug}.example"]
    stranger = world.people["member"].user_id
    assert (
        await client.patch(f"/api/v1/members/{stranger}", json={"role": "admin"}, headers=other)
    ).status_code == 404
    for record_id in world.records.values():
        assert (await client.get(f"/api/v1/probe-records/{record_id}", headers=other)).status_code == 404
    assert (await client.get("/api/v1/probe-records", headers=other)).json() == []
    # This tenant's session is refused on the other tenant's host.
    crossed = dict(world.people["owner"].headers, **{"x-tenant": world.other.slug})
    assert (await client.get("/api/v1/roles", headers=crossed)).status_code == 401


async def test_an_api_key_gets_its_users_role_limited_by_its_scopes(world: World) -> None:
    created = await world.call(
        "manager", "POST", "/api/v1/api-keys", json={"name": "sync", "scopes": ["read"]}
    )
    key = created.json()["key"]
    bearer = {"x-tenant": world.tenant.slug, "authorization": f"Bearer {key}"}
    listed = await world.client.get("/api/v1/probe-records", headers=bearer)
    assert {row["name"] for row in listed.json()} == {"manager's deal", "member's deal"}
    refused = await world.client.post("/api/v1/probe-records", json={"name": "x"}, headers=bearer)
    assert refused.status_code == 403


async def test_every_write_is_in_the_audit_log_and_the_outbox(world: World, database_url: str) -> None:
    record_id = world.records["member"]
    await world.call(
        "member", "PATCH", f"/api/v1/probe-records/{record_id}", json={"name": "renamed", "amount": 5}
    )
    await world.call("owner", "DELETE", f"/api/v1/probe-records/{record_id}")
    events = (
        await world.client.get(
            "/api/v1/audit",
            params={"object_type": "probe", "object_id": str(record_id)},
            headers=world.people["owner"].headers,
        )
    ).json()["items"]
    assert [event["action"] for event in events] == ["probe.deleted", "probe.updated", "probe.created"]
    assert events[1]["changes"] == {"name": ["member's deal", "renamed"], "amount": [0, 5]}
    assert events[1]["actor"] == world.people["member"].email
    assert events[0]["changes"]["name"] == ["renamed", None]
    assert json.dumps(events)  # serializable as the export writes it
    schema = await schema_of(database_url, world.tenant)
    connection = await asyncpg.connect(database_url)
    try:
        outbox = await connection.fetch(
            f'SELECT name, changes, actor FROM "{schema}".outbox_events '
            "WHERE record_type = 'probe' AND record_id = $1 ORDER BY id",
            str(record_id),
        )
    finally:
        await connection.close()
    assert [row["name"] for row in outbox] == ["probe.created", "probe.updated", "probe.deleted"]
    assert json.loads(outbox[1]["changes"]) == {"name": ["member's deal", "renamed"], "amount": [0, 5]}
    assert outbox[1]["actor"] == world.people["member"].email
