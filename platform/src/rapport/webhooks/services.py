"""Webhook endpoints for owners and admins, their delivery log, redelivery and test sends."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from rapport_tenants.context import TenantContext, tenant_transaction

from rapport.identity import audit
from rapport.identity.audit import Actor
from rapport.kernel.errors import FieldError, NotFoundError, ValidationFailed
from rapport.kernel.keyring import KeyRing
from rapport.kernel.settings import Environment, Settings
from rapport.webhooks.tables import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from rapport.webhooks.transport import Refused, new_secret, resolve_checked, target_problem

__all__ = [
    "create_endpoint",
    "delete_endpoint",
    "list_attempts",
    "list_deliveries",
    "list_endpoints",
    "payload_of",
    "queue_delivery",
    "redeliver",
    "rotate_secret",
    "send_test",
    "update_endpoint",
]

_PUBLIC = (
    WebhookEndpoint.id, WebhookEndpoint.url, WebhookEndpoint.description, WebhookEndpoint.event_types,
    WebhookEndpoint.active, WebhookEndpoint.disabled_reason, WebhookEndpoint.failure_streak,
    WebhookEndpoint.created_at, WebhookEndpoint.updated_at,
)  # fmt: skip


def _out(row: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(row)
    if isinstance(out.get("event_types"), str):
        out["event_types"] = json.loads(out["event_types"])
    return out


async def _check_url(settings: Settings, url: str) -> None:
    """Refuse a target on its face or by where it resolves now (delivery checks again every time)."""
    from urllib.parse import urlsplit

    problem = target_problem(url, require_https=settings.env is Environment.PRODUCTION)
    if problem is None:
        parts = urlsplit(url)
        try:
            await resolve_checked(parts.hostname or "", parts.port or 443, settings.webhook_allowed_networks)
        except Refused as exc:
            problem = str(exc)
    if problem:
        raise ValidationFailed("The webhook URL cannot be used.", errors=[FieldError("url", problem)])


def _check_types(event_types: Sequence[str]) -> None:
    if not event_types or any(not 1 <= len(name) <= 100 for name in event_types):
        raise ValidationFailed(
            "The webhook is not valid.",
            errors=[FieldError("event_types", "1 to 50 event names or patterns such as contact.* or *")],
        )


async def list_endpoints(tenant: TenantContext) -> list[dict[str, Any]]:
    async with tenant_transaction(tenant):
        return [_out(row) for row in await WebhookEndpoint.select(*_PUBLIC).order_by(WebhookEndpoint.id)]


async def _endpoint(endpoint_id: int) -> dict[str, Any]:
    row = await WebhookEndpoint.select(*_PUBLIC).where(WebhookEndpoint.id == endpoint_id).first()
    if row is None:
        raise NotFoundError(f"No webhook {endpoint_id}.")
    return _out(row)


async def create_endpoint(
    tenant: TenantContext, settings: Settings, keyring: KeyRing, actor: Actor, data: Mapping[str, Any]
) -> tuple[dict[str, Any], str]:
    """Create an endpoint; returns it and its signing secret (shown this once)."""
    await _check_url(settings, data["url"])
    _check_types(data["event_types"])
    secret = new_secret()
    async with tenant_transaction(tenant):
        inserted = await WebhookEndpoint.insert(
            WebhookEndpoint(
                url=data["url"], description=data.get("description", ""),
                event_types=json.dumps(data["event_types"]), secret_encrypted=keyring.encrypt(secret),
                active=data.get("active", True), created_by=actor.user_id,
            )
        ).returning(WebhookEndpoint.id)  # fmt: skip
        endpoint_id = inserted[0]["id"]
        await audit.record(
            actor, "webhook.created", "webhook", endpoint_id,
            {"url": (None, data["url"]), "event_types": (None, data["event_types"])},
        )  # fmt: skip
        return await _endpoint(endpoint_id), secret


async def update_endpoint(
    tenant: TenantContext, settings: Settings, actor: Actor, endpoint_id: int, changes: Mapping[str, Any]
) -> dict[str, Any]:
    if "url" in changes:
        await _check_url(settings, changes["url"])
    if "event_types" in changes:
        _check_types(changes["event_types"])
    async with tenant_transaction(tenant):
        before = await _endpoint(endpoint_id)
        values: dict[Any, Any] = {}
        for name in ("url", "description", "event_types", "active"):
            if name in changes and changes[name] != before[name]:
                value = json.dumps(changes[name]) if name == "event_types" else changes[name]
                values[getattr(WebhookEndpoint, name)] = value
        if changes.get("active"):  # turning an endpoint back on gives it a clean slate
            values |= {WebhookEndpoint.disabled_reason: None, WebhookEndpoint.failure_streak: 0,
                       WebhookEndpoint.first_failure_at: None}  # fmt: skip
        if values:
            values[WebhookEndpoint.updated_at] = dt.datetime.now(dt.UTC)
            await WebhookEndpoint.update(values).where(WebhookEndpoint.id == endpoint_id)
            diff = {
                name: (before[name], changes[name]) for name in changes if changes[name] != before.get(name)
            }
            await audit.record(actor, "webhook.updated", "webhook", endpoint_id, diff)
        return await _endpoint(endpoint_id)


async def rotate_secret(tenant: TenantContext, keyring: KeyRing, actor: Actor, endpoint_id: int) -> str:
    secret = new_secret()
    async with tenant_transaction(tenant):
        await _endpoint(endpoint_id)
        await WebhookEndpoint.update(
            {
                WebhookEndpoint.secret_encrypted: keyring.encrypt(secret),
                WebhookEndpoint.updated_at: dt.datetime.now(dt.UTC),
            }
        ).where(WebhookEndpoint.id == endpoint_id)
        await audit.record(actor, "webhook.secret_rotated", "webhook", endpoint_id, {})
    return secret


async def delete_endpoint(tenant: TenantContext, actor: Actor, endpoint_id: int) -> None:
    async with tenant_transaction(tenant):
        before = await _endpoint(endpoint_id)
        await WebhookEndpoint.delete().where(WebhookEndpoint.id == endpoint_id)
        await audit.record(actor, "webhook.deleted", "webhook", endpoint_id, {"url": (before["url"], None)})


async def list_deliveries(
    tenant: TenantContext, endpoint_id: int, before: int | None, limit: int
) -> list[dict[str, Any]]:
    """The endpoint's deliveries, newest first (keyset on the id)."""
    query = (
        WebhookDelivery.select(
            WebhookDelivery.id, WebhookDelivery.event_id, WebhookDelivery.event_name, WebhookDelivery.status,
            WebhookDelivery.attempts, WebhookDelivery.last_status_code, WebhookDelivery.next_attempt_at,
            WebhookDelivery.created_at, WebhookDelivery.updated_at,
        )
        .where(WebhookDelivery.endpoint == endpoint_id)
        .order_by(WebhookDelivery.id, ascending=False)
        .limit(limit)
    )  # fmt: skip
    if before is not None:
        query = query.where(WebhookDelivery.id < before)
    async with tenant_transaction(tenant):
        await _endpoint(endpoint_id)
        return list(await query)


