"""Emailed links through a real SMTP server: password reset, email verification, invitations."""

from __future__ import annotations

import pytest
from litestar.testing import AsyncTestClient
from rapport.kernel.settings import Settings
from redis.asyncio import Redis

from tests.conftest import MailSink
from tests.factories import PASSWORD, SHARED_EMAIL, SignedUp, sign_up, token_in, unique_slug

NEW_PASSWORD = "a brand new passphrase"


async def login(client: AsyncTestClient, slug: str, email: str, password: str) -> int:  # type: ignore[type-arg]
    response = await client.post(
        "/api/v1/auth/login", json={"email": email, "password": password}, headers={"x-tenant": slug}
    )
    return response.status_code


async def test_password_reset_by_link(app_client: AsyncTestClient, mail_sink: MailSink) -> None:  # type: ignore[type-arg]
    tenant = await sign_up(app_client)
    email = f"admin@{tenant.slug}.example"
    headers = {"x-tenant": tenant.slug}
    assert await login(app_client, tenant.slug, email, PASSWORD) == 200  # a session that must end
    before = len(mail_sink.messages)
    nobody = await app_client.post(
        "/api/v1/auth/password-reset", json={"email": "nobody@x.example"}, headers=headers
    )
    someone = await app_client.post(
        "/api/v1/auth/password-reset", json={"email": email.upper()}, headers=headers
    )
    assert (nobody.status_code, someone.status_code) == (202, 202)
    assert nobody.json() == someone.json()  # no hint which one has an account
    assert len(mail_sink.messages) == before + 1
    token = token_in(mail_sink, email, "reset-password")
    assert mail_sink.to(email)[-1]["Subject"] == "Reset your Rapport password"
    weak = await app_client.post(
        "/api/v1/auth/password-reset/confirm", json={"token": token, "password": "short"}, headers=headers
    )
    assert (weak.status_code, weak.json()["errors"][0]["field"]) == (422, "password")
    done = await app_client.post(
        "/api/v1/auth/password-reset/confirm",
        json={"token": token, "password": NEW_PASSWORD},
        headers=headers,
    )
    assert done.status_code == 204
    assert (await app_client.get("/api/v1/me", headers=headers)).status_code == 401  # old session ended
    again = await app_client.post(
        "/api/v1/auth/password-reset/confirm",
        json={"token": token, "password": NEW_PASSWORD},
        headers=headers,
    )
    assert (again.status_code, again.json()["errors"][0]["field"]) == (422, "token")
    assert await login(app_client, tenant.slug, email, PASSWORD) == 401
    assert await login(app_client, tenant.slug, email, NEW_PASSWORD) == 200


async def test_a_reset_link_works_only_on_its_tenant(
    app_client: AsyncTestClient,
    two_tenants: tuple[SignedUp, SignedUp],
    mail_sink: MailSink,  # type: ignore[type-arg]
) -> None:
    first, second = two_tenants
    await app_client.post(
        "/api/v1/auth/password-reset", json={"email": SHARED_EMAIL}, headers={"x-tenant": first.slug}
    )
    token = token_in(mail_sink, SHARED_EMAIL, "reset-password")
    elsewhere = await app_client.post(
        "/api/v1/auth/password-reset/confirm", json={"token": token, "password": NEW_PASSWORD},
        headers={"x-tenant": second.slug},
    )  # fmt: skip
    assert elsewhere.status_code == 422


async def test_email_verification(app_client: AsyncTestClient, mail_sink: MailSink) -> None:  # type: ignore[type-arg]
    tenant = await sign_up(app_client)
    email = f"admin@{tenant.slug}.example"
    await login(app_client, tenant.slug, email, PASSWORD)
    csrf = (await app_client.get("/api/v1/auth/session", headers={"x-tenant": tenant.slug})).json()[
        "csrf_token"
    ]
    headers = {"x-tenant": tenant.slug, "x-csrf-token": csrf}
    assert (await app_client.post("/api/v1/auth/verify-email/send", headers=headers)).status_code == 202
    token = token_in(mail_sink, email, "verify-email")
    assert (
        await app_client.post("/api/v1/auth/verify-email", json={"token": token}, headers=headers)
    ).status_code == 204
    assert (
        await app_client.post("/api/v1/auth/verify-email", json={"token": token}, headers=headers)
    ).status_code == 422
    assert (await app_client.post("/api/v1/auth/verify-email/send", headers=headers)).status_code == 409


