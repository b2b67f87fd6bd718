"""Password sign-in, session cookies with CSRF, sign-out, and sessions that never cross tenants."""

from __future__ import annotations

from litestar.testing import AsyncTestClient
from rapport.app import create_app
from rapport.kernel.settings import Environment, Settings

from tests.conftest import make_settings
from tests.factories import PASSWORD, SHARED_EMAIL, SignedUp, sign_up


async def login(client: AsyncTestClient, slug: str, email: str, password: str = PASSWORD):  # type: ignore[no-untyped-def, type-arg]
    return await client.post(
        "/api/v1/auth/login", json={"email": email, "password": password}, headers={"x-tenant": slug}
    )


async def test_sign_in_sets_a_safe_cookie_and_returns_a_csrf_token(
    app_client: AsyncTestClient,
    two_tenants: tuple[SignedUp, SignedUp],  # type: ignore[type-arg]
) -> None:
    first, _ = two_tenants
    response = await login(app_client, first.slug, SHARED_EMAIL.upper())
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["email"], body["role"], body["tenant"]) == (SHARED_EMAIL, "owner", first.slug)
    assert len(body["csrf_token"]) == 64
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("rapport_session=")
    for attribute in ("HttpOnly", "Path=/", "SameSite=lax"):
        assert attribute in cookie
    me = await app_client.get("/api/v1/me", headers={"x-tenant": first.slug})
    assert me.json() == {
        "user_id": str(first.user_id),
        "email": SHARED_EMAIL,
        "role": "owner",
        "tenant": first.slug,
        "via": "session",
        "totp_enabled": False,
    }


async def test_cookies_are_secure_in_production(migrated: Settings) -> None:
    production = make_settings(
        str(migrated.database_url), str(migrated.redis_url), env=Environment.PRODUCTION
    )
    async with AsyncTestClient(app=create_app(production)) as client:
        tenant = await sign_up(client)
        response = await login(client, tenant.slug, f"admin@{tenant.slug}.example")
    assert "Secure" in response.headers["set-cookie"]


async def test_every_failure_gets_the_same_answer(
    app_client: AsyncTestClient,
    two_tenants: tuple[SignedUp, SignedUp],  # type: ignore[type-arg]
) -> None:
    first, _ = two_tenants
    outsider = await sign_up(app_client)  # a real account, but not a member of `first`
    answers = [
        await login(app_client, first.slug, SHARED_EMAIL, "wrong password entirely"),
        await login(app_client, first.slug, "nobody@nowhere.example"),
        await login(app_client, first.slug, f"admin@{outsider.slug}.example"),
    ]
    assert {response.status_code for response in answers} == {401}
    assert len({response.json()["detail"] for response in answers}) == 1
    assert all("set-cookie" not in response.headers for response in answers)


async def test_a_session_of_one_tenant_is_refused_on_another(
    app_client: AsyncTestClient,
    two_tenants: tuple[SignedUp, SignedUp],  # type: ignore[type-arg]
) -> None:
    first, second = two_tenants  # the same person owns both
    assert (await login(app_client, first.slug, SHARED_EMAIL)).status_code == 200
    assert (await app_client.get("/api/v1/me", headers={"x-tenant": first.slug})).status_code == 200
    other = await app_client.get("/api/v1/me", headers={"x-tenant": second.slug})
    assert other.status_code == 401
    assert other.json()["type"].endswith("/unauthorized")


async def test_changes_need_the_csrf_token_and_sign_out_ends_the_session(
    app_client: AsyncTestClient,
    two_tenants: tuple[SignedUp, SignedUp],  # type: ignore[type-arg]
) -> None:
    first, _ = two_tenants
    csrf = (await login(app_client, first.slug, SHARED_EMAIL)).json()["csrf_token"]
    headers = {"x-tenant": first.slug}
    key = {"name": "ci", "scopes": ["read"]}
    missing = await app_client.post("/api/v1/api-keys", json=key, headers=headers)
    assert (missing.status_code, missing.json()["type"]) == (403, "https://rapport.dev/problems/csrf-failed")
    wrong = await app_client.post("/api/v1/api-keys", json=key, headers={**headers, "x-csrf-token": "0" * 64})
    assert wrong.status_code == 403
    made = await app_client.post("/api/v1/api-keys", json=key, headers={**headers, "x-csrf-token": csrf})
    assert made.status_code == 201
    session = await app_client.get("/api/v1/auth/session", headers=headers)
    assert session.json()["csrf_token"] == csrf
    old_cookie = app_client.cookies.get("rapport_session")
    out = await app_client.post("/api/v1/auth/logout", headers={**headers, "x-csrf-token": csrf})
    assert out.status_code == 204
    assert 'rapport_session=""' in out.headers["set-cookie"] or "Max-Age=0" in out.headers["set-cookie"]
    app_client.cookies.set("rapport_session", old_cookie or "")
    replayed = await app_client.get("/api/v1/me", headers=headers)
    assert replayed.status_code == 401


