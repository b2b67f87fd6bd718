"""Outbound webhooks: signed (Standard Webhooks), retried for a day, logged, disabled on sustained failure."""
