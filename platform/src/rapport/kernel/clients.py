"""What a request says about its client (behind a trusted proxy, uvicorn's proxy headers set the address)."""

from __future__ import annotations

from typing import Any

from litestar import Request

__all__ = ["client_ip", "user_agent"]


def client_ip(request: Request[Any, Any, Any]) -> str:
    return request.client.host if request.client else "unknown"


def user_agent(request: Request[Any, Any, Any]) -> str:
    return request.headers.get("user-agent", "")
