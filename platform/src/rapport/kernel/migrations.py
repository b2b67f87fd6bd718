"""``rapport migrate``: apply every module's Piccolo migrations (control plane first)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import structlog

from rapport.kernel.db import create_engine, install_engine
from rapport.kernel.modules import piccolo_app_paths

if TYPE_CHECKING:
    from rapport.kernel.settings import Settings

__all__ = ["MigrationFailed", "run_migrations"]

log = structlog.get_logger(__name__)


class MigrationFailed(Exception):
    """A migration did not apply; the message names it."""


async def run_migrations(settings: Settings) -> None:
    """Run Piccolo's forwards migrations for every app of every loaded module."""
    from piccolo.apps.migrations.commands.forwards import run_forwards

    install_engine(create_engine(settings.dsn))
    if not piccolo_app_paths():
        log.info("migrations_none")
        return
    result = await run_forwards(app_name="all")
    if not result.success:
        raise MigrationFailed(result.message or "a migration failed")
    log.info("migrations_applied")
