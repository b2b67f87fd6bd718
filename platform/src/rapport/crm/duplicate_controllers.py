"""``/api/v1/duplicate-pairs/{contact|company}``: the workspace's queue of likely duplicates."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from litestar.status_codes import HTTP_202_ACCEPTED, HTTP_204_NO_CONTENT
from rapport_tenants.context import TenantContext

from rapport.crm import duplicate_queue
from rapport.identity.access import Access
from rapport.identity.principal import Principal

__all__ = ["DuplicateQueueController"]


class DuplicateQueueController(Controller):
    path = "/api/v1/duplicate-pairs"
    tags = ["crm"]

    @get("/{object_type:str}", summary="Likely duplicate pairs, best first (pairs you may see both of)")
    async def queue(
        self,
        tenant: NamedDependency[TenantContext],
        access: NamedDependency[Access],
        object_type: FromPath[str],
        cursor: Annotated[str | None, QueryParameter(max_length=60, pattern=r"^[0-9.e+-]+:\d+$")] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
    ) -> dict[str, Any]:
        after = None
        if cursor is not None:
            score, pair_id = cursor.split(":")
            after = (float(score), int(pair_id))
        return await duplicate_queue.pair_page(tenant, access, object_type, after, limit)

    @post("/{object_type:str}/scan", status_code=HTTP_202_ACCEPTED, summary="Look for duplicates now (a job)")
    async def scan(
        self,
        tenant: NamedDependency[TenantContext],
        access: NamedDependency[Access],
        object_type: FromPath[str],
    ) -> dict[str, Any]:
        duplicate_queue.queue_scan(tenant, access, object_type)
        return {"object_type": object_type, "status": "queued"}

    @post(
        "/{object_type:str}/{pair_id:int}/dismiss",
        status_code=HTTP_204_NO_CONTENT,
        summary="Not duplicates: never suggest this pair again",
    )
    async def dismiss(
        self,
        tenant: NamedDependency[TenantContext],
        access: NamedDependency[Access],
        principal: NamedDependency[Principal],
        object_type: FromPath[str],
        pair_id: FromPath[int],
    ) -> None:
        await duplicate_queue.dismiss_pair(tenant, access, principal, object_type, pair_id)
