"""Signup: validation with named fields, conflicts, agencies with several workspaces, all-or-nothing."""

from __future__ import annotations

import uuid

import asyncpg
import pytest
from litestar.testing import AsyncTestClient
from rapport.app import create_app
from rapport.kernel.settings import Settings
from rapport_tenants.names import slug_problem
from redis.asyncio import Redis

from tests.conftest import make_settings
from tests.tenants.conftest import PASSWORD, sign_up, unique_slug


async def fetch(database_url: str, sql: str, *args: object) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(database_url)
    try:
        return await connection.fetch(sql, *args)
    finally:
        await connection.close()


async def test_signup_creates_tenant_domain_owner_and_schema(
    app_client: AsyncTestClient,
    database_url: str,  # type: ignore[type-arg]
) -> None:
    slug = unique_slug("acme")
    tenant = await sign_up(app_client, slug=slug, name="Acme Inc", email="Ann@Acme.Example")
    assert tenant.body["url"] == f"http://{slug}.localhost:8000/"
    assert tenant.body["admin"]["email"] == "ann@acme.example"
    rows = await fetch(
        database_url,
        "SELECT t.status, t.schema_name, d.host, d.is_primary FROM control.tenants t "
        "JOIN control.domains d ON d.tenant_id = t.id WHERE t.id = $1",
        tenant.id,
    )
    assert [(r["status"], r["host"], r["is_primary"]) for r in rows] == [
        ("active", f"{slug}.localhost", True)
    ]
    schema = rows[0]["schema_name"]
    members = await fetch(database_url, f'SELECT user_id, role FROM "{schema}".memberships')
    assert [(m["user_id"], m["role"]) for m in members] == [(tenant.user_id, "owner")]
    hashes = await fetch(
        database_url, "SELECT password_hash FROM control.users WHERE id = $1", tenant.user_id
    )
    assert hashes[0]["password_hash"].startswith("$argon2id$")
    response = await app_client.get("/api/v1/workspace", headers={"X-Tenant": slug})
    assert response.json() == {"slug": slug, "name": "Acme Inc", "timezone": "UTC", "locale": "en"}