async def test_my_tenants_lists_every_workspace_of_the_person(
    app_client: AsyncTestClient,
    two_tenants: tuple[SignedUp, SignedUp],  # type: ignore[type-arg]
) -> None:
    first, second = two_tenants
    await login(app_client, second.slug, SHARED_EMAIL)
    mine = (await app_client.get("/api/v1/me/tenants", headers={"x-tenant": second.slug})).json()
    slugs = {row["slug"]: row for row in mine}
    assert {first.slug, second.slug} <= set(slugs)
    assert slugs[second.slug]["current"] is True
    assert slugs[first.slug]["current"] is False
    assert slugs[first.slug]["url"] == f"http://{first.slug}.localhost:8000/"


async def test_sign_in_attempts_are_limited_per_account(
    app_client: AsyncTestClient,  # type: ignore[type-arg]
) -> None:
    tenant = await sign_up(app_client)
    statuses = [
        (await login(app_client, tenant.slug, f"admin@{tenant.slug}.example", "not the password")).status_code
        for _ in range(11)
    ]
    assert statuses == [401] * 10 + [429]
    # Even the right password waits now: the limit is on the account, not on failures only.
    blocked = await login(app_client, tenant.slug, f"admin@{tenant.slug}.example")
    assert blocked.status_code == 429
    assert int(blocked.headers["retry-after"]) > 0


async def test_list_and_end_my_other_sessions(
    app_client: AsyncTestClient,
    two_tenants: tuple[SignedUp, SignedUp],  # type: ignore[type-arg]
) -> None:
    first, _ = two_tenants
    headers = {"x-tenant": first.slug}
    assert (await login(app_client, first.slug, SHARED_EMAIL)).status_code == 200  # "the laptop"
    laptop_cookie = app_client.cookies.get("rapport_session")
    app_client.cookies.clear()
    csrf = (await login(app_client, first.slug, SHARED_EMAIL)).json()["csrf_token"]  # this browser
    sessions = (await app_client.get("/api/v1/me/sessions", headers=headers)).json()
    assert len([row for row in sessions if row["current"]]) == 1
    others = [row for row in sessions if not row["current"]]
    assert others
    for row in others:
        ended = await app_client.delete(
            f"/api/v1/me/sessions/{row['id']}", headers={**headers, "x-csrf-token": csrf}
        )
        assert ended.status_code == 204
    assert (await app_client.get("/api/v1/me", headers=headers)).status_code == 200
    again = await app_client.delete(
        f"/api/v1/me/sessions/{others[0]['id']}", headers={**headers, "x-csrf-token": csrf}
    )
    assert again.status_code == 404
    app_client.cookies.set("rapport_session", laptop_cookie or "")
    assert (await app_client.get("/api/v1/me", headers=headers)).status_code == 401


async def test_sign_out_all_my_other_sessions_at_once(
    app_client: AsyncTestClient,
    two_tenants: tuple[SignedUp, SignedUp],  # type: ignore[type-arg]
) -> None:
    first, second = two_tenants
    headers = {"x-tenant": first.slug}
    cookies = []
    for _ in range(2):  # "the laptop" and "the phone"
        assert (await login(app_client, first.slug, SHARED_EMAIL)).status_code == 200
        cookies.append(app_client.cookies.get("rapport_session"))
        app_client.cookies.clear()
    assert (await login(app_client, second.slug, SHARED_EMAIL)).status_code == 200  # another workspace
    other_workspace = app_client.cookies.get("rapport_session")
    app_client.cookies.clear()
    signed_in = await login(app_client, first.slug, SHARED_EMAIL)  # this browser
    csrf = signed_in.json()["csrf_token"]
    me = (await app_client.get("/api/v1/me", headers=headers)).json()
    assert me["totp_enabled"] is False

    refused = await app_client.delete("/api/v1/me/sessions", headers=headers)  # no CSRF token
    assert refused.status_code == 403
    ended = await app_client.delete("/api/v1/me/sessions", headers={**headers, "x-csrf-token": csrf})
    assert ended.status_code == 200, ended.text
    assert ended.json()["ended"] >= 2
    sessions = (await app_client.get("/api/v1/me/sessions", headers=headers)).json()
    assert [row["current"] for row in sessions] == [True]
    again = await app_client.delete("/api/v1/me/sessions", headers={**headers, "x-csrf-token": csrf})
    assert again.json() == {"ended": 0}
    this_browser = app_client.cookies.get("rapport_session")
    for cookie in cookies:
        app_client.cookies.set("rapport_session", cookie or "")
        assert (await app_client.get("/api/v1/me", headers=headers)).status_code == 401
    # The other workspace's session is not this workspace's to end.
    app_client.cookies.set("rapport_session", other_workspace or "")
    assert (await app_client.get("/api/v1/me", headers={"x-tenant": second.slug})).status_code == 200
    app_client.cookies.set("rapport_session", this_browser or "")
    assert (await app_client.get("/api/v1/me", headers=headers)).status_code == 200
