"""``rapport keys``: make a new encryption key; re-encrypt secrets at rest with the newest key."""

from __future__ import annotations

import asyncio
import uuid

import click

from rapport.kernel.keyring import KeyRing, generate_key
from rapport.kernel.settings import Settings

__all__ = ["keys", "rotate_secrets"]

BATCH = 500


async def rotate_secrets(settings: Settings) -> int:
    """Re-encrypt every TOTP seed with the first key of ``RAPPORT_ENCRYPTION_KEYS``; return how many."""
    from rapport.identity.tables import TotpCredential
    from rapport.kernel.db import create_engine, install_engine

    keyring = KeyRing.from_settings(settings)
    engine = create_engine(settings.dsn)
    install_engine(engine)
    await engine.start_connection_pool(min_size=1, max_size=2)
    rotated = 0
    after = uuid.UUID(int=0)
    try:
        while True:
            rows = await (
                TotpCredential.select(TotpCredential.id, TotpCredential.secret_encrypted)
                .where(TotpCredential.id > after)
                .order_by(TotpCredential.id)
                .limit(BATCH)
            )
            if not rows:
                return rotated
            # One set-based UPDATE per batch.
            await TotpCredential.raw(
                "UPDATE control.totp_credentials AS t SET secret_encrypted = v.secret "
                "FROM unnest({}::uuid[], {}::text[]) AS v(id, secret) WHERE t.id = v.id",
                [row["id"] for row in rows],
                [keyring.rotate(row["secret_encrypted"]) for row in rows],
            )
            rotated += len(rows)
            after = rows[-1]["id"]
    finally:
        await engine.close_connection_pool()


@click.group()
def keys() -> None:
    """Encryption keys for secrets at rest (RAPPORT_ENCRYPTION_KEYS)."""


@keys.command()
def generate() -> None:
    """Print a new key: put it first in RAPPORT_ENCRYPTION_KEYS, keep the old ones after it, then rotate."""
    click.echo(generate_key())


@keys.command()
def rotate() -> None:
    """Re-encrypt stored secrets with the newest key; afterwards the older keys can be removed."""
    from rapport.cli import database_or_exit, settings_or_exit
    from rapport.kernel.keyring import KeyRingError

    settings = settings_or_exit()
    database_or_exit(settings)
    try:
        count = asyncio.run(rotate_secrets(settings))
    except KeyRingError as exc:
        raise click.ClickException(f"{exc}: keep every key still in use in RAPPORT_ENCRYPTION_KEYS") from None
    click.echo(f"re-encrypted {count} secret(s) with the newest key")
