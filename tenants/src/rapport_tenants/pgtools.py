"""PostgreSQL's own client programs (``pg_dump``, ``psql``), run with the password kept out of argv."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

__all__ = ["PgToolError", "pg_tool", "run_pg_tool"]


class PgToolError(RuntimeError):
    """A PostgreSQL client program failed; the message carries its error output."""


def pg_tool(name: str) -> str:
    """The newest installed ``name`` (Debian keeps one per major version), else the one on PATH."""
    candidates = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda path: int(Path(path).parts[-3])
    )
    if candidates:
        return candidates[-1]
    found = shutil.which(name)
    if found is None:
        raise PgToolError(f"{name} not found: install the PostgreSQL client programs")
    return found


def _split_password(dsn: str) -> tuple[str, str | None]:
    parts = urlsplit(dsn)
    if parts.password is None:
        return dsn, None
    netloc = parts.netloc.rsplit("@", 1)[1]
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}@{netloc}")), unquote(parts.password)


def run_pg_tool(name: str, dsn: str, args: list[str], stdin: bytes | None = None) -> bytes:
    """Run ``name args`` against ``dsn``; the password travels in ``PGPASSWORD``, never the command line."""
    target, password = _split_password(dsn)
    env = dict(os.environ)
    if password is not None:
        env["PGPASSWORD"] = password
    result = subprocess.run(
        [pg_tool(name), *args, f"--dbname={target}"], input=stdin, capture_output=True, env=env, check=False
    )
    if result.returncode != 0:
        raise PgToolError(f"{name} failed: {result.stderr.decode(errors='replace').strip()}")
    return result.stdout
