"""The scheduler: one active process (a Redis lock) sends each module's periodic jobs on time."""

from __future__ import annotations

import signal
import threading
import time
import uuid
from typing import TYPE_CHECKING

import dramatiq
import structlog
from redis import Redis

from rapport.kernel.redis import SCHEDULER_TICK_KEY

if TYPE_CHECKING:
    from rapport.kernel.modules import Schedule

__all__ = ["LEADER_KEY", "Scheduler"]

LEADER_KEY = "rapport:scheduler:leader"
LEASE_MS = 30_000
log = structlog.get_logger(__name__)

# Renew only if we still hold the lease; release only our own lease.
_IF_OURS = "if redis.call('get', KEYS[1]) == ARGV[1] then "
_RENEW = _IF_OURS + "return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0"
_RELEASE = _IF_OURS + "return redis.call('del', KEYS[1]) end return 0"


class Scheduler:
    """Ticks once a minute while it holds the leader lease; other instances wait as standbys."""

    def __init__(self, redis: Redis, schedules: list[Schedule], poll_seconds: float = 1.0) -> None:
        self.redis = redis
        self.schedules = schedules
        self.poll_seconds = poll_seconds
        self.identity = uuid.uuid4().hex
        self.stopping = threading.Event()
        self.last_minute: int | None = None

    def is_leader(self) -> bool:
        if self.redis.set(LEADER_KEY, self.identity, nx=True, px=LEASE_MS):
            log.info("scheduler_leader_acquired", identity=self.identity)
            return True
        return bool(self.redis.eval(_RENEW, 1, LEADER_KEY, self.identity, LEASE_MS))

    def tick(self, minute: int) -> list[str]:
        """Send every schedule due at ``minute`` (minutes since the epoch); return the actors sent."""
        broker = dramatiq.get_broker()
        sent = []
        for schedule in self.schedules:
            if minute % schedule.every_minutes == 0:
                broker.get_actor(schedule.actor_name).send()
                sent.append(schedule.actor_name)
        self.redis.set(SCHEDULER_TICK_KEY, str(time.time()))
        return sent

    def run(self) -> None:
        signal.signal(signal.SIGTERM, lambda *_: self.stopping.set())
        signal.signal(signal.SIGINT, lambda *_: self.stopping.set())
        log.info("scheduler_started", schedules=[s.actor_name for s in self.schedules])
        try:
            while not self.stopping.is_set():
                minute = int(time.time() // 60)
                if self.is_leader() and minute != self.last_minute:
                    self.last_minute = minute
                    self.tick(minute)
                self.stopping.wait(self.poll_seconds)
        finally:
            self.redis.eval(_RELEASE, 1, LEADER_KEY, self.identity)
            log.info("scheduler_stopped")
