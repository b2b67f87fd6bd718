"""The web app's API types are generated from the OpenAPI document; a stale copy fails here."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

FRONTEND = Path(__file__).resolve().parents[2] / "frontend"
GENERATOR = FRONTEND / "node_modules" / ".bin" / "openapi-typescript"
COMMITTED = FRONTEND / "src" / "api" / "schema.d.ts"


def test_the_committed_api_types_match_the_api(tmp_path: Path) -> None:
    if not GENERATOR.exists():
        pytest.fail("The web app's packages are not installed: run `make frontend` (make test does).")
    document = subprocess.run(
        [sys.executable, "-m", "rapport", "openapi"], capture_output=True, check=True, timeout=120
    ).stdout
    generated = tmp_path / "schema.d.ts"
    subprocess.run(
        [str(GENERATOR), "-o", str(generated)],
        input=document,
        cwd=FRONTEND,
        capture_output=True,
        check=True,
        timeout=120,
    )
    assert generated.read_text() == COMMITTED.read_text(), (
        "frontend/src/api/schema.d.ts is stale: run `make api-client` and commit the result."
    )


def test_the_openapi_document_needs_no_servers() -> None:
    """``rapport openapi`` builds the app without a database or Redis and prints nothing else."""
    result = subprocess.run(
        [sys.executable, "-m", "rapport", "openapi"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert result.stdout.startswith("{")
    assert '"/api/v1/contacts"' in result.stdout
