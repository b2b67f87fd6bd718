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
