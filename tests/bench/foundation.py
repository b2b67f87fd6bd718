"""Foundation: API start-up time, /healthz and /readyz throughput and latency, API memory."""

from __future__ import annotations

import asyncio

from tests.bench.harness import Result, api_server, load, report, rss_mb, services


def run(seconds: float) -> None:
    with services() as env, api_server(env) as (base, process, startup):
        results: list[Result] = []
        for name, path in (("GET /healthz", "/healthz"), ("GET /readyz (PG + Redis)", "/readyz")):
            result = asyncio.run(load(name, base + path, seconds))
            result.rss_mb = rss_mb(process.pid)
            results.append(result)
        report("foundation", results, {"api start-up s": round(startup, 2)})
