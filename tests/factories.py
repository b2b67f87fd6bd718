"""Factories: tenants signed up through the real API, with their owner."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

import httpx

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
    client: httpx.AsyncClient,
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


def token_in(sink: Any, address: str, path: str) -> str:
    """The token of the last emailed link to ``path`` that ``address`` received (``sink``: the MailSink)."""
    body = sink.to(address)[-1].get_content()
    found = re.search(rf"/{path}\?token=([\w-]+)", body)
    assert found, body
    return found.group(1)


async def invite_member(
    client: httpx.AsyncClient, sink: Any, headers: dict[str, str], email: str, role: str
) -> uuid.UUID:
    """Invite ``email`` as the owner or admin in ``headers``; accept through the emailed link. The user id."""
    invited = await client.post("/api/v1/invitations", json={"email": email, "role": role}, headers=headers)
    assert invited.status_code == 201, invited.text
    accepted = await client.post(
        "/api/v1/invitations/accept",
        json={"token": token_in(sink, email, "accept-invitation"), "password": PASSWORD},
        headers={"x-tenant": headers["x-tenant"]},
    )
    assert accepted.status_code == 201, accepted.text
    return uuid.UUID(accepted.json()["user_id"])
