"""``/api/v1/webhooks``: endpoints, secrets, the delivery log, redelivery and test sends (owners, admins)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.status_codes import HTTP_201_CREATED, HTTP_202_ACCEPTED, HTTP_204_NO_CONTENT
from rapport_tenants.context import TenantContext

from rapport.identity.audit import Actor
from rapport.identity.guards import requires_role
from rapport.identity.principal import Principal
from rapport.identity.tables import Role
from rapport.kernel.clients import client_ip
from rapport.webhooks import services

__all__ = ["WebhookController"]

Url = Annotated[str, msgspec.Meta(min_length=8, max_length=2000)]
EventTypes = Annotated[
    list[Annotated[str, msgspec.Meta(min_length=1, max_length=100)]],
    msgspec.Meta(min_length=1, max_length=50),
]


class EndpointIn(msgspec.Struct, forbid_unknown_fields=True):
    url: Url
    event_types: EventTypes
    description: Annotated[str, msgspec.Meta(max_length=200)] = ""
    active: bool = True


class EndpointUpdate(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    url: Url | msgspec.UnsetType = msgspec.UNSET
    event_types: EventTypes | msgspec.UnsetType = msgspec.UNSET
    description: Annotated[str, msgspec.Meta(max_length=200)] | msgspec.UnsetType = msgspec.UNSET
    active: bool | msgspec.UnsetType = msgspec.UNSET


class EndpointOut(msgspec.Struct):
    id: int
    url: str
    description: str
    event_types: list[str]
    active: bool
    disabled_reason: str | None
    failure_streak: int
    created_at: dt.datetime
    updated_at: dt.datetime


class EndpointCreated(msgspec.Struct):
    webhook: EndpointOut
    secret: str
    """The signing secret (whsec_…): shown only now."""


class Secret(msgspec.Struct):
    secret: str


class DeliveryOut(msgspec.Struct):
    id: int
    event_id: uuid.UUID
    event_name: str
    status: str
    attempts: int
    last_status_code: int | None
    next_attempt_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime


class DeliveryPage(msgspec.Struct):
    items: list[DeliveryOut]
    next_cursor: int | None


class AttemptOut(msgspec.Struct):
    number: int
    status_code: int | None
    response_ms: int | None
    error: str | None
    attempted_at: dt.datetime


class Queued(msgspec.Struct):
    delivery_id: int


def _actor(request: Request[Any, Any, Any], principal: Principal) -> Actor:
    return Actor.of(principal, client_ip(request))


class WebhookController(Controller):
    path = "/api/v1/webhooks"
    tags = ["webhooks"]
    guards = [requires_role(Role.OWNER, Role.ADMIN)]

    @get("/", summary="Webhook endpoints (secrets never shown)")
    async def endpoints(self, tenant: NamedDependency[TenantContext]) -> list[EndpointOut]:
        return msgspec.convert(await services.list_endpoints(tenant), list[EndpointOut])

    @post("/", status_code=HTTP_201_CREATED, summary="Add an endpoint; its signing secret is shown once")
    async def create(
        self,
        request: Request[Any, Any, Any],
        tenant: NamedDependency[TenantContext],
        principal: NamedDependency[Principal],
        data: JSONBody[EndpointIn],
    ) -> EndpointCreated:
        endpoint, secret = await services.create_endpoint(
            tenant, request.app.state.settings, request.app.state.keyring, _actor(request, principal),
            msgspec.structs.asdict(data),
        )  # fmt: skip
        return EndpointCreated(msgspec.convert(endpoint, EndpointOut), secret)

    @patch("/{endpoint_id:int}", summary="Change an endpoint (turning it on again clears its failures)")
    async def update(
        self,
        request: Request[Any, Any, Any],
        tenant: NamedDependency[TenantContext],
        principal: NamedDependency[Principal],
        endpoint_id: FromPath[int],
        data: JSONBody[EndpointUpdate],
    ) -> EndpointOut:
        changes = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET}
        endpoint = await services.update_endpoint(
            tenant, request.app.state.settings, _actor(request, principal), endpoint_id, changes
        )
        return msgspec.convert(endpoint, EndpointOut)

    @post("/{endpoint_id:int}/rotate-secret", summary="A new signing secret (shown once); the old one stops")
    async def rotate(
        self,
        request: Request[Any, Any, Any],
        tenant: NamedDependency[TenantContext],
        principal: NamedDependency[Principal],
        endpoint_id: FromPath[int],
    ) -> Secret:
        keyring = request.app.state.keyring
        return Secret(await services.rotate_secret(tenant, keyring, _actor(request, principal), endpoint_id))

    @delete("/{endpoint_id:int}", status_code=HTTP_204_NO_CONTENT, summary="Remove an endpoint and its log")
    async def remove(
        self,
        request: Request[Any, Any, Any],
        tenant: NamedDependency[TenantContext],
        principal: NamedDependency[Principal],
        endpoint_id: FromPath[int],
    ) -> None:
        await services.delete_endpoint(tenant, _actor(request, principal), endpoint_id)

    @get(
        "/{endpoint_id:int}/deliveries",
        summary="Deliveries, newest first (keyset: pass next_cursor as cursor)",
    )
    async def deliveries(
        self,
        tenant: NamedDependency[TenantContext],
        endpoint_id: FromPath[int],
        cursor: FromQuery[int | None] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
    ) -> DeliveryPage:
        rows = await services.list_deliveries(tenant, endpoint_id, cursor, limit + 1)
        items = msgspec.convert(rows[:limit], list[DeliveryOut])
        return DeliveryPage(items, items[-1].id if len(rows) > limit else None)

    @get("/{endpoint_id:int}/deliveries/{delivery_id:int}/attempts", summary="Every attempt of a delivery")
    async def attempts(
        self, tenant: NamedDependency[TenantContext], endpoint_id: FromPath[int], delivery_id: FromPath[int]
    ) -> list[AttemptOut]:
        return msgspec.convert(
            await services.list_attempts(tenant, endpoint_id, delivery_id), list[AttemptOut]
        )

    @post(
        "/{endpoint_id:int}/deliveries/{delivery_id:int}/redeliver", status_code=HTTP_202_ACCEPTED,
        summary="Send a delivery again now",
    )  # fmt: skip
    async def redeliver(
        self,
        request: Request[Any, Any, Any],
        tenant: NamedDependency[TenantContext],
        principal: NamedDependency[Principal],
        endpoint_id: FromPath[int],
        delivery_id: FromPath[int],
    ) -> Queued:
        await services.redeliver(tenant, _actor(request, principal), endpoint_id, delivery_id)
        return Queued(delivery_id)

    @post("/{endpoint_id:int}/test", status_code=HTTP_202_ACCEPTED, summary="Send a webhook.test event")
    async def test(
        self,
        request: Request[Any, Any, Any],
        tenant: NamedDependency[TenantContext],
        principal: NamedDependency[Principal],
        endpoint_id: FromPath[int],
    ) -> Queued:
        return Queued(await services.send_test(tenant, _actor(request, principal), endpoint_id))
