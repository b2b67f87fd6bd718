"""Tenancy API: signup (public), the workspace's public profile, and the operator's tenant admin."""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from typing import Annotated, Any

from litestar import Controller, Request, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.status_codes import HTTP_201_CREATED, HTTP_202_ACCEPTED
from rapport_tenants import lifecycle
from rapport_tenants.context import TenantContext, tenant_transaction
from rapport_tenants.registry import list_tenants, tenant_by_id
from rapport_tenants.tables import TenantStatus

from rapport.kernel.clients import client_ip
from rapport.kernel.errors import ConflictError, NotFoundError, ValidationFailed
from rapport.kernel.ratelimit import enforce_rate_limit, rate_limit_key
from rapport.kernel.routes import NO_TENANT, OPERATOR_ONLY
from rapport.kernel.settings import Settings
from rapport.tenancy.changes import announce_change
from rapport.tenancy.guards import requires_operator
from rapport.tenancy.middleware import provide_tenant
from rapport.tenancy.operator_audit import audited_operator_action
from rapport.tenancy.schemas import (
    AdminTenant,
    AdminTenantPage,
    DeletionScheduled,
    SignupAdmin,
    SignupRequest,
    SignupResponse,
    SignupTenant,
    SuspendRequest,
    Workspace,
)
from rapport.tenancy.signup import create_workspace
from rapport.tenancy.tables import WorkspaceSettings

__all__ = ["SignupController", "TenantAdminController", "WorkspaceController", "provide_tenant"]


class SignupController(Controller):
    path = "/api/v1/signup"
    tags = ["signup"]
    opt = NO_TENANT

    @post(
        "/",
        status_code=HTTP_201_CREATED,
        summary="Create a workspace and its first administrator",
        exclude_from_auth=True,
    )
    async def signup(self, request: Request[Any, Any, Any], data: JSONBody[SignupRequest]) -> SignupResponse:
        settings: Settings = request.app.state.settings
        await enforce_rate_limit(
            request.app.state.redis,
            rate_limit_key("signup", "ip", client_ip(request)),
            settings.signup_rate_per_hour,
            3600,
        )
        result = await create_workspace(data, settings.base_domain, client_ip(request))
        return SignupResponse(
            tenant=SignupTenant(id=result.tenant_id, slug=result.slug, name=result.name),
            admin=SignupAdmin(id=result.user_id, email=result.email),
            url=settings.tenant_url(result.slug),
        )


class WorkspaceController(Controller):
    path = "/api/v1/workspace"
    tags = ["workspace"]

    @get("/", summary="The workspace's public profile (what its sign-in page shows)", exclude_from_auth=True)
    async def workspace(self, tenant: NamedDependency[TenantContext]) -> Workspace:
        async with tenant_transaction(tenant):
            row = await WorkspaceSettings.select(
                WorkspaceSettings.name, WorkspaceSettings.timezone, WorkspaceSettings.locale
            ).first()
        if row is None:
            raise NotFoundError("This workspace has no settings yet.")
        return Workspace(slug=tenant.slug, name=row["name"], timezone=row["timezone"], locale=row["locale"])


def _encode_cursor(created_at: dt.datetime, tenant_id: uuid.UUID) -> str:
    return base64.urlsafe_b64encode(f"{created_at.isoformat()}|{tenant_id}".encode()).decode()


def _decode_cursor(cursor: str) -> tuple[dt.datetime, uuid.UUID]:
    try:
        created_at, _, tenant_id = base64.urlsafe_b64decode(cursor.encode()).decode().partition("|")
        return dt.datetime.fromisoformat(created_at), uuid.UUID(tenant_id)
    except ValueError:
        raise ValidationFailed("The cursor is not valid.", field="cursor") from None


class TenantAdminController(Controller):
    """The platform operator's view of tenants (bearer ``RAPPORT_OPERATOR_TOKEN``)."""

    path = "/api/v1/admin/tenants"
    tags = ["operator"]
    opt = OPERATOR_ONLY
    guards = [requires_operator]

    @get("/", summary="List tenants (keyset pagination, newest last)")
    async def list(
        self,
        status: FromQuery[TenantStatus | None] = None,
        cursor: FromQuery[str | None] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 50,
    ) -> AdminTenantPage:
        after = _decode_cursor(cursor) if cursor else None
        rows = await list_tenants(limit=limit + 1, after=after, status=status.value if status else None)
        items = [AdminTenant(**row) for row in rows[:limit]]
        next_cursor = _encode_cursor(items[-1].created_at, items[-1].id) if len(rows) > limit else None
        return AdminTenantPage(items=items, next_cursor=next_cursor)

    @get("/{tenant_id:uuid}", summary="One tenant")
    async def detail(self, tenant_id: FromPath[uuid.UUID]) -> AdminTenant:
        return await _admin_tenant(tenant_id)

    @post("/{tenant_id:uuid}/suspend", summary="Suspend: its users get 403 with the reason")
    async def suspend(
        self, request: Request[Any, Any, Any], tenant_id: FromPath[uuid.UUID], data: JSONBody[SuspendRequest]
    ) -> AdminTenant:
        changes = {"status": ("active", "suspended"), "reason": (None, data.reason)}

        def step() -> Any:
            return lifecycle.suspend(tenant_id, data.reason)

        await _lifecycle(
            audited_operator_action(tenant_id, "tenant.suspended", step, changes, "operator-api")
        )
        await _announce(request, tenant_id)
        return await _admin_tenant(tenant_id)

    @post("/{tenant_id:uuid}/resume", summary="Resume a suspended tenant, or cancel a deletion")
    async def resume(self, request: Request[Any, Any, Any], tenant_id: FromPath[uuid.UUID]) -> AdminTenant:
        def step() -> Any:
            return lifecycle.resume(tenant_id)

        await _lifecycle(audited_operator_action(tenant_id, "tenant.resumed", step, {}, "operator-api"))
        await _announce(request, tenant_id)
        return await _admin_tenant(tenant_id)

    @delete(
        "/{tenant_id:uuid}",
        status_code=HTTP_202_ACCEPTED,
        summary="Mark for deletion; its schema is dropped after the grace period",
    )
    async def remove(
        self, request: Request[Any, Any, Any], tenant_id: FromPath[uuid.UUID]
    ) -> DeletionScheduled:
        settings: Settings = request.app.state.settings
        grace = dt.timedelta(hours=settings.tenant_delete_grace_hours)

        def step() -> Any:
            return lifecycle.mark_for_deletion(tenant_id, grace)

        delete_after = await _lifecycle(
            audited_operator_action(tenant_id, "tenant.deletion_scheduled", step, {}, "operator-api")
        )
        await _announce(request, tenant_id)
        return DeletionScheduled(id=tenant_id, status="deleting", delete_after=delete_after)


async def _announce(request: Request[Any, Any, Any], tenant_id: uuid.UUID) -> None:
    """This process forgets the tenant now; the others when the announcement reaches them."""
    request.app.state.tenant_resolver.forget_tenant(tenant_id)
    await announce_change(request.app.state.redis, tenant_id)


async def _admin_tenant(tenant_id: uuid.UUID) -> AdminTenant:
    if await tenant_by_id(tenant_id) is None:
        raise NotFoundError(f"There is no tenant {tenant_id}.")
    rows = await list_tenants(limit=1, after=None, status=None, tenant_id=tenant_id)
    return AdminTenant(**rows[0])


async def _lifecycle(step: Any) -> Any:
    try:
        return await step
    except lifecycle.LifecycleError as exc:
        if exc.not_found:
            raise NotFoundError(str(exc)) from None
        raise ConflictError(str(exc)) from None
