"""The operator's tenant admin: list, suspend, resume, delete (grace period, then purge)."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import uuid

import asyncpg
import pytest
from botocore.exceptions import ClientError
from litestar.testing import AsyncTestClient
from piccolo.engine.postgres import PostgresEngine
from rapport.app import create_app
from rapport.kernel.files import file_store
from rapport.kernel.settings import Settings
from rapport.tenancy.jobs import purge_tenants

from tests.conftest import OPERATOR_TOKEN, make_settings
from tests.s3_server import S3Server
from tests.tenants.conftest import SignedUp, sign_up

OPERATOR = {"authorization": f"Bearer {OPERATOR_TOKEN}"}


async def test_operator_api_needs_the_operator_token(
    app_client: AsyncTestClient,
    migrated: Settings,  # type: ignore[type-arg]
) -> None:
    assert (await app_client.get("/api/v1/admin/tenants")).status_code == 401
    wrong = await app_client.get("/api/v1/admin/tenants", headers={"authorization": "Bearer " + "x" * 40})
    assert wrong.status_code == 401
    assert wrong.headers["www-authenticate"] == "Bearer"
    assert (await app_client.get("/api/v1/admin/tenants", headers=OPERATOR)).status_code == 200
    disabled = make_settings(str(migrated.database_url), str(migrated.redis_url), operator_token=None)
    async with AsyncTestClient(app=create_app(disabled)) as client:
        assert (await client.get("/api/v1/admin/tenants", headers=OPERATOR)).status_code == 404


async def test_list_is_keyset_paginated_and_filterable(app_client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    created = [await sign_up(app_client) for _ in range(3)]
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        page = (await app_client.get("/api/v1/admin/tenants", params=params, headers=OPERATOR)).json()
        assert len(page["items"]) <= 2
        seen.extend(item["slug"] for item in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen))
    assert [tenant.slug for tenant in created] == [slug for slug in seen if slug in {t.slug for t in created}]
    assert seen[-3:] == [tenant.slug for tenant in created]  # oldest first: the newest are last
    bad = await app_client.get("/api/v1/admin/tenants", params={"cursor": "garbage"}, headers=OPERATOR)
    assert bad.status_code == 422
    bad = await app_client.get("/api/v1/admin/tenants", params={"status": "sleeping"}, headers=OPERATOR)
    assert bad.status_code == 400 or bad.status_code == 422
    too_many = await app_client.get("/api/v1/admin/tenants", params={"limit": "501"}, headers=OPERATOR)
    assert too_many.status_code in (400, 422)


async def test_suspend_and_resume(
    app_client: AsyncTestClient,
    two_tenants: tuple[SignedUp, SignedUp],  # type: ignore[type-arg]
) -> None:
    first, second = two_tenants
    response = await app_client.post(
        f"/api/v1/admin/tenants/{first.id}/suspend", json={"reason": "invoice overdue"}, headers=OPERATOR
    )
    assert response.status_code == 201
    assert (response.json()["status"], response.json()["status_reason"]) == ("suspended", "invoice overdue")
    blocked = await app_client.get("/api/v1/workspace", headers={"x-tenant": first.slug})
    assert blocked.status_code == 403
    assert (await app_client.get("/api/v1/workspace", headers={"x-tenant": second.slug})).status_code == 200
    again = await app_client.post(
        f"/api/v1/admin/tenants/{first.id}/suspend", json={"reason": "twice"}, headers=OPERATOR
    )
    assert again.status_code == 409
    resumed = await app_client.post(f"/api/v1/admin/tenants/{first.id}/resume", headers=OPERATOR)
    assert resumed.json()["status"] == "active"
    connection = await asyncpg.connect(str(app_client.app.state.settings.database_url))
    try:
        schema = await connection.fetchval("SELECT schema_name FROM control.tenants WHERE id = $1", first.id)
        logged = await connection.fetch(
            f'SELECT action, actor, via, changes FROM "{schema}".audit_events '
            "WHERE object_type = 'tenant' AND action LIKE 'tenant.%' ORDER BY id"
        )
    finally:
        await connection.close()
    assert [(row["action"], row["actor"], row["via"]) for row in logged][-2:] == [
        ("tenant.suspended", "platform operator", "operator-api"),
        ("tenant.resumed", "platform operator", "operator-api"),
    ]
    assert (await app_client.get("/api/v1/workspace", headers={"x-tenant": first.slug})).status_code == 200
    missing = await app_client.post(f"/api/v1/admin/tenants/{uuid.uuid4()}/resume", headers=OPERATOR)
    assert missing.status_code == 404
    empty_reason = await app_client.post(
        f"/api/v1/admin/tenants/{first.id}/suspend", json={"reason": ""}, headers=OPERATOR
    )
    assert empty_reason.status_code in (400, 422)


def purge(service_env: dict[str, str]) -> str:
    """``rapport tenants purge`` (what the periodic ``tenancy.purge_deleted`` job runs) in its own process."""
    result = subprocess.run(
        [sys.executable, "-m", "rapport", "tenants", "purge"],
        env=service_env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout


async def test_delete_waits_for_the_grace_period_then_purges(
    app_client: AsyncTestClient,  # type: ignore[type-arg]
    two_tenants: tuple[SignedUp, SignedUp],
    database_url: str,
    service_env: dict[str, str],
) -> None:
    doomed, survivor = two_tenants
    response = await app_client.delete(f"/api/v1/admin/tenants/{doomed.id}", headers=OPERATOR)
    assert response.status_code == 202
    delete_after = dt.datetime.fromisoformat(response.json()["delete_after"])
    assert delete_after > dt.datetime.now(dt.UTC) + dt.timedelta(days=6)
    assert (await app_client.get("/api/v1/workspace", headers={"x-tenant": doomed.slug})).status_code == 404
    connection = await asyncpg.connect(database_url)
    try:
        schema = await connection.fetchval("SELECT schema_name FROM control.tenants WHERE id = $1", doomed.id)
        assert doomed.slug not in purge(service_env)  # still in its grace period: nothing dropped
        assert await connection.fetchval("SELECT to_regnamespace($1)", schema) is not None
        # The grace period is over.
        await connection.execute(
            "UPDATE control.tenants SET delete_after = now() - interval '1 minute' WHERE id = $1", doomed.id
        )
        assert doomed.slug in purge(service_env)
        assert await connection.fetchval("SELECT to_regnamespace($1)", schema) is None
        for table in ("control.tenants WHERE id", "control.domains WHERE tenant_id"):
            assert await connection.fetchval(f"SELECT count(*) FROM {table} = $1", doomed.id) == 0
        assert (
            await connection.fetchval(
                "SELECT count(*) FROM control.tenant_migrations WHERE schema_name = $1", schema
            )
            == 0
        )
    finally:
        await connection.close()
    assert (await app_client.get("/api/v1/workspace", headers={"x-tenant": survivor.slug})).status_code == 200


async def test_purge_deletes_the_tenants_files_and_no_one_elses(
    two_tenants: tuple[SignedUp, SignedUp],
    migrated: Settings,
    database_url: str,
    s3_server: S3Server,
    engine: PostgresEngine,
) -> None:
    doomed, survivor = two_tenants
    bucket = s3_server.create_bucket()
    settings = migrated.model_copy(update=s3_server.settings(bucket))
    store = file_store(settings)
    for tenant in (doomed, survivor):
        for name in ("exports/1.csv", "exports/2.xlsx"):
            async with store.writing(f"t/{tenant.id}/{name}") as path:
                path.write_text(f"{tenant.slug} {name}")
    connection = await asyncpg.connect(database_url)
    try:
        await connection.execute(
            "UPDATE control.tenants SET status = 'deleting', delete_after = now() - interval '1 minute' "
            "WHERE id = $1",
            doomed.id,
        )
        # Files first: while they cannot be deleted (here: no such bucket), the tenant is not purged.
        unreachable = migrated.model_copy(update=s3_server.settings("rapport-test-no-such-bucket"))
        with pytest.raises(ClientError, match="NoSuchBucket"):
            await purge_tenants(unreachable)
        assert await connection.fetchval("SELECT status FROM control.tenants WHERE id = $1", doomed.id) == (
            "deleting"
        )
        assert doomed.slug in await purge_tenants(settings)
        assert await connection.fetchval("SELECT count(*) FROM control.tenants WHERE id = $1", doomed.id) == 0
    finally:
        await connection.close()
    assert s3_server.keys(bucket) == [f"t/{survivor.id}/exports/1.csv", f"t/{survivor.id}/exports/2.xlsx"]


async def test_a_deletion_can_be_cancelled_in_the_grace_period(
    app_client: AsyncTestClient,  # type: ignore[type-arg]
) -> None:
    tenant = await sign_up(app_client)
    await app_client.delete(f"/api/v1/admin/tenants/{tenant.id}", headers=OPERATOR)
    resumed = await app_client.post(f"/api/v1/admin/tenants/{tenant.id}/resume", headers=OPERATOR)
    assert (resumed.json()["status"], resumed.json()["delete_after"]) == ("active", None)
    assert (await app_client.get("/api/v1/workspace", headers={"x-tenant": tenant.slug})).status_code == 200


async def test_cli_suspends_resumes_lists_and_deletes(
    app_client: AsyncTestClient,
    service_env: dict[str, str],  # type: ignore[type-arg]
) -> None:
    tenant = await sign_up(app_client)

    def rapport(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "rapport", "tenants", *args],
            env={**service_env, "COLUMNS": "200"},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    assert rapport("suspend", tenant.slug, "--reason", "abuse report").returncode == 0
    assert (await app_client.get("/api/v1/workspace", headers={"x-tenant": tenant.slug})).status_code == 403
    listed = rapport("list", "--status", "suspended")
    assert tenant.slug in listed.stdout
    assert rapport("resume", str(tenant.id)).returncode == 0
    assert (await app_client.get("/api/v1/workspace", headers={"x-tenant": tenant.slug})).status_code == 200
    failed = rapport("resume", tenant.slug)
    assert failed.returncode == 1
    assert "is active; cannot resume it" in failed.stderr
    assert rapport("suspend", "no-such-tenant", "--reason", "x").returncode == 1
    deleted = rapport("delete", tenant.slug, "--grace-hours", "0")
    assert deleted.returncode == 0
    assert "will be deleted after" in deleted.stdout
    purged = rapport("purge")
    assert tenant.slug in purged.stdout
