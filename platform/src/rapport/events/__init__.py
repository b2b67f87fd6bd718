"""Domain events: a transactional outbox per tenant, a relay to dramatiq, idempotent consumers."""
