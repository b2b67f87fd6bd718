"""``/api/v1/imports``: upload a CSV or XLSX file, map its columns, run it as a job, read its report."""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_201_CREATED, HTTP_202_ACCEPTED
from rapport_tenants.context import TenantContext, tenant_transaction

from rapport.crm import custom_fields, imports
from rapport.crm.import_fields import IMPORTABLE, import_fields
from rapport.identity.access import Access
from rapport.identity.principal import Principal
from rapport.kernel.errors import FieldError, ValidationFailed

__all__ = ["ImportController"]


class StartIn(msgspec.Struct, forbid_unknown_fields=True):
    mapping: Annotated[dict[str, str | None], msgspec.Meta(max_length=200)]
    """File column → field name (``null`` or ``""``: not imported)."""
    on_match: str = "skip"
    fuzzy: bool = True


class FixedRow(msgspec.Struct, forbid_unknown_fields=True):
    cells: Annotated[dict[str, str], msgspec.Meta(max_length=200)]
    row: int | None = None
    """The row it fixes (for the client's own bookkeeping)."""


class RetryIn(msgspec.Struct, forbid_unknown_fields=True):
    rows: Annotated[list[FixedRow], msgspec.Meta(min_length=1, max_length=10_000)]


_MEDIA = {
    "text/csv",
    "application/csv",
    "text/plain",
    "application/octet-stream",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class ImportController(Controller):
    """Imports are their asker's: other members see none of them."""

    path = "/api/v1/imports"
    tags = ["crm"]

    @post(
        "/",
        status_code=HTTP_201_CREATED,
        request_max_body_size=imports.MAX_BYTES,
        summary="Upload a CSV or XLSX file (the request body): its columns, first rows and suggested mapping",
    )
    async def upload(
        self,
        request: Request[Any, Any, Any],
        tenant: NamedDependency[TenantContext],
        principal: NamedDependency[Principal],
        access: NamedDependency[Access],
        object_type: Annotated[str, QueryParameter(max_length=30)],
        filename: Annotated[str, QueryParameter(max_length=255)] = "upload.csv",
    ) -> dict[str, Any]:
        media = request.headers.get("content-type", "application/octet-stream").split(";")[0].strip().lower()
        if media not in _MEDIA:
            raise ValidationFailed(
                "Send the file itself as the body.",
                errors=[FieldError("file", "a CSV (text/csv) or XLSX file as the request body")],
            )
        handle, name = tempfile.mkstemp(prefix="rapport-import-")
        path, size = Path(name), 0
        try:
            with os.fdopen(handle, "wb") as out:
                async for chunk in request.stream():
                    size += len(chunk)
                    out.write(chunk)
            if size == 0:
                raise ValidationFailed("No file.", errors=[FieldError("file", "the body is empty")])
            return await imports.upload_import(tenant, access, principal, object_type, filename, path, size)
        finally:
            await asyncio.to_thread(path.unlink, missing_ok=True)

    @get("/fields", summary="The fields an import of a type can fill (custom fields included)")
    async def fields(
        self,
        tenant: NamedDependency[TenantContext],
        object_type: Annotated[str, QueryParameter(max_length=30)],
    ) -> list[dict[str, Any]]:
        if object_type not in IMPORTABLE:
            raise ValidationFailed(
                "This type cannot be imported.",
                errors=[FieldError("object_type", f"one of: {', '.join(IMPORTABLE)}")],
            )
        async with tenant_transaction(tenant):
            definitions = await custom_fields.field_definitions(object_type)
        return [{"name": f.name, "label": f.label} for f in import_fields(object_type, definitions).values()]

    @get("/", summary="Your imports, newest first")
    async def list(
        self,
        tenant: NamedDependency[TenantContext],
        principal: NamedDependency[Principal],
        cursor: Annotated[str | None, QueryParameter(max_length=20, pattern=r"^\d+$")] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=100)] = 20,
    ) -> dict[str, Any]:
        return await imports.list_imports(tenant, principal, int(cursor) if cursor else None, limit)

    @get("/{import_id:int}", summary="An import: mapping, phase, progress (percent, rows/s), counts")
    async def one(
        self,
        tenant: NamedDependency[TenantContext],
        principal: NamedDependency[Principal],
        import_id: FromPath[int],
    ) -> dict[str, Any]:
        return await imports.import_of(tenant, principal, import_id)

    @post(
        "/{import_id:int}/start", status_code=HTTP_202_ACCEPTED, summary="Map the columns and start the job"
    )
    async def start(
        self,
        tenant: NamedDependency[TenantContext],
        principal: NamedDependency[Principal],
        access: NamedDependency[Access],
        import_id: FromPath[int],
        data: JSONBody[StartIn],
    ) -> dict[str, Any]:
        return await imports.start_import(
            tenant, access, principal, import_id, data.mapping, data.on_match, data.fuzzy
        )

    @post(
        "/{import_id:int}/cancel", status_code=HTTP_202_ACCEPTED, summary="Stop an import (nothing is kept)"
    )
    async def cancel(
        self,
        tenant: NamedDependency[TenantContext],
        principal: NamedDependency[Principal],
        import_id: FromPath[int],
    ) -> dict[str, Any]:
        return await imports.cancel_import(tenant, principal, import_id)

    @get("/{import_id:int}/failures", summary="The rows not imported, with their cells and errors, by row")
    async def failures(
        self,
        tenant: NamedDependency[TenantContext],
        principal: NamedDependency[Principal],
        import_id: FromPath[int],
        cursor: Annotated[str | None, QueryParameter(max_length=20, pattern=r"^\d+$")] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
    ) -> dict[str, Any]:
        return await imports.failures_page(
            tenant, principal, import_id, int(cursor) if cursor else None, limit
        )

    @get(
        "/{import_id:int}/failures.csv", summary="The rows not imported as CSV (plus Row and Errors), to fix"
    )
    async def failures_csv(
        self,
        tenant: NamedDependency[TenantContext],
        principal: NamedDependency[Principal],
        import_id: FromPath[int],
    ) -> Response[bytes]:
        body = await imports.failures_csv(tenant, principal, import_id)
        return Response(
            body,
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="import-{import_id}-failures.csv"'},
        )

    @post("/{import_id:int}/retry", status_code=HTTP_202_ACCEPTED, summary="Import fixed rows (a new import)")
    async def retry(
        self,
        tenant: NamedDependency[TenantContext],
        principal: NamedDependency[Principal],
        access: NamedDependency[Access],
        import_id: FromPath[int],
        data: JSONBody[RetryIn],
    ) -> dict[str, Any]:
        rows = [{"row": entry.row, "cells": entry.cells} for entry in data.rows]
        return await imports.retry_import(tenant, access, principal, import_id, rows)
