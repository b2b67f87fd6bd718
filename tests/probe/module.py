"""The probe module: ``/api/v1/probe-records`` over the permission-aware query layer."""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
from collections.abc import AsyncIterator
from typing import Annotated, Any

import asyncpg
from litestar import Controller, Request, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.response import Stream
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT
from piccolo.columns import UUID, BigSerial, Integer, Timestamptz, Varchar
from piccolo.table import Table
from rapport.identity import records
from rapport.identity.access import Access, requires_permission
from rapport.identity.audit import Actor
from rapport.identity.principal import Principal
from rapport.kernel.clients import client_ip
from rapport.kernel.errors import FieldError, ValidationFailed
from rapport.kernel.modules import Module
from rapport.kernel.objects import ObjectType
from rapport_tenants.context import TenantContext

__all__ = ["PROBE", "create_probe_table", "module"]


class ProbeRecord(Table, tablename="probe_records"):
    id = BigSerial(primary_key=True)
    name = Varchar(length=100)
    stage = Varchar(length=50, default="new")
    secret = Varchar(length=100, default="")
    amount = Integer(default=0)
    owner_id = UUID()
    due_at = Timestamptz(null=True, default=None)


PROBE = ObjectType(
    name="probe",
    label="probe record",
    table=ProbeRecord,
    fields={
        "name": "Name",
        "stage": "Stage",
        "secret": "Secret",
        "amount": "Amount",
        "owner_id": "Owner",
        "due_at": "Due",
    },
)
WRITABLE = {"name": str, "stage": str, "secret": str, "amount": int, "owner_id": str, "due_at": str}

DDL = """
CREATE TABLE IF NOT EXISTS "{schema}".probe_records (
    id bigserial PRIMARY KEY, name varchar(100) NOT NULL DEFAULT '', stage varchar(50) NOT NULL DEFAULT 'new',
    secret varchar(100) NOT NULL DEFAULT '', amount integer NOT NULL DEFAULT 0, owner_id uuid NOT NULL,
    due_at timestamptz
)
"""


async def create_probe_table(database_url: str, schema: str) -> None:
    connection = await asyncpg.connect(database_url)
    try:
        await connection.execute(DDL.format(schema=schema))
    finally:
        await connection.close()


def _values(data: dict[str, Any]) -> dict[str, Any]:
    errors = [
        FieldError(name, "unknown field" if name not in WRITABLE else f"must be {WRITABLE[name].__name__}")
        for name, value in data.items()
        if name not in WRITABLE or not isinstance(value, WRITABLE[name])
    ]
    if errors:
        raise ValidationFailed("The record is not valid.", errors=errors)
    if "owner_id" in data:
        data = {**data, "owner_id": uuid.UUID(data["owner_id"])}
    if "due_at" in data:
        data = {**data, "due_at": dt.datetime.fromisoformat(data["due_at"])}
    return data


class ProbeController(Controller):
    path = "/api/v1/probe-records"

    @get("/", guards=[requires_permission("probe", "read")])
    async def list_(
        self,
        tenant: NamedDependency[TenantContext],
        access: NamedDependency[Access],
        q: Annotated[str | None, QueryParameter(max_length=100)] = None,
        search_field: Annotated[str, QueryParameter(max_length=50)] = "name",
        cursor: FromQuery[int | None] = None,
    ) -> list[dict[str, Any]]:
        search = (search_field, q) if q else None
        return await records.list_records(tenant, access, PROBE, after=cursor, search=search)

    @get("/export", guards=[requires_permission("probe", "export")])
    async def export(self, tenant: NamedDependency[TenantContext], access: NamedDependency[Access]) -> Stream:
        columns = [column._meta.name for column in access.visible_columns(PROBE)]

        async def lines() -> AsyncIterator[str]:
            buffer = io.StringIO()
            writer = csv.DictWriter(buffer, columns)
            writer.writeheader()
            async for batch in records.iter_records(tenant, access, PROBE):
                writer.writerows(batch)
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()

        return Stream(lines(), media_type="text/csv")

    @get("/{record_id:int}", guards=[requires_permission("probe", "read")])
    async def one(
        self,
        tenant: NamedDependency[TenantContext],
        access: NamedDependency[Access],
        record_id: FromPath[int],
    ) -> dict[str, Any]:
        return await records.get_record(tenant, access, PROBE, record_id)

    @post("/", status_code=HTTP_201_CREATED, guards=[requires_permission("probe", "create")])
    async def create(
        self,
        request: Request[Any, Any, Any],
        tenant: NamedDependency[TenantContext],
        principal: NamedDependency[Principal],
        access: NamedDependency[Access],
        data: JSONBody[dict[str, Any]],
    ) -> dict[str, Any]:
        actor = Actor.of(principal, client_ip(request))
        return await records.create_record(tenant, access, actor, PROBE, _values(data))

    @patch("/{record_id:int}", guards=[requires_permission("probe", "update")])
    async def update(
        self,
        request: Request[Any, Any, Any],
        tenant: NamedDependency[TenantContext],
        principal: NamedDependency[Principal],
        access: NamedDependency[Access],
        record_id: FromPath[int],
        data: JSONBody[dict[str, Any]],
    ) -> dict[str, Any]:
        actor = Actor.of(principal, client_ip(request))
        return await records.update_record(tenant, access, actor, PROBE, record_id, _values(data))

    @delete(
        "/{record_id:int}", status_code=HTTP_204_NO_CONTENT, guards=[requires_permission("probe", "delete")]
    )
    async def remove(
        self,
        request: Request[Any, Any, Any],
        tenant: NamedDependency[TenantContext],
        principal: NamedDependency[Principal],
        access: NamedDependency[Access],
        record_id: FromPath[int],
    ) -> None:
        await records.delete_record(tenant, access, Actor.of(principal, client_ip(request)), PROBE, record_id)


module = Module(
    name="probe", route_handlers=[ProbeController], object_types=[PROBE], depends_on=("identity",)
)
