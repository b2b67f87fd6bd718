"""Automation rules through the real pipeline: triggers fire once per qualifying change, actions happen,
runs are logged, loops stop, date triggers fire once, dry runs write nothing, tenants stay apart."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import asyncpg
import pytest
from dramatiq import Message
from dramatiq.brokers.redis import RedisBroker
from litestar.testing import AsyncTestClient
from rapport.kernel.devservices import EmbeddedRedis
from rapport.kernel.jobs import NAMESPACE

from tests.conftest import MailSink
from tests.events.conftest import Processes, wait_until
from tests.factories import PASSWORD, SignedUp, invite_member, sign_up
from tests.probe.fixtures import schema_of, sign_in
from tests.probe.module import create_probe_table

RULES = "/api/v1/automation/rules"
RECORDS = "/api/v1/probe-records"


@dataclass
class Setup:
    client: AsyncTestClient  # type: ignore[type-arg]
    tenant: SignedUp
    schema: str
    owner: dict[str, str]
    owner_id: str
    database_url: str
    processes: Processes

    async def rule(self, **body: Any) -> dict[str, Any]:
        response = await self.client.post(
            RULES, json={"name": "rule", "object_type": "probe", **body}, headers=self.owner
        )
        assert response.status_code == 201, response.text
        return dict(response.json())

    async def record(self, **values: Any) -> int:
        response = await self.client.post(RECORDS, json={"name": "r", **values}, headers=self.owner)
        assert response.status_code == 201, response.text
        return int(response.json()["id"])

    async def get(self, record_id: int) -> dict[str, Any]:
        return dict((await self.client.get(f"{RECORDS}/{record_id}", headers=self.owner)).json())

    async def runs(self, rule_id: int) -> list[dict[str, Any]]:
        return list((await self.client.get(f"{RULES}/{rule_id}/runs", headers=self.owner)).json()["items"])

    async def settle(self) -> None:
        """Wait until the relay has published everything and every consumer has applied it."""

        async def idle() -> bool:
            connection = await asyncpg.connect(self.database_url)
            try:
                return bool(
                    await connection.fetchval(
                        f'SELECT NOT EXISTS (SELECT 1 FROM "{self.schema}".outbox_events o '
                        f"WHERE o.published_at IS NULL OR (o.name LIKE 'probe.%' AND NOT EXISTS ("
                        f'SELECT 1 FROM "{self.schema}".event_receipts r '
                        "WHERE r.event_id = o.event_id AND r.consumer = 'automation.rules')))"
                    )
                )
            finally:
                await connection.close()

        await wait_until(idle, "the pipeline to settle", self.processes)


@pytest.fixture
async def setup(probe_client: AsyncTestClient, database_url: str, processes: Processes) -> Setup:  # type: ignore[type-arg]
    tenant = await sign_up(probe_client)
    schema = await schema_of(database_url, tenant)
    await create_probe_table(database_url, schema)
    owner = await sign_in(probe_client, tenant.slug, f"admin@{tenant.slug}.example")
    processes.start("relay", "relay")
    processes.start("worker", "worker")
    return Setup(probe_client, tenant, schema, owner, str(tenant.user_id), database_url, processes)


async def test_a_created_trigger_with_conditions_updates_a_field_once(setup: Setup) -> None:
    rule = await setup.rule(
        trigger={"type": "created"},
        conditions={
            "all": [
                {"field": "amount", "op": "gt", "value": 100},
                {"field": "stage", "op": "eq", "value": "new"},
            ]
        },
        actions=[{"type": "update_field", "field": "stage", "value": "big"}],
    )
    big = await setup.record(amount=500)
    small = await setup.record(amount=5)
    await setup.settle()
    assert (await setup.get(big))["stage"] == "big"
    assert (await setup.get(small))["stage"] == "new"
    runs = {run["record_id"]: run for run in await setup.runs(rule["id"])}
    assert set(runs) == {
        str(big),
        str(small),
    }  # once per qualifying change, and the rule's own update did not re-fire
    assert runs[str(big)]["status"] == "done"
    assert runs[str(big)]["trigger"] == "probe.created"
    assert runs[str(big)]["actions"] == [{"type": "update_field", "field": "stage", "value": "big"}]
    assert [c["result"] for c in runs[str(big)]["conditions"]] == [True, True]
    assert runs[str(small)]["status"] == "no_match"
    assert runs[str(small)]["conditions"][0] == {
        "field": "amount",
        "op": "gt",
        "value": 100,
        "actual": 5,
        "result": False,
    }
    # The rule's change is audited under its own name.
    events = (
        await setup.client.get(
            "/api/v1/audit", params={"object_type": "probe", "object_id": str(big)}, headers=setup.owner
        )
    ).json()["items"]
    assert events[0]["actor"].startswith(f"automation rule #{rule['id']}")


async def test_an_update_trigger_on_a_field_sends_an_email_to_the_owner(
    setup: Setup, mail_sink: MailSink
) -> None:
    rule = await setup.rule(
        trigger={"type": "updated", "fields": ["stage"]},
        conditions={"any": [{"field": "stage", "op": "changed_to", "value": "won"}]},
        actions=[
            {"type": "send_email", "to": "owner", "subject": "{{name}} is won", "body": "Amount: {{amount}}"}
        ],
    )
    record_id = await setup.record(name="Acme deal", amount=42)
    await setup.client.patch(f"{RECORDS}/{record_id}", json={"name": "Acme big deal"}, headers=setup.owner)
    await setup.client.patch(f"{RECORDS}/{record_id}", json={"stage": "won"}, headers=setup.owner)
    await setup.settle()
    owner_email = f"admin@{setup.tenant.slug}.example"

    async def mailed() -> bool:
        return any(message["Subject"] == "Acme big deal is won" for message in mail_sink.to(owner_email))

    await wait_until(mailed, "the rule's email", setup.processes)
    message = next(m for m in mail_sink.to(owner_email) if m["Subject"] == "Acme big deal is won")
    assert message.get_content().strip() == "Amount: 42"
    runs = await setup.runs(rule["id"])
    assert [run["status"] for run in runs] == ["done"]  # the name change did not trigger it


async def test_self_triggering_and_ping_pong_rules_stop(setup: Setup) -> None:
    own = await setup.rule(
        trigger={"type": "updated"}, actions=[{"type": "update_field", "field": "amount", "value": 7}]
    )
    first = await setup.record()
    await setup.client.patch(f"{RECORDS}/{first}", json={"name": "touched"}, headers=setup.owner)
    await setup.settle()
    assert [run["status"] for run in await setup.runs(own["id"])] == ["done"]
    await setup.client.patch(f"{RULES}/{own['id']}", json={"active": False}, headers=setup.owner)
    # Two rules that set off each other forever: A turns stage "a" into "b", B turns "b" back into "a".
    a = await setup.rule(
        trigger={"type": "updated", "fields": ["stage"]},
        conditions={"field": "stage", "op": "eq", "value": "a"},
        actions=[{"type": "update_field", "field": "stage", "value": "b"}],
    )
    b = await setup.rule(
        trigger={"type": "updated", "fields": ["stage"]},
        conditions={"field": "stage", "op": "eq", "value": "b"},
        actions=[{"type": "update_field", "field": "stage", "value": "a"}],
    )
    second = await setup.record()
    await setup.client.patch(f"{RECORDS}/{second}", json={"stage": "a"}, headers=setup.owner)
    await setup.settle()
    runs = [
        run
        for run in await setup.runs(a["id"]) + await setup.runs(b["id"])
        if run["record_id"] == str(second)
    ]
    # The person's change (depth 0), then A (1), B (2), A (3): B's reaction to depth 3 is cut and logged.
    assert sorted(run["status"] for run in runs if run["status"] != "no_match") == [
        "done", "done", "done", "loop_stopped",
    ]  # fmt: skip
    connection = await asyncpg.connect(setup.database_url)
    try:
        depths = await connection.fetch(
            f'SELECT depth FROM "{setup.schema}".outbox_events '
            "WHERE record_id = $1 AND name = 'probe.updated' ORDER BY id",
            str(second),
        )
    finally:
        await connection.close()
    assert [row["depth"] for row in depths] == [0, 1, 2, 3]


async def test_round_robin_assignment_takes_turns(setup: Setup, mail_sink: MailSink) -> None:
    members = [
        await invite_member(
            setup.client, mail_sink, setup.owner, f"rep{n}@{setup.tenant.slug}.example", "member"
        )
        for n in range(2)
    ]
    team = (
        await setup.client.post(
            "/api/v1/teams", json={"name": "Reps", "members": [str(m) for m in members]}, headers=setup.owner
        )
    ).json()
    await setup.rule(
        trigger={"type": "created"}, actions=[{"type": "assign_round_robin", "team_id": team["id"]}]
    )
    records = [await setup.record(name=f"lead {n}") for n in range(4)]
    await setup.settle()
    owners = [(await setup.get(record_id))["owner_id"] for record_id in records]
    ordered = sorted(str(m) for m in members)
    assert owners == [ordered[0], ordered[1], ordered[0], ordered[1]]


async def test_a_date_trigger_fires_once_per_record_and_date(
    setup: Setup, events_redis: EmbeddedRedis
) -> None:
    rule = await setup.rule(
        trigger={"type": "date", "field": "due_at", "offset_minutes": 0},
        actions=[{"type": "update_field", "field": "stage", "value": "overdue"}],
    )
    now = dt.datetime.now(dt.UTC)
    due = await setup.record(due_at=(now - dt.timedelta(minutes=5)).isoformat())
    later = await setup.record(due_at=(now + dt.timedelta(days=2)).isoformat())
    ancient = await setup.record(due_at=(now - dt.timedelta(days=30)).isoformat())
    broker = RedisBroker(url=events_redis.url, namespace=NAMESPACE)  # what the scheduler sends, each minute
    tick = Message(queue_name="system", actor_name="automation.date_tick", args=(), kwargs={}, options={})
    for _ in range(2):
        broker.enqueue(tick.copy())

        async def fired() -> bool:
            return (await setup.get(due))["stage"] == "overdue"

        await wait_until(fired, "the date rule", setup.processes)
        await asyncio.sleep(1)
    runs = await setup.runs(rule["id"])
    assert [(run["record_id"], run["status"], run["trigger"]) for run in runs] == [(str(due), "done", "date")]
    assert (await setup.get(later))["stage"] == "new"
    assert (await setup.get(ancient))["stage"] == "new"


async def test_dry_run_validation_authorization_and_tenants(setup: Setup, mail_sink: MailSink) -> None:
    rule = await setup.rule(
        trigger={"type": "created"},
        conditions={"field": "amount", "op": "gte", "value": 10},
        actions=[
            {"type": "update_field", "field": "stage", "value": "qualified"},
            {"type": "call_webhook", "event": "hot_lead"},
        ],
    )
    await setup.client.patch(f"{RULES}/{rule['id']}", json={"active": False}, headers=setup.owner)
    record_id = await setup.record(amount=50)
    dry = await setup.client.post(
        f"{RULES}/{rule['id']}/dry-run", json={"record_id": record_id}, headers=setup.owner
    )
    assert dry.json() == {
        "matched": True,
        "conditions": [{"field": "amount", "op": "gte", "value": 10, "actual": 50, "result": True}],
        "actions": [
            {"type": "update_field", "field": "stage", "value": "qualified"},
            {"type": "call_webhook", "event": "automation.hot_lead"},
        ],
    }
    assert (await setup.get(record_id))["stage"] == "new"  # nothing written
    bad = await setup.client.post(
        RULES,
        json={
            "name": "bad", "object_type": "probe", "trigger": {"type": "someday"},
            "conditions": {"all": [{"field": "ghost", "op": "like"}]}, "actions": [{"type": "fly"}],
        },
        headers=setup.owner,
    )  # fmt: skip
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {
        "trigger.type",
        "conditions.all.0.field",
        "conditions.all.0.op",
        "actions.0.type",
    }
    unknown = await setup.client.post(
        RULES,
        json={"name": "x", "object_type": "ghost", "trigger": {"type": "created"}, "actions": []},
        headers=setup.owner,
    )
    assert (unknown.status_code, unknown.json()["errors"][0]["field"]) == (422, "object_type")
    # Members may not see or write rules.
    member = await invite_member(
        setup.client, mail_sink, setup.owner, f"m@{setup.tenant.slug}.example", "manager"
    )
    assert member
    member_headers = await sign_in(setup.client, setup.tenant.slug, f"m@{setup.tenant.slug}.example")
    assert (await setup.client.get(RULES, headers=member_headers)).status_code == 403
    # Another tenant sees none of it, and this tenant's rules never touch its records.
    other = await sign_up(setup.client, password=PASSWORD)
    await create_probe_table(setup.database_url, await schema_of(setup.database_url, other))
    other_headers = await sign_in(setup.client, other.slug, f"admin@{other.slug}.example")
    assert (await setup.client.get(RULES, headers=other_headers)).json() == []
    assert (await setup.client.get(f"{RULES}/{rule['id']}", headers=other_headers)).status_code == 404
    assert (
        await setup.client.post(
            f"{RULES}/{rule['id']}/dry-run", json={"record_id": record_id}, headers=other_headers
        )
    ).status_code == 404
    await setup.client.patch(f"{RULES}/{rule['id']}", json={"active": True}, headers=setup.owner)
    theirs = (
        await setup.client.post(RECORDS, json={"name": "theirs", "amount": 99}, headers=other_headers)
    ).json()["id"]
    mine = await setup.record(amount=99)
    await setup.settle()
    assert (await setup.get(mine))["stage"] == "qualified"
    assert (await setup.client.get(f"{RECORDS}/{theirs}", headers=other_headers)).json()["stage"] == "new"


async def test_a_rule_creates_a_task_for_the_records_owner(setup: Setup) -> None:
    client, owner = setup.client, setup.owner
    rule_body = {
        "name": "follow up", "object_type": "contact", "trigger": {"type": "created"},
        "actions": [{"type": "create_task", "subject": "Call {{last_name}}", "due_in_hours": 48}],
    }  # fmt: skip
    for bad_action, field in [
        ({"type": "create_task", "subject": ""}, "actions.0.subject"),
        ({"type": "create_task", "subject": "x", "due_in_hours": -1}, "actions.0.due_in_hours"),
    ]:
        refused = await client.post(RULES, json={**rule_body, "actions": [bad_action]}, headers=owner)
        assert (refused.status_code, refused.json()["errors"][0]["field"]) == (422, field)
    rule = await client.post(RULES, json=rule_body, headers=owner)
    assert rule.status_code == 201, rule.text
    contact = (await client.post("/api/v1/contacts", json={"last_name": "Ng"}, headers=owner)).json()
    linked = {"and": [{"field": "record_type", "op": "eq", "value": "contact"},
                      {"field": "record_id", "op": "eq", "value": contact["id"]}]}  # fmt: skip

    async def tasks() -> list[dict[str, Any]]:
        page = await client.get("/api/v1/activities", params={"filter": json.dumps(linked)}, headers=owner)
        return list(page.json()["items"])

    await wait_until(tasks, "the rule's task", setup.processes)
    (task,) = await tasks()
    assert (task["kind"], task["subject"], task["owner_id"], task["done"]) == (
        "task", "Call Ng", contact["owner_id"], False
    )  # fmt: skip
    due = dt.datetime.fromisoformat(task["due_at"])
    assert dt.timedelta(hours=47) < due - dt.datetime.now(dt.UTC) <= dt.timedelta(hours=48)
    (run,) = await setup.runs(rule.json()["id"])
    assert run["status"] == "done"
    assert run["actions"][0]["activity_id"] == task["id"]


async def test_a_failing_rule_rolls_back_alone(setup: Setup) -> None:
    """Each rule runs in a savepoint: a rule whose second action fails leaves nothing of its first, is
    logged as failed, and the other rules on the same change still act."""
    broken = await setup.rule(
        trigger={"type": "created"},
        actions=[
            {"type": "update_field", "field": "amount", "value": 7},
            {"type": "update_field", "field": "stage", "value": "x" * 60},  # longer than the column
        ],
    )
    fine = await setup.rule(
        trigger={"type": "created"}, actions=[{"type": "update_field", "field": "name", "value": "touched"}]
    )
    record_id = await setup.record(amount=1)
    await setup.settle()
    record = await setup.get(record_id)
    assert (record["amount"], record["stage"], record["name"]) == (1, "new", "touched")
    [run] = await setup.runs(broken["id"])
    assert run["status"] == "failed"
    assert run["error"]
    assert [run["status"] for run in await setup.runs(fine["id"])] == ["done"]
