"""Exports to CSV and XLSX by a real worker: the list as the member sees it (scope, hidden fields), progress,
download by the asker only, the export permission, and tenant isolation."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from dramatiq import Message
from dramatiq.brokers.redis import RedisBroker
from litestar.testing import AsyncTestClient
from openpyxl import load_workbook
from rapport.app import create_app
from rapport.kernel.devservices import EmbeddedRedis
from rapport.kernel.files import FileStore, file_store
from rapport.kernel.jobs import NAMESPACE
from rapport.kernel.settings import Settings

from tests.conftest import MailSink
from tests.events.conftest import Processes, events_redis, processes, wait_until  # noqa: F401 - fixtures
from tests.factories import SignedUp, invite_member, sign_up
from tests.probe.fixtures import schema_of, sign_in
from tests.s3_server import S3Server


async def _finished(
    client: AsyncTestClient,  # type: ignore[type-arg]
    headers: dict[str, str],
    export_id: int,
    running: Processes,
) -> dict[str, Any]:
    state: dict[str, Any] = {}

    async def done() -> bool:
        state.update((await client.get(f"/api/v1/exports/{export_id}", headers=headers)).json())
        return state["status"] in ("done", "failed")

    await wait_until(done, f"export {export_id}", running)
    return state


async def test_exports_follow_the_list_rules_and_reach_only_their_asker(
    app_client: AsyncTestClient,  # type: ignore[type-arg]
    processes: Processes,  # noqa: F811 - the fixture imported above
    mail_sink: MailSink,
    database_url: str,
    redis_server: EmbeddedRedis,
) -> None:
    processes.env["RAPPORT_REDIS_URL"] = redis_server.url  # the broker the in-process app sends to
    processes.start("worker", "worker")
    tenant = await sign_up(app_client)
    admin = await sign_in(app_client, tenant.slug, f"admin@{tenant.slug}.example")
    hidden = {"ops": ["read", "export"], "scope": "all", "fields": {"emails": "hidden"}}
    everything = {"ops": ["read", "export"], "scope": "all", "fields": {}}
    role = {
        "key": "analyst",
        "name": "Analyst",
        "permissions": {"objects": {"*": everything, "contact": hidden}},
    }
    assert (await app_client.post("/api/v1/roles", json=role, headers=admin)).status_code == 201
    await invite_member(app_client, mail_sink, admin, f"analyst@{tenant.slug}.example", "analyst")
    await invite_member(app_client, mail_sink, admin, f"reader@{tenant.slug}.example", "read-only")
    special = {"last_name": "Person 0000", "emails": ["p0@example.com"], "title": 'Line\nbreak, "VP"'}
    assert (await app_client.post("/api/v1/contacts", json=special, headers=admin)).status_code == 201
    connection = await asyncpg.connect(database_url)
    try:  # more than one page of the job, written directly (the API's rate limit is per minute)
        await connection.execute(
            f'INSERT INTO "{await schema_of(database_url, tenant)}".contacts '
            "(first_name, last_name, email, emails, phones, owner_id, custom, created_at, updated_at) "
            "SELECT '', 'Person ' || lpad(i::text, 4, '0'), 'p' || i || '@example.com', "
            "jsonb_build_array(jsonb_build_object('value', 'p' || i || '@example.com', 'label', '', "
            "'primary', true)), '[]', $1, '{}', now(), now() FROM generate_series(1, 1202) i",
            tenant.user_id,
        )
    finally:
        await connection.close()

    started = await app_client.post(
        "/api/v1/exports",
        json={"object_type": "contact", "format": "csv", "sort": "-last_name",
              "filter": {"field": "name", "op": "contains", "value": "Person"}},
        headers=admin,
    )  # fmt: skip
    assert started.status_code == 202, started.text
    assert started.json()["status"] == "queued"
    done = await _finished(app_client, admin, started.json()["id"], processes)
    assert (done["status"], done["rows"]) == ("done", 1_203), done
    download = await app_client.get(done["download_url"], headers=admin)
    assert download.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(download.text)))
    assert len(rows) == 1_203
    assert rows[0]["last_name"] == "Person 1202"
    assert rows[-1]["last_name"] == "Person 0000"
    assert rows[-1]["title"] == 'Line\nbreak, "VP"'
    assert json.loads(rows[1]["emails"])[0]["value"] == "p1201@example.com"

    analyst = await sign_in(app_client, tenant.slug, f"analyst@{tenant.slug}.example")
    xlsx = await app_client.post(
        "/api/v1/exports", json={"object_type": "contact", "format": "xlsx"}, headers=analyst
    )
    assert xlsx.status_code == 202, xlsx.text
    finished = await _finished(app_client, analyst, xlsx.json()["id"], processes)
    assert finished["status"] == "done", finished
    workbook = load_workbook(
        io.BytesIO((await app_client.get(finished["download_url"], headers=analyst)).content)
    )
    sheet = workbook.active
    assert sheet is not None
    header = [cell.value for cell in next(sheet.iter_rows(max_row=1))]
    assert "emails" not in header  # hidden from this role, absent from the file
    assert "email" not in header
    assert sheet.max_row == 1_204
    refused = await app_client.get(done["download_url"], headers=analyst)  # someone else's export
    assert refused.status_code == 404

    reader = await sign_in(app_client, tenant.slug, f"reader@{tenant.slug}.example")
    forbidden = await app_client.post("/api/v1/exports", json={"object_type": "contact"}, headers=reader)
    assert forbidden.status_code == 403
    invalid = await app_client.post(
        "/api/v1/exports", json={"object_type": "contact", "sort": "emails"}, headers=analyst
    )
    assert invalid.status_code == 422

    other = await sign_up(app_client)
    stranger = await sign_in(app_client, other.slug, f"admin@{other.slug}.example")
    assert (
        await app_client.get(f"/api/v1/exports/{started.json()['id']}", headers=stranger)
    ).status_code == 404
    assert (await app_client.get(done["download_url"], headers=stranger)).status_code == 404
    assert (await app_client.get("/api/v1/exports", headers=stranger)).json() == []


async def test_exports_on_s3_are_downloaded_from_s3_through_a_short_lived_link(
    migrated: Settings,
    processes: Processes,  # noqa: F811 - the fixture imported above
    redis_server: EmbeddedRedis,
    s3_server: S3Server,
) -> None:
    """The worker writes the file to S3; the API answers the download with a redirect the browser follows."""
    bucket = s3_server.create_bucket()
    processes.env["RAPPORT_REDIS_URL"] = redis_server.url  # the broker the in-process app sends to
    processes.env.update(s3_server.environment(bucket))
    processes.start("worker", "worker")
    settings = migrated.model_copy(update=s3_server.settings(bucket))
    async with AsyncTestClient(app=create_app(settings)) as client:
        tenant, other = await sign_up(client), await sign_up(client)
        admin = await sign_in(client, tenant.slug, f"admin@{tenant.slug}.example")
        for name in ("Zuse", "Lovelace", "Hopper"):
            created = await client.post("/api/v1/contacts", json={"last_name": name}, headers=admin)
            assert created.status_code == 201, created.text
        started = await client.post(
            "/api/v1/exports", json={"object_type": "contact", "sort": "last_name"}, headers=admin
        )
        assert started.status_code == 202, started.text
        export_id = started.json()["id"]
        done = await _finished(client, admin, export_id, processes)
        assert (done["status"], done["rows"]) == ("done", 3), done
        assert s3_server.keys(bucket) == [f"t/{tenant.id}/exports/{export_id}.csv"]

        redirect = await client.get(done["download_url"], headers=admin, follow_redirects=False)
        assert redirect.status_code == 302, redirect.text
        async with httpx.AsyncClient() as browser:  # the browser, straight to S3, without our cookies
            download = await browser.get(redirect.headers["location"])
        assert download.status_code == 200, download.text
        assert download.headers["content-type"].startswith("text/csv")
        disposition = download.headers["content-disposition"]
        assert disposition.startswith(f'attachment; filename="contact-export-{export_id}.csv"')
        rows = list(csv.DictReader(io.StringIO(download.text)))
        assert [row["last_name"] for row in rows] == ["Hopper", "Lovelace", "Zuse"]

        stranger = await sign_in(client, other.slug, f"admin@{other.slug}.example")
        refused = await client.get(done["download_url"], headers=stranger, follow_redirects=False)
        assert refused.status_code == 404  # no link to another workspace's file


async def _finished_export(
    database_url: str, store: FileStore, tenant: SignedUp, finished_days_ago: int, status: str = "done"
) -> int:
    """An export row that finished ``finished_days_ago`` days ago, with its file when it is done."""
    schema = await schema_of(database_url, tenant)
    connection = await asyncpg.connect(database_url)
    try:
        export_id: int = await connection.fetchval(
            f'INSERT INTO "{schema}".exports (object_type, format, status, request, rows, error, file_key, '
            "user_id, role, created_at, finished_at) VALUES ('contact', 'csv', $1, '{}', 1, '', '', $2, "
            "'owner', now() - make_interval(days => $3), now() - make_interval(days => $3)) RETURNING id",
            status,
            tenant.user_id,
            finished_days_ago,
        )
        if status == "done":
            key = f"t/{tenant.id}/exports/{export_id}.csv"
            async with store.writing(key) as path:
                path.write_text("id\n1\n")
            await connection.execute(
                f'UPDATE "{schema}".exports SET file_key = $1 WHERE id = $2', key, export_id
            )
    finally:
        await connection.close()
    return export_id


async def _stored(store: FileStore, tenant: SignedUp, export_id: int) -> bool:
    try:
        async with store.reading(f"t/{tenant.id}/exports/{export_id}.csv"):
            return True
    except FileNotFoundError:
        return False


async def test_export_files_expire_after_a_week(
    app_client: AsyncTestClient,  # type: ignore[type-arg]
    migrated: Settings,
    processes: Processes,  # noqa: F811 - the fixture imported above
    events_redis: EmbeddedRedis,  # noqa: F811 - the fixture imported above
    database_url: str,
    tmp_path: Path,
) -> None:
    """The hourly tick, sent as the scheduler sends it, has a real worker delete week-old files per tenant."""
    data_dir = tmp_path / "data"
    processes.env["RAPPORT_DATA_DIR"] = str(data_dir)
    store = file_store(migrated.model_copy(update={"data_dir": data_dir}))  # the worker's store
    tenant, other = await sign_up(app_client), await sign_up(app_client)
    old = await _finished_export(database_url, store, tenant, finished_days_ago=8)
    recent = await _finished_export(database_url, store, tenant, finished_days_ago=6)
    failed = await _finished_export(database_url, store, tenant, finished_days_ago=30, status="failed")
    others_old = await _finished_export(database_url, store, other, finished_days_ago=8)
    others_recent = await _finished_export(database_url, store, other, finished_days_ago=1)
    processes.start("worker", "worker")
    admin = await sign_in(app_client, tenant.slug, f"admin@{tenant.slug}.example")

    async def expired() -> bool:
        state = (await app_client.get(f"/api/v1/exports/{old}", headers=admin)).json()
        return bool(state["status"] == "expired")

    broker = RedisBroker(url=events_redis.url, namespace=NAMESPACE)
    tick = Message(queue_name="system", actor_name="crm.expire_exports", args=(), kwargs={}, options={})
    broker.enqueue(tick)
    await wait_until(expired, "the week-old export to expire", processes)
    assert not await _stored(store, tenant, old)
    gone = await app_client.get(f"/api/v1/exports/{old}/download", headers=admin)
    assert gone.status_code == 409
    assert "expired" in gone.json()["detail"]
    assert (await app_client.get(f"/api/v1/exports/{old}", headers=admin)).json()["download_url"] is None

    assert await _stored(store, tenant, recent)
    state = (await app_client.get(f"/api/v1/exports/{recent}", headers=admin)).json()
    assert state["status"] == "done"
    assert (await app_client.get(f"/api/v1/exports/{failed}", headers=admin)).json()["status"] == "failed"

    async def others_expired() -> bool:
        return not await _stored(store, other, others_old)

    await wait_until(others_expired, "the other workspace's week-old export to expire", processes)
    assert await _stored(store, other, others_recent)
