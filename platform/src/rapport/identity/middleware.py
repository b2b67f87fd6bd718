"""Authentication of every tenant route not marked ``exclude_from_auth``: a session cookie or a bearer key.

Cookie-authenticated requests that change something must carry ``X-CSRF-Token`` (the session's HMAC
token); bearer keys need the ``read`` scope to read and ``write`` to change. The signed-in user must be an
active member of the request's tenant: a session or key of tenant A is refused on tenant B.
"""

from __future__ import annotations

import hmac
from typing import Any

from litestar.connection import ASGIConnection
from litestar.middleware.authentication import AbstractAuthenticationMiddleware, AuthenticationResult
from rapport_tenants.context import TenantContext

from rapport.identity.access import ACCESS_STATE_KEY
from rapport.identity.apikeys import api_key_principal
from rapport.identity.credentials import csrf_token_for
from rapport.identity.principal import Principal
from rapport.identity.sessions import session_principal
from rapport.kernel.errors import ForbiddenError, UnauthorizedError
from rapport.kernel.ratelimit import TENANT_SCOPE_KEY
from rapport.kernel.settings import Settings

__all__ = ["CSRF_HEADER", "SESSION_COOKIE", "AuthMiddleware"]

SESSION_COOKIE = "rapport_session"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class CsrfFailed(ForbiddenError):
    type_slug = "csrf-failed"
    title = "The CSRF token is missing or wrong"


class ScopeMissing(ForbiddenError):
    type_slug = "scope-missing"
    title = "The API key lacks the scope this needs"


class AuthMiddleware(AbstractAuthenticationMiddleware):
    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        tenant: TenantContext | None = connection.scope.get("state", {}).get(TENANT_SCOPE_KEY)
        if tenant is None:
            raise UnauthorizedError("Sign in to a workspace first.")
        method = connection.scope.get("method", "GET")
        scheme, _, credential = connection.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and credential:
            found = await api_key_principal(tenant, credential.strip())
            if found is None:
                raise UnauthorizedError("The API key is not valid for this workspace.", headers=_CHALLENGE)
            principal, access = found
            needed = "read" if method in SAFE_METHODS else "write"
            if needed not in principal.scopes:
                raise ScopeMissing(f"This request needs an API key with the '{needed}' scope.")
            connection.scope["state"][ACCESS_STATE_KEY] = access
            return AuthenticationResult(user=principal, auth="api_key")
        token = connection.cookies.get(SESSION_COOKIE)
        found = await session_principal(tenant, token) if token else None
        if found is None:
            raise UnauthorizedError("Sign in to continue.", headers=_CHALLENGE)
        principal, access = found
        if method not in SAFE_METHODS:
            _check_csrf(connection, principal)
        # Loaded with the session: guards and providers read it from here (``access_of``).
        connection.scope["state"][ACCESS_STATE_KEY] = access
        return AuthenticationResult(user=principal, auth="session")


_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="rapport"'}


def _check_csrf(connection: ASGIConnection[Any, Any, Any, Any], principal: Principal) -> None:
    settings: Settings = connection.app.state.settings
    expected = csrf_token_for(settings.secret_key.get_secret_value(), str(principal.session_id))
    presented = connection.headers.get(CSRF_HEADER, "")
    if not hmac.compare_digest(expected.encode(), presented.encode()):
        raise CsrfFailed("Send the session's CSRF token in the X-CSRF-Token header.")
