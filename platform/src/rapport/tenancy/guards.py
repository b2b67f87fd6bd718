"""Guards of the tenancy routes."""

from __future__ import annotations

import hmac
from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from rapport.kernel.errors import NotFoundError, UnauthorizedError
from rapport.kernel.settings import Settings

__all__ = ["requires_operator"]


def requires_operator(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """The platform operator's bearer token (``RAPPORT_OPERATOR_TOKEN``); unset, the API does not exist."""
    settings: Settings = connection.app.state.settings
    if settings.operator_token is None:
        raise NotFoundError("The operator API is not enabled on this deployment.")
    scheme, _sep, token = connection.headers.get("authorization", "").partition(" ")
    expected = settings.operator_token.get_secret_value()
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.encode(), expected.encode()):
        raise UnauthorizedError(
            "The operator API needs the operator's bearer token.", headers={"WWW-Authenticate": "Bearer"}
        )
