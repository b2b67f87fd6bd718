"""Sending one webhook: Standard Webhooks signatures, and SSRF-safe HTTP.

Signature (standardwebhooks.com): secret ``whsec_<base64 key>``; headers ``webhook-id`` (the event id),
``webhook-timestamp`` (Unix seconds) and ``webhook-signature: v1,<base64 HMAC-SHA256(key,
"{id}.{timestamp}.{body}")>``.

SSRF: the target host is resolved once; every address must be public (not private, loopback, link-local,
multicast, reserved or unspecified) unless inside an operator-allowed network, and the request connects to
that checked address (the URL's host stays in ``Host`` and TLS SNI), so DNS cannot be changed in between.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import ipaddress
import secrets
import socket
import time
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import httpx

__all__ = ["Refused", "Sent", "new_secret", "post", "sign", "target_problem"]

MAX_RESPONSE_BYTES = 64 * 1024
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class Refused(Exception):
    """The target may not be called (SSRF rules) or cannot be resolved."""


@dataclass(frozen=True, slots=True)
class Sent:
    status_code: int | None
    response_ms: int
    error: str | None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def _networks(allowed: Sequence[str]) -> list[Network]:
    return [ipaddress.ip_network(cidr, strict=False) for cidr in allowed]


def _blocked(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return (
        address.is_private or address.is_loopback or address.is_link_local or address.is_multicast
        or address.is_reserved or address.is_unspecified
    )  # fmt: skip


def target_problem(url: str, *, require_https: bool) -> str | None:
    """What is wrong with ``url`` on its face (scheme, host, credentials); None when it may be tried."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return "an http(s) URL with a host"
    if require_https and parts.scheme != "https":
        return "must use https"
    if parts.username or parts.password:
        return "must not carry credentials"
    return None


async def resolve_checked(host: str, port: int, allowed: Sequence[str]) -> str:
    """The address to connect to: every address of ``host`` must be allowed; the first is used."""
    networks = _networks(allowed)
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise Refused(f"cannot resolve {host}: {exc.strerror or exc}") from None
    addresses = [ipaddress.ip_address(info[4][0]) for info in infos]
    for address in addresses:
        if _blocked(address) and not any(address in network for network in networks):
            raise Refused(f"{host} resolves to {address}, a private or reserved address")
    return str(addresses[0])


async def post(
    url: str, body: bytes, headers: dict[str, str], *, allowed: Sequence[str], seconds: float
) -> Sent:
    """POST ``body`` to ``url`` through the checked address; never raises for the target's failures."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    started = time.perf_counter()
    try:
        address = await resolve_checked(host, port, allowed)
    except Refused as exc:
        return Sent(None, 0, str(exc))
    literal = f"[{address}]" if ":" in address else address
    pinned = urlunsplit((parts.scheme, f"{literal}:{port}", parts.path or "/", parts.query, ""))
    request_headers = {**headers, "host": parts.netloc.rsplit("@", 1)[-1], "content-type": "application/json"}
    extensions = {"sni_hostname": host} if parts.scheme == "https" else {}
    try:
        async with (
            httpx.AsyncClient(timeout=seconds, follow_redirects=False) as client,
            client.stream(
                "POST", pinned, content=body, headers=request_headers, extensions=extensions
            ) as response,
        ):
            received = 0
            async for chunk in response.aiter_bytes():
                received += len(chunk)
                if received > MAX_RESPONSE_BYTES:
                    break
            status = response.status_code
        return Sent(
            status, int((time.perf_counter() - started) * 1000), None if status < 300 else f"HTTP {status}"
        )
    except httpx.HTTPError as exc:
        return Sent(None, int((time.perf_counter() - started) * 1000), f"{type(exc).__name__}: {exc}"[:500])