async def list_attempts(tenant: TenantContext, endpoint_id: int, delivery_id: int) -> list[dict[str, Any]]:
    async with tenant_transaction(tenant):
        await _delivery(endpoint_id, delivery_id)
        return list(
            await WebhookAttempt.select(
                WebhookAttempt.number, WebhookAttempt.status_code, WebhookAttempt.response_ms,
                WebhookAttempt.error, WebhookAttempt.attempted_at,
            ).where(WebhookAttempt.delivery == delivery_id).order_by(WebhookAttempt.number)
        )  # fmt: skip


async def _delivery(endpoint_id: int, delivery_id: int) -> dict[str, Any]:
    row = (
        await WebhookDelivery.select(WebhookDelivery.id)
        .where((WebhookDelivery.id == delivery_id) & (WebhookDelivery.endpoint == endpoint_id))
        .first()
    )
    if row is None:
        raise NotFoundError(f"No delivery {delivery_id} of webhook {endpoint_id}.")
    return dict(row)


def queue_delivery(tenant: TenantContext, delivery_id: int, delay_ms: int = 0) -> None:
    """Send the ``webhooks.deliver`` job for a delivery of ``tenant`` (after ``delay_ms``)."""
    from rapport.kernel.jobs import TENANT_OPTION
    from rapport.webhooks.jobs import deliver

    options: dict[str, Any] = {TENANT_OPTION: tenant.as_message()}
    deliver.send_with_options(args=(delivery_id,), delay=delay_ms or None, **options)


async def redeliver(tenant: TenantContext, actor: Actor, endpoint_id: int, delivery_id: int) -> None:
    """Send a delivery again now, whatever its state (its attempts continue to count up)."""
    async with tenant_transaction(tenant):
        await _delivery(endpoint_id, delivery_id)
        await WebhookDelivery.update(
            {WebhookDelivery.status: "pending", WebhookDelivery.next_attempt_at: dt.datetime.now(dt.UTC)}
        ).where(WebhookDelivery.id == delivery_id)
        await audit.record(actor, "webhook.redelivered", "webhook_delivery", delivery_id, {})
    queue_delivery(tenant, delivery_id)


def payload_of(
    name: str, event_id: uuid.UUID, occurred_at: dt.datetime, data: Mapping[str, Any]
) -> dict[str, Any]:
    return {"type": name, "id": str(event_id), "timestamp": occurred_at.isoformat(), "data": dict(data)}


async def send_test(tenant: TenantContext, actor: Actor, endpoint_id: int) -> int:
    """Queue a ``webhook.test`` delivery to this endpoint; returns the delivery id."""
    event_id = uuid.uuid4()
    payload = payload_of(
        "webhook.test", event_id, dt.datetime.now(dt.UTC), {"message": "a test from Rapport"}
    )
    async with tenant_transaction(tenant):
        await _endpoint(endpoint_id)
        inserted = await WebhookDelivery.insert(
            WebhookDelivery(
                endpoint=endpoint_id,
                event_id=event_id,
                event_name="webhook.test",
                payload=json.dumps(payload),
            )
        ).returning(WebhookDelivery.id)
        await audit.record(actor, "webhook.tested", "webhook", endpoint_id, {})
    delivery_id = int(inserted[0]["id"])
    queue_delivery(tenant, delivery_id)
    return delivery_id
