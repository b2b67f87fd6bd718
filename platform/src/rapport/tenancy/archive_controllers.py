"""Operator API for tenant archives: download an export, restore one as a new tenant (bearer token)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.status_codes import HTTP_201_CREATED
from rapport_tenants.archive import ArchiveError, TenantNotFound, export_tenant, restore_tenant
from rapport_tenants.registry import tenant_by_id

from rapport.kernel.errors import FieldError, NotFoundError, ValidationFailed
from rapport.kernel.routes import OPERATOR_ONLY
from rapport.kernel.settings import Settings
from rapport.tenancy.guards import requires_operator
from rapport.tenancy.schemas import RestoredTenant

__all__ = ["TenantArchiveController"]

ARCHIVE_MEDIA_TYPE = "application/gzip"
MAX_ARCHIVE_BYTES = 512 * 1024 * 1024


class TenantArchiveController(Controller):
    """Tenant exports and restores for the platform operator (also ``rapport tenants export|restore``)."""

    path = "/api/v1/admin/tenants"
    tags = ["operator"]
    opt = OPERATOR_ONLY
    guards = [requires_operator]

    @get(
        "/{tenant_id:uuid}/export",
        summary="Download a tenant's archive: its schema (pg_dump) and its control rows",
        media_type=ARCHIVE_MEDIA_TYPE,
    )
    async def export(
        self, request: Request[Any, Any, Any], tenant_id: FromPath[uuid.UUID]
    ) -> Response[bytes]:
        tenant = await tenant_by_id(tenant_id)
        if tenant is None:
            raise NotFoundError(f"There is no tenant {tenant_id}.")
        settings: Settings = request.app.state.settings
        try:
            archive = await export_tenant(settings.dsn, tenant_id)
        except TenantNotFound:
            raise NotFoundError(f"There is no tenant {tenant_id}.") from None
        filename = f"{tenant.slug}-{dt.datetime.now(dt.UTC).date().isoformat()}.tar.gz"
        return Response(
            archive,
            media_type=ARCHIVE_MEDIA_TYPE,
            headers={
                "Content-Disposition": f"attachment; filename={filename}",
                # It holds the tenant's data and its users' password hashes: no cache keeps a copy.
                "Cache-Control": "no-store",
            },
        )

    @post(
        "/restore",
        status_code=HTTP_201_CREATED,
        summary="Restore an exported archive (the request body, application/gzip) as a new tenant",
        request_max_body_size=MAX_ARCHIVE_BYTES,
    )
    async def restore(
        self,
        request: Request[Any, Any, Any],
        slug: FromQuery[str],
        name: Annotated[str | None, QueryParameter(max_length=200)] = None,
    ) -> RestoredTenant:
        settings: Settings = request.app.state.settings
        archive = await request.body()
        try:
            tenant = await restore_tenant(archive, slug, name, settings.base_domain)
        except ArchiveError as exc:
            field = "slug" if "slug" in str(exc) else "body"
            raise ValidationFailed(str(exc), errors=[FieldError(field, str(exc))]) from None
        return RestoredTenant(
            id=tenant.id, slug=tenant.slug, name=tenant.display_name, url=settings.tenant_url(tenant.slug)
        )
