"""The ``rapport`` command: serve, worker, scheduler, migrate, dev, modules."""

from __future__ import annotations

import asyncio
import os
import sys
from typing import NoReturn

import click

from rapport.kernel.db import DatabaseUnreachable, check_database
from rapport.kernel.settings import Settings, SettingsError, load_settings

__all__ = ["main"]


def fail(message: str, code: int = 1) -> NoReturn:
    """Print one clear line (no traceback) and exit."""
    click.echo(f"rapport: {message}", err=True)
    sys.exit(code)


def settings_or_exit() -> Settings:
    try:
        return load_settings()
    except SettingsError as exc:
        fail(str(exc), code=2)


def database_or_exit(settings: Settings) -> None:
    try:
        asyncio.run(check_database(settings.dsn))
    except DatabaseUnreachable as exc:
        fail(str(exc))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="rapport-platform")
def main() -> None:
    """Rapport: one platform for sales, marketing and support."""


@main.command()
@click.option("--host", default=None, help="Interface to bind (default: RAPPORT_HOST).")
@click.option("--port", type=int, default=None, help="Port (default: RAPPORT_PORT).")
@click.option("--workers", type=int, default=1, show_default=True, help="Uvicorn worker processes.")
def serve(host: str | None, port: int | None, workers: int) -> None:
    """Serve the HTTP API and the web app."""
    import uvicorn

    if port is not None:  # the app builds its links (signup, SSO callbacks, emails) from the port it serves
        os.environ["RAPPORT_PORT"] = str(port)
    if host is not None:
        os.environ["RAPPORT_HOST"] = host
    settings = settings_or_exit()
    database_or_exit(settings)
    uvicorn.run(
        "rapport.app:app_from_environment",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        log_config=None,
        access_log=False,
        proxy_headers=True,
        lifespan="on",
    )


@main.command()
def worker() -> None:
    """Run the dramatiq worker (background jobs)."""
    settings = settings_or_exit()
    database_or_exit(settings)
    args = [
        sys.executable,
        "-m",
        "dramatiq",
        "rapport.worker",
        "--processes",
        str(settings.worker_processes),
        "--threads",
        str(settings.worker_threads),
    ]
    os.execv(sys.executable, args)  # noqa: S606 - the worker replaces this process


@main.command()
def scheduler() -> None:
    """Run the scheduler (one instance is active; others wait as standbys)."""
    from redis import Redis

    from rapport.kernel.jobs import configure_broker, import_actor_modules
    from rapport.kernel.logging import configure_logging
    from rapport.kernel.modules import load_modules
    from rapport.kernel.scheduler import Scheduler

    settings = settings_or_exit()
    configure_logging(settings)
    configure_broker(settings)
    loaded = load_modules(settings.disabled_modules)
    import_actor_modules(loaded)
    schedules = [schedule for module in loaded.modules for schedule in module.schedules]
    Scheduler(Redis.from_url(str(settings.redis_url)), schedules).run()


@main.command()
@click.option("--concurrency", type=click.IntRange(1, 64), default=None, help="Tenant schemas at once.")
def migrate(concurrency: int | None) -> None:
    """Apply migrations: control plane, tenant template, then every tenant schema in parallel."""
    from rapport.tenancy.commands import migrate_with_progress

    settings = settings_or_exit()
    database_or_exit(settings)
    if not asyncio.run(migrate_with_progress(settings, concurrency)):
        sys.exit(1)


def _register_tenant_commands() -> None:
    from rapport.events.commands import jobs, relay
    from rapport.identity.commands import keys
    from rapport.tenancy.commands import tenants

    main.add_command(tenants)
    main.add_command(keys)
    main.add_command(relay)
    main.add_command(jobs)


@main.command()
def modules() -> None:
    """List the modules found through the ``rapport.modules`` entry points."""
    from rapport.kernel.modules import load_modules

    loaded = load_modules()
    for module in loaded.modules:
        click.echo(f"ok      {module.name}")
    for name, reason in loaded.failures:
        click.echo(f"FAILED  {name}: {reason}")
    if loaded.failures:
        sys.exit(1)


@main.command()
def openapi() -> None:
    """Print the OpenAPI document (JSON) the web app's client is generated from."""
    from rapport.webapp.openapi import openapi_json

    click.echo(openapi_json(), nl=False)


@main.group()
def demo() -> None:
    """Demo data for development."""


@demo.command("seed")
def demo_seed() -> None:
    """Seed the demo tenant and its data (idempotent); print how to sign in."""
    from rapport.kernel.demo import seed_demo

    settings = settings_or_exit()
    database_or_exit(settings)
    for line in asyncio.run(seed_demo(settings)):
        click.secho(line, fg="green")


@main.command()
@click.option("--port", type=int, envvar="RAPPORT_PORT", default=8000, show_default=True)
def dev(port: int) -> None:
    """Everything on one machine: embedded PostgreSQL and Redis, API, worker and scheduler."""
    from rapport.kernel.devservices import ServiceError
    from rapport.kernel.supervisor import DevSupervisor

    try:
        sys.exit(DevSupervisor(port=port).run())
    except ServiceError as exc:
        fail(str(exc))


_register_tenant_commands()
