"""Private PostgreSQL and Redis servers for development (``make run``) and the test suite.

Both run as child processes on loopback with their data in a folder we own. PostgreSQL refuses to
run as root, so when we are root the server runs as the unprivileged ``postgres`` system user.
The same code starts the services for ``rapport dev`` and for ``tests/conftest.py``.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["EmbeddedPostgres", "EmbeddedRedis", "ServiceError", "free_port"]

POSTGRES_SYSTEM_USER = "postgres"


class ServiceError(Exception):
    """An embedded service could not be started; the message says what to do."""


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for_port(port: int, process: subprocess.Popen[bytes], what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServiceError(f"{what} exited with code {process.returncode} while starting")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.05)
    raise ServiceError(f"{what} did not listen on port {port} within {timeout:.0f} s")


def _stop(process: subprocess.Popen[bytes] | None, sig: int, timeout: float = 20.0) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(sig)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def postgres_bindir() -> Path:
    """The directory of the newest installed PostgreSQL server binaries."""
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/postgres"),
        key=lambda path: int(Path(path).parent.parent.name),
    )
    if candidates:
        return Path(candidates[-1]).parent
    on_path = shutil.which("postgres")
    if on_path:
        return Path(on_path).parent
    raise ServiceError("no PostgreSQL server found: `make run` installs it (apt-get install postgresql)")


@dataclass
class EmbeddedPostgres:
    """A PostgreSQL cluster in ``data_dir`` listening on 127.0.0.1:``port`` with trust auth."""

    data_dir: Path
    port: int = field(default_factory=free_port)
    durable: bool = True
    log_file: Path | None = None
    process: subprocess.Popen[bytes] | None = field(default=None, init=False, repr=False)

    @property
    def dsn(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def dsn_for(self, database: str, user: str = "postgres") -> str:
        return f"postgresql://{user}@127.0.0.1:{self.port}/{database}"

    def _run_as(self) -> dict[str, object]:
        if os.geteuid() != 0:
            return {}
        try:
            account = pwd.getpwnam(POSTGRES_SYSTEM_USER)
        except KeyError:
            raise ServiceError(
                "running as root and no 'postgres' system user exists: apt-get install postgresql"
            ) from None
        return {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}

    def _prepare_directory(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        run_as = self._run_as()
        if run_as:
            os.chown(self.data_dir, int(str(run_as["user"])), int(str(run_as["group"])))
            self.data_dir.chmod(0o700)

    def initialized(self) -> bool:
        return (self.data_dir / "PG_VERSION").exists()

    def start(self) -> None:
        bindir = postgres_bindir()
        self._prepare_directory()
        if not self.initialized():
            result = subprocess.run(
                [
                    str(bindir / "initdb"),
                    "-D",
                    str(self.data_dir),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "-E",
                    "UTF8",
                    "--locale=C.UTF-8",
                    "--no-sync",
                ],
                capture_output=True,
                check=False,
                **self._run_as(),  # type: ignore[call-overload]
            )
            if result.returncode != 0:
                raise ServiceError(f"initdb failed: {result.stderr.decode(errors='replace').strip()}")
        options = [
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            "unix_socket_directories=",
            "-c",
            "max_connections=200",
            "-c",
            "shared_buffers=128MB",
        ]
        if not self.durable:
            options += ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]
        output = self.log_file.open("ab") if self.log_file else subprocess.DEVNULL
        self.process = subprocess.Popen(  # type: ignore[call-overload]
            [str(bindir / "postgres"), "-D", str(self.data_dir), "-p", str(self.port), *options],
            stdout=output,
            stderr=output,
            start_new_session=True,
            **self._run_as(),
        )
        _wait_for_port(self.port, self.process, "PostgreSQL")
        self._wait_until_accepting(bindir)

    def _wait_until_accepting(self, bindir: Path, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ready = subprocess.run(
                [str(bindir / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port), "-q"], check=False
            )
            if ready.returncode == 0:
                return
            time.sleep(0.05)
        raise ServiceError("PostgreSQL did not accept connections in time")

    def stop(self) -> None:
        """Fast shutdown (SIGINT): roll back open transactions, write a checkpoint, exit."""
        _stop(self.process, signal.SIGINT)
        self.process = None


@dataclass
class EmbeddedRedis:
    """A Redis server in ``data_dir`` on 127.0.0.1:``port``; persisted (AOF) only when ``durable``."""

    data_dir: Path
    port: int = field(default_factory=free_port)
    durable: bool = True
    log_file: Path | None = None
    process: subprocess.Popen[bytes] | None = field(default=None, init=False, repr=False)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise ServiceError(
                "redis-server not found: `make run` installs it (apt-get install redis-server)"
            )
        self.data_dir.mkdir(parents=True, exist_ok=True)
        # Durable: an append-only file synced every second, so queued jobs survive a restart.
        persistence = ["--appendonly", "yes", "--appendfsync", "everysec"] if self.durable else ["--save", ""]
        output = self.log_file.open("ab") if self.log_file else subprocess.DEVNULL
        self.process = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.data_dir),
                "--daemonize",
                "no",
                "--protected-mode",
                "yes",
                *persistence,
            ],
            stdout=output,
            stderr=output,
            start_new_session=True,
        )
        _wait_for_port(self.port, self.process, "Redis")

    def stop(self) -> None:
        _stop(self.process, signal.SIGTERM)
        self.process = None
