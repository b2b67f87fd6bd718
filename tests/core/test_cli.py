"""The `rapport` command: clear one-line errors, and a real server answering over HTTP."""

from __future__ import annotations

import signal
import subprocess
import sys

from rapport.kernel.devservices import free_port

from tests.support import wait_for_http

RAPPORT = [sys.executable, "-m", "rapport"]


def test_help_lists_the_commands() -> None:
    result = subprocess.run([*RAPPORT, "--help"], capture_output=True, text=True, check=True)
    for command in ("serve", "worker", "scheduler", "migrate", "dev", "demo", "modules"):
        assert command in result.stdout


def test_missing_setting_is_one_clear_line(service_env: dict[str, str]) -> None:
    env = {k: v for k, v in service_env.items() if k != "RAPPORT_DATABASE_URL"}
    result = subprocess.run([*RAPPORT, "serve"], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "RAPPORT_DATABASE_URL is required" in lines[0]
    assert "Traceback" not in result.stderr


def test_unreachable_database_is_one_clear_line(service_env: dict[str, str]) -> None:
    env = dict(service_env, RAPPORT_DATABASE_URL=f"postgresql://postgres@127.0.0.1:{free_port()}/x")
    result = subprocess.run([*RAPPORT, "serve"], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("rapport: cannot reach PostgreSQL at postgres@127.0.0.1:")


def test_serve_answers_over_http(service_env: dict[str, str]) -> None:
    port = free_port()
    server = subprocess.Popen(
        [*RAPPORT, "serve", "--port", str(port)],
        env=service_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,  # never an undrained pipe: a full pipe blocks the server
    )
    try:
        response = wait_for_http(f"http://127.0.0.1:{port}/readyz", server)
        assert response.status_code == 200
        assert response.json()["checks"]["redis"]["ok"] is True
    finally:
        server.terminate()
        # uvicorn shuts down gracefully, then re-raises the signal it caught.
        assert server.wait(timeout=20) in (0, -signal.SIGTERM)
