"""`make run`'s demo workspace has one person per role to try, each able to sign in."""

from __future__ import annotations

import subprocess
import sys

from litestar.testing import AsyncTestClient
from rapport.identity.tables import Role
from rapport.tenancy.demo import DEMO_PASSWORD, DEMO_SLUG, demo_email


async def test_demo_people_sign_in_with_their_roles(
    app_client: AsyncTestClient,
    service_env: dict[str, str],  # type: ignore[type-arg]
) -> None:
    subprocess.run(
        [sys.executable, "-m", "rapport", "demo", "seed"], env=service_env, check=True, timeout=120
    )
    for role in Role:
        response = await app_client.post(
            "/api/v1/auth/login",
            json={"email": demo_email(role), "password": DEMO_PASSWORD},
            headers={"x-tenant": DEMO_SLUG},
        )
        assert response.status_code == 200, (role, response.text)
        assert response.json()["role"] == role.value


async def test_demo_workspace_has_crm_data_to_try(
    app_client: AsyncTestClient,
    service_env: dict[str, str],  # type: ignore[type-arg]
) -> None:
    """Seeding twice leaves one set: 1,000 companies, 5,000 contacts, activities on their timelines; the
    member sees only their own."""
    for _ in range(2):
        subprocess.run(
            [sys.executable, "-m", "rapport", "demo", "seed"], env=service_env, check=True, timeout=180
        )
    totals = {}
    for role in (Role.OWNER, Role.MEMBER):
        login = await app_client.post(
            "/api/v1/auth/login",
            json={"email": demo_email(role), "password": DEMO_PASSWORD},
            headers={"x-tenant": DEMO_SLUG},
        )
        headers = {"x-tenant": DEMO_SLUG, "x-csrf-token": login.json()["csrf_token"]}
        page = (await app_client.get("/api/v1/contacts", params={"limit": 1}, headers=headers)).json()
        totals[role] = page["estimated_total"]
        companies = (await app_client.get("/api/v1/companies", params={"limit": 1}, headers=headers)).json()
        assert companies["items"], role
        activity = (await app_client.get("/api/v1/activities", params={"limit": 1}, headers=headers)).json()
        contact_id = activity["items"][0]["record_id"]
        timeline = await app_client.get(f"/api/v1/contacts/{contact_id}/timeline", headers=headers)
        assert "activity" in {item["type"] for item in timeline.json()["items"]}, role
    assert 4_500 <= totals[Role.OWNER] <= 5_500  # the planner's estimate
    assert totals[Role.MEMBER] < totals[Role.OWNER] / 2
