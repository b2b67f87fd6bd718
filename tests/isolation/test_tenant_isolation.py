"""Isolation, proved: interleaved load across 20 tenants through a real server, and every tenant route.

Every route that is not explicitly tenant-free is found in the app's route table and checked: without a
tenant it answers 404, for a suspended tenant 403, and with the address of one tenant and the header of
another 400 — so no handler can be reached without the middleware having resolved exactly one tenant.
"""

from __future__ import annotations

import asyncio
import random
import re
from collections.abc import Iterator

import asyncpg
import httpx
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from rapport.kernel.routes import NO_TENANT_KEY

from tests.support import rapport_server
from tests.tenants.conftest import SignedUp, sign_up

TENANTS = 20
REQUESTS = 2_000
CONCURRENCY = 40


@pytest.fixture(scope="module")
def server(service_env: dict[str, str], migrated: object) -> Iterator[str]:
    """A real ``rapport serve`` process (its own pool shared by all tenants' requests)."""
    with rapport_server({**service_env, "RAPPORT_DB_POOL_MAX": "10", "RAPPORT_LOG_LEVEL": "WARNING"}) as base:
        yield base


async def test_interleaved_requests_across_20_tenants_never_leak(
    server: str,
) -> None:
    async with httpx.AsyncClient(base_url=server, timeout=30) as client:
        tenants: list[SignedUp] = []
        for index in range(TENANTS):
            tenants.append(await sign_up(client, name=f"Isolated {index}"))
        rng = random.Random(7)
        plan = [rng.choice(tenants) for _ in range(REQUESTS)]
        gate = asyncio.Semaphore(CONCURRENCY)

        async def read(index: int, tenant: SignedUp) -> tuple[SignedUp, httpx.Response]:
            # Half by subdomain, half by header, interleaved.
            headers = {"host": f"{tenant.slug}.localhost"} if index % 2 else {"x-tenant": tenant.slug}
            async with gate:
                return tenant, await client.get("/api/v1/workspace", headers=headers)

        results = await asyncio.gather(*(read(i, tenant) for i, tenant in enumerate(plan)))
    assert len(results) == REQUESTS
    statuses = {response.status_code for _, response in results}
    assert statuses == {200}
    leaks = [
        (tenant.slug, response.json())
        for tenant, response in results
        if response.json() != {"slug": tenant.slug, "name": tenant.name, "timezone": "UTC", "locale": "en"}
    ]
    assert leaks == []
    assert len({tenant.slug for tenant, _ in results}) == TENANTS


def tenant_routes(app: Litestar, include_public: bool = True) -> list[tuple[str, str]]:
    """(method, path) of every route handler that serves a tenant, from the app's own route table."""
    found = []
    for route in app.routes:
        if route.path.startswith("/api/schema"):
            continue
        for handler in getattr(route, "route_handlers", []):
            if handler.opt.get(NO_TENANT_KEY):
                continue
            if not include_public and handler.opt.get("exclude_from_auth"):
                continue
            for method in sorted(getattr(handler, "http_methods", {"GET"})):
                path = re.sub(r"\{[^}:]+:uuid\}", "00000000-0000-0000-0000-000000000000", route.path)
                path = re.sub(r"\{[^}]+\}", "1", path)
                found.append((method, path))
    return found


async def test_every_tenant_route_resolves_exactly_one_tenant(
    app_client: AsyncTestClient,
    two_tenants: tuple[SignedUp, SignedUp],
    database_url: str,  # type: ignore[type-arg]
) -> None:
    routes = tenant_routes(app_client.app)
    assert ("GET", "/api/v1/workspace") in routes
    first, second = two_tenants
    suspended = await sign_up(app_client)
    connection = await asyncpg.connect(database_url)
    try:
        await connection.execute(
            "UPDATE control.tenants SET status = 'suspended' WHERE id = $1", suspended.id
        )
    finally:
        await connection.close()
    for method, path in routes:
        no_tenant = await app_client.request(method, path)
        assert no_tenant.status_code == 404, (method, path)
        blocked = await app_client.request(method, path, headers={"x-tenant": suspended.slug})
        assert blocked.status_code == 403, (method, path)
        crossed = await app_client.request(
            method, path, headers={"host": f"{first.slug}.localhost", "x-tenant": second.slug}
        )
        assert crossed.status_code == 400, (method, path)


async def test_every_tenant_route_needs_a_signed_in_member_unless_marked_public(
    app_client: AsyncTestClient,
    two_tenants: tuple[SignedUp, SignedUp],  # type: ignore[type-arg]
) -> None:
    """Authentication is the default: only handlers marked ``exclude_from_auth`` answer anonymous callers."""
    first, _ = two_tenants
    public = {("GET", "/api/v1/workspace"), ("POST", "/api/v1/auth/login")}
    checked = 0
    for method, path in tenant_routes(app_client.app, include_public=False):
        if method == "OPTIONS":  # CORS preflights carry no credentials by design
            continue
        response = await app_client.request(method, path, headers={"x-tenant": first.slug})
        assert response.status_code == 401, (method, path, response.status_code)
        checked += 1
    assert checked >= 6
    assert public <= set(tenant_routes(app_client.app)) - set(
        tenant_routes(app_client.app, include_public=False)
    )
