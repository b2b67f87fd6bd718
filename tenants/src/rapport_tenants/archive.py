"""Tenant archives: export one tenant's schema and control rows, restore them as a new tenant.

An archive is a gzip'd tar of three files: ``manifest.json`` (format version, source tenant),
``schema.sql`` (``pg_dump`` of the tenant schema in plain format, DDL and data) and ``control.json``
(the tenant's rows in ``control``: tenant, domains, migration ledger, and the users its memberships name).
Restoring replays the dump under a new schema name inside one transaction, next to a new tenant row:
either the whole tenant appears or nothing does. An archive holds password hashes: keep it secret.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import json
import re
import tarfile
import uuid
from dataclasses import dataclass
from typing import Any

import asyncpg
import msgspec

from rapport_tenants.context import TenantContext, process_engine, tenant_transaction
from rapport_tenants.dumpfile import DumpFormatError, replay_dump
from rapport_tenants.names import check_schema_name, schema_name_for, slug_problem
from rapport_tenants.pgtools import run_pg_tool
from rapport_tenants.registry import tenant_by_id
from rapport_tenants.tables import Tenant, TenantStatus

__all__ = ["ARCHIVE_VERSION", "ArchiveError", "TenantNotFound", "export_tenant", "restore_tenant"]

ARCHIVE_VERSION = 1
MANIFEST, SCHEMA_SQL, CONTROL_JSON = "manifest.json", "schema.sql", "control.json"

_DUMPED_BY = re.compile(rb"^-- Dumped by pg_dump version (.+)$", re.MULTILINE)


class ArchiveError(ValueError):
    """The archive cannot be restored (corrupt, another format, bad or taken slug); nothing was changed."""


class TenantNotFound(LookupError):
    """There is no tenant with this id."""


class _Source(msgspec.Struct):
    tenant_id: uuid.UUID
    slug: str
    schema_name: str


class _Manifest(msgspec.Struct):
    version: int
    exported_at: str
    source: _Source
    pg_dump_version: str


class _Version(msgspec.Struct):
    version: int


class _ExportedTenant(msgspec.Struct):
    id: uuid.UUID
    display_name: str


class _ExportedMigration(msgspec.Struct):
    app_name: str
    migration_id: str
    applied_at: str


class _ExportedUser(msgspec.Struct):
    id: uuid.UUID
    email: str


class _Control(msgspec.Struct):
    tenant: _ExportedTenant
    domains: list[dict[str, Any]]
    tenant_migrations: list[dict[str, Any]]
    users: list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class _Contents:
    manifest: _Manifest
    dump: bytes
    control: _Control


# Export


def _dump_schema(dsn: str, schema_name: str) -> bytes:
    # UTF8 whatever the database's encoding: the restore sends the COPY rows over an asyncpg connection.
    args = ["--no-owner", "--no-privileges", "--encoding=UTF8", f"--schema={check_schema_name(schema_name)}"]
    return run_pg_tool("pg_dump", dsn, args)


async def _json_rows(connection: asyncpg.Connection, sql: str, *args: Any) -> list[dict[str, Any]]:
    """Rows as PostgreSQL renders them with ``to_jsonb`` (``sql`` selects one jsonb array)."""
    text: str = await connection.fetchval(sql, *args)
    rows: list[dict[str, Any]] = json.loads(text)
    return rows


async def _control_rows(tenant: TenantContext) -> dict[str, Any]:
    async with tenant_transaction(tenant) as transaction:
        connection = transaction.connection
        user_ids = [row["user_id"] for row in await connection.fetch("SELECT user_id FROM memberships")]
        tenants = await _json_rows(
            connection,
            "SELECT coalesce(jsonb_agg(to_jsonb(t)), '[]') FROM control.tenants t WHERE t.id = $1",
            tenant.id,
        )
        domains = await _json_rows(
            connection,
            "SELECT coalesce(jsonb_agg(to_jsonb(d) ORDER BY d.created_at, d.id), '[]') "
            "FROM control.domains d WHERE d.tenant_id = $1",
            tenant.id,
        )
        migrations = await _json_rows(
            connection,
            "SELECT coalesce(jsonb_agg(to_jsonb(m) ORDER BY m.app_name), '[]') "
            "FROM control.tenant_migrations m WHERE m.schema_name = $1",
            tenant.schema_name,
        )
        users = await _json_rows(
            connection,
            "SELECT coalesce(jsonb_agg(to_jsonb(u) ORDER BY u.email), '[]') "
            "FROM control.users u WHERE u.id = ANY($1::uuid[])",
            user_ids,
        )
    if not tenants:
        raise TenantNotFound(f"no tenant {tenant.id}")
    return {"tenant": tenants[0], "domains": domains, "tenant_migrations": migrations, "users": users}


def _pack(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    mtime = int(dt.datetime.now(dt.UTC).timestamp())
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = mtime
            info.mode = 0o600
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _to_json(value: object) -> bytes:
    return json.dumps(value, indent=2, default=str).encode()


async def export_tenant(dsn: str, tenant_id: uuid.UUID) -> bytes:
    """A gzip'd tar archive of one tenant: its schema (``pg_dump``) and its rows in ``control``.

    Raises :class:`TenantNotFound` for an unknown id, and ``PgToolError`` if pg_dump fails.
    """
    tenant = await tenant_by_id(tenant_id)
    if tenant is None:
        raise TenantNotFound(f"no tenant {tenant_id}")
    dump = await asyncio.to_thread(_dump_schema, dsn, tenant.schema_name)
    # After the dump: a membership added meanwhile exports one user too many, never one too few for it.
    control = await _control_rows(tenant)
    version = _DUMPED_BY.search(dump)
    manifest = {
        "version": ARCHIVE_VERSION,
        "exported_at": dt.datetime.now(dt.UTC).isoformat(),
        "source": {"tenant_id": tenant.id, "slug": tenant.slug, "schema_name": tenant.schema_name},
        "pg_dump_version": version.group(1).decode().strip() if version else "unknown",
    }
    return _pack({MANIFEST: _to_json(manifest), SCHEMA_SQL: dump, CONTROL_JSON: _to_json(control)})


# Reading an archive


def _unpack(archive: bytes) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    try:
        with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as tar:
            for member in tar.getmembers():
                extracted = tar.extractfile(member) if member.isfile() else None
                if extracted is not None and member.name in (MANIFEST, SCHEMA_SQL, CONTROL_JSON):
                    files[member.name] = extracted.read()
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise ArchiveError(f"not a tenant archive (a gzip'd tar): {exc}") from None
    missing = [name for name in (MANIFEST, SCHEMA_SQL, CONTROL_JSON) if name not in files]
    if missing:
        raise ArchiveError(f"not a tenant archive: {', '.join(missing)} missing")
    return files


def _decode_manifest(data: bytes) -> _Manifest:
    try:
        version = msgspec.json.decode(data, type=_Version).version
    except msgspec.MsgspecError as exc:
        raise ArchiveError(f"{MANIFEST} is not valid: {exc}") from None
    if version != ARCHIVE_VERSION:
        raise ArchiveError(f"archive format version {version} is not supported (expected {ARCHIVE_VERSION})")
    try:
        manifest = msgspec.json.decode(data, type=_Manifest)
        check_schema_name(manifest.source.schema_name)
    except (msgspec.MsgspecError, ValueError) as exc:
        raise ArchiveError(f"{MANIFEST} is not valid: {exc}") from None
    return manifest


def _decode_control(data: bytes) -> _Control:
    try:
        control = msgspec.json.decode(data, type=_Control)
        for user in control.users:
            msgspec.convert(user, _ExportedUser)
        for migration in control.tenant_migrations:
            msgspec.convert(migration, _ExportedMigration)
    except msgspec.MsgspecError as exc:
        raise ArchiveError(f"{CONTROL_JSON} is not valid: {exc}") from None
    return control


def _read_archive(archive: bytes) -> _Contents:
    files = _unpack(archive)
    manifest = _decode_manifest(files[MANIFEST])
    control = _decode_control(files[CONTROL_JSON])
    dump = files[SCHEMA_SQL]
    create = re.compile(rb"^CREATE SCHEMA " + manifest.source.schema_name.encode() + rb";$", re.MULTILINE)
    if create.search(dump) is None:
        raise ArchiveError(f"{SCHEMA_SQL} is not a pg_dump of schema {manifest.source.schema_name}")
    return _Contents(manifest=manifest, dump=dump, control=control)


# Restore: control rows


async def _insert_tenant(connection: asyncpg.Connection, tenant: TenantContext, base_domain: str) -> None:
    await connection.execute(
        "INSERT INTO control.tenants (id, slug, display_name, status, schema_name, created_at) "
        "VALUES ($1, $2, $3, $4, $5, now())",
        tenant.id,
        tenant.slug,
        tenant.display_name,
        tenant.status,
        tenant.schema_name,
    )
    await connection.execute(
        "INSERT INTO control.domains (id, host, tenant_id, is_primary, created_at) "
        "VALUES ($1, $2, $3, true, now())",
        uuid.uuid4(),
        f"{tenant.slug}.{base_domain}",
        tenant.id,
    )


async def _insert_migrations(
    connection: asyncpg.Connection, schema_name: str, migrations: list[dict[str, Any]]
) -> None:
    await connection.execute(
        "INSERT INTO control.tenant_migrations (id, schema_name, app_name, migration_id, applied_at) "
        "SELECT gen_random_uuid(), $1, m.app_name, m.migration_id, m.applied_at "
        "FROM jsonb_populate_recordset(NULL::control.tenant_migrations, $2::jsonb) AS m",
        schema_name,
        json.dumps(migrations),
    )


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


async def _insert_users(
    connection: asyncpg.Connection, users: list[dict[str, Any]]
) -> dict[uuid.UUID, uuid.UUID]:
    """Insert the archive's users that are new here; return {archived id: id here} for changed ids.

    A user may already exist: with the same id (restoring next to the source), or with the same email
    and another id (another deployment). In the second case the tenant's memberships follow the email.
    """
    known = {
        row["column_name"]
        for row in await connection.fetch(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = 'control' AND table_name = 'users'"
        )
    }
    for row in users:
        msgspec.convert(row, _ExportedUser)
    if not users:
        return {}
    # Column names come from the catalog, not from the archive; only those every archived row has.
    present = set.intersection(*(set(row) for row in users))
    columns = ", ".join(_quote(name) for name in sorted(known & present))
    archived = json.dumps(users)
    # Before inserting: an email here under another id means "the same person, another deployment".
    rows = await connection.fetch(
        "SELECT a.id AS archived_id, u.id AS user_id "
        "FROM jsonb_populate_recordset(NULL::control.users, $1::jsonb) AS a "
        "JOIN control.users u ON u.email = a.email AND u.id <> a.id",
        archived,
    )
    await connection.execute(
        f"INSERT INTO control.users ({columns}) SELECT {columns} "
        "FROM jsonb_populate_recordset(NULL::control.users, $1::jsonb) ON CONFLICT DO NOTHING",
        archived,
    )
    return {row["archived_id"]: row["user_id"] for row in rows}


async def _remap_memberships(
    connection: asyncpg.Connection, schema_name: str, remapped: dict[uuid.UUID, uuid.UUID]
) -> None:
    if not remapped:
        return
    await connection.execute(
        f'UPDATE "{check_schema_name(schema_name)}".memberships AS m SET user_id = r.user_id '
        "FROM unnest($1::uuid[], $2::uuid[]) AS r(archived_id, user_id) WHERE m.user_id = r.archived_id",
        list(remapped),
        list(remapped.values()),
    )


async def _index_members(connection: asyncpg.Connection, tenant: TenantContext) -> None:
    """The control-plane index of who belongs to which tenant (``control.user_tenants``)."""
    await connection.execute(
        "INSERT INTO control.user_tenants (id, user_id, tenant_id, created_at) "
        "SELECT gen_random_uuid(), m.user_id, $1, now() "
        f'FROM "{check_schema_name(tenant.schema_name)}".memberships m '
        "ON CONFLICT DO NOTHING",
        tenant.id,
    )


# Restore


def _valid_slug(slug: str) -> str:
    slug = slug.strip().lower()
    problem = slug_problem(slug)
    if problem:
        raise ArchiveError(f"the slug {slug!r} {problem}")
    return slug


async def _restore(contents: _Contents, tenant: TenantContext, base_domain: str) -> None:
    async with process_engine().transaction(allow_nested=False) as transaction:
        connection = transaction.connection
        await _insert_tenant(connection, tenant, base_domain)
        remapped = await _insert_users(connection, contents.control.users)
        await _insert_migrations(connection, tenant.schema_name, contents.control.tenant_migrations)
        await replay_dump(connection, contents.dump, contents.manifest.source.schema_name, tenant.schema_name)
        await _remap_memberships(connection, tenant.schema_name, remapped)
        await _index_members(connection, tenant)


async def restore_tenant(
    archive: bytes, slug: str, display_name: str | None, base_domain: str
) -> TenantContext:
    """Restore an archive from :func:`export_tenant` as a new, active tenant at ``slug``.

    The new tenant gets a new id and schema, the primary domain ``<slug>.<base_domain>``, and the
    archive's schema, rows, migration ledger and users. It all happens in one transaction: on any
    failure (raised as :class:`ArchiveError`) no tenant row and no schema is left behind.
    """
    slug = _valid_slug(slug)
    contents = _read_archive(archive)
    if await Tenant.exists().where(Tenant.slug == slug):
        raise ArchiveError(f"the slug {slug!r} is taken")
    tenant_id = uuid.uuid4()
    tenant = TenantContext(
        id=tenant_id,
        slug=slug,
        schema_name=schema_name_for(tenant_id),
        status=TenantStatus.ACTIVE.value,
        display_name=display_name or contents.control.tenant.display_name,
    )
    try:
        await _restore(contents, tenant, base_domain)
    except asyncpg.UniqueViolationError as exc:
        if exc.table_name == "tenants":
            raise ArchiveError(f"the slug {slug!r} is taken") from None
        if exc.table_name == "domains":
            raise ArchiveError(f"the host {slug}.{base_domain} is taken") from None
        raise ArchiveError(f"the archive could not be restored: {exc}") from exc
    except (asyncpg.PostgresError, UnicodeDecodeError, DumpFormatError) as exc:
        raise ArchiveError(f"the archive could not be restored: {exc}") from exc
    return tenant
