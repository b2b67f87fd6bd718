"""OpenID Connect single sign-on against a real provider on loopback: round trip and refusals."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import asyncpg
import httpx
import pytest
from litestar.testing import AsyncTestClient
from rapport.kernel.settings import Settings

from tests.factories import PASSWORD, SHARED_EMAIL, SignedUp
from tests.identity.oidc_provider import CLIENT_ID, CLIENT_SECRET, OidcProvider


@pytest.fixture(scope="module")
def idp() -> Iterator[OidcProvider]:
    provider = OidcProvider()
    provider.start()
    yield provider
    provider.stop()


@pytest.fixture
async def configured(
    app_client: AsyncTestClient,
    two_tenants: tuple[SignedUp, SignedUp],
    idp: OidcProvider,
    migrated: Settings,  # type: ignore[type-arg]
) -> tuple[SignedUp, SignedUp, str]:
    """The first tenant has the provider, for people of sso.example, joining as members."""
    idp.misbehave = {}
    idp.user = {"sub": "user-1", "email": "sam@sso.example", "email_verified": True}
    first, second = two_tenants
    login = await app_client.post(
        "/api/v1/auth/login",
        json={"email": SHARED_EMAIL, "password": PASSWORD},
        headers={"x-tenant": first.slug},
    )
    owner = {"x-tenant": first.slug, "x-csrf-token": login.json()["csrf_token"]}
    created = await app_client.post(
        "/api/v1/sso/providers",
        json={
            "name": "Corporate SSO", "issuer": idp.issuer, "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET, "allowed_domains": ["sso.example"], "default_role": "member",
        },
        headers=owner,
    )  # fmt: skip
    assert created.status_code == 201, created.text
    app_client.cookies.clear()
    return first, second, created.json()["id"]


async def sso_round_trip(
    client: AsyncTestClient, slug: str, provider_id: str, callback_slug: str | None = None
) -> httpx.Response:  # type: ignore[type-arg]
    """The browser's part: start → the provider (which approves at once) → back to our callback."""
    start = await client.get(
        f"/api/v1/auth/sso/{provider_id}/start", headers={"x-tenant": slug}, follow_redirects=False
    )
    assert start.status_code in (302, 307), start.text
    async with httpx.AsyncClient() as browser:
        at_provider = await browser.get(start.headers["location"])
    assert at_provider.status_code in (302, 307), at_provider.text
    back = urlsplit(at_provider.headers["location"])
    assert back.path == "/api/v1/auth/sso/callback"
    assert back.hostname == f"{slug}.localhost"
    query = {name: values[0] for name, values in parse_qs(back.query).items()}
    return await client.get(
        back.path, params=query, headers={"x-tenant": callback_slug or slug}, follow_redirects=False
    )


async def test_sign_in_with_sso_joins_just_in_time(
    app_client: AsyncTestClient,
    configured: tuple[SignedUp, SignedUp, str],
    database_url: str,  # type: ignore[type-arg]
) -> None:
    first, _, provider_id = configured
    buttons = (await app_client.get("/api/v1/auth/sso/providers", headers={"x-tenant": first.slug})).json()
    assert [(b["name"], b["start_url"]) for b in buttons] == [
        ("Corporate SSO", f"/api/v1/auth/sso/{provider_id}/start")
    ]
    done = await sso_round_trip(app_client, first.slug, provider_id)
    assert done.status_code == 303, done.text
    assert done.headers["location"] == f"http://{first.slug}.localhost:8000/"
    me = (await app_client.get("/api/v1/me", headers={"x-tenant": first.slug})).json()
    assert (me["email"], me["role"], me["via"]) == ("sam@sso.example", "member", "session")
    # The second time, the same subject is the same user (no second membership).
    app_client.cookies.clear()
    assert (await sso_round_trip(app_client, first.slug, provider_id)).status_code == 303
    connection = await asyncpg.connect(database_url)
    try:
        secret = await connection.fetchval(
            "SELECT client_secret_encrypted FROM control.sso_providers WHERE id = $1::uuid", provider_id
        )
        links = await connection.fetchval(
            "SELECT count(*) FROM control.sso_identities WHERE provider_id = $1::uuid", provider_id
        )
    finally:
        await connection.close()
    assert CLIENT_SECRET not in secret
    assert links == 1


@pytest.mark.parametrize(
    ("misbehave", "user"),
    [
        ({"aud": "someone-else"}, None),
        ({"iss": "http://evil.example"}, None),
        ({"nonce": "not-the-one-we-sent"}, None),
        ({"expired": True}, None),
        ({"foreign_key": True}, None),
        ({}, {"sub": "user-2", "email": "eve@elsewhere.example", "email_verified": True}),
        ({}, {"sub": "user-3", "email": "sam2@sso.example", "email_verified": False}),
    ],
    ids=["audience", "issuer", "nonce", "expired", "bad-signature", "domain-not-allowed", "unverified-email"],
)
async def test_bad_tokens_and_people_are_refused(
    app_client: AsyncTestClient, configured: tuple[SignedUp, SignedUp, str], idp: OidcProvider,  # type: ignore[type-arg]
    misbehave: dict[str, object], user: dict[str, object] | None,
) -> None:  # fmt: skip
    first, _, provider_id = configured
    idp.misbehave = misbehave
    if user is not None:
        idp.user = user
    refused = await sso_round_trip(app_client, first.slug, provider_id)
    assert refused.status_code == 401, refused.text
    assert refused.json()["type"].endswith("/sso-failed")
    assert "set-cookie" not in refused.headers


async def test_a_state_is_single_use_and_bound_to_its_tenant(
    app_client: AsyncTestClient,
    configured: tuple[SignedUp, SignedUp, str],  # type: ignore[type-arg]
) -> None:
    first, second, provider_id = configured
    elsewhere = await sso_round_trip(app_client, first.slug, provider_id, callback_slug=second.slug)
    assert elsewhere.status_code == 401
    start = await app_client.get(
        f"/api/v1/auth/sso/{provider_id}/start", headers={"x-tenant": first.slug}, follow_redirects=False
    )
    async with httpx.AsyncClient() as browser:
        back = urlsplit((await browser.get(start.headers["location"])).headers["location"])
    query = {name: values[0] for name, values in parse_qs(back.query).items()}
    tenant = {"x-tenant": first.slug}
    assert (
        await app_client.get(back.path, params=query, headers=tenant, follow_redirects=False)
    ).status_code == 303
    replay = await app_client.get(back.path, params=query, headers=tenant, follow_redirects=False)
    assert replay.status_code == 401
    unknown = await app_client.get(f"/api/v1/auth/sso/{provider_id}/start", headers={"x-tenant": second.slug})
    assert unknown.status_code == 404  # the provider belongs to the first tenant only
