"""Realtime over a real server, relay and worker: members get the changes they may see, and only those."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
import websockets
from rapport.kernel.devservices import free_port
from rapport.kernel.settings import Settings
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.events.conftest import Processes, events_redis, processes  # noqa: F401 - fixtures
from tests.support import wait_for_http


@pytest.fixture
async def server(processes: Processes, migrated: Settings) -> str:  # noqa: F811 - fixture above
    port = free_port()
    process = processes.start("api", "serve", "--port", str(port))
    processes.start("relay", "relay")
    processes.start("worker", "worker")
    base = f"127.0.0.1:{port}"
    await asyncio.to_thread(wait_for_http, f"http://{base}/healthz", process)
    return base


class Person:
    def __init__(self, base: str, slug: str, cookie: str, csrf: str, user_id: str) -> None:
        self.base, self.slug, self.cookie, self.csrf, self.user_id = base, slug, cookie, csrf, user_id

    @property
    def host(self) -> str:
        return f"{self.slug}.localhost:{self.base.rsplit(':', 1)[1]}"

    def http(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            base_url=f"http://{self.base}",
            headers={
                "host": self.host,
                "cookie": f"rapport_session={self.cookie}",
                "x-csrf-token": self.csrf,
            },
        )

    def connect(self, origin: str | None = None) -> Any:
        headers = {"cookie": f"rapport_session={self.cookie}", "origin": origin or f"http://{self.host}"}
        return _connect(self.base, self.host, headers)


def _connect(base: str, host: str, headers: dict[str, str]) -> Any:
    """A WebSocket to ``host`` (its Host header) through the server at ``base``."""
    address, port = base.rsplit(":", 1)
    return websockets.connect(
        f"ws://{host}/api/v1/realtime",
        additional_headers=headers,
        open_timeout=10,
        host=address,
        port=int(port),
    )


async def _sign_up(base: str) -> tuple[str, Person]:
    slug = f"rt-{free_port()}"
    async with httpx.AsyncClient(base_url=f"http://{base}") as client:
        response = await client.post("/api/v1/signup", json={
            "organization_name": slug, "slug": slug, "admin_email": f"admin@{slug}.example",
            "password": "correct horse battery staple",
        })  # fmt: skip
        assert response.status_code == 201, response.text
    return slug, await _sign_in(base, slug, f"admin@{slug}.example")


async def _sign_in(base: str, slug: str, email: str) -> Person:
    async with httpx.AsyncClient(base_url=f"http://{base}") as client:
        response = await client.post(
            "/api/v1/auth/login", json={"email": email, "password": "correct horse battery staple"},
            headers={"x-tenant": slug},
        )  # fmt: skip
        assert response.status_code == 200, response.text
        return Person(
            base,
            slug,
            response.cookies["rapport_session"],
            response.json()["csrf_token"],
            response.json()["user_id"],
        )


async def _member(owner: Person, email: str, role: str, mail_sink: Any) -> Person:
    from tests.factories import token_in

    async with owner.http() as client:
        assert (
            await client.post("/api/v1/invitations", json={"email": email, "role": role})
        ).status_code == 201
        accepted = await client.post(
            "/api/v1/invitations/accept",
            json={
                "token": token_in(mail_sink, email, "accept-invitation"),
                "password": "correct horse battery staple",
            },
        )
        assert accepted.status_code == 201, accepted.text
    return await _sign_in(owner.base, owner.slug, email)


def _name(message: dict[str, Any]) -> str | None:
    name: str | None = message.get("changes", {}).get("last_name", [None, None])[1]
    return name


async def subscribed(*sockets: Any) -> None:
    """Wait until each socket is subscribed: the server answers pings only once its subscription is open."""
    for socket in sockets:
        await socket.send(json.dumps({"type": "ping"}))
        assert json.loads(await asyncio.wait_for(socket.recv(), 10)) == {"type": "pong"}


async def _messages(socket: Any, *names: str, seconds: float = 30) -> list[dict[str, Any]]:
    """Messages received until every contact in ``names`` has been seen, in order of arrival."""
    seen: list[dict[str, Any]] = []
    waiting = set(names)
    async with asyncio.timeout(seconds):
        while waiting:
            message = json.loads(await socket.recv())
            seen.append(message)
            waiting.discard(_name(message) or "")
    return seen


async def test_members_see_what_they_may_and_nothing_else(server: str, mail_sink: Any) -> None:
    slug, owner = await _sign_up(server)
    member = await _member(owner, f"rep@{slug}.example", "member", mail_sink)
    async with owner.http() as client:
        hidden_emails = {"ops": ["read"], "scope": "all", "fields": {"emails": "hidden"}}
        hiding = {"objects": {"*": {"ops": ["read"], "scope": "all", "fields": {}}, "contact": hidden_emails}}
        assert (
            await client.post(
                "/api/v1/roles", json={"key": "viewer", "name": "Viewer", "permissions": hiding}
            )
        ).status_code == 201
    viewer = await _member(owner, f"viewer@{slug}.example", "viewer", mail_sink)
    _, stranger = await _sign_up(server)
    async with (
        owner.connect() as owner_socket,
        member.connect() as member_socket,
        viewer.connect() as viewer_socket,
        stranger.connect() as stranger_socket,
    ):
        await subscribed(owner_socket, member_socket, viewer_socket, stranger_socket)
        async with owner.http() as client:
            await client.post(
                "/api/v1/contacts", json={"last_name": "OwnersOwn", "emails": ["own@example.com"]}
            )
        async with member.http() as client:
            await client.post(
                "/api/v1/contacts", json={"last_name": "MembersMarker", "emails": ["rep@example.com"]}
            )
        by_owner = await _messages(owner_socket, "OwnersOwn", "MembersMarker")
        # Both changes are on the tenant's channel now; one more comes after them in the channel's order.
        async with member.http() as client:
            await client.post("/api/v1/contacts", json={"last_name": "Final"})
        by_member = await _messages(member_socket, "Final")
        by_viewer = await _messages(viewer_socket, "Final")
        assert sorted(_name(m) or "" for m in by_owner) == ["MembersMarker", "OwnersOwn"]
        assert [_name(m) for m in by_member] == ["MembersMarker", "Final"]  # row scope: their own only
        assert sorted(_name(m) or "" for m in by_viewer) == ["Final", "MembersMarker", "OwnersOwn"]
        assert all("emails" not in m["changes"] and "email" not in m["changes"] for m in by_viewer)
        assert "rep@example.com" not in json.dumps(by_viewer)
        assert any("rep@example.com" in json.dumps(m) for m in by_owner)
        await stranger_socket.send(json.dumps({"type": "ping"}))
        assert json.loads(await asyncio.wait_for(stranger_socket.recv(), 10)) == {
            "type": "pong"
        }  # nothing from the other tenant before it


async def test_connections_are_checked_at_connect(server: str) -> None:
    slug, owner = await _sign_up(server)
    other_slug, _ = await _sign_up(server)
    with pytest.raises(InvalidStatus) as anonymous:
        async with _connect(server, owner.host, {"origin": f"http://{owner.host}"}):
            pass
    assert anonymous.value.response.status_code == 403  # uvicorn answers a refused handshake with 403
    other_host = owner.host.replace(slug, other_slug, 1)
    crossed = {"cookie": f"rapport_session={owner.cookie}", "origin": f"http://{other_host}"}
    with pytest.raises(InvalidStatus) as refused:
        async with _connect(server, other_host, crossed):
            pass
    assert refused.value.response.status_code == 403
    with pytest.raises(InvalidStatus) as hijacked:  # cross-site WebSocket hijacking
        async with owner.connect(origin="https://evil.example"):
            pass
    assert hijacked.value.response.status_code == 403
    async with owner.connect() as socket:  # the same cookie from the workspace's own origin
        await socket.send(json.dumps({"type": "ping"}))
        assert json.loads(await asyncio.wait_for(socket.recv(), 10)) == {"type": "pong"}
        await socket.send("not a ping")
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(socket.recv(), 10)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4400
    async with owner.http() as client:
        created = await client.post("/api/v1/api-keys", json={"name": "feed", "scopes": ["read"]})
        assert created.status_code == 201, created.text
    bearer = {"authorization": f"Bearer {created.json()['key']}"}  # no Origin: not a browser
    async with _connect(server, owner.host, bearer) as socket:
        async with owner.http() as client:
            await client.post("/api/v1/contacts", json={"last_name": "ForTheKey"})
        assert [_name(m) for m in await _messages(socket, "ForTheKey")] == ["ForTheKey"]
    with pytest.raises(InvalidStatus):  # the key is for this workspace only
        async with _connect(server, other_host, bearer):
            pass
