"""API keys: shown once, hashed at rest, scoped, revocable, and only valid in their own tenant."""

from __future__ import annotations

import asyncpg
import pytest
from litestar.testing import AsyncTestClient
from rapport.kernel.settings import Settings

from tests.factories import PASSWORD, SHARED_EMAIL, SignedUp


@pytest.fixture
async def signed_in(
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


async def make_key(client: AsyncTestClient, headers: dict[str, str], scopes: list[str]) -> dict:  # type: ignore[type-arg]
    response = await client.post(
        "/api/v1/api-keys", json={"name": "robot", "scopes": scopes}, headers=headers
    )
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_a_key_is_shown_once_and_stored_as_a_hash(
    app_client: AsyncTestClient,
    signed_in: tuple[SignedUp, SignedUp, dict[str, str]],
    database_url: str,  # type: ignore[type-arg]
) -> None:
    _, _, headers = signed_in
    created = await make_key(app_client, headers, ["read", "write"])
    key = created["key"]
    assert key.startswith("rpk_" + created["api_key"]["prefix"] + "_")
    listed = (await app_client.get("/api/v1/api-keys", headers=headers)).json()
    assert [row["id"] for row in listed].count(created["api_key"]["id"]) == 1
    assert key not in str(listed)
    connection = await asyncpg.connect(database_url)
    try:
        stored = await connection.fetchval(
            "SELECT secret_hash FROM control.api_keys WHERE id = $1::uuid", created["api_key"]["id"]
        )
    finally:
        await connection.close()
    assert stored not in key
    assert len(stored) == 64


async def test_a_key_authenticates_only_in_its_own_tenant(
    app_client: AsyncTestClient,
    signed_in: tuple[SignedUp, SignedUp, dict[str, str]],  # type: ignore[type-arg]
) -> None:
    first, second, headers = signed_in
    key = (await make_key(app_client, headers, ["read"]))["key"]
    app_client.cookies.clear()
    bearer = {"authorization": f"Bearer {key}"}
    me = await app_client.get("/api/v1/me", headers={**bearer, "x-tenant": first.slug})
    assert (me.status_code, me.json()["via"]) == (200, "api_key")
    elsewhere = await app_client.get("/api/v1/me", headers={**bearer, "x-tenant": second.slug})
    assert elsewhere.status_code == 401
    assert elsewhere.headers["www-authenticate"].startswith("Bearer")
    for garbage in ("rpk_nothing", key[:-1] + ("x" if key[-1] != "x" else "y"), "Basic abc"):
        response = await app_client.get(
            "/api/v1/me", headers={"authorization": f"Bearer {garbage}", "x-tenant": first.slug}
        )
        assert response.status_code == 401


async def test_scopes_and_revocation(
    app_client: AsyncTestClient,
    signed_in: tuple[SignedUp, SignedUp, dict[str, str]],  # type: ignore[type-arg]
) -> None:
    first, _, headers = signed_in
    reader = await make_key(app_client, headers, ["read"])
    writer = await make_key(app_client, headers, ["read", "write"])
    tenant = {"x-tenant": first.slug}
    no_write = await app_client.post(
        "/api/v1/api-keys", json={"name": "x", "scopes": ["read"]},
        headers={**tenant, "authorization": f"Bearer {reader['key']}"},
    )  # fmt: skip
    assert (no_write.status_code, no_write.json()["type"]) == (
        403,
        "https://rapport.dev/problems/scope-missing",
    )
    can_write = await app_client.post(
        "/api/v1/api-keys", json={"name": "x", "scopes": ["read"]},
        headers={**tenant, "authorization": f"Bearer {writer['key']}"},
    )  # fmt: skip
    assert can_write.status_code == 201  # bearer requests need no CSRF token: no cookie is involved
    revoked = await app_client.delete(f"/api/v1/api-keys/{reader['api_key']['id']}", headers=headers)
    assert revoked.status_code == 204
    after = await app_client.get("/api/v1/me", headers={**tenant, "authorization": f"Bearer {reader['key']}"})
    assert after.status_code == 401
    listed = {row["id"]: row for row in (await app_client.get("/api/v1/api-keys", headers=headers)).json()}
    assert listed[reader["api_key"]["id"]]["revoked_at"] is not None
    assert listed[writer["api_key"]["id"]]["last_used_at"] is not None


async def test_invalid_keys_are_refused_with_named_fields(
    app_client: AsyncTestClient,
    signed_in: tuple[SignedUp, SignedUp, dict[str, str]],  # type: ignore[type-arg]
) -> None:
    _, _, headers = signed_in
    response = await app_client.post(
        "/api/v1/api-keys",
        json={"name": " ", "scopes": ["read", "root"], "expires_at": "2001-01-01T00:00:00Z"},
        headers=headers,
    )
    assert response.status_code == 422
    assert {error["field"] for error in response.json()["errors"]} == {"name", "scopes", "expires_at"}
    missing = await app_client.delete(
        "/api/v1/api-keys/00000000-0000-0000-0000-000000000000", headers=headers
    )
    assert missing.status_code == 404
