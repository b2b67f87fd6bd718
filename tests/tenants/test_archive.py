"""Tenant archives: export one tenant, restore it as a new tenant, row for row; all-or-nothing restores."""

from __future__ import annotations

import io
import json
import stat
import subprocess
import sys
import tarfile
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from litestar.testing import AsyncTestClient
from rapport.kernel.db import create_engine, install_engine
from rapport.kernel.settings import Settings
from rapport_tenants import archive as archives
from rapport_tenants.context import TenantContext

from tests.conftest import OPERATOR_TOKEN
from tests.tenants.conftest import SignedUp, sign_up, unique_slug

RAPPORT = [sys.executable, "-m", "rapport"]
# Characters COPY's text format leaves as they are (\x1c, \x85, \u2028 end a line for str.splitlines),
# and the ones it escapes (tab, newline, carriage return, backslash).
AWKWARD_TEXT = "Ünïcødé\u2028line\x85sep\x1cfs\ttab\nnewline\r\\backslash 'quote' \"double\""

# A table like a future module's: names that need quoting, an identity column, a generated column,
# a foreign key inside the schema, a view, NULLs, bytea, jsonb and arrays.
ODD_TABLES = '''
CREATE TABLE "{schema}"."Order Items" (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    "user" uuid,
    "select" text,
    "say ""hi""" text,
    payload jsonb,
    blob bytea,
    tags text[],
    total numeric(12, 2),
    doubled numeric GENERATED ALWAYS AS (total * 2) STORED
);
CREATE TABLE "{schema}".item_notes (
    id bigserial PRIMARY KEY,
    item_id bigint NOT NULL REFERENCES "{schema}"."Order Items" (id),
    body text
);
CREATE VIEW "{schema}".item_totals AS
    SELECT "user", sum(total) AS total FROM "{schema}"."Order Items" GROUP BY 1;
'''


@asynccontextmanager
async def engine_on_this_loop(
    client: AsyncTestClient,  # type: ignore[type-arg]
    settings: Settings,
) -> AsyncIterator[None]:
    """The test client serves the app on another event loop: a direct call needs an engine on this one."""
    engine = create_engine(settings.dsn)
    install_engine(engine)
    await engine.start_connection_pool(min_size=1, max_size=2)
    try:
        yield
    finally:
        await engine.close_connection_pool()
        install_engine(client.app.state.engine)


async def export_tenant(
    client: AsyncTestClient,  # type: ignore[type-arg]
    settings: Settings,
    tenant_id: uuid.UUID,
) -> bytes:
    async with engine_on_this_loop(client, settings):
        return await archives.export_tenant(settings.dsn, tenant_id)


async def restore_tenant(
    client: AsyncTestClient,  # type: ignore[type-arg]
    settings: Settings,
    archive: bytes,
    slug: str,
    name: str | None = None,
) -> TenantContext:
    async with engine_on_this_loop(client, settings):
        return await archives.restore_tenant(archive, slug, name, settings.base_domain)


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(database_url)
    yield connection
    await connection.close()


async def schema_of(db: asyncpg.Connection, tenant_id: uuid.UUID) -> str:
    schema: str = await db.fetchval("SELECT schema_name FROM control.tenants WHERE id = $1", tenant_id)
    return schema


async def add_rows(db: asyncpg.Connection, schema: str) -> list[uuid.UUID]:
    """Two more members (new users), awkward workspace settings, and the odd tables with rows."""
    user_ids = [uuid.uuid4(), uuid.uuid4()]
    for user_id, role in zip(user_ids, ["admin", "member"], strict=True):
        await db.execute(
            "INSERT INTO control.users (id, email, password_hash, email_verified, created_at) "
            "VALUES ($1, $2, NULL, true, now())",
            user_id,
            f"{user_id.hex[:8]}@members.example",
        )
        await db.execute(f'INSERT INTO "{schema}".memberships (user_id, role) VALUES ($1, $2)', user_id, role)
    await db.execute(
        f"UPDATE \"{schema}\".workspace_settings SET name = $1, timezone = 'Europe/Paris', locale = 'fr'",
        AWKWARD_TEXT,
    )
    await db.execute(ODD_TABLES.format(schema=schema))
    await db.execute(
        f'INSERT INTO "{schema}"."Order Items" ("user", "select", "say ""hi""", payload, blob, tags, total) '
        "VALUES ($1, $2, NULL, $3, $4, $5, 12.5), (NULL, NULL, 'x', NULL, NULL, '{}', NULL)",
        user_ids[0],
        AWKWARD_TEXT,
        json.dumps({"text": AWKWARD_TEXT, "n": [1, 2]}),
        bytes(range(256)),
        ["a b", "c\td", None],
    )
    await db.execute(f"INSERT INTO \"{schema}\".item_notes (item_id, body) VALUES (1, 'first'), (2, '\\.')")
    return user_ids


