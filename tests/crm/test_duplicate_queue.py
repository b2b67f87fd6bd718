"""The duplicate queue: a scan (real worker) finds pairs by email/domain and similar names, the queue is
best first with keyset pages, obeys row scope, forgets dismissed and merged pairs, and stays in its tenant."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from dramatiq import Message
from dramatiq.brokers.redis import RedisBroker
from litestar.testing import AsyncTestClient
from rapport.kernel.jobs import NAMESPACE
from rapport.kernel.settings import Settings

from tests.conftest import MailSink
from tests.events.conftest import Processes, wait_until
from tests.factories import invite_member, sign_up
from tests.probe.fixtures import sign_in

Client = AsyncTestClient  # type: ignore[type-arg]


async def _scan(
    client: Client, headers: dict[str, str], object_type: str, worker: Processes
) -> dict[str, Any]:
    before = (await client.get(f"/api/v1/duplicate-pairs/{object_type}", headers=headers)).json()[
        "last_scan_at"
    ]
    response = await client.post(f"/api/v1/duplicate-pairs/{object_type}/scan", headers=headers)
    assert response.status_code == 202, response.text
    deadline = time.monotonic() + 60
    while True:
        page = (await client.get(f"/api/v1/duplicate-pairs/{object_type}", headers=headers)).json()
        if page["last_scan_at"] is not None and page["last_scan_at"] != before:
            return dict(page)
        if time.monotonic() > deadline:
            raise AssertionError(f"no scan of {object_type}:\n{worker.log('worker')}")
        await asyncio.sleep(0.1)


def _pairs(page: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(item["reason"], *sorted(r["title"] for r in item["records"])) for item in page["items"]]


async def test_the_queue_finds_pairs_best_first_and_forgets_dismissed_and_merged_ones(
    app_client: Client, mail_sink: MailSink, worker: Processes
) -> None:
    tenant = await sign_up(app_client)
    other = await sign_up(app_client)
    admin = await sign_in(app_client, tenant.slug, f"admin@{tenant.slug}.example")
    await invite_member(app_client, mail_sink, admin, f"rep@{tenant.slug}.example", "member")
    rep = await sign_in(app_client, tenant.slug, f"rep@{tenant.slug}.example")

    async def post(path: str, body: dict[str, Any], headers: dict[str, str] = admin) -> dict[str, Any]:
        response = await app_client.post(path, json=body, headers=headers)
        assert response.status_code == 201, response.text
        return dict(response.json())

    acme = await post("/api/v1/companies", {"name": "Acme Inc", "domain": "acme.example"})
    await post("/api/v1/companies", {"name": "ACME, Inc."})
    await post("/api/v1/companies", {"name": "Acme Holdings", "domain": "acme.example"})
    await post("/api/v1/companies", {"name": "Globex"})
    await post("/api/v1/contacts", {"first_name": "Ann", "last_name": "Lee", "emails": ["ann@acme.example"]})
    await post("/api/v1/contacts", {"first_name": "Anne", "last_name": "Lee", "emails": ["ANN@acme.example"]})
    jon = await post(
        "/api/v1/contacts", {"first_name": "Jonathan", "last_name": "Smith", "company": acme["id"]}
    )
    await post("/api/v1/contacts", {"first_name": "Jonathon", "last_name": "Smith", "company": acme["id"]})
    await post("/api/v1/contacts", {"first_name": "Maria", "last_name": "Garcia", "company": acme["id"]})
    mine = await post(
        "/api/v1/contacts", {"first_name": "Rita", "last_name": "Moreno", "emails": ["r@x.example"]}, rep
    )
    await post("/api/v1/contacts", {"first_name": "Rita", "last_name": "M", "emails": ["r@x.example"]}, rep)
    outsider = await sign_in(app_client, other.slug, f"admin@{other.slug}.example")
    await post(
        "/api/v1/contacts",
        {"first_name": "Ann", "last_name": "Lee", "emails": ["ann@acme.example"]},
        outsider,
    )

    contacts = await _scan(app_client, admin, "contact", worker)
    assert sorted(_pairs(contacts)[:2]) == [
        ("email", "Ann Lee", "Anne Lee"),
        ("email", "Rita M", "Rita Moreno"),
    ]
    assert _pairs(contacts)[2:] == [("name", "Jonathan Smith", "Jonathon Smith")]
    assert [item["score"] for item in contacts["items"]][:2] == [1.0, 1.0]
    assert 0.6 < contacts["items"][2]["score"] < 1.0
    companies = await _scan(app_client, admin, "company", worker)
    assert sorted(_pairs(companies)) == [
        ("domain", "Acme Holdings", "Acme Inc"),
        ("name", "ACME, Inc.", "Acme Inc"),
    ]

    first = (await app_client.get("/api/v1/duplicate-pairs/contact?limit=2", headers=admin)).json()
    rest = (await app_client.get(f"/api/v1/duplicate-pairs/contact?limit=2&cursor={first['next_cursor']}",
                                 headers=admin)).json()  # fmt: skip
    assert [i["id"] for i in first["items"] + rest["items"]] == [i["id"] for i in contacts["items"]]
    assert rest["next_cursor"] is None

    scoped = (await app_client.get("/api/v1/duplicate-pairs/contact", headers=rep)).json()
    assert _pairs(scoped) == [("email", "Rita M", "Rita Moreno")]
    assert (await app_client.post("/api/v1/duplicate-pairs/contact/scan", headers=rep)).status_code == 202
    foreign = (await app_client.get("/api/v1/duplicate-pairs/contact", headers=outsider)).json()
    assert foreign["items"] == []
    ann = next(i for i in contacts["items"] if i["records"][0]["title"].startswith("Ann"))
    refused = await app_client.post(f"/api/v1/duplicate-pairs/contact/{ann['id']}/dismiss", headers=outsider)
    assert refused.status_code == 404
    hidden = await app_client.post(f"/api/v1/duplicate-pairs/contact/{ann['id']}/dismiss", headers=rep)
    assert hidden.status_code == 404

    dismissed = await app_client.post(f"/api/v1/duplicate-pairs/contact/{ann['id']}/dismiss", headers=admin)
    assert dismissed.status_code == 204
    rita = next(i for i in contacts["items"] if "Rita M" in [r["title"] for r in i["records"]])
    merged = await app_client.post(
        "/api/v1/merges",
        json={"object_type": "contact", "survivor_id": mine["id"],
              "merged_id": next(r["id"] for r in rita["records"] if r["id"] != mine["id"])},
        headers=admin,
    )  # fmt: skip
    assert merged.status_code == 201, merged.text
    after = await _scan(app_client, admin, "contact", worker)
    assert _pairs(after) == [("name", "Jonathan Smith", "Jonathon Smith")]
    assert after["items"][0]["records"][0]["id"] == jon["id"]
    assert (await app_client.get("/api/v1/duplicate-pairs/deal", headers=admin)).status_code == 404


async def test_the_daily_tick_scans_every_active_workspace(
    app_client: Client, worker: Processes, settings: Settings
) -> None:
    """``crm.scan_all_duplicates`` (daily, from the scheduler) sends a scan to each active workspace."""
    workspaces = []
    for _ in range(2):
        tenant = await sign_up(app_client)
        admin = await sign_in(app_client, tenant.slug, f"admin@{tenant.slug}.example")
        for first in ("Ann", "Anne"):
            created = await app_client.post(
                "/api/v1/contacts",
                json={"first_name": first, "last_name": "Lee", "emails": ["ann.lee@example.com"]},
                headers=admin,
            )
            assert created.status_code == 201, created.text
        workspaces.append(admin)
    broker = RedisBroker(url=str(settings.redis_url), namespace=NAMESPACE)
    try:
        broker.enqueue(
            Message(queue_name="system", actor_name="crm.scan_all_duplicates", args=(), kwargs={}, options={})
        )
    finally:
        broker.close()

    async def scanned() -> bool:
        pages = [
            (await app_client.get("/api/v1/duplicate-pairs/contact", headers=h)).json() for h in workspaces
        ]
        return all(page["last_scan_at"] is not None and page["items"] for page in pages)

    await wait_until(scanned, "both workspaces' contacts to be scanned", worker, within=60)
