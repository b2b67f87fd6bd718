"""Guards on roles (object- and field-level permissions come with the roles matrix)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from rapport.identity.principal import Principal
from rapport.identity.tables import Role
from rapport.kernel.errors import ForbiddenError

__all__ = ["requires_role"]

Guard = Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], None]


def requires_role(*roles: Role) -> Guard:
    """A guard that lets through members whose role is one of ``roles``."""
    allowed = {role.value for role in roles}

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _handler: BaseRouteHandler) -> None:
        principal: Principal = connection.user
        if principal.role not in allowed:
            raise ForbiddenError(f"This needs one of the roles: {', '.join(sorted(allowed))}.")

    guard.__name__ = "requires_" + "_or_".join(sorted(role.name.lower() for role in roles))
    return guard
