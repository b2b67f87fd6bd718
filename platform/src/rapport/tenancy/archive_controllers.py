"""Operator API for tenant archives: download one tenant's export (bearer ``RAPPORT_OPERATOR_TOKEN``)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from litestar import Controller, Request, Response, get
from litestar.params import FromPath
from rapport_tenants.archive import TenantNotFound, export_tenant
from rapport_tenants.registry import tenant_by_id

from rapport.kernel.errors import NotFoundError
from rapport.kernel.routes import NO_TENANT
from rapport.kernel.settings import Settings
from rapport.tenancy.guards import requires_operator

__all__ = ["TenantArchiveController"]

ARCHIVE_MEDIA_TYPE = "application/gzip"


class TenantArchiveController(Controller):
    """Tenant exports for the platform operator; restoring is a CLI command (``rapport tenants restore``)."""

    path = "/api/v1/admin/tenants"
    tags = ["operator"]
    opt = NO_TENANT
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