async def tables(db: asyncpg.Connection, schema: str) -> list[str]:
    rows = await db.fetch(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1", schema
    )
    return [row["table_name"] for row in rows]


async def rows_of(db: asyncpg.Connection, schema: str, table: str) -> list[tuple[Any, ...]]:
    """Every row of ``schema.table``, ordered by its primary key (by the whole row if it has none)."""
    key: list[str] = await db.fetchval(
        "SELECT coalesce(array_agg(quote_ident(a.attname) "
        "ORDER BY array_position(i.indkey::int2[], a.attnum)), '{}') "
        "FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
        "WHERE i.indrelid = format('%I.%I', $1::text, $2::text)::regclass AND i.indisprimary",
        schema,
        table,
    )
    order = ", ".join(key) if key else "r::text"
    return [tuple(row) for row in await db.fetch(f'SELECT * FROM "{schema}"."{table}" r ORDER BY {order}')]


async def snapshot(db: asyncpg.Connection, schema: str) -> dict[str, list[tuple[Any, ...]]]:
    return {table: await rows_of(db, schema, table) for table in await tables(db, schema)}


async def control_counts(db: asyncpg.Connection) -> tuple[int, ...]:
    return tuple(
        await db.fetchrow(
            "SELECT (SELECT count(*) FROM control.tenants), (SELECT count(*) FROM control.domains), "
            "(SELECT count(*) FROM control.tenant_migrations), (SELECT count(*) FROM control.users), "
            "(SELECT count(*) FROM pg_namespace WHERE nspname LIKE 't\\_%')"
        )
    )


def repack(archive: bytes, **files: bytes | None) -> bytes:
    """``archive`` with some files replaced (``None`` leaves a file out); dots in names are ``_``."""
    replaced = {name.replace("_", "."): data for name, data in files.items()}
    out = io.BytesIO()
    with (
        tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as source,
        tarfile.open(fileobj=out, mode="w:gz") as target,
    ):
        for member in source.getmembers():
            extracted = source.extractfile(member)
            assert extracted is not None
            data = replaced.get(member.name, extracted.read())
            if data is not None:
                member.size = len(data)
                target.addfile(member, io.BytesIO(data))
    return out.getvalue()


def read_member(archive: bytes, name: str) -> bytes:
    with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as tar:
        extracted = tar.extractfile(name)
        assert extracted is not None
        return extracted.read()


@pytest.fixture
async def source(app_client: AsyncTestClient, db: asyncpg.Connection) -> SignedUp:  # type: ignore[type-arg]
    tenant = await sign_up(app_client, name="Source Org")
    await add_rows(db, await schema_of(db, tenant.id))
    return tenant


async def test_round_trip_restores_every_row_of_every_table(
    app_client: AsyncTestClient,  # type: ignore[type-arg]
    migrated: Settings,
    db: asyncpg.Connection,
    source: SignedUp,
) -> None:
    other = await sign_up(app_client, name="Bystander")  # a second tenant that must not be in the archive
    old_schema = await schema_of(db, source.id)
    before = await snapshot(db, old_schema)
    assert len(before["memberships"]) == 3

    archive = await export_tenant(app_client, migrated, source.id)
    slug = unique_slug("copy")
    restored = await restore_tenant(app_client, migrated, archive, slug)

    new_schema = await schema_of(db, restored.id)
    assert new_schema == restored.schema_name != old_schema
    assert await snapshot(db, new_schema) == before
    assert await snapshot(db, old_schema) == before
    assert other.user_id not in {row[1] for row in before["memberships"]}
    tenant = await db.fetchrow(
        "SELECT slug, status, display_name FROM control.tenants WHERE id = $1", restored.id
    )
    assert dict(tenant) == {"slug": slug, "status": "active", "display_name": "Source Org"}
    hosts = await db.fetch("SELECT host, is_primary FROM control.domains WHERE tenant_id = $1", restored.id)
    assert [tuple(row) for row in hosts] == [(f"{slug}.localhost", True)]
    ledger = "SELECT app_name, migration_id FROM control.tenant_migrations WHERE schema_name = $1 ORDER BY 1"
    assert [tuple(r) for r in await db.fetch(ledger, new_schema)] == [
        tuple(r) for r in await db.fetch(ledger, old_schema)
    ]

    response = await app_client.get("/api/v1/workspace", headers={"X-Tenant": slug})
    assert response.status_code == 200
    assert response.json() == {"slug": slug, "name": AWKWARD_TEXT, "timezone": "Europe/Paris", "locale": "fr"}

    # The sequences came along: new rows in the copy get fresh ids, and the source keeps its own.
    new_id = await db.fetchval(
        f"INSERT INTO \"{new_schema}\".memberships (user_id, role) VALUES ($1, 'member') RETURNING id",
        uuid.uuid4(),
    )
    assert new_id == max(row[0] for row in before["memberships"]) + 1
    item = await db.fetchval(f'INSERT INTO "{new_schema}"."Order Items" (total) VALUES (1) RETURNING id')
    assert item == 3
    assert await snapshot(db, old_schema) == before
    response = await app_client.get("/api/v1/workspace", headers={"X-Tenant": source.slug})
    assert response.json()["name"] == AWKWARD_TEXT


