"""The fan-out runner: bring every tenant schema to the newest migrations, in parallel, resumably.

Each schema migrates in its own transaction, so a run that stops half-way leaves every schema either
migrated or untouched; the next run skips the ones already current (one set-based query over the
ledger in ``control.tenant_migrations``) and does the rest. One tenant's failure is recorded and the
others go on.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from rapport_tenants.migrations import MigrationApp, migrate_schema
from rapport_tenants.tables import Tenant, TenantStatus

__all__ = ["FanOutSummary", "Outcome", "SchemaResult", "migrate_tenants", "schemas_needing_migration"]


class Outcome(StrEnum):
    DONE = "done"
    SKIPPED = "skipped"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class SchemaResult:
    schema_name: str
    slug: str
    outcome: Outcome
    applied: int = 0
    error: str | None = None


@dataclass
class FanOutSummary:
    results: list[SchemaResult] = field(default_factory=list)
    already_current: int = 0
    """Tenants the ledger showed current: skipped without opening their schema."""
    seconds: float = 0.0

    def count(self, outcome: Outcome) -> int:
        counted = sum(1 for result in self.results if result.outcome is outcome)
        return counted + (self.already_current if outcome is Outcome.SKIPPED else 0)

    @property
    def failed(self) -> list[SchemaResult]:
        return [result for result in self.results if result.outcome is Outcome.FAILED]


async def schemas_needing_migration(apps: Sequence[MigrationApp]) -> tuple[list[dict[str, str]], int]:
    """Tenants (not being deleted) whose ledger is behind an app's latest migration, and how many are not."""
    latest = {app.name: app.latest for app in apps if app.latest is not None}
    rows = await Tenant.raw(
        "SELECT t.slug, t.schema_name, "
        "  (SELECT count(*) FROM unnest({}::text[], {}::text[]) AS l(app, latest) "
        "   WHERE NOT EXISTS (SELECT 1 FROM control.tenant_migrations m WHERE m.schema_name = t.schema_name "
        "     AND m.app_name = l.app AND m.migration_id >= l.latest)) AS behind "
        "FROM control.tenants t WHERE t.status <> {} ORDER BY t.created_at, t.id",
        list(latest),
        list(latest.values()),
        TenantStatus.DELETING.value,
    )
    pending = [{"slug": row["slug"], "schema_name": row["schema_name"]} for row in rows if row["behind"]]
    return pending, len(rows) - len(pending)


async def migrate_tenants(
    apps: Sequence[MigrationApp],
    concurrency: int = 4,
    on_result: Callable[[SchemaResult], None] | None = None,
    on_total: Callable[[int], None] | None = None,
) -> FanOutSummary:
    """Migrate every tenant schema that is behind, ``concurrency`` at a time."""
    started = time.perf_counter()
    pending, current = await schemas_needing_migration(apps)
    summary = FanOutSummary(already_current=current)
    if on_total is not None:
        on_total(len(pending))
    gate = asyncio.Semaphore(max(1, concurrency))

    async def one(tenant: dict[str, str]) -> SchemaResult:
        async with gate:
            try:
                applied = await migrate_schema(tenant["schema_name"], apps)
            except Exception as exc:  # one tenant's failure must not stop the others
                result = SchemaResult(
                    tenant["schema_name"],
                    tenant["slug"],
                    Outcome.FAILED,
                    error=f"{type(exc).__name__}: {exc}",
                )
            else:
                outcome = Outcome.DONE if applied else Outcome.SKIPPED
                result = SchemaResult(tenant["schema_name"], tenant["slug"], outcome, applied=len(applied))
        if on_result is not None:
            on_result(result)
        return result

    summary.results.extend(await asyncio.gather(*(one(tenant) for tenant in pending)))
    summary.seconds = time.perf_counter() - started
    return summary
