"""Automation tests run the real pipeline: the API (in process), relay and worker processes."""

from tests.events.conftest import events_redis, processes  # noqa: F401 - fixtures
