"""``rapport relay`` (the outbox relay) and ``rapport jobs failed|retry`` (the dead-letter queues)."""

from __future__ import annotations

import asyncio
import datetime as dt
import signal
from typing import Any

import click
import dramatiq
from redis import Redis

from rapport.kernel.jobs import NAMESPACE, TENANT_OPTION

__all__ = ["dead_letters", "jobs", "relay", "retry_dead_letters"]


@click.command()
def relay() -> None:
    """Publish committed domain events from every tenant's outbox to the job queue."""
    from rapport.cli import settings_or_exit
    from rapport.events.consumers import registered_consumers
    from rapport.events.relay import Relay
    from rapport.kernel.jobs import configure_broker
    from rapport.kernel.logging import configure_logging

    settings = settings_or_exit()
    configure_logging(settings)
    configure_broker(settings)
    import rapport.events.jobs  # noqa: F401 - declares events.consume on the broker

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        await Relay(settings, registered_consumers().values()).run(stop)

    asyncio.run(main())


def _redis() -> Redis:
    from rapport.cli import settings_or_exit

    return Redis.from_url(str(settings_or_exit().redis_url))


DeadLetter = tuple[str, bytes, dramatiq.Message[Any], float]


def dead_letters(redis: Redis) -> list[DeadLetter]:
    """Every dead-lettered job: (its queue's dead-letter key, its entry there, the message, when it died).

    The entry is the broker's per-enqueue ``redis_message_id``, not the message id (which retries keep).
    """
    found: list[DeadLetter] = []
    for key in redis.scan_iter(match=f"{NAMESPACE}:*.XQ", count=1000):
        name = key.decode()
        entries: list[tuple[bytes, float]] = redis.zrange(name, 0, -1, withscores=True)  # type: ignore[assignment]
        for message_id, score in entries:
            data: bytes | None = redis.hget(f"{name}.msgs", message_id)  # type: ignore[assignment]
            if data is not None:
                found.append((name, message_id, dramatiq.Message.decode(data), float(score)))
    return sorted(found, key=lambda item: item[3])


def retry_dead_letters(redis: Redis, message_ids: set[str] | None) -> int:
    """Put dead-lettered jobs (all, or those in ``message_ids``) back on their queues with fresh retries."""
    broker = dramatiq.get_broker()
    retried = 0
    for key, entry, message, _ in dead_letters(redis):
        if message_ids is not None and message.message_id not in message_ids:
            continue
        options: dict[str, Any] = {
            name: value
            for name, value in message.options.items()
            if name not in {"retries", "traceback", "redis_message_id"}
        }
        broker.enqueue(message.copy(options=options))
        redis.zrem(key, entry)
        redis.hdel(f"{key}.msgs", entry)
        retried += 1
    return retried


@click.group()
def jobs() -> None:
    """Background jobs: inspect and retry the ones that failed for good."""


@jobs.command("failed")
def jobs_failed() -> None:
    """List jobs that exhausted their retries (newest last)."""
    rows = dead_letters(_redis())
    if not rows:
        click.echo("no failed jobs")
        return
    for _, _, message, score in rows:
        tenant = message.options.get(TENANT_OPTION, {}).get("slug", "-")
        when = dt.datetime.fromtimestamp(score / 1000, dt.UTC).isoformat(timespec="seconds")
        error = (message.options.get("traceback") or "").strip().splitlines()[-1:] or ["(no traceback)"]
        click.echo(
            f"{message.message_id}  {when}  {message.actor_name}  tenant={tenant}  "
            f"retries={message.options.get('retries', 0)}  {error[0]}"
        )


@jobs.command("retry")
@click.argument("message_ids", nargs=-1)
@click.option("--all", "retry_all", is_flag=True, help="Retry every failed job.")
def jobs_retry(message_ids: tuple[str, ...], retry_all: bool) -> None:
    """Send failed jobs back to their queues (by message id, or --all)."""
    from rapport.cli import fail, settings_or_exit
    from rapport.kernel.jobs import configure_broker, import_actor_modules
    from rapport.kernel.modules import load_modules

    if not message_ids and not retry_all:
        fail("name message ids (from `rapport jobs failed`) or pass --all")
    settings = settings_or_exit()
    configure_broker(settings)
    import_actor_modules(load_modules(settings.disabled_modules))
    retried = retry_dead_letters(_redis(), None if retry_all else set(message_ids))
    click.echo(f"retried {retried} job{'s' if retried != 1 else ''}")