async def test_memberships_follow_the_email_when_the_user_id_differs(
    app_client: AsyncTestClient,  # type: ignore[type-arg]
    migrated: Settings,
    db: asyncpg.Connection,
    source: SignedUp,
) -> None:
    archive = await export_tenant(app_client, migrated, source.id)
    # As on another deployment: the owner's email belongs to a user with another id.
    other_id = uuid.uuid4()
    await db.execute("UPDATE control.users SET id = $1 WHERE id = $2", other_id, source.user_id)
    restored = await restore_tenant(app_client, migrated, archive, unique_slug("moved"), "Moved")
    owners = await db.fetch(
        f"SELECT user_id FROM \"{restored.schema_name}\".memberships WHERE role = 'owner'"
    )
    assert [row["user_id"] for row in owners] == [other_id]
    assert await db.fetchval("SELECT count(*) FROM control.users WHERE id = $1", source.user_id) == 0
    assert restored.display_name == "Moved"


async def test_cli_exports_and_restores(
    app_client: AsyncTestClient,  # type: ignore[type-arg]
    migrated: Settings,
    service_env: dict[str, str],
    db: asyncpg.Connection,
    source: SignedUp,
    tmp_path: Path,
) -> None:
    path = tmp_path / "source.tar.gz"
    exported = subprocess.run(
        [*RAPPORT, "tenants", "export", source.slug, "--output", str(path)],
        env=service_env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert exported.returncode == 0, exported.stderr
    assert f"to {path} ({path.stat().st_size:,} bytes)" in exported.stdout
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # it holds password hashes

    slug = unique_slug("cli")
    restored = subprocess.run(
        [*RAPPORT, "tenants", "restore", str(path), "--slug", slug, "--name", "CLI Copy"],
        env=service_env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert restored.returncode == 0, restored.stderr
    row = await db.fetchrow("SELECT id, display_name, schema_name FROM control.tenants WHERE slug = $1", slug)
    assert f"restored {slug} (id {row['id']}): {migrated.tenant_url(slug)}" in restored.stdout
    assert row["display_name"] == "CLI Copy"
    old_schema = await schema_of(db, source.id)
    assert await snapshot(db, row["schema_name"]) == await snapshot(db, old_schema)
    response = await app_client.get("/api/v1/workspace", headers={"X-Tenant": slug})
    assert response.json()["name"] == AWKWARD_TEXT


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["export", "no-such-tenant", "--output", "{tmp}/x.tar.gz"], "Error: no tenant 'no-such-tenant'"),
        (["restore", "{tmp}/junk.tar.gz", "--slug", "fine-slug"], "not a tenant archive"),
        (
            ["restore", "{tmp}/junk.tar.gz", "--slug", "admin"],
            "Error: the slug 'admin' is reserved",
        ),
    ],
)
def test_cli_errors_are_one_clear_line(
    migrated: Settings, service_env: dict[str, str], tmp_path: Path, args: list[str], message: str
) -> None:
    (tmp_path / "junk.tar.gz").write_bytes(b"junk")
    result = subprocess.run(
        [*RAPPORT, "tenants", *[arg.format(tmp=tmp_path) for arg in args]],
        env=service_env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 1
    assert message.format(tmp=tmp_path) in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "x.tar.gz").exists()


