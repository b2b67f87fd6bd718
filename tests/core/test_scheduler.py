"""The scheduler: one leader at a time, each due job sent once per minute."""

from __future__ import annotations

import importlib
from collections.abc import Iterator

import dramatiq
import pytest
from dramatiq.brokers.redis import RedisBroker
from rapport.kernel.jobs import configure_broker
from rapport.kernel.modules import Schedule, load_modules
from rapport.kernel.scheduler import LEADER_KEY, Scheduler
from rapport.kernel.settings import Settings
from redis import Redis


@pytest.fixture
def redis_client(settings: Settings) -> Iterator[Redis]:
    client = Redis.from_url(str(settings.redis_url))
    client.delete(LEADER_KEY)
    yield client
    client.delete(LEADER_KEY)
    client.close()


@pytest.fixture
def broker(settings: Settings) -> Iterator[RedisBroker]:
    broker = RedisBroker(url=str(settings.redis_url), namespace="rapport-test-scheduler")
    broker.flush_all()
    dramatiq.set_broker(broker)

    @dramatiq.actor(actor_name="test.every_minute", queue_name="test-scheduler", broker=broker)
    def every_minute() -> None: ...

    @dramatiq.actor(actor_name="test.every_five", queue_name="test-scheduler", broker=broker)
    def every_five() -> None: ...

    yield broker
    broker.flush_all()
    broker.close()


def test_only_one_leader(redis_client: Redis) -> None:
    first, second = Scheduler(redis_client, []), Scheduler(redis_client, [])
    assert first.is_leader()
    assert not second.is_leader()
    assert first.is_leader()  # renewing its own lease
    redis_client.delete(LEADER_KEY)  # the leader died and its lease ran out
    assert second.is_leader()
    assert not first.is_leader()


def test_tick_sends_due_jobs(redis_client: Redis, broker: RedisBroker) -> None:
    scheduler = Scheduler(
        redis_client, [Schedule("test.every_minute"), Schedule("test.every_five", every_minutes=5)]
    )
    assert scheduler.tick(minute=10) == ["test.every_minute", "test.every_five"]
    assert scheduler.tick(minute=11) == ["test.every_minute"]
    queued = redis_client.llen("rapport-test-scheduler:test-scheduler")
    assert queued == 3


def test_each_schedule_names_an_actor_of_its_module_at_the_promised_interval(settings: Settings) -> None:
    """A typo in a schedule would send messages no worker runs; the housekeeping intervals are promised in
    the ADRs (stopped imports every 10 minutes, read notifications pruned daily, exports hourly)."""
    configure_broker(settings)  # the actor modules declare their actors on it, with the tenant middleware
    every: dict[str, int] = {}
    for module in load_modules().modules:
        declared = {
            value.actor_name
            for path in module.actor_modules
            for value in vars(importlib.import_module(path)).values()
            if isinstance(value, dramatiq.Actor)
        }
        for schedule in module.schedules:
            assert schedule.actor_name in declared, (module.name, schedule.actor_name)
            every[schedule.actor_name] = schedule.every_minutes
    promised = {
        "crm.settle_stopped_imports": 10,
        "notifications.prune": 24 * 60,
        "notifications.remind": 1,
        "crm.expire_exports": 60,
        "crm.scan_all_duplicates": 24 * 60,
    }
    assert {name: every.get(name) for name in promised} == promised
