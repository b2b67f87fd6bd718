"""A suspension reaches every API process at once, even with a long tenant-lookup cache."""

from __future__ import annotations

import subprocess
import sys
import time

import httpx

from tests.factories import sign_up
from tests.support import rapport_server


def status_until(client: httpx.Client, slug: str, wanted: int, timeout: float = 5.0) -> int:
    """Poll the workspace until it answers ``wanted`` (the announcement is asynchronous) or time runs out."""
    deadline = time.monotonic() + timeout
    while True:
        status = client.get("/api/v1/workspace", headers={"x-tenant": slug}).status_code
        if status == wanted or time.monotonic() > deadline:
            return status
        time.sleep(0.05)  # poll interval of a deadline-bound wait


async def test_cli_suspension_reaches_a_server_with_a_long_cache(
    service_env: dict[str, str], migrated: object
) -> None:
    env = {**service_env, "RAPPORT_TENANT_CACHE_SECONDS": "3600"}
    with rapport_server(env) as base:
        async with httpx.AsyncClient(base_url=base, timeout=30) as async_client:
            tenant = await sign_up(async_client)
        with httpx.Client(base_url=base, timeout=10) as client:
            assert status_until(client, tenant.slug, 200) == 200  # now cached for an hour

            def rapport(*args: str) -> None:
                subprocess.run(
                    [sys.executable, "-m", "rapport", "tenants", *args], env=env, check=True, timeout=60,
                    capture_output=True,
                )  # fmt: skip

            rapport("suspend", tenant.slug, "--reason", "testing")
            assert status_until(client, tenant.slug, 403) == 403
            rapport("resume", tenant.slug)
            assert status_until(client, tenant.slug, 200) == 200
