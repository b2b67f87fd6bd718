"""A signed-in member changes their password: the current one is checked, the new one must be strong, the
other sessions end, the change is audited; API keys and other workspaces' sessions cannot do it."""

from __future__ import annotations

from litestar.testing import AsyncTestClient

from tests.factories import PASSWORD, sign_up
from tests.probe.fixtures import sign_in

Client = AsyncTestClient  # type: ignore[type-arg]
NEW = "a much longer and fresher passphrase 9"


async def test_a_member_changes_their_password(app_client: Client) -> None:
    tenant = await sign_up(app_client)
    other = await sign_up(app_client)
    email = f"admin@{tenant.slug}.example"
    here = await sign_in(app_client, tenant.slug, email)
    elsewhere = await sign_in(app_client, tenant.slug, email)

    wrong = await app_client.post(
        "/api/v1/me/password", json={"current_password": "nope", "new_password": NEW}, headers=here
    )
    assert wrong.status_code == 422
    assert wrong.json()["errors"] == [{"field": "current_password", "message": "is not right"}]
    weak = await app_client.post(
        "/api/v1/me/password", json={"current_password": PASSWORD, "new_password": "abc"}, headers=here
    )
    assert weak.status_code == 422
    assert weak.json()["errors"][0]["field"] == "new_password"
    outsider = await sign_in(app_client, other.slug, f"admin@{other.slug}.example")
    crossed = await app_client.post(
        "/api/v1/me/password",
        json={"current_password": PASSWORD, "new_password": NEW},
        headers=outsider | {"x-tenant": tenant.slug},
    )
    assert crossed.status_code in (401, 403)
    key = (
        await app_client.post(
            "/api/v1/api-keys", json={"name": "robot", "scopes": ["read", "write"]}, headers=here
        )
    ).json()["key"]
    with_key = await app_client.post(
        "/api/v1/me/password",
        json={"current_password": PASSWORD, "new_password": NEW},
        headers={"x-tenant": tenant.slug, "authorization": f"Bearer {key}"},
    )
    assert with_key.status_code == 403

    changed = await app_client.post(
        "/api/v1/me/password", json={"current_password": PASSWORD, "new_password": NEW}, headers=here
    )
    assert changed.status_code == 204, changed.text
    assert (await app_client.get("/api/v1/me", headers=here)).status_code == 200
    assert (await app_client.get("/api/v1/me", headers=elsewhere)).status_code == 401
    old = await app_client.post(
        "/api/v1/auth/login", json={"email": email, "password": PASSWORD}, headers={"x-tenant": tenant.slug}
    )
    assert old.status_code == 401
    app_client.cookies.clear()
    new = await app_client.post(
        "/api/v1/auth/login", json={"email": email, "password": NEW}, headers={"x-tenant": tenant.slug}
    )
    assert new.status_code == 200
    app_client.cookies.clear()
    events = (await app_client.get("/api/v1/audit?action=auth.password_changed", headers=here)).json()[
        "items"
    ]
    assert len(events) == 1
