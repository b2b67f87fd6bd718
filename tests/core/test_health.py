"""Liveness, readiness (each dependency reported on its own), OpenAPI and docs."""

from __future__ import annotations

from litestar.testing import AsyncTestClient
from rapport.app import create_app
from rapport.kernel.devservices import EmbeddedRedis
from rapport.kernel.settings import Settings

from tests.conftest import make_settings


async def test_healthz(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert len(response.headers["x-request-id"]) == 32


async def test_request_id_is_echoed(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    response = await client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert response.headers["x-request-id"] == "abc-123"
    response = await client.get("/healthz", headers={"X-Request-ID": "bad id\nwith newline"})
    assert response.headers["x-request-id"] != "bad id\nwith newline"


async def test_readyz_ok(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    response = await client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["postgres"]["ok"] is True
    assert body["checks"]["redis"]["ok"] is True


async def test_readyz_reports_redis_down(settings: Settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    own_redis = EmbeddedRedis(tmp_path / "redis", durable=False)
    own_redis.start()
    app = create_app(make_settings(settings.dsn, own_redis.url))
    async with AsyncTestClient(app=app) as client:
        assert (await client.get("/readyz")).status_code == 200
        own_redis.stop()
        response = await client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["postgres"]["ok"] is True
    assert body["checks"]["redis"]["ok"] is False
    assert body["checks"]["redis"]["error"]


async def test_openapi_and_docs(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    schema = (await client.get("/api/schema/openapi.json")).json()
    assert schema["openapi"].startswith("3.1")
    assert "/readyz" in schema["paths"]
    assert "/api/v1/system/status" in schema["paths"]
    docs = await client.get("/api/docs", follow_redirects=True)
    assert docs.status_code == 200
    assert "swagger" in docs.text.lower()


async def test_unknown_route_is_problem_details(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    response = await client.get("/api/v1/does-not-exist")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["type"].endswith("/not-found")
    assert body["status"] == 404
