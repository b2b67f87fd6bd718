"""``rapport dev`` (what ``make run`` calls): services, migrations, demo data, then API, worker,
scheduler and outbox relay.

One supervisor process owns every child. Ctrl-C (or SIGTERM) stops the children first, then Redis and
PostgreSQL, and waits for each, so nothing is left running. If any child dies, everything stops.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType

import click

from rapport.kernel.devservices import EmbeddedPostgres, EmbeddedRedis, ServiceError

__all__ = ["DevSupervisor"]

DATABASE = "rapport"


class DevSupervisor:
    """Runs the whole product on one machine with its data under ``data_dir``."""

    def __init__(self, port: int = 8000, data_dir: Path | None = None) -> None:
        self.port = port
        self.data_dir = (data_dir or Path(os.environ.get("RAPPORT_DATA_DIR", ".data"))).resolve()
        self.postgres: EmbeddedPostgres | None = None
        self.redis: EmbeddedRedis | None = None
        self.children: dict[str, subprocess.Popen[bytes]] = {}
        self.stopping = False

    def say(self, message: str) -> None:
        click.secho(f"rapport dev: {message}", fg="cyan", err=True)

    def _secret_key(self) -> str:
        path = self.data_dir / "secret_key"
        if not path.exists():
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()

    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        env.setdefault("RAPPORT_ENV", "development")
        env["RAPPORT_PORT"] = str(self.port)
        env.setdefault("RAPPORT_SECRET_KEY", self._secret_key())
        if "RAPPORT_DATABASE_URL" not in os.environ:
            self.postgres = EmbeddedPostgres(
                self.data_dir / "postgres", log_file=self.data_dir / "postgres.log"
            )
            self.say(f"starting PostgreSQL (data in {self.postgres.data_dir}) on port {self.postgres.port}")
            self.postgres.start()
            _ensure_database(self.postgres, DATABASE)
            env["RAPPORT_DATABASE_URL"] = self.postgres.dsn_for(DATABASE)
        if "RAPPORT_REDIS_URL" not in os.environ:
            self.redis = EmbeddedRedis(self.data_dir / "redis", log_file=self.data_dir / "redis.log")
            self.say(f"starting Redis on port {self.redis.port}")
            self.redis.start()
            env["RAPPORT_REDIS_URL"] = self.redis.url
        return env

    def _run_step(self, env: dict[str, str], *args: str) -> None:
        result = subprocess.run([sys.executable, "-m", "rapport", *args], env=env, check=False)
        if result.returncode != 0:
            raise ServiceError(f"`rapport {' '.join(args)}` failed with exit code {result.returncode}")

    def _spawn(self, env: dict[str, str], name: str, *args: str) -> None:
        # Own session: a terminal's Ctrl-C reaches only the supervisor, which stops each child's whole
        # process group (dramatiq forks worker processes) in order.
        self.children[name] = subprocess.Popen(
            [sys.executable, "-m", "rapport", *args], env=env, start_new_session=True
        )

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        self.stopping = True

    def run(self) -> int:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        signal.signal(signal.SIGINT, self._on_signal)
        signal.signal(signal.SIGTERM, self._on_signal)
        try:
            env = self.environment()
            self._run_step(env, "migrate")
            self._run_step(env, "demo", "seed")
            self._spawn(env, "api", "serve", "--port", str(self.port))
            self._spawn(env, "worker", "worker")
            self._spawn(env, "scheduler", "scheduler")
            self._spawn(env, "relay", "relay")
            self.say(
                f"Rapport is running on http://localhost:{self.port} (API docs: /api/docs). Ctrl-C stops."
            )
            return self._watch()
        finally:
            self.shutdown()

    def _watch(self) -> int:
        while not self.stopping:
            for name, child in self.children.items():
                if child.poll() is not None:
                    self.say(f"{name} exited with code {child.returncode}; stopping everything")
                    return 1
            time.sleep(0.2)
        return 0

    def shutdown(self) -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        # SIGTERM to each child only: the dramatiq master then stops its workers gracefully (a worker
        # that gets a second SIGTERM from the group signal gives up on a clean stop).
        for child in self.children.values():
            with contextlib.suppress(ProcessLookupError):
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for child in self.children.values():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal_group(child, signal.SIGKILL)
                child.wait()
        # Anything a child forked and left behind in its group goes too.
        for child in self.children.values():
            _signal_group(child, signal.SIGKILL)
        self.children.clear()
        if self.redis:
            self.redis.stop()
        if self.postgres:
            self.postgres.stop()
        self.say("stopped")


def _signal_group(child: subprocess.Popen[bytes], sig: int) -> None:
    """Signal the child's process group (the child leads it: it was started in its own session)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(child.pid, sig)


def _ensure_database(postgres: EmbeddedPostgres, name: str) -> None:
    """Create the application database on first start."""
    import asyncio

    import asyncpg

    async def create() -> None:
        connection = await asyncpg.connect(postgres.dsn)
        try:
            exists = await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
            if not exists:
                await connection.execute(f'CREATE DATABASE "{name}"')
        finally:
            await connection.close()

    asyncio.run(create())
