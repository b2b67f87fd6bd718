"""Tenancy fixtures: a migrated database, an app client, factories that sign tenants up through the API."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from rapport.app import create_app
from rapport.kernel.settings import Settings

PASSWORD = "correct horse battery staple"
SHARED_EMAIL = "owner@shared.example"
"""Both fixture tenants have this owner: overlapping data across tenants (same email, same row ids)."""


@dataclass(frozen=True)
class SignedUp:
    id: uuid.UUID
    slug: str
    name: str
    user_id: uuid.UUID
    body: dict[str, Any]


def unique_slug(prefix: str = "t") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


async def sign_up(
    client: AsyncTestClient,  # type: ignore[type-arg]
    slug: str | None = None,
    name: str | None = None,
    email: str | None = None,
    password: str = PASSWORD,
) -> SignedUp:
    slug = slug or unique_slug()
    response = await client.post(
        "/api/v1/signup",
        json={
            "organization_name": name or f"Org {slug}",
            "slug": slug,
            "admin_email": email or f"admin@{slug}.example",
            "password": password,
        },
    )
    assert response.status_code == 201, response.text
    body = response.json()
    return SignedUp(
        id=uuid.UUID(body["tenant"]["id"]),
        slug=body["tenant"]["slug"],
        name=body["tenant"]["name"],
        user_id=uuid.UUID(body["admin"]["id"]),
        body=body,
    )


@pytest.fixture
async def app_client(migrated: Settings) -> AsyncIterator[AsyncTestClient]:  # type: ignore[type-arg]
    async with AsyncTestClient(app=create_app(migrated)) as test_client:
        yield test_client


@pytest.fixture
async def two_tenants(app_client: AsyncTestClient) -> tuple[SignedUp, SignedUp]:  # type: ignore[type-arg]
    """Two tenants with the same owner (same email) and rows with the same ids in each schema."""
    first = await sign_up(app_client, email=SHARED_EMAIL, name="First Org")
    second = await sign_up(app_client, email=SHARED_EMAIL, name="Second Org")
    return first, second
