"""``TenantMiddleware``: resolve the tenant once per request or WebSocket, from the Host or ``X-Tenant``.

``acme.<base domain>`` (in development ``acme.localhost:8000``) or a custom domain registered in
``control.domains`` names the tenant; API clients on the bare domain send ``X-Tenant: acme``. Unknown
tenant: 404; suspended: 403 with the reason; being deleted: 404 (for its users it is gone). Routes
that serve no tenant (health, signup, operator API) say so with ``opt=NO_TENANT``.
"""

from __future__ import annotations

import time
import uuid
from typing import TYPE_CHECKING, Any

from cachetools import TTLCache
from litestar import Request
from litestar.enums import ScopeType
from litestar.exceptions import WebSocketException
from litestar.middleware import ASGIMiddleware
from rapport_tenants.context import TenantContext, current_tenant
from rapport_tenants.names import slug_problem
from rapport_tenants.registry import tenant_by_host, tenant_by_slug
from rapport_tenants.tables import TenantStatus

from rapport.kernel.errors import DomainError, ForbiddenError, NotFoundError
from rapport.kernel.ratelimit import TENANT_SCOPE_KEY
from rapport.kernel.routes import NO_TENANT_KEY

if TYPE_CHECKING:
    from litestar.types import ASGIApp, Receive, Scope, Send

__all__ = [
    "TenantMiddleware",
    "TenantResolver",
    "TenantSuspended",
    "host_from_scope",
    "provide_tenant",
    "tenant_of",
]

SCOPE_KEY = TENANT_SCOPE_KEY
CACHE_SIZE = 10_000


class TenantSuspended(ForbiddenError):
    type_slug = "tenant-suspended"
    title = "This workspace is suspended"


class TenantMismatch(DomainError):
    type_slug = "tenant-mismatch"
    title = "The X-Tenant header names another workspace than the address"
    status = 400


def host_from_scope(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"host":
            return value.decode("latin-1").strip().lower().rsplit(":", 1)[0].rstrip(".")
    return ""


def _header(scope: Scope, wanted: bytes) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == wanted:
            return value.decode("latin-1").strip().lower()
    return None


HOST_MISS_SECONDS = 5.0


class TenantResolver:
    """Finds tenants by host or slug through a bounded, time-limited cache (no per-tenant objects kept).

    Found tenants are cached: a workspace signed up a moment ago is never hidden by a cached miss. Misses
    of hosts that are not ``<slug>.<base domain>`` (an IP, a proxy's name, an unregistered custom domain)
    are remembered for ``HOST_MISS_SECONDS``, so requests that name their tenant by ``X-Tenant`` on such a
    host do not cost a query each; a custom domain added meanwhile answers within that time.
    Status changes are announced (``rapport.tenancy.changes``) and drop the tenant's entries at once.
    """

    def __init__(self, base_domain: str, ttl_seconds: float) -> None:
        self.base_domain = base_domain.lower()
        self.cache: TTLCache[tuple[str, str], TenantContext] = TTLCache(
            maxsize=CACHE_SIZE, ttl=max(ttl_seconds, 0.001), timer=time.monotonic
        )
        self.host_misses: TTLCache[str, bool] = TTLCache(
            maxsize=CACHE_SIZE, ttl=max(min(ttl_seconds, HOST_MISS_SECONDS), 0.001), timer=time.monotonic
        )

    def slug_of_host(self, host: str) -> str | None:
        suffix = "." + self.base_domain
        if host.endswith(suffix):
            label = host[: -len(suffix)]
            if label and "." not in label:
                return label
        return None

    def forget(self) -> None:
        self.cache.clear()
        self.host_misses.clear()

    def forget_tenant(self, tenant_id: uuid.UUID) -> None:
        for key, value in list(self.cache.items()):
            if value.id == tenant_id:
                self.cache.pop(key, None)

    async def lookup(self, kind: str, key: str) -> TenantContext | None:
        cache_key = (kind, key)
        if cache_key in self.cache:
            return self.cache[cache_key]
        if kind == "slug":
            found = None if slug_problem(key) else await tenant_by_slug(key)
        elif key in self.host_misses:
            return None
        else:
            found = await tenant_by_host(key)
            if found is None:
                self.host_misses[key] = True
        if found is not None:
            self.cache[cache_key] = found
        return found

    async def resolve(self, host: str, header: str | None) -> TenantContext:
        """The tenant a request is for, or a domain error (404 unknown, 403 suspended, 400 mismatch)."""
        by_host: TenantContext | None = None
        if host and host != self.base_domain:
            slug = self.slug_of_host(host)
            by_host = await self.lookup("slug", slug) if slug else await self.lookup("host", host)
            if by_host is None and not header:
                raise NotFoundError(f"There is no workspace at {host}.")
        tenant = by_host
        if header:
            by_header = await self.lookup("slug", header)
            if by_host is not None and by_header is not None and by_header.id != by_host.id:
                raise TenantMismatch(f"X-Tenant names '{header}' but the address is '{by_host.slug}'.")
            tenant = by_header
            if tenant is None:
                raise NotFoundError(f"There is no workspace '{header}'.")
        if tenant is None:
            raise NotFoundError("No workspace named: use the workspace's address or send an X-Tenant header.")
        if tenant.status == TenantStatus.SUSPENDED:
            raise TenantSuspended(
                f"The workspace '{tenant.slug}' is suspended; its administrators have been told why.",
                tenant=tenant.slug,
            )
        if tenant.status != TenantStatus.ACTIVE:
            raise NotFoundError(f"There is no workspace '{tenant.slug}'.")
        return tenant


class TenantMiddleware(ASGIMiddleware):
    """Put the request's :class:`TenantContext` in the scope and in ``current_tenant``."""

    exclude_opt_key = NO_TENANT_KEY

    @staticmethod
    def should_bypass_for_scope(scope: Scope) -> bool:
        """The OpenAPI document and its viewers are the same for every tenant."""
        return str(scope.get("path", "")).startswith("/api/schema")

    def __init__(self, resolver: TenantResolver) -> None:
        self.resolver = resolver

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        try:
            tenant = await self.resolver.resolve(host_from_scope(scope), _header(scope, b"x-tenant"))
        except DomainError as exc:
            if scope["type"] == ScopeType.WEBSOCKET:
                # WebSocket close codes 4000-4999 are the application's: 4000 + the HTTP status.
                raise WebSocketException(detail=exc.detail, code=4000 + exc.status) from None
            raise
        scope.setdefault("state", {})[SCOPE_KEY] = tenant
        token = current_tenant.set(tenant)
        try:
            await next_app(scope, receive, send)
        finally:
            current_tenant.reset(token)


async def provide_tenant(request: Request[Any, Any, Any]) -> TenantContext:
    """The ``tenant`` dependency of tenant routes."""
    return tenant_of(request.scope)


def tenant_of(scope: Any) -> TenantContext:
    """The resolved tenant of a connection (the ``tenant`` dependency)."""
    tenant: TenantContext = scope["state"][SCOPE_KEY]
    return tenant
