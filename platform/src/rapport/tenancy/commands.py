"""``rapport migrate`` output and the ``rapport tenants`` commands (the operator's CLI)."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import sys
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from rapport.kernel.settings import Settings
from rapport.tenancy.operator_audit import audited_operator_action

if TYPE_CHECKING:
    from rapport_tenants.context import TenantContext

__all__ = ["migrate_with_progress", "tenants"]

T = TypeVar("T")


async def migrate_with_progress(settings: Settings, concurrency: int | None) -> bool:
    """Run every migration with a progress bar over tenant schemas; print a summary; True if none failed."""
    from rapport_tenants.fanout import Outcome, SchemaResult

    from rapport.kernel.migrations import run_migrations

    console = Console(file=sys.stderr)
    with Progress(
        TextColumn("tenant schemas"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=console, transient=True, disable=not console.is_terminal,
    ) as progress:  # fmt: skip
        task = progress.add_task("tenants", total=None)

        def on_total(total: int) -> None:
            progress.update(task, total=total)

        def on_result(result: SchemaResult) -> None:
            progress.advance(task)
            if result.outcome is Outcome.FAILED:
                console.print(f"[red]failed[/red] {result.slug} ({result.schema_name}): {result.error}")

        report = await run_migrations(settings, concurrency, on_result=on_result, on_total=on_total)
    summary = report.tenants
    click.echo(
        f"control plane: {len(report.control)} applied; template {report.template.fingerprint[:12]}; "
        f"tenants: {summary.count(Outcome.DONE)} done, {summary.count(Outcome.SKIPPED)} skipped, "
        f"{summary.count(Outcome.FAILED)} failed in {summary.seconds:.1f} s"
    )
    for failure in summary.failed:
        click.echo(f"FAILED  {failure.slug} ({failure.schema_name}): {failure.error}", err=True)
    return report.ok


def _settings() -> Settings:
    from rapport.cli import database_or_exit, settings_or_exit

    settings = settings_or_exit()
    database_or_exit(settings)
    return settings


def _run(settings: Settings, work: Callable[[], Awaitable[T]]) -> T:
    """Run ``work`` with the process engine installed and a small pool."""
    from rapport.kernel.db import create_engine, install_engine

    async def wrapped() -> T:
        engine = create_engine(settings.dsn)
        install_engine(engine)
        await engine.start_connection_pool(min_size=1, max_size=4)
        try:
            return await work()
        finally:
            await engine.close_connection_pool()

    return asyncio.run(wrapped())


async def _tenant_id(slug_or_id: str) -> uuid.UUID:
    from rapport_tenants.registry import tenant_by_id, tenant_by_slug

    try:
        found = await tenant_by_id(uuid.UUID(slug_or_id))
    except ValueError:
        found = await tenant_by_slug(slug_or_id)
    if found is None:
        raise click.ClickException(f"no tenant {slug_or_id!r}")
    return found.id


def _announce(settings: Settings, tenant_id: uuid.UUID) -> None:
    from rapport.tenancy.changes import announce_change_sync

    announce_change_sync(str(settings.redis_url), tenant_id)


async def _lifecycle(step: Awaitable[Any]) -> Any:
    from rapport_tenants.lifecycle import LifecycleError

    try:
        return await step
    except LifecycleError as exc:
        raise click.ClickException(str(exc)) from None


@click.group()
def tenants() -> None:
    """Operate tenants: list, suspend, resume, delete, purge, export, restore."""


@tenants.command("list")
@click.option("--status", type=click.Choice(["provisioning", "active", "suspended", "deleting"]))
def list_command(status: str | None) -> None:
    """List tenants, oldest first."""
    from rapport_tenants.registry import list_tenants

    settings = _settings()

    async def rows() -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = []
        after = None
        while True:
            page = await list_tenants(limit=500, after=after, status=status)
            result.extend(page)
            if len(page) < 500:
                return result
            after = (page[-1]["created_at"], page[-1]["id"])

    table = Table("slug", "status", "name", "host", "schema", "created")
    found = _run(settings, rows)
    for row in found:
        table.add_row(
            row["slug"], row["status"], row["display_name"], row["host"] or "", row["schema_name"],
            row["created_at"].strftime("%Y-%m-%d %H:%M"),
        )  # fmt: skip
    Console().print(table)
    click.echo(f"{len(found)} tenant(s)")


@tenants.command()
@click.argument("tenant")
@click.option("--reason", required=True, help="Shown to the tenant's users.")
def suspend(tenant: str, reason: str) -> None:
    """Suspend TENANT (slug or id): its users get 403 with the reason."""
    from rapport_tenants.lifecycle import suspend as do_suspend

    settings = _settings()

    async def work() -> uuid.UUID:
        tenant_id = await _tenant_id(tenant)
        changes = {"status": ("active", "suspended"), "reason": (None, reason)}
        await _lifecycle(
            audited_operator_action(
                tenant_id, "tenant.suspended", lambda: do_suspend(tenant_id, reason), changes, "cli"
            )
        )
        return tenant_id

    _announce(settings, _run(settings, work))
    click.echo(f"suspended {tenant}")


@tenants.command()
@click.argument("tenant")
def resume(tenant: str) -> None:
    """Resume TENANT, or cancel its deletion during the grace period."""
    from rapport_tenants.lifecycle import resume as do_resume

    settings = _settings()

    async def work() -> uuid.UUID:
        tenant_id = await _tenant_id(tenant)
        await _lifecycle(
            audited_operator_action(tenant_id, "tenant.resumed", lambda: do_resume(tenant_id), {}, "cli")
        )
        return tenant_id

    _announce(settings, _run(settings, work))
    click.echo(f"resumed {tenant}")


@tenants.command()
@click.argument("tenant")
@click.option("--grace-hours", type=float, default=None, help="Default: RAPPORT_TENANT_DELETE_GRACE_HOURS.")
def delete(tenant: str, grace_hours: float | None) -> None:
    """Mark TENANT for deletion; the purge job drops it after the grace period."""
    from rapport_tenants.lifecycle import mark_for_deletion

    settings = _settings()
    hours = settings.tenant_delete_grace_hours if grace_hours is None else grace_hours

    async def work() -> tuple[uuid.UUID, dt.datetime]:
        tenant_id = await _tenant_id(tenant)

        def step() -> Any:
            return mark_for_deletion(tenant_id, dt.timedelta(hours=hours))

        result: dt.datetime = await _lifecycle(
            audited_operator_action(tenant_id, "tenant.deletion_scheduled", step, {}, "cli")
        )
        return tenant_id, result

    tenant_id, when = _run(settings, work)
    _announce(settings, tenant_id)
    click.echo(f"{tenant} will be deleted after {when.isoformat(timespec='seconds')}")


@tenants.command()
def purge() -> None:
    """Drop now every tenant whose deletion grace period is over."""
    from rapport.tenancy.jobs import purge_now

    purged = asyncio.run(purge_now(_settings()))
    click.echo(f"purged {len(purged)} tenant(s){': ' + ', '.join(purged) if purged else ''}")


def _write_private(path: Path, data: bytes) -> None:
    """Write ``data`` readable by its owner only: an archive holds the tenant's data and password hashes."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)