async def test_invalid_signup_names_every_bad_field(app_client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    response = await app_client.post(
        "/api/v1/signup",
        json={"organization_name": " ", "slug": "Www", "admin_email": "not-an-email", "password": "short"},
    )
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    fields = {error["field"]: error["message"] for error in response.json()["errors"]}
    assert fields == {
        "organization_name": "is required",
        "slug": "is reserved",
        "admin_email": "is not a valid email address",
        "password": "must be at least 10 characters",
    }


async def test_missing_and_oversized_fields_are_422(app_client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    response = await app_client.post("/api/v1/signup", json={"slug": "abc"})
    assert response.status_code == 422
    response = await app_client.post(
        "/api/v1/signup",
        json={
            "organization_name": "x" * 201,
            "slug": "abc-def",
            "admin_email": "a@b.co",
            "password": PASSWORD,
        },
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "organization_name"


@pytest.mark.parametrize(
    ("slug", "problem"),
    [
        ("acme", None),
        ("a1-b2", None),
        ("ab", "must be at least 3 characters"),
        ("a" * 64, "must be at most 63 characters (a DNS label)"),
        ("-acme", "may contain only"),
        ("acme-", "may contain only"),
        ("ac_me", "may contain only"),
        ("acmé", "may contain only"),
        ("xn--acme", "reserved for punycode"),
        ("admin", "is reserved"),
        ("api", "is reserved"),
    ],
)
def test_slug_rules(slug: str, problem: str | None) -> None:
    found = slug_problem(slug)
    if problem is None:
        assert found is None
    else:
        assert found is not None
        assert problem in found


async def test_taken_slug_is_409_on_the_slug_field(app_client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    tenant = await sign_up(app_client)
    response = await app_client.post(
        "/api/v1/signup",
        json={
            "organization_name": "Copycat",
            "slug": tenant.slug.upper(),
            "admin_email": "other@copy.example",
            "password": PASSWORD,
        },
    )
    assert response.status_code == 409
    assert response.json()["errors"] == [{"field": "slug", "message": "is already taken"}]


async def test_existing_email_needs_its_own_password(app_client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    first = await sign_up(app_client, email="agency@owner.example")
    response = await app_client.post(
        "/api/v1/signup",
        json={
            "organization_name": "Second",
            "slug": unique_slug(),
            "admin_email": "AGENCY@owner.example",
            "password": "another password entirely",
        },
    )
    assert response.status_code == 409
    assert response.json()["errors"][0]["field"] == "admin_email"
    second = await sign_up(
        app_client, email="agency@owner.example"
    )  # the right password: one person, two tenants
    assert second.user_id == first.user_id


async def test_failure_half_way_leaves_nothing_behind(
    app_client: AsyncTestClient,
    database_url: str,  # type: ignore[type-arg]
) -> None:
    # A template whose DDL breaks after CREATE SCHEMA and the control rows: everything must roll back.
    broken = "CREATE TABLE memberships (id bigint PRIMARY KEY);\nSELECT no_such_function();\n"
    connection = await asyncpg.connect(database_url)
    template_id = uuid.uuid4()
    try:
        await connection.execute(
            "INSERT INTO control.schema_templates (id, fingerprint, ddl, migrations, created_at) "
            "VALUES ($1, $2, $3, '[]', now() + interval '1 hour')",
            template_id,
            uuid.uuid4().hex,
            broken,
        )
        schemas_before = await connection.fetchval(
            "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 't\\_%'"
        )
        slug = unique_slug("broken")
        response = await app_client.post(
            "/api/v1/signup",
            json={
                "organization_name": "Broken",
                "slug": slug,
                "admin_email": f"x@{slug}.example",
                "password": PASSWORD,
            },
        )
        assert response.status_code == 500
        assert await connection.fetchval("SELECT count(*) FROM control.tenants WHERE slug = $1", slug) == 0
        assert (
            await connection.fetchval("SELECT count(*) FROM control.domains WHERE host LIKE $1", slug + ".%")
            == 0
        )
        assert (
            await connection.fetchval(
                "SELECT count(*) FROM control.users WHERE email = $1", f"x@{slug}.example"
            )
            == 0
        )
        schemas_after = await connection.fetchval(
            "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 't\\_%'"
        )
        assert schemas_after == schemas_before
    finally:
        await connection.execute("DELETE FROM control.schema_templates WHERE id = $1", template_id)
        await connection.close()
    await sign_up(app_client, slug=slug)  # and the address is still free


async def test_signup_is_rate_limited_per_ip(migrated: Settings, redis_server: object) -> None:
    limited = make_settings(str(migrated.database_url), str(migrated.redis_url), signup_rate_per_hour=2)
    redis = Redis.from_url(str(migrated.redis_url))
    await redis.delete("rapport:ratelimit:signup:ip:testclient")
    async with AsyncTestClient(app=create_app(limited)) as client:
        statuses = []
        for _ in range(3):
            response = await client.post(
                "/api/v1/signup",
                json={"organization_name": "x", "slug": "ab", "admin_email": "a@b.co", "password": PASSWORD},
            )
            statuses.append(response.status_code)
        assert statuses == [422, 422, 429]
        assert int(response.headers["retry-after"]) > 0
        assert response.json()["type"].endswith("/rate-limited")
    await redis.delete("rapport:ratelimit:signup:ip:testclient")
    await redis.aclose()


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("password123456", "similar to a commonly used password"),
        ("qwertyuiop12", "too easy to guess"),
        ("ann@acme-widgets.example", "too easy to guess"),  # the email itself
    ],
)
async def test_guessable_passwords_are_refused(
    app_client: AsyncTestClient,
    password: str,
    why: str,  # type: ignore[type-arg]
) -> None:
    response = await app_client.post(
        "/api/v1/signup",
        json={
            "organization_name": "Acme Widgets",
            "slug": unique_slug(),
            "admin_email": "ann@acme-widgets.example",
            "password": password,
        },
    )
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["field"] == "password"
    assert why in error["message"]