async def test_api_export_is_for_the_operator_only(
    app_client: AsyncTestClient,  # type: ignore[type-arg]
    source: SignedUp,
) -> None:
    url = f"/api/v1/admin/tenants/{source.id}/export"
    assert (await app_client.get(url)).status_code == 401
    operator = {"Authorization": f"Bearer {OPERATOR_TOKEN}"}
    response = await app_client.get(url, headers=operator)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/gzip"
    assert response.headers["content-disposition"].startswith(f"attachment; filename={source.slug}-20")
    assert response.headers["content-disposition"].endswith(".tar.gz")
    manifest = json.loads(read_member(response.content, "manifest.json"))
    assert manifest["version"] == 1
    assert manifest["source"]["slug"] == source.slug
    missing = await app_client.get(f"/api/v1/admin/tenants/{uuid.uuid4()}/export", headers=operator)
    assert missing.status_code == 404


async def test_api_restore_round_trip(
    app_client: AsyncTestClient,  # type: ignore[type-arg]
    source: SignedUp,
) -> None:
    operator = {"Authorization": f"Bearer {OPERATOR_TOKEN}"}
    archive = (await app_client.get(f"/api/v1/admin/tenants/{source.id}/export", headers=operator)).content
    original = (await app_client.get("/api/v1/workspace", headers={"x-tenant": source.slug})).json()
    new_slug = unique_slug("restored")
    url = "/api/v1/admin/tenants/restore"
    headers = {**operator, "content-type": "application/gzip"}
    assert (await app_client.post(url, params={"slug": new_slug}, content=archive)).status_code == 401
    response = await app_client.post(
        url, params={"slug": new_slug, "name": "Copy"}, content=archive, headers=headers
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["slug"], body["name"]) == (new_slug, "Copy")
    assert body["url"] == f"http://{new_slug}.localhost:8000/"
    workspace = await app_client.get("/api/v1/workspace", headers={"x-tenant": new_slug})
    assert workspace.json() == {**original, "slug": new_slug}
    taken = await app_client.post(url, params={"slug": new_slug}, content=archive, headers=headers)
    assert taken.status_code == 422
    assert taken.json()["errors"][0]["field"] == "slug"
    garbage = await app_client.post(
        url, params={"slug": unique_slug()}, content=b"not an archive", headers=headers
    )
    assert garbage.status_code == 422
    assert garbage.json()["errors"][0]["field"] == "body"


def broken_sql(archive: bytes) -> bytes:
    """The archive with SQL that fails after the schema, its tables and their rows were created."""
    return repack(archive, schema_sql=read_member(archive, "schema.sql") + b"\nSELECT no_such_function();\n")


def with_new_user(archive: bytes) -> bytes:
    control = json.loads(read_member(archive, "control.json"))
    control["users"].append({"id": str(uuid.uuid4()), "email": "never@restored.example"})
    return broken_sql(repack(archive, control_json=json.dumps(control).encode()))


def truncated_copy(archive: bytes) -> bytes:
    dump = read_member(archive, "schema.sql")
    return repack(archive, schema_sql=dump[: dump.index(b"\n\\.\n")])


@pytest.mark.parametrize(
    ("make", "slug", "message"),
    [
        (lambda archive: b"not an archive", None, "not a tenant archive (a gzip'd tar)"),
        (
            lambda archive: repack(archive, control_json=None),
            None,
            "not a tenant archive: control.json missing",
        ),
        (
            lambda archive: repack(archive, manifest_json=b'{"version": 2}'),
            None,
            "archive format version 2 is not supported (expected 1)",
        ),
        (lambda archive: repack(archive, control_json=b"{}"), None, "control.json is not valid"),
        (broken_sql, None, "the archive could not be restored: function no_such_function() does not exist"),
        (with_new_user, None, "the archive could not be restored"),
        (truncated_copy, None, "the dump ends inside the data of"),
        (lambda archive: archive, "SOURCE", "is taken"),
        (lambda archive: archive, "ab", "the slug 'ab' must be at least 3 characters"),
        (lambda archive: archive, "www", "the slug 'www' is reserved"),
    ],
)
async def test_a_failed_restore_leaves_nothing_behind(
    app_client: AsyncTestClient,  # type: ignore[type-arg]
    migrated: Settings,
    db: asyncpg.Connection,
    source: SignedUp,
    make: Callable[[bytes], bytes],
    slug: str | None,
    message: str,
) -> None:
    archive = make(await export_tenant(app_client, migrated, source.id))
    before = await control_counts(db)
    new_slug = source.slug.upper() if slug == "SOURCE" else slug or unique_slug("fail")
    with pytest.raises(archives.ArchiveError) as raised:
        await restore_tenant(app_client, migrated, archive, new_slug)
    assert message in str(raised.value)
    assert await control_counts(db) == before
    assert await db.fetchval("SELECT count(*) FROM control.users WHERE email = 'never@restored.example'") == 0