@tenants.command()
@click.argument("tenant")
@click.option(
    "--output",
    "-o",
    required=True,
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="The archive to write (.tar.gz).",
)
def export(tenant: str, output: Path) -> None:
    """Export TENANT (slug or id): its schema and its control rows, as one .tar.gz archive."""
    from rapport_tenants.archive import TenantNotFound, export_tenant
    from rapport_tenants.pgtools import PgToolError

    settings = _settings()

    async def work() -> bytes:
        try:
            return await export_tenant(settings.dsn, await _tenant_id(tenant))
        except (TenantNotFound, PgToolError) as exc:
            raise click.ClickException(str(exc)) from None

    archive = _run(settings, work)
    try:
        _write_private(output, archive)
    except OSError as exc:
        raise click.ClickException(f"cannot write {output}: {exc.strerror}") from None
    click.echo(f"exported {tenant} to {output} ({len(archive):,} bytes)")


@tenants.command()
@click.argument("archive", metavar="FILE", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--slug", required=True, help="The new tenant's address.")
@click.option("--name", default=None, help="The new tenant's name; default: the exported tenant's.")
def restore(archive: Path, slug: str, name: str | None) -> None:
    """Restore an exported archive FILE as a new tenant at SLUG (new id, new schema)."""
    from rapport_tenants.archive import ArchiveError, restore_tenant

    data = archive.read_bytes()
    settings = _settings()

    async def work() -> TenantContext:
        try:
            return await restore_tenant(data, slug, name, settings.base_domain)
        except ArchiveError as exc:
            raise click.ClickException(str(exc)) from None

    restored = _run(settings, work)
    click.echo(f"restored {restored.slug} (id {restored.id}): {settings.tenant_url(restored.slug)}")
