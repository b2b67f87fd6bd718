"""``/api/v1/notifications``: the signed-in member's own notifications (list, unread count, mark read)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.status_codes import HTTP_200_OK
from rapport_tenants.context import TenantContext

from rapport.identity.audit import Actor
from rapport.identity.principal import Principal
from rapport.kernel.clients import client_ip
from rapport.notifications import services

__all__ = ["NotificationController"]


class NotificationOut(msgspec.Struct):
    id: int
    kind: str
    """``reminder`` (more kinds will come)."""
    title: str
    body: str
    record_type: str | None
    """Where opening it leads: ``contact``, ``company``, ``deal``, ``lead``, or ``activity`` (unlinked)."""
    record_id: int | None
    data: dict[str, Any]
    """Details of the kind; a reminder: ``activity_id``, ``activity_kind``, ``due_at``, ``reminder_at``."""
    created_at: dt.datetime
    read_at: dt.datetime | None


class NotificationPage(msgspec.Struct):
    items: list[NotificationOut]
    next_cursor: int | None


class UnreadCount(msgspec.Struct):
    count: int
    """Unread notifications, counted up to ``cap``."""
    cap: int


class Marked(msgspec.Struct):
    marked: int


class NotificationController(Controller):
    """Any signed-in member, for their own notifications only (another member's id answers 404)."""

    path = "/api/v1/notifications"
    tags = ["notifications"]

    @get("/", summary="Your notifications, newest first (keyset: pass next_cursor as cursor)")
    async def notifications(
        self,
        tenant: NamedDependency[TenantContext],
        principal: NamedDependency[Principal],
        unread: Annotated[bool, QueryParameter(description="only the unread ones")] = False,
        cursor: FromQuery[int | None] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=100)] = 20,
    ) -> NotificationPage:
        rows = await services.list_notifications(
            tenant, principal.user_id, unread_only=unread, before=cursor, limit=limit + 1
        )
        items = msgspec.convert(rows[:limit], list[NotificationOut])
        return NotificationPage(items, items[-1].id if len(rows) > limit else None)

    @get("/unread-count", summary="How many of your notifications are unread")
    async def unread_count(
        self, tenant: NamedDependency[TenantContext], principal: NamedDependency[Principal]
    ) -> UnreadCount:
        count = await services.unread_count(tenant, principal.user_id)
        return UnreadCount(count, services.UNREAD_COUNT_CAP)

    @post("/{notification_id:int}/read", status_code=HTTP_200_OK, summary="Mark one notification read")
    async def read(
        self,
        request: Request[Any, Any, Any],
        tenant: NamedDependency[TenantContext],
        principal: NamedDependency[Principal],
        notification_id: FromPath[int],
    ) -> NotificationOut:
        actor = Actor.of(principal, client_ip(request))
        return msgspec.convert(await services.mark_read(tenant, actor, notification_id), NotificationOut)

    @post("/read-all", status_code=HTTP_200_OK, summary="Mark all your notifications read")
    async def read_all(
        self,
        request: Request[Any, Any, Any],
        tenant: NamedDependency[TenantContext],
        principal: NamedDependency[Principal],
    ) -> Marked:
        return Marked(await services.mark_all_read(tenant, Actor.of(principal, client_ip(request))))
