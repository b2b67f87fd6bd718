"""Helpers shared by the tests and the benchmarks."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from rapport.kernel.devservices import free_port

__all__ = ["rapport_server", "wait_for_http"]


def wait_for_http(
    url: str, process: subprocess.Popen[bytes] | threading.Thread, timeout: float = 60.0
) -> httpx.Response:
    """Poll ``url`` until it answers; fail early if its server (process or thread) ends, or at ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return httpx.get(url, timeout=2)
        except httpx.TransportError:
            ended = (
                process.poll() is not None
                if isinstance(process, subprocess.Popen)
                else not process.is_alive()
            )
            if ended:
                raise RuntimeError(f"the server of {url} ended before it answered") from None
            if time.monotonic() > deadline:
                raise TimeoutError(f"{url} did not answer within {timeout:.0f} s") from None
            time.sleep(0.1)  # poll interval of a deadline-bound wait


@contextmanager
def rapport_server(env: dict[str, str]) -> Iterator[str]:
    """A real ``rapport serve`` process on a free port; yields its base URL, stops it afterwards."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "rapport", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(base + "/healthz", process)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)
