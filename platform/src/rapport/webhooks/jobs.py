"""Webhook delivery: the job that sends one attempt of a delivery.

Deliveries are created by the events consumer (:mod:`rapport.webhooks.fanout`).

A job claims its delivery (one ``UPDATE … RETURNING``: two jobs never send the same attempt), posts it
outside any transaction, then records the attempt. Failures are retried on ``webhook_retry_seconds``
(about a day by default); an endpoint that fails ``webhook_disable_after_failures`` times in a row over at
least ``webhook_disable_after_hours`` is disabled, and the workspace's owners and admins are told.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import structlog
from rapport_tenants.context import TenantContext, tenant_transaction

from rapport.identity import audit
from rapport.identity.audit import SYSTEM
from rapport.kernel.jobs import tenant_actor
from rapport.kernel.keyring import KeyRing
from rapport.kernel.settings import Settings, load_settings
from rapport.webhooks.services import queue_delivery
from rapport.webhooks.transport import post, sign

__all__ = ["deliver"]

log = structlog.get_logger(__name__)


class DeliveryNotVisible(Exception):
    """The delivery's row is not committed yet (or was rolled back): retry shortly."""


_CLAIM = """
UPDATE webhook_deliveries d SET status = 'sending', attempts = attempts + 1, updated_at = now()
FROM webhook_endpoints e
WHERE d.id = $1 AND e.id = d.endpoint AND e.active
  AND (d.status IN ('pending', 'retrying') OR (d.status = 'sending' AND d.updated_at < now() - $2::interval))
RETURNING d.attempts, d.event_id, d.payload::text AS payload, e.id AS endpoint_id, e.url, e.secret_encrypted
"""


@tenant_actor(
    actor_name="webhooks.deliver",
    queue_name="webhooks",
    max_retries=8,
    min_backoff=200,
    max_backoff=5_000,
    retry_when=lambda retries, exc: isinstance(exc, DeliveryNotVisible) and retries < 8,
)
async def deliver(tenant: TenantContext, delivery_id: int) -> None:
    """Send one attempt of a delivery, record it, and schedule what comes next."""
    settings = load_settings()
    stale = dt.timedelta(seconds=settings.webhook_timeout_seconds * 3)
    async with tenant_transaction(tenant) as transaction:
        claimed = await transaction.connection.fetchrow(_CLAIM, delivery_id, stale)
        if claimed is None:
            exists = await transaction.connection.fetchval(
                "SELECT status FROM webhook_deliveries WHERE id = $1", delivery_id
            )
            if exists is None:
                raise DeliveryNotVisible(f"delivery {delivery_id} is not there (yet)")
            return  # already sent, being sent, finished, or its endpoint is off
    secret = KeyRing.from_settings(settings).decrypt(claimed["secret_encrypted"])
    body = claimed["payload"].encode()
    timestamp = int(time.time())
    message_id = str(claimed["event_id"])
    headers = {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, message_id, timestamp, body),
        "user-agent": "Rapport-Webhooks/1",
    }
    sent = await post(
        claimed["url"],
        body,
        headers,
        allowed=settings.webhook_allowed_networks,
        seconds=settings.webhook_timeout_seconds,
    )
    await _record(tenant, settings, delivery_id, claimed, sent)


async def _record(
    tenant: TenantContext, settings: Settings, delivery_id: int, claimed: Any, sent: Any
) -> None:
    attempt = claimed["attempts"]
    schedule = settings.webhook_retry_seconds
    async with tenant_transaction(tenant) as transaction:
        connection = transaction.connection
        await connection.execute(
            "INSERT INTO webhook_attempts (delivery, number, status_code, response_ms, error, attempted_at) "
            "VALUES ($1, $2, $3, $4, $5, now())",
            delivery_id, attempt, sent.status_code, sent.response_ms, sent.error,
        )  # fmt: skip
        if sent.ok:
            await connection.execute(
                "UPDATE webhook_deliveries SET status = 'succeeded', last_status_code = $2, "
                "next_attempt_at = NULL, updated_at = now() WHERE id = $1", delivery_id, sent.status_code,
            )  # fmt: skip
            await connection.execute(
                "UPDATE webhook_endpoints SET failure_streak = 0, first_failure_at = NULL WHERE id = $1",
                claimed["endpoint_id"],
            )
            return
        retry_in = schedule[attempt - 1] if attempt <= len(schedule) else None
        await connection.execute(
            "UPDATE webhook_deliveries SET status = $2, last_status_code = $3, next_attempt_at = $4, "
            "updated_at = now() WHERE id = $1",
            delivery_id,
            "retrying" if retry_in is not None else "failed",
            sent.status_code,
            dt.datetime.now(dt.UTC) + dt.timedelta(seconds=retry_in) if retry_in is not None else None,
        )
        disabled = await _count_failure(connection, settings, claimed["endpoint_id"])
    if retry_in is not None and not disabled:
        queue_delivery(tenant, delivery_id, delay_ms=int(retry_in * 1000))
    if disabled:
        await _tell_admins(tenant, settings, claimed["url"])


async def _count_failure(connection: Any, settings: Settings, endpoint_id: int) -> bool:
    """One more failure in a row for the endpoint; disable it past the limits. Whether it was disabled."""
    row = await connection.fetchrow(
        "UPDATE webhook_endpoints SET failure_streak = failure_streak + 1, "
        "first_failure_at = coalesce(first_failure_at, now()) WHERE id = $1 "
        "RETURNING failure_streak, now() - first_failure_at AS failing_for, active",
        endpoint_id,
    )
    failing_hours = row["failing_for"].total_seconds() / 3600
    if not row["active"] or row["failure_streak"] < settings.webhook_disable_after_failures:
        return False
    if failing_hours < settings.webhook_disable_after_hours:
        return False
    reason = f"disabled after {row['failure_streak']} failed deliveries in a row"
    await connection.execute(
        "UPDATE webhook_endpoints SET active = false, disabled_reason = $2, updated_at = now() WHERE id = $1",
        endpoint_id,
        reason,
    )
    await audit.record(
        SYSTEM,
        "webhook.disabled",
        "webhook",
        endpoint_id,
        {"active": (True, False), "reason": (None, reason)},
    )
    return True


async def _tell_admins(tenant: TenantContext, settings: Settings, url: str) -> None:
    from rapport.kernel.mail import send_mail

    async with tenant_transaction(tenant) as transaction:
        addresses = [
            row["email"]
            for row in await transaction.connection.fetch(
                "SELECT u.email FROM memberships m JOIN control.users u ON u.id = m.user_id "
                "WHERE m.active AND m.role IN ('owner', 'admin') ORDER BY u.email"
            )
        ]
    for address in addresses:
        await send_mail(
            settings, address, f"A webhook of {tenant.display_name or tenant.slug} was disabled",
            f"The webhook endpoint {url} failed every delivery for too long and has been disabled.\n"
            f"Fix the receiver, then turn it back on in the workspace's webhook settings:\n"
            f"{settings.tenant_url(tenant.slug)}settings/webhooks\n",
        )  # fmt: skip
    log.warning("webhook_disabled", tenant=tenant.slug, notified=len(addresses))
