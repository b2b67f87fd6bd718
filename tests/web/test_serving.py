"""The API process serves the built web app at ``/``: files as built, ``index.html`` for app paths."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient
from rapport.app import create_app
from rapport.kernel.settings import Settings

from tests.conftest import make_settings

INDEX = '<!doctype html><html><body><div id="root"></div><script src="/assets/app-1a2b.js"></script></html>'


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    built = tmp_path / "dist"
    (built / "assets").mkdir(parents=True)
    (built / "index.html").write_text(INDEX)
    (built / "assets" / "app-1a2b.js").write_text("console.log('app')")
    (built / "favicon.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    (tmp_path / "secret.txt").write_text("outside the build")
    return built


async def _client(settings: Settings, dist: Path) -> AsyncTestClient:  # type: ignore[type-arg]
    own = make_settings(settings.dsn, str(settings.redis_url), web_dist=dist)
    return AsyncTestClient(app=create_app(own))


@pytest.fixture
async def web(settings: Settings, dist: Path) -> AsyncIterator[AsyncTestClient]:  # type: ignore[type-arg]
    async with await _client(settings, dist) as client:
        yield client


async def test_app_paths_answer_the_index(web: AsyncTestClient) -> None:  # type: ignore[type-arg]
    for path in ("/", "/contacts", "/contacts/42", "/deals?pipeline=1", "/reset-password?token=abc"):
        response = await web.get(path)
        assert response.status_code == 200, path
        assert response.text == INDEX
        assert response.headers["content-type"].startswith("text/html")
        assert response.headers["cache-control"] == "no-cache"
        assert "script-src 'self'" in response.headers["content-security-policy"]


async def test_workspace_hosts_get_the_app_too(web: AsyncTestClient) -> None:  # type: ignore[type-arg]
    """Any host, even one that names no workspace: the app itself says there is none."""
    for host in ("acme.localhost", "nobody-here.localhost", "localhost"):
        response = await web.get("/contacts", headers={"host": host})
        assert (response.status_code, response.text) == (200, INDEX), host


async def test_built_files_are_served_as_built(web: AsyncTestClient) -> None:  # type: ignore[type-arg]
    script = await web.get("/assets/app-1a2b.js")
    assert script.status_code == 200
    assert script.text == "console.log('app')"
    assert "javascript" in script.headers["content-type"]
    assert script.headers["cache-control"] == "public, max-age=31536000, immutable"
    icon = await web.get("/favicon.svg")
    assert icon.headers["content-type"].startswith("image/svg+xml")
    assert icon.headers["cache-control"] == "no-cache"


async def test_nothing_outside_the_build_is_served(web: AsyncTestClient) -> None:  # type: ignore[type-arg]
    for path in ("/../secret.txt", "/%2e%2e/secret.txt", "/assets/..%2f..%2fsecret.txt", "/assets/"):
        response = await web.get(path)
        assert "outside the build" not in response.text, path


async def test_api_paths_stay_the_api(web: AsyncTestClient) -> None:  # type: ignore[type-arg]
    """Unknown API paths are problem-details 404s whatever the method; health and schema are untouched."""
    for method in ("GET", "POST", "PATCH", "DELETE"):
        response = await web.request(method, "/api/v1/no-such-thing")
        assert response.status_code == 404, method
        assert response.json()["type"] == "https://rapport.dev/problems/not-found"
    assert (await web.get("/healthz")).json() == {"status": "ok"}
    assert (await web.get("/api/schema/openapi.json")).json()["openapi"].startswith("3.1")
    assert (await web.post("/contacts")).status_code == 405


async def test_an_unbuilt_app_says_so(settings: Settings, tmp_path: Path) -> None:
    async with await _client(settings, tmp_path / "no-dist") as client:
        response = await client.get("/")
        assert response.status_code == 503
        assert "The web app is not built" in response.text
        assert "make frontend" in response.text
        assert (await client.get("/healthz")).status_code == 200
