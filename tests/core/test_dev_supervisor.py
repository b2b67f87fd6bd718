"""`rapport dev` runs API, worker and scheduler together; Ctrl-C stops all of them, leaving no orphans."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
from rapport.kernel.devservices import free_port


def _descendants(pid: int) -> set[int]:
    children: set[int] = set()
    for status in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = status.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            child = int(status.parent.name)
            children |= {child, *_descendants(child)}
    return children


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"


def test_dev_runs_everything_and_stops_cleanly(service_env: dict[str, str], tmp_path: Path) -> None:
    port = free_port()
    env = dict(service_env, RAPPORT_PORT=str(port), RAPPORT_DATA_DIR=str(tmp_path))
    log = (tmp_path / "dev.log").open("wb")  # a file, not a pipe: an undrained pipe blocks the children
    supervisor = subprocess.Popen(
        [sys.executable, "-m", "rapport", "dev"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    status: dict[str, object] = {}
    children: set[int] = set()
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert supervisor.poll() is None, (tmp_path / "dev.log").read_text()
            try:
                status = httpx.get(f"http://127.0.0.1:{port}/api/v1/system/status", timeout=2).json()
                if (
                    status["worker_heartbeat_age_s"] is not None
                    and status["scheduler_tick_age_s"] is not None
                ):
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.3)
        # The scheduler sent the heartbeat job and a worker ran it: all three processes work together.
        assert status.get("worker_heartbeat_age_s") is not None, status
        assert {"system", "tenancy"} <= set(status["modules"])  # type: ignore[call-overload]
        children = _descendants(supervisor.pid)
        assert len(children) >= 3
    finally:
        os.killpg(supervisor.pid, signal.SIGINT)  # what a terminal's Ctrl-C does: the whole foreground group
        supervisor.wait(timeout=60)
        log.close()
    output = (tmp_path / "dev.log").read_text()
    assert supervisor.returncode == 0, output
    assert "demo tenant 'demo'" in output
    assert "rapport dev: stopped" in output
    assert not [pid for pid in children if _alive(pid)], "orphan processes left running"
