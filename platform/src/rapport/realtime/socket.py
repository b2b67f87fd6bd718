"""``/api/v1/realtime``: a WebSocket that streams the changes a signed-in member may see.

Authentication and tenant are checked by the same middleware as HTTP (session cookie or bearer key with
the ``read`` scope); a browser session must also come from the workspace's own origin (no cross-site
WebSocket hijacking). A refused handshake is answered 403 (uvicorn's answer to a close before accept).
Each message is checked against the member's role: the operation ``read`` on the
record's object type, the row scope by the record's owner, and hidden fields removed from ``changes``.
Notifications (``notification.*``) go only to their addressee. The member's permissions are reloaded
every ``ACCESS_TTL`` seconds, so a role change applies to open sockets too.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections import Counter
from typing import Any
from urllib.parse import urlsplit

from litestar import WebSocket, websocket
from litestar.channels import ChannelsPlugin, Subscriber
from litestar.di import NamedDependency
from litestar.exceptions import WebSocketDisconnect
from rapport_tenants.context import TenantContext

from rapport.identity.access import Access, load_access
from rapport.identity.principal import Principal
from rapport.kernel.objects import ObjectType
from rapport.kernel.ratelimit import TENANT_SCOPE_KEY
from rapport.realtime.publisher import channel_of

__all__ = ["realtime_socket", "visible"]

ACCESS_TTL = 30.0
MAX_SOCKETS_PER_USER = 10
PING_SECONDS = 25.0
_open: Counter[str] = Counter()


def visible(access: Access, kinds: dict[str, ObjectType], message: dict[str, Any]) -> dict[str, Any] | None:
    """What of ``message`` this member may see, or None."""
    if message["event"].startswith("notification."):
        return (
            message
            if message.get("changes", {}).get("user_id", [None, None])[1] == str(access.user_id)
            else None
        )
    kind = kinds.get(message["record_type"])
    if kind is None or not access.allows(kind.name, "read"):
        return None
    owner = message.get("owner_id")
    scope_owners = access.scope_owners(kind)
    if scope_owners is not None and owner not in {str(user) for user in scope_owners}:
        return None
    hidden = kind.columns_of(access.hidden(kind.name))
    changes = {name: value for name, value in message.get("changes", {}).items() if name not in hidden}
    return {**message, "changes": changes}


def _same_origin(socket: WebSocket[Any, Any, Any]) -> bool:
    origin = socket.headers.get("origin")
    if origin is None:
        return False
    host = socket.headers.get("host", "")
    return urlsplit(origin).netloc.lower() == host.lower()


@websocket("/api/v1/realtime", summary="Live record changes and notifications for the signed-in member")
async def realtime_socket(
    socket: WebSocket[Any, Any, Any], channels: NamedDependency[ChannelsPlugin]
) -> None:
    principal: Principal = socket.user
    tenant = socket.scope["state"][TENANT_SCOPE_KEY]
    if principal.via == "session" and not _same_origin(socket):
        await socket.close(code=4403, reason="cross-origin")
        return
    user = str(principal.user_id)
    if _open[user] >= MAX_SOCKETS_PER_USER:
        await socket.close(code=4429, reason="too many connections")
        return
    kinds: dict[str, ObjectType] = socket.app.state.object_types
    access = await load_access(tenant, principal)
    _open[user] += 1
    await socket.accept()
    try:
        async with channels.start_subscription([channel_of(tenant.id)]) as subscriber:
            tasks = {
                asyncio.create_task(_inbound(socket)),
                asyncio.create_task(_outbound(socket, subscriber, kinds, access, principal, tenant)),
            }
            done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            for task in pending:
                task.cancel()
            for task in pending:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            for task in done:
                error = task.exception()
                if error is not None and not isinstance(error, WebSocketDisconnect):
                    raise error
    finally:
        _open[user] -= 1


async def _outbound(
    socket: WebSocket[Any, Any, Any],
    subscriber: Subscriber,
    kinds: dict[str, ObjectType],
    access: Access,
    principal: Principal,
    tenant: TenantContext,
) -> None:
    """The tenant's changes, each filtered for this member; permissions reloaded every ``ACCESS_TTL``."""
    loaded = time.monotonic()
    async for raw in subscriber.iter_events():
        if time.monotonic() - loaded > ACCESS_TTL:
            access, loaded = await load_access(tenant, principal), time.monotonic()
        shown = visible(access, kinds, json.loads(raw))
        if shown is not None:
            await socket.send_json(shown)


async def _inbound(socket: WebSocket[Any, Any, Any]) -> None:
    """Clients send only pings (``{"type": "ping"}``, answered ``pong``); anything else closes the socket."""
    while True:
        text = await socket.receive_text()
        if not _is_ping(text):
            await socket.close(code=4400, reason="clients send only pings")
            return
        await socket.send_json({"type": "pong"})


def _is_ping(text: str) -> bool:
    if len(text) > 200:
        return False
    try:
        message = json.loads(text)
    except ValueError:
        return False
    return isinstance(message, dict) and message.get("type") == "ping"
