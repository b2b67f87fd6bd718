"""Imports: a CSV of 100,000 and 1,000,000 contact rows, with dedupe, into a tenant that already holds
100,000 contacts, through a real ``rapport serve`` (upload over HTTP) and a real worker (the job).

Each file: 10 % of the rows carry the email of an existing contact, 2 % repeat an earlier row's email,
rows name one of 5,000 companies (half of them exist), and a few rows are invalid. Dedupe is ``skip``
with fuzzy matching on. Reported: upload seconds, job seconds (start → done), rows/s of the whole job, the
counts, and the worker's peak RSS. Target: 1,000,000 rows with dedupe < 60 s.
"""

from __future__ import annotations

import asyncio
import csv
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import httpx

from tests.bench.crm import FIRST_NAMES, LAST_NAMES, PASSWORD, bulk_contacts
from tests.bench.harness import Result, api_server, report, services
from tests.bench.tenancy import LIMITS_OFF, migrate_database

__all__ = ["run"]

EXISTING = 100_000
COMPANIES = 5_000


def write_csv(path: Path, rows: int, existing: int) -> None:
    pick = random.Random(rows)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["First name", "Last name", "Email", "Company", "Job title", "Phone"])
        for n in range(rows):
            first, last = pick.choice(FIRST_NAMES), pick.choice(LAST_NAMES)
            roll = pick.random()
            if roll < 0.10:  # an existing contact (bulk_contacts' addresses)
                k = pick.randrange(existing)
                email = f"{pick.choice(FIRST_NAMES)}.{pick.choice(LAST_NAMES)}.{k}@example.com".lower()
            elif roll < 0.12 and n > 0:  # an earlier row of this file
                email = f"new.{pick.randrange(n)}@import.example"
            elif roll < 0.121:
                email = "not-an-address"
            else:
                email = f"new.{n}@import.example"
            company = f"Company {pick.randrange(COMPANIES)}"
            writer.writerow([first, last, email, company, "Buyer", f"+1 555 {n % 10_000:04d}"])


async def _chunks(path: Path) -> AsyncIterator[bytes]:
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            yield chunk


def _peak_rss_mb(pid: int) -> float:
    """The peak RSS (VmHWM) of a process and its children (the dramatiq worker forks)."""
    total = 0.0
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(child) for child in children]
    except OSError:
        pass
    for one in pids:
        try:
            for line in Path(f"/proc/{one}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total = max(total, int(line.split()[1]) / 1024)
        except OSError:
            continue
    return round(total, 1)


async def measure(env: dict[str, str], base: str, worker: subprocess.Popen[bytes], sizes: tuple[int, ...],
                  folder: Path) -> tuple[list[Result], dict[str, float]]:  # fmt: skip
    results: list[Result] = []
    extra: dict[str, float] = {}
    dsn = env["RAPPORT_DATABASE_URL"]
    async with httpx.AsyncClient(base_url=base, timeout=600) as client:
        signup = await client.post(
            "/api/v1/signup",
            json={"organization_name": "big", "slug": "big", "admin_email": "owner@big.example",
                  "password": PASSWORD},
        )  # fmt: skip
        signup.raise_for_status()
        login = await client.post(
            "/api/v1/auth/login", json={"email": "owner@big.example", "password": PASSWORD},
            headers={"x-tenant": "big"},
        )  # fmt: skip
        login.raise_for_status()
        headers = {"x-tenant": "big", "x-csrf-token": login.json()["csrf_token"],
                   "cookie": f"rapport_session={login.cookies['rapport_session']}"}  # fmt: skip
        connection = await asyncpg.connect(dsn)
        schema = await connection.fetchval("SELECT schema_name FROM control.tenants WHERE slug = 'big'")
        owner = uuid.UUID(signup.json()["admin"]["id"])
        await bulk_contacts(dsn, schema, owner, EXISTING)
        await connection.execute(
            f'INSERT INTO "{schema}".companies (name, owner_id, custom, created_at, updated_at) '
            "SELECT 'Company ' || i, $1, '{}', now(), now() FROM generate_series(0, $2) i",
            owner, COMPANIES // 2 - 1,
        )  # fmt: skip
        await connection.execute(f'ANALYZE "{schema}".companies')
        await connection.close()
        for size in sizes:
            path = folder / f"contacts-{size}.csv"
            write_csv(path, size, EXISTING)
            started = time.perf_counter()
            uploaded = await client.post(
                "/api/v1/imports?object_type=contact&filename=contacts.csv", content=_chunks(path),
                headers=headers | {"content-type": "text/csv"},
            )  # fmt: skip
            uploaded.raise_for_status()
            upload_s = time.perf_counter() - started
            item = uploaded.json()
            mapping = {h: f for h, f in item["suggested_mapping"].items() if f}
            job_started = time.perf_counter()
            started_response = await client.post(
                f"/api/v1/imports/{item['id']}/start", json={"mapping": mapping, "on_match": "skip"},
                headers=headers,
            )  # fmt: skip
            started_response.raise_for_status()
            phases: dict[str, float] = {}
            while True:
                state = (await client.get(f"/api/v1/imports/{item['id']}", headers=headers)).json()
                if state["phase"] and state["phase"] not in phases:
                    phases[state["phase"]] = time.perf_counter() - job_started
                if state["status"] in ("done", "failed", "cancelled"):
                    break
                await asyncio.sleep(0.25)
            job_s = time.perf_counter() - job_started
            if state["status"] != "done":
                raise RuntimeError(f"import of {size} rows ended {state['status']}: {state['error']}")
            counts = state["counts"]
            results.append(Result(
                name=f"import {size:,} rows", requests=size, errors=counts["failed"],
                rps=round(size / job_s, 1), p50_ms=round(upload_s * 1000, 1), p99_ms=round(job_s * 1000, 1),
                rss_mb=_peak_rss_mb(worker.pid),
            ))  # fmt: skip
            extra[f"{size}: upload s"] = round(upload_s, 2)
            extra[f"{size}: job s"] = round(job_s, 2)
            extra[f"{size}: upload + job s"] = round(upload_s + job_s, 2)
            for name, value in counts.items():
                extra[f"{size}: {name}"] = value
            for phase, at in phases.items():
                extra[f"{size}: {phase} seen at s"] = round(at, 2)
            path.unlink()
    return results, extra


def run(seconds: float, large: bool = False) -> None:
    """``seconds`` is unused: an import runs to its end. Sizes: 100,000 and 1,000,000 rows."""
    sizes = tuple(int(n) for n in os.environ.get("BENCH_IMPORT_SIZES", "100000,1000000").split(","))
    started = time.perf_counter()
    folder = Path(tempfile.mkdtemp(prefix="rapport-bench-import-"))
    with services() as env:
        env = {**env, **LIMITS_OFF, "RAPPORT_DATA_DIR": str(folder / "data")}
        migrate_database(env)
        worker = subprocess.Popen(
            [sys.executable, "-m", "rapport", "worker"],
            env=env
            | {"RAPPORT_WORKER_PROCESSES": "1", "RAPPORT_WORKER_THREADS": "2", "RAPPORT_LOG_LEVEL": "INFO"},
        )
        try:
            with api_server(env) as (base, _process, _):
                results, extra = asyncio.run(measure(env, base, worker, sizes, folder))
        finally:
            worker.terminate()
            worker.wait(timeout=60)
    extra["suite s"] = round(time.perf_counter() - started, 1)
    print("import: rps = rows/s of the job; p50 ms = upload time; p99 ms = job time; rss = worker peak")
    report("import", results, extra)
