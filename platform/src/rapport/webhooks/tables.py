"""Webhook tables (every tenant schema): endpoints, deliveries (one per endpoint and event), attempts."""

from __future__ import annotations

from piccolo.columns import (
    JSONB,
    UUID,
    BigSerial,
    Boolean,
    ForeignKey,
    Integer,
    OnDelete,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.constraints import Unique
from piccolo.table import Table

__all__ = ["WebhookAttempt", "WebhookDelivery", "WebhookEndpoint"]


class WebhookEndpoint(Table, tablename="webhook_endpoints"):
    id = BigSerial(primary_key=True)
    url = Varchar(length=2000)
    description = Varchar(length=200, default="")
    event_types = JSONB(default=["*"])
    """Event names or patterns (``contact.*``, ``*``)."""
    secret_encrypted = Varchar(length=500, secret=True)
    active = Boolean(default=True)
    disabled_reason = Varchar(length=300, null=True, default=None)
    failure_streak = Integer(default=0)
    first_failure_at = Timestamptz(null=True, default=None)
    created_by = UUID(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class WebhookDelivery(Table, tablename="webhook_deliveries"):
    """One event for one endpoint; ``webhook-id`` is the event id, the same on every attempt."""

    id = BigSerial(primary_key=True)
    endpoint = ForeignKey(references=WebhookEndpoint, on_delete=OnDelete.cascade, null=False)
    event_id = UUID()
    event_name = Varchar(length=100)
    payload = JSONB(default={})
    status = Varchar(length=12, default="pending")
    """``pending``, ``retrying``, ``succeeded`` or ``failed``."""
    attempts = Integer(default=0)
    last_status_code = Integer(null=True, default=None)
    next_attempt_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())

    unique_endpoint_event = Unique([endpoint, event_id])


class WebhookAttempt(Table, tablename="webhook_attempts"):
    id = BigSerial(primary_key=True)
    delivery = ForeignKey(references=WebhookDelivery, on_delete=OnDelete.cascade, null=False)
    number = Integer()
    status_code = Integer(null=True, default=None)
    response_ms = Integer(null=True, default=None)
    error = Varchar(length=500, null=True, default=None)
    attempted_at = Timestamptz(default=TimestamptzNow())
