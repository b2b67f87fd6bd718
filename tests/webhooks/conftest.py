"""A real HTTP receiver on loopback, an app allowed to call it, and real relay and worker processes."""

from __future__ import annotations

import json
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from rapport.app import create_app
from rapport.kernel.devservices import EmbeddedRedis
from rapport.kernel.settings import Settings

from tests.events.conftest import Processes, events_redis, processes  # noqa: F401 - fixtures

LOOPBACK = '["127.0.0.1/32"]'


@dataclass
class Receiver:
    """Records every request; answers 500 to the first ``fail_first`` of them, then 200."""

    url: str = ""
    fail_first: int = 0
    always_fail: bool = False
    requests: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            with state.lock:
                state.requests.append(
                    {"headers": {k.lower(): v for k, v in self.headers.items()}, "body": body}
                )
                failing = state.always_fail or len(state.requests) <= state.fail_first
            self.send_response(500 if failing else 200)
            self.end_headers()
            self.wfile.write(b"no" if failing else b"ok")

        def log_message(self, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()


@pytest.fixture
async def hook_client(
    migrated: Settings,
    events_redis: EmbeddedRedis,  # noqa: F811 - the fixture imported above
) -> AsyncIterator[AsyncTestClient]:  # type: ignore[type-arg]
    """The app, allowed to call loopback webhooks (as an operator would allow an internal network), on
    the Redis the worker processes use (redelivery and test sends are jobs the app enqueues)."""
    update = {"webhook_allowed_networks": json.loads(LOOPBACK), "redis_url": events_redis.url}
    settings = migrated.model_copy(update=update)
    async with AsyncTestClient(app=create_app(settings)) as client:
        yield client


@pytest.fixture
def hook_processes(processes: Processes) -> Processes:  # noqa: F811 - the fixture above, narrowed
    processes.env.update(
        RAPPORT_WEBHOOK_ALLOWED_NETWORKS=LOOPBACK,
        RAPPORT_WEBHOOK_RETRY_SECONDS="[0.2, 0.2, 0.2, 0.2, 0.2]",
        RAPPORT_WEBHOOK_DISABLE_AFTER_FAILURES="4",
        RAPPORT_WEBHOOK_DISABLE_AFTER_HOURS="0",
    )
    processes.start("relay", "relay")
    processes.start("worker", "worker")
    return processes
