"""TenantMiddleware: the tenant comes from the Host or X-Tenant, for HTTP and WebSocket alike."""

from __future__ import annotations

import uuid

import asyncpg
import pytest
from litestar import Litestar, WebSocket, websocket
from litestar.exceptions import WebSocketDisconnect
from litestar.testing import AsyncTestClient, TestClient
from rapport.kernel.db import create_engine, install_engine
from rapport.kernel.errors import problem_details_plugin
from rapport.tenancy.middleware import TenantMiddleware, TenantResolver, tenant_of
from rapport_tenants.context import current_tenant

from tests.tenants.conftest import SignedUp, sign_up

pytestmark = pytest.mark.usefixtures("migrated")


async def workspace_name(client: AsyncTestClient, **headers: str) -> tuple[int, dict[str, object]]:  # type: ignore[type-arg]
    response = await client.get("/api/v1/workspace", headers=headers)
    return response.status_code, response.json()


async def test_host_and_header_each_name_the_tenant(
    app_client: AsyncTestClient,
    two_tenants: tuple[SignedUp, SignedUp],  # type: ignore[type-arg]
) -> None:
    first, second = two_tenants
    assert await workspace_name(app_client, host=f"{first.slug}.localhost:8000") == (
        200,
        {"slug": first.slug, "name": "First Org", "timezone": "UTC", "locale": "en"},
    )
    status, body = await workspace_name(app_client, host=f"{second.slug.upper()}.LOCALHOST")
    assert (status, body["name"]) == (200, "Second Org")
    status, body = await workspace_name(app_client, **{"x-tenant": second.slug})
    assert (status, body["name"]) == (200, "Second Org")
    status, body = await workspace_name(app_client, host="localhost:8000", **{"x-tenant": first.slug})
    assert (status, body["name"]) == (200, "First Org")


async def test_unknown_missing_and_conflicting_tenants(
    app_client: AsyncTestClient,
    two_tenants: tuple[SignedUp, SignedUp],  # type: ignore[type-arg]
) -> None:
    first, second = two_tenants
    status, body = await workspace_name(app_client, host="nobody-here.localhost")
    assert (status, body["type"]) == (404, "https://rapport.dev/problems/not-found")
    assert "nobody-here.localhost" in str(body["detail"])
    assert (await workspace_name(app_client, **{"x-tenant": "no-such-tenant"}))[0] == 404
    assert (await workspace_name(app_client, **{"x-tenant": "Bad_Slug!"}))[0] == 404
    assert (await workspace_name(app_client))[0] == 404  # bare domain, no header
    status, body = await workspace_name(
        app_client, host=f"{first.slug}.localhost", **{"x-tenant": second.slug}
    )
    assert (status, body["type"]) == (400, "https://rapport.dev/problems/tenant-mismatch")
    status, _ = await workspace_name(app_client, host=f"{first.slug}.localhost", **{"x-tenant": first.slug})
    assert status == 200


async def test_custom_domain_resolves_through_the_domain_table(
    app_client: AsyncTestClient,
    database_url: str,  # type: ignore[type-arg]
) -> None:
    tenant = await sign_up(app_client, name="Custom Domain Co")
    host = f"crm.{tenant.slug}.example.com"
    connection = await asyncpg.connect(database_url)
    try:
        await connection.execute(
            "INSERT INTO control.domains (id, host, tenant_id, is_primary, created_at) "
            "VALUES ($1, $2, $3, false, now())",
            uuid.uuid4(),
            host,
            tenant.id,
        )
    finally:
        await connection.close()
    status, body = await workspace_name(app_client, host=host)
    assert (status, body["name"]) == (200, "Custom Domain Co")


async def test_suspended_is_403_with_reason_and_deleting_is_404(
    app_client: AsyncTestClient,
    database_url: str,  # type: ignore[type-arg]
) -> None:
    tenant = await sign_up(app_client)
    connection = await asyncpg.connect(database_url)
    try:
        await connection.execute(
            "UPDATE control.tenants SET status = 'suspended', status_reason = 'unpaid' WHERE id = $1",
            tenant.id,
        )
        status, body = await workspace_name(app_client, **{"x-tenant": tenant.slug})
        assert (status, body["type"]) == (403, "https://rapport.dev/problems/tenant-suspended")
        assert "suspended" in str(body["detail"])
        await connection.execute("UPDATE control.tenants SET status = 'deleting' WHERE id = $1", tenant.id)
        assert (await workspace_name(app_client, **{"x-tenant": tenant.slug}))[0] == 404
    finally:
        await connection.close()


async def test_tenant_free_routes_need_no_tenant(app_client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    for path in ("/healthz", "/readyz", "/api/v1/system/status", "/api/schema/openapi.json"):
        response = await app_client.get(path, headers={"host": "unknown-tenant.localhost"})
        assert response.status_code == 200, path


def test_websocket_connections_get_their_tenant(
    two_tenants: tuple[SignedUp, SignedUp], database_url: str
) -> None:
    """The same middleware resolves WebSocket connections; an unknown tenant's socket is refused."""
    first, second = two_tenants

    @websocket("/ws/whoami")
    async def whoami(socket: WebSocket) -> None:  # type: ignore[type-arg]
        await socket.accept()
        context = current_tenant.get()
        assert context is not None
        await socket.send_json({"scope": tenant_of(socket.scope).slug, "contextvar": context.slug})
        await socket.close()

    engine = create_engine(database_url)

    async def start() -> None:
        install_engine(engine)
        await engine.start_connection_pool(min_size=1, max_size=2)

    async def stop() -> None:
        await engine.close_connection_pool()

    app = Litestar(
        [whoami],
        middleware=[TenantMiddleware(TenantResolver("localhost", 0))],
        plugins=[problem_details_plugin()],
        on_startup=[start],
        on_shutdown=[stop],
    )
    with TestClient(app=app) as client:
        for tenant in (first, second):
            with client.websocket_connect("/ws/whoami", headers={"host": f"{tenant.slug}.localhost"}) as ws:
                assert ws.receive_json() == {"scope": tenant.slug, "contextvar": tenant.slug}
        with client.websocket_connect("/ws/whoami", headers={"x-tenant": second.slug}) as ws:
            assert ws.receive_json()["scope"] == second.slug
        with (
            pytest.raises(WebSocketDisconnect, match=r"no workspace at nobody\.localhost") as refused,
            client.websocket_connect("/ws/whoami", headers={"host": "nobody.localhost"}) as ws,
        ):
            ws.receive_json()
        assert refused.value.code == 4404
