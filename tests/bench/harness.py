"""Benchmark plumbing: private services, a real `rapport serve` process, an async load client."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
from rapport.kernel.devservices import EmbeddedPostgres, EmbeddedRedis, free_port

from tests.bench.wire import Connection
from tests.support import wait_for_http

RESULTS_DIR = Path(".bench")


@dataclass
class Result:
    name: str
    requests: int
    errors: int
    rps: float
    p50_ms: float
    p99_ms: float
    rss_mb: float | None = None


@contextmanager
def services() -> Iterator[dict[str, str]]:
    """Throwaway PostgreSQL + Redis; yields the environment for Rapport processes."""
    folder = Path(tempfile.mkdtemp(prefix="rapport-bench-"))
    folder.chmod(0o755)
    postgres = EmbeddedPostgres(folder / "pg", durable=False)
    redis = EmbeddedRedis(folder / "redis", durable=False)
    postgres.start()
    redis.start()
    try:

        async def create() -> None:
            connection = await asyncpg.connect(postgres.dsn)
            await connection.execute('CREATE DATABASE "bench"')
            await connection.close()

        asyncio.run(create())
        env = {k: v for k, v in os.environ.items() if not k.startswith("RAPPORT_")}
        env.update(
            RAPPORT_ENV="production",
            RAPPORT_LOG_LEVEL="WARNING",
            RAPPORT_DATABASE_URL=postgres.dsn_for("bench"),
            RAPPORT_REDIS_URL=redis.url,
            RAPPORT_SECRET_KEY="bench-secret-key-0123456789-abcdefghijkl",
        )
        yield env
    finally:
        redis.stop()
        postgres.stop()
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def api_server(env: dict[str, str], workers: int = 1) -> Iterator[tuple[str, subprocess.Popen[bytes], float]]:
    """A real `rapport serve`; yields its base URL, the process and seconds until it answered."""
    port = free_port()
    started = time.perf_counter()
    command = [sys.executable, "-m", "rapport", "serve", "--port", str(port), "--workers", str(workers)]
    process = subprocess.Popen(command, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(base + "/healthz", process)
        yield base, process, time.perf_counter() - started
    finally:
        process.terminate()
        process.wait(timeout=30)


def rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and its children (uvicorn's worker processes, when there are several)."""
    total = 0
    children = Path(f"/proc/{pid}/task/{pid}/children")
    pids = [pid, *(int(child) for child in children.read_text().split())] if children.exists() else [pid]
    for one in pids:
        for line in Path(f"/proc/{one}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return round(total / 1024, 1)


async def load(
    name: str,
    url: str | Callable[[], str],
    seconds: float,
    concurrency: int = 16,
    warmup: float = 1.0,
    headers: Callable[[], dict[str, str]] | None = None,
    body: Callable[[], object] | None = None,
    cookies: dict[str, str] | None = None,
) -> Result:
    """GET ``url`` (or POST ``body()`` as JSON) from ``concurrency`` workers for ``seconds`` after a warm-up.

    ``url`` and ``headers``, when callables, are called once per request (e.g. a random search, a tenant
    per request). Requests go over persistent HTTP/1.1 connections of the stdlib client in ``wire`` (httpx
    took more CPU than the server's handling of a request, on the cores the server shares).
    """
    first = url() if callable(url) else url
    parts = urlsplit(first)
    fixed = {"cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())} if cookies else {}
    connections = [Connection(f"{parts.scheme}://{parts.netloc}", fixed) for _ in range(concurrency)]

    def target() -> str:
        address = urlsplit(url() if callable(url) else url)
        return address.path + (f"?{address.query}" if address.query else "")

    method = "GET" if body is None else "POST"
    constant = None if callable(url) or headers or body else connections[0].build(method, target())
    latencies: list[float] = []
    errors = 0
    try:
        for phase_seconds, record in ((warmup, False), (seconds, True)):
            stop_at = time.perf_counter() + phase_seconds

            async def worker(connection: Connection, record: bool = record, stop_at: float = stop_at) -> None:
                nonlocal errors
                while time.perf_counter() < stop_at:
                    began = time.perf_counter()
                    request = constant or connection.build(
                        method, target(), headers() if headers else None, None if body is None else body()
                    )
                    response = await connection.send(request)
                    if record:
                        latencies.append(time.perf_counter() - began)
                        errors += response.status >= 400

            await asyncio.gather(*(worker(connection) for connection in connections))
    finally:
        for connection in connections:
            await connection.close()
    ordered = sorted(latencies)
    return Result(
        name=name,
        requests=len(ordered),
        errors=errors,
        rps=round(len(ordered) / seconds, 1),
        p50_ms=round(statistics.median(ordered) * 1000, 2),
        p99_ms=round(ordered[int(len(ordered) * 0.99) - 1] * 1000, 2),
    )


def report(suite: str, results: list[Result], extra: dict[str, float]) -> None:
    """Print a table and write ``.bench/<suite>.json``."""
    header = (
        f"{'benchmark':<28}{'requests':>10}{'errors':>8}{'rps':>10}{'p50 ms':>10}{'p99 ms':>10}{'RSS MB':>9}"
    )
    print(f"\n{suite}\n{header}\n{'-' * len(header)}")
    for r in results:
        rss = "" if r.rss_mb is None else f"{r.rss_mb:>9}"
        print(f"{r.name:<28}{r.requests:>10}{r.errors:>8}{r.rps:>10}{r.p50_ms:>10}{r.p99_ms:>10}{rss}")
    for key, value in extra.items():
        print(f"{key:<28}{value:>10}")
    RESULTS_DIR.mkdir(exist_ok=True)
    payload = {"suite": suite, "results": [asdict(r) for r in results], "extra": extra, "at": time.time()}
    (RESULTS_DIR / f"{suite}.json").write_text(json.dumps(payload, indent=2))
    print(f"written to {RESULTS_DIR / (suite + '.json')}")
