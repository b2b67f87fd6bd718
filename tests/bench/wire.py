"""A small HTTP/1.1 keep-alive client on asyncio streams, for load generation.

httpx costs the load generator several times the CPU of the request it sends; on a 2-core machine where the
client, the server and PostgreSQL share the cores, that cost comes out of the server's figures. This client
sends pre-built requests over persistent connections and reads ``Content-Length`` or chunked bodies.
"""

from __future__ import annotations

import asyncio
import json
from urllib.parse import urlsplit

__all__ = ["Connection", "Response"]


class Response:
    __slots__ = ("body", "headers", "status")

    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body

    def json(self) -> object:
        return json.loads(self.body)


class Connection:
    """One persistent connection to ``base`` (``http://host:port``); reconnects when the server closes it."""

    def __init__(self, base: str, headers: dict[str, str] | None = None) -> None:
        parts = urlsplit(base)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        self.fixed = {"host": f"{self.host}:{self.port}", **(headers or {})}
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    def build(
        self, method: str, path: str, headers: dict[str, str] | None = None, body: object = None
    ) -> bytes:
        """The request's bytes (build once, send many times)."""
        payload = b"" if body is None else json.dumps(body).encode()
        lines = [f"{method} {path} HTTP/1.1"]
        merged = {**self.fixed, **(headers or {})}
        if body is not None:
            merged["content-type"] = "application/json"
        if payload or method != "GET":
            merged["content-length"] = str(len(payload))
        lines += [f"{name}: {value}" for name, value in merged.items()]
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + payload

    async def send(self, request: bytes) -> Response:
        for attempt in (1, 2):
            if self._writer is None:
                self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
            assert self._reader is not None
            try:
                self._writer.write(request)
                return await self._read(self._reader)
            except (ConnectionError, asyncio.IncompleteReadError):
                await self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    async def _read(self, reader: asyncio.StreamReader) -> Response:
        head = await reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        headers: dict[str, str] = {}
        for line in header_lines:
            if line:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
        if "content-length" in headers:
            body = await reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            chunks = []
            while size := int((await reader.readuntil(b"\r\n")).strip().split(b";")[0], 16):
                chunks.append(await reader.readexactly(size))
                await reader.readexactly(2)
            await reader.readuntil(b"\r\n")
            body = b"".join(chunks)
        else:
            body = b""
        if headers.get("connection", "").lower() == "close":
            await self.close()
        return Response(status, headers, body)

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None
            self._reader = None
