"""Fixtures and helpers for tests that use the probe module (an app with it installed, signing in)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from litestar.testing import AsyncTestClient
from rapport.app import create_app
from rapport.kernel.modules import load_modules, refresh_entry_points
from rapport.kernel.settings import Settings
from rapport_tenants.context import TenantContext

from tests.factories import PASSWORD, SignedUp

__all__ = ["install_distribution", "probe_client", "schema_of", "sign_in"]


def install_distribution(folder: Path, name: str, entry_points: dict[str, str]) -> None:
    """Write a distribution whose ``rapport.modules`` entry points are ``entry_points`` into ``folder``."""
    dist = folder / f"{name}-1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    lines = "".join(f"{key} = {value}\n" for key, value in entry_points.items())
    (dist / "entry_points.txt").write_text("[rapport.modules]\n" + lines)


@pytest.fixture
async def probe_client(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, migrated: Settings
) -> AsyncIterator[AsyncTestClient]:  # type: ignore[type-arg]
    """An app with the probe module installed (as a distribution on sys.path, like any module)."""
    install_distribution(tmp_path, "rapport_probe", {"probe": "tests.probe.module:module"})
    monkeypatch.syspath_prepend(str(tmp_path))
    refresh_entry_points()
    try:
        async with AsyncTestClient(app=create_app(migrated)) as client:
            yield client
    finally:
        monkeypatch.undo()
        refresh_entry_points()
    assert "probe" not in load_modules().names()


async def tenant_context(database_url: str, signed_up: SignedUp) -> TenantContext:
    """The signed-up workspace as jobs and services see it."""
    connection = await asyncpg.connect(database_url)
    try:
        row = await connection.fetchrow(
            "SELECT id, slug, schema_name, status FROM control.tenants WHERE id = $1", signed_up.id
        )
    finally:
        await connection.close()
    assert row is not None
    return TenantContext(row["id"], row["slug"], row["schema_name"], row["status"])


async def schema_of(database_url: str, tenant: SignedUp) -> str:
    connection = await asyncpg.connect(database_url)
    try:
        schema: str = await connection.fetchval(
            "SELECT schema_name FROM control.tenants WHERE id = $1", tenant.id
        )
    finally:
        await connection.close()
    return schema


async def sign_in(client: AsyncTestClient, slug: str, email: str) -> dict[str, str]:  # type: ignore[type-arg]
    """Headers that act as ``email`` on ``slug``: the session cookie and its CSRF token."""
    client.cookies.clear()
    response = await client.post(
        "/api/v1/auth/login", json={"email": email, "password": PASSWORD}, headers={"x-tenant": slug}
    )
    assert response.status_code == 200, response.text
    cookie = response.cookies["rapport_session"]
    client.cookies.clear()
    return {
        "x-tenant": slug,
        "x-csrf-token": response.json()["csrf_token"],
        "cookie": f"rapport_session={cookie}",
    }
