"""An import whose worker dies mid-run is settled as failed (nothing written), not left running forever.

Its own module: the test kills this module's worker.
"""

from __future__ import annotations

import asyncio
from typing import Any

from litestar.testing import AsyncTestClient

from tests.crm.test_imports import _contacts, running_big_import
from tests.events.conftest import Processes

Client = AsyncTestClient  # type: ignore[type-arg]


async def _state(client: Client, headers: dict[str, str], import_id: int) -> dict[str, Any]:
    response = await client.get(f"/api/v1/imports/{import_id}", headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_an_import_whose_worker_died_is_settled_as_failed(
    app_client: Client, worker: Processes
) -> None:
    admin, seen = await running_big_import(app_client)
    uploaded = seen
    # Alive: its run holds the lock, so reading it (which settles stopped runs) leaves it running.
    assert (await _state(app_client, admin, uploaded["id"]))["status"] == "running"

    worker.kill("worker")  # SIGKILL to the worker and its processes: no rollback handler, no status write
    final: dict[str, Any] = {}
    for _ in range(300):  # PostgreSQL ends the dead client's transaction once it notices the closed socket
        final = await _state(app_client, admin, uploaded["id"])
        if final["status"] != "running":
            break
        await asyncio.sleep(0.05)
    assert final["status"] == "failed", final
    assert "stopped before it finished" in final["error"]
    assert final["finished_at"] is not None
    assert await _contacts(app_client, admin) == []
    listed = (await app_client.get("/api/v1/imports", headers=admin)).json()["items"]
    assert [(item["id"], item["status"]) for item in listed] == [(uploaded["id"], "failed")]
    again = await app_client.post(f"/api/v1/imports/{uploaded['id']}/cancel", headers=admin)
    assert again.status_code == 409
