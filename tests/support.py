"""Helpers shared by the tests and the benchmarks."""

from __future__ import annotations

import subprocess
import time

import httpx

__all__ = ["wait_for_http"]


def wait_for_http(url: str, process: subprocess.Popen[bytes], timeout: float = 60.0) -> httpx.Response:
    """Poll ``url`` until it answers; fail early if ``process`` exits, or after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return httpx.get(url, timeout=2)
        except httpx.TransportError:
            if process.poll() is not None:
                raise RuntimeError(
                    f"process exited with {process.returncode} before {url} answered"
                ) from None
            if time.monotonic() > deadline:
                raise TimeoutError(f"{url} did not answer within {timeout:.0f} s") from None
            time.sleep(0.1)  # poll interval of a deadline-bound wait
