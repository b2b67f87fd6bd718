"""Contact roles on deals and contacts' other companies (see ``roles``)."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, delete, get, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_204_NO_CONTENT
from rapport_tenants.context import TenantContext

from rapport.crm import roles
from rapport.identity.access import Access
from rapport.identity.audit import Actor
from rapport.identity.principal import Principal
from rapport.kernel.clients import client_ip

__all__ = ["RoleController"]


class RoleIn(msgspec.Struct, forbid_unknown_fields=True):
    role: Annotated[str, msgspec.Meta(max_length=100)]


class RoleController(Controller):
    path = "/api/v1"
    tags = ["crm"]

    @get("/deals/{record_id:int}/contacts", summary="The deal's contacts and their roles")
    async def deal_contacts(
        self,
        tenant: NamedDependency[TenantContext],
        access: NamedDependency[Access],
        record_id: FromPath[int],
    ) -> list[dict[str, Any]]:
        return await roles.related(tenant, access, "deal_contacts", record_id)

    @put("/deals/{record_id:int}/contacts/{other_id:int}", summary=f"Set a contact's role on the deal "
         f"({', '.join(roles.DEAL_ROLES)})")  # fmt: skip
    async def set_deal_contact(
        self, request: Request[Any, Any, Any], tenant: NamedDependency[TenantContext],
        principal: NamedDependency[Principal], access: NamedDependency[Access], record_id: FromPath[int],
        other_id: FromPath[int], data: JSONBody[RoleIn],
    ) -> dict[str, Any]:  # fmt: skip
        actor = Actor.of(principal, client_ip(request))
        return await roles.set_role(tenant, access, actor, "deal_contacts", record_id, other_id, data.role)

    @delete("/deals/{record_id:int}/contacts/{other_id:int}", status_code=HTTP_204_NO_CONTENT,
            summary="Take a contact off the deal")  # fmt: skip
    async def remove_deal_contact(
        self, request: Request[Any, Any, Any], tenant: NamedDependency[TenantContext],
        principal: NamedDependency[Principal], access: NamedDependency[Access], record_id: FromPath[int],
        other_id: FromPath[int],
    ) -> None:  # fmt: skip
        actor = Actor.of(principal, client_ip(request))
        await roles.remove_role(tenant, access, actor, "deal_contacts", record_id, other_id)

    @get("/contacts/{record_id:int}/companies", summary="The contact's other companies and roles")
    async def contact_companies(
        self,
        tenant: NamedDependency[TenantContext],
        access: NamedDependency[Access],
        record_id: FromPath[int],
    ) -> list[dict[str, Any]]:
        return await roles.related(tenant, access, "contact_companies", record_id)

    @put("/contacts/{record_id:int}/companies/{other_id:int}", summary="Relate the contact to a company")
    async def set_contact_company(
        self, request: Request[Any, Any, Any], tenant: NamedDependency[TenantContext],
        principal: NamedDependency[Principal], access: NamedDependency[Access], record_id: FromPath[int],
        other_id: FromPath[int], data: JSONBody[RoleIn],
    ) -> dict[str, Any]:  # fmt: skip
        actor = Actor.of(principal, client_ip(request))
        return await roles.set_role(
            tenant, access, actor, "contact_companies", record_id, other_id, data.role
        )

    @delete("/contacts/{record_id:int}/companies/{other_id:int}", status_code=HTTP_204_NO_CONTENT,
            summary="Remove a company relation of the contact")  # fmt: skip
    async def remove_contact_company(
        self, request: Request[Any, Any, Any], tenant: NamedDependency[TenantContext],
        principal: NamedDependency[Principal], access: NamedDependency[Access], record_id: FromPath[int],
        other_id: FromPath[int],
    ) -> None:  # fmt: skip
        actor = Actor.of(principal, client_ip(request))
        await roles.remove_role(tenant, access, actor, "contact_companies", record_id, other_id)

    @get("/companies/{record_id:int}/people", summary="Contacts related to the company by a role")
    async def company_people(
        self,
        tenant: NamedDependency[TenantContext],
        access: NamedDependency[Access],
        record_id: FromPath[int],
    ) -> list[dict[str, Any]]:
        return await roles.related(tenant, access, "contact_companies", record_id, reverse=True)
