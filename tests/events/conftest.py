"""Real relay and worker processes on a durable Redis of their own, with the probe consumers installed."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import pytest
from rapport.kernel.devservices import EmbeddedRedis

from tests.factories import SignedUp
from tests.probe.events import DDL
from tests.probe.fixtures import install_distribution

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def events_redis(tmp_path: Path) -> Iterator[EmbeddedRedis]:
    server = EmbeddedRedis(tmp_path / "redis", durable=True)
    server.start()
    yield server
    server.stop()


@dataclass
class Processes:
    """Relay and worker processes (each in its own process group), logging into ``logs``."""

    env: dict[str, str]
    logs: Path
    running: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def start(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        log = (self.logs / f"{name}.log").open("ab")
        process = subprocess.Popen(
            [sys.executable, "-m", "rapport", *args],
            env=self.env,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        self.running[name] = process
        return process

    def kill(self, name: str, signum: int = signal.SIGKILL) -> None:
        process = self.running.pop(name)
        if signum == signal.SIGKILL:
            os.killpg(process.pid, signum)  # the dramatiq master and its forked workers at once
        else:
            process.send_signal(signum)  # the master stops its workers gracefully
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
            raise AssertionError(f"{name} did not stop on signal {signum}:\n{self.log(name)}") from None

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text()[-4000:]

    def cli(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "rapport", *args], env=self.env, capture_output=True, text=True, check=True
        )
        return result.stdout

    def stop_all(self) -> None:
        for name in list(self.running):
            self.kill(name, signal.SIGTERM)


@pytest.fixture
def processes(
    tmp_path: Path, service_env: dict[str, str], events_redis: EmbeddedRedis
) -> Iterator[Processes]:
    dist_dir = tmp_path / "dist"
    install_distribution(
        dist_dir,
        "rapport_probe_events",
        {"probe": "tests.probe.module:module", "probe_events": "tests.probe.events:module"},
    )
    env = dict(service_env)
    env.update(
        PYTHONPATH=os.pathsep.join([str(dist_dir), str(REPO)]),
        RAPPORT_REDIS_URL=events_redis.url,
        RAPPORT_WORKER_PROCESSES="1",
        RAPPORT_WORKER_THREADS="4",
        RAPPORT_JOB_MIN_BACKOFF_MS="100",
        RAPPORT_JOB_MAX_BACKOFF_MS="500",
        RAPPORT_JOB_HEARTBEAT_TIMEOUT_MS="2000",
        RAPPORT_JOB_MAINTENANCE_CHANCE="1000000",
        RAPPORT_RELAY_POLL_SECONDS="0.5",
        RAPPORT_RELAY_BATCH="50",
    )
    logs = tmp_path / "logs"
    logs.mkdir()
    running = Processes(env, logs)
    yield running
    running.stop_all()


async def prepare_tenants(database_url: str, tenants: list[SignedUp]) -> dict[str, str]:
    """Create the probe tables in each tenant's schema; slug → schema."""
    connection = await asyncpg.connect(database_url)
    try:
        schemas = {}
        for tenant in tenants:
            schema = await connection.fetchval(
                "SELECT schema_name FROM control.tenants WHERE id = $1", tenant.id
            )
            await connection.execute(DDL.format(schema=schema))
            schemas[tenant.slug] = schema
        return schemas
    finally:
        await connection.close()


async def effects(database_url: str, schemas: dict[str, str]) -> dict[str, list[tuple[str, str]]]:
    """Per tenant slug: (event id, the tenant the consumer ran for) of every effect row."""
    connection = await asyncpg.connect(database_url)
    try:
        return {
            slug: [
                (str(row["event_id"]), row["ran_for"])
                for row in await connection.fetch(f'SELECT event_id, ran_for FROM "{schema}".probe_effects')
            ]
            for slug, schema in schemas.items()
        }
    finally:
        await connection.close()


async def wait_until(
    condition: Callable[[], object], what: str, processes: Processes, within: float = 90.0
) -> None:
    """Poll an async ``condition`` until true; on timeout, fail with the processes' logs."""
    deadline = time.monotonic() + within
    while not await condition():  # type: ignore[misc]
        if time.monotonic() > deadline:
            logs = "\n".join(f"--- {p.name}\n{p.read_text()[-3000:]}" for p in processes.logs.iterdir())
            raise AssertionError(f"timed out waiting for {what}\n{logs}")
        await asyncio.sleep(0.2)  # poll interval of a deadline-bound wait across processes