async def test_invitations_for_new_and_existing_people(
    app_client: AsyncTestClient,
    two_tenants: tuple[SignedUp, SignedUp],
    mail_sink: MailSink,  # type: ignore[type-arg]
) -> None:
    first, _ = two_tenants
    other = await sign_up(app_client)  # someone with an account elsewhere
    await login(app_client, first.slug, SHARED_EMAIL, PASSWORD)
    csrf = (await app_client.get("/api/v1/auth/session", headers={"x-tenant": first.slug})).json()[
        "csrf_token"
    ]
    owner = {"x-tenant": first.slug, "x-csrf-token": csrf}
    newcomer = f"new-{unique_slug()}@people.example"
    made = await app_client.post(
        "/api/v1/invitations", json={"email": newcomer, "role": "manager"}, headers=owner
    )
    assert made.status_code == 201, made.text
    existing = f"admin@{other.slug}.example"
    await app_client.post("/api/v1/invitations", json={"email": existing, "role": "read-only"}, headers=owner)
    pending = (await app_client.get("/api/v1/invitations", headers=owner)).json()
    assert {(row["email"], row["role"]) for row in pending} >= {
        (newcomer, "manager"),
        (existing, "read-only"),
    }
    assert (
        await app_client.post("/api/v1/invitations", json={"email": SHARED_EMAIL}, headers=owner)
    ).status_code == 409
    bad = await app_client.post("/api/v1/invitations", json={"email": "not-an-email"}, headers=owner)
    assert (bad.status_code, bad.json()["errors"][0]["field"]) == (422, "email")

    accept = {"x-tenant": first.slug}
    token = token_in(mail_sink, newcomer, "accept-invitation")
    joined = await app_client.post(
        "/api/v1/invitations/accept", json={"token": token, "password": NEW_PASSWORD}, headers=accept
    )
    assert joined.status_code == 201
    app_client.cookies.clear()
    assert await login(app_client, first.slug, newcomer, NEW_PASSWORD) == 200
    me = (await app_client.get("/api/v1/me", headers=accept)).json()
    assert me["role"] == "manager"
    reused = await app_client.post(
        "/api/v1/invitations/accept", json={"token": token, "password": NEW_PASSWORD}, headers=accept
    )
    assert reused.status_code == 422

    token = token_in(mail_sink, existing, "accept-invitation")
    wrong = await app_client.post(
        "/api/v1/invitations/accept", json={"token": token, "password": NEW_PASSWORD}, headers=accept
    )
    assert (wrong.status_code, wrong.json()["errors"][0]["field"]) == (422, "password")
    # The failed attempt did not spend the invitation (one transaction): the right password still works.
    right = await app_client.post(
        "/api/v1/invitations/accept", json={"token": token, "password": PASSWORD}, headers=accept
    )
    assert right.status_code == 201
    assert await login(app_client, first.slug, existing, PASSWORD) == 200


async def test_only_owners_and_admins_invite_and_revoked_invitations_fail(
    app_client: AsyncTestClient,
    two_tenants: tuple[SignedUp, SignedUp],
    mail_sink: MailSink,  # type: ignore[type-arg]
) -> None:
    first, _ = two_tenants
    await login(app_client, first.slug, SHARED_EMAIL, PASSWORD)
    csrf = (await app_client.get("/api/v1/auth/session", headers={"x-tenant": first.slug})).json()[
        "csrf_token"
    ]
    owner = {"x-tenant": first.slug, "x-csrf-token": csrf}
    member_email = f"m-{unique_slug()}@people.example"
    await app_client.post(
        "/api/v1/invitations", json={"email": member_email, "role": "member"}, headers=owner
    )
    token = token_in(mail_sink, member_email, "accept-invitation")
    await app_client.post("/api/v1/invitations/accept", json={"token": token, "password": NEW_PASSWORD},
                          headers={"x-tenant": first.slug})  # fmt: skip
    target = f"t-{unique_slug()}@people.example"
    invitation = (await app_client.post("/api/v1/invitations", json={"email": target}, headers=owner)).json()[
        "id"
    ]
    assert (await app_client.delete(f"/api/v1/invitations/{invitation}", headers=owner)).status_code == 204
    token = token_in(mail_sink, target, "accept-invitation")
    revoked = await app_client.post(
        "/api/v1/invitations/accept",
        json={"token": token, "password": NEW_PASSWORD},
        headers={"x-tenant": first.slug},
    )
    assert revoked.status_code == 422
    app_client.cookies.clear()
    await login(app_client, first.slug, member_email, NEW_PASSWORD)
    csrf = (await app_client.get("/api/v1/auth/session", headers={"x-tenant": first.slug})).json()[
        "csrf_token"
    ]
    member = {"x-tenant": first.slug, "x-csrf-token": csrf}
    refused = await app_client.post("/api/v1/invitations", json={"email": "x@people.example"}, headers=member)
    assert refused.status_code == 403


async def test_invitations_are_limited_per_inviter(
    app_client: AsyncTestClient,  # type: ignore[type-arg]
    two_tenants: tuple[SignedUp, SignedUp],
    monkeypatch: pytest.MonkeyPatch,
    migrated: Settings,
) -> None:
    from rapport.identity import invitations

    monkeypatch.setattr(invitations, "INVITATIONS_PER_HOUR", 2)
    first, _ = two_tenants
    await login(app_client, first.slug, SHARED_EMAIL, PASSWORD)
    csrf = (await app_client.get("/api/v1/auth/session", headers={"x-tenant": first.slug})).json()[
        "csrf_token"
    ]
    owner = {"x-tenant": first.slug, "x-csrf-token": csrf}
    redis = Redis.from_url(str(migrated.redis_url))
    for key in await redis.keys("rapport:ratelimit:invite:*"):
        await redis.delete(key)
    await redis.aclose()
    statuses = [
        (
            await app_client.post(
                "/api/v1/invitations", json={"email": f"n{i}-{unique_slug()}@x.example"}, headers=owner
            )
        ).status_code
        for i in range(3)
    ]
    assert statuses == [201, 201, 429]
