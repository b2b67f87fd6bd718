"""Route metadata shared by the kernel and the modules."""

from __future__ import annotations

from typing import Any

__all__ = ["NO_TENANT", "NO_TENANT_KEY", "OPERATOR_ONLY"]

NO_TENANT_KEY = "no_tenant"
NO_TENANT: dict[str, Any] = {NO_TENANT_KEY: True}
"""Route ``opt`` of handlers that serve no tenant (health, signup, operator API): none is resolved."""

OPERATOR_ONLY: dict[str, Any] = {NO_TENANT_KEY: True, "exclude_from_auth": True}
"""Route ``opt`` of the operator API: no tenant, no user session; its own guard checks the operator token."""
