"""The file store: both backends (local disk, S3 through a real S3-protocol server) keep the same contract.

Every store here is built by ``file_store(settings)``, the way the product builds it, except where a test
needs a transfer setting the settings do not offer (the multipart threshold).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest
from boto3.s3.transfer import TransferConfig
from litestar import Litestar, Response, get
from litestar.testing import AsyncTestClient
from rapport.kernel.files import FileStore, file_store, tenant_prefix
from rapport.kernel.s3_files import S3FileStore
from rapport.kernel.settings import SettingsError, load_settings

from tests.conftest import SECRET, make_settings
from tests.s3_server import S3Server

# The store connects to neither; the settings just need them.
NO_DATABASE = "postgresql://nobody@127.0.0.1:9/none"
NO_REDIS = "redis://127.0.0.1:9/0"
TENANT_A = uuid.UUID("0b6f8a52-4a3e-4c59-9a57-0f7a1c1e0a01")
TENANT_B = uuid.UUID("0b6f8a52-4a3e-4c59-9a57-0f7a1c1e0a02")
KEY = f"t/{TENANT_A}/exports/12.csv"


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> FileStore:
    if request.param == "local":
        return file_store(make_settings(NO_DATABASE, NO_REDIS, data_dir=tmp_path / "data"))
    s3: S3Server = request.getfixturevalue("s3_server")
    return file_store(make_settings(NO_DATABASE, NO_REDIS, **s3.settings(s3.create_bucket())))


async def _write(store: FileStore, key: str, content: bytes) -> None:
    async with store.writing(key) as path:
        path.write_bytes(content)


async def _read(store: FileStore, key: str) -> bytes:
    async with store.reading(key) as path:
        return path.read_bytes()


async def test_files_are_written_read_replaced_and_deleted(store: FileStore, tmp_path: Path) -> None:
    await _write(store, KEY, b"id,name\n1,Ada\n")
    assert await _read(store, KEY) == b"id,name\n1,Ada\n"
    source = tmp_path / "upload.csv"
    source.write_bytes(b"id,name\n2,Grace\n")
    await store.put(KEY, source)
    assert await _read(store, KEY) == b"id,name\n2,Grace\n"
    assert source.read_bytes() == b"id,name\n2,Grace\n"  # put copies; the source stays
    await store.delete(KEY)
    with pytest.raises(FileNotFoundError):
        await _read(store, KEY)
    await store.delete(KEY)  # deleting what is not there is fine


async def test_a_missing_file_is_file_not_found(store: FileStore, tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        await _read(store, f"t/{TENANT_A}/exports/404.csv")
    with pytest.raises(FileNotFoundError):
        await store.put(KEY, tmp_path / "no-such-source.csv")
    with pytest.raises(FileNotFoundError):
        await _read(store, KEY)
    assert await store.delete_prefix(tenant_prefix(TENANT_A)) == 0


async def _write_then_fail(store: FileStore, key: str, seen: list[Path]) -> None:
    async with store.writing(key) as path:
        seen.append(path)
        path.write_bytes(b"half a fi")
        raise RuntimeError("export failed")


async def test_an_error_inside_writing_stores_nothing(store: FileStore) -> None:
    await _write(store, KEY, b"the complete file")
    unfinished = f"t/{TENANT_A}/exports/13.csv"
    in_progress: list[Path] = []
    for key in (KEY, unfinished):
        with pytest.raises(RuntimeError, match="export failed"):
            await _write_then_fail(store, key, in_progress)
    assert in_progress
    assert not any(path.exists() for path in in_progress)  # the local copies in progress are gone too
    assert await _read(store, KEY) == b"the complete file"
    with pytest.raises(FileNotFoundError):
        await _read(store, unfinished)
    assert await store.delete_prefix(tenant_prefix(TENANT_A)) == 1  # nothing half-written left behind


BAD_KEYS = [
    "",
    "exports/12.csv",
    "/etc/passwd",
    "../etc/passwd",
    f"t/{TENANT_A}/../{TENANT_B}/exports/1.csv",
    f"t/{TENANT_A}/exports/../../{TENANT_B}/1.csv",
    f"t/{TENANT_A}/./exports/1.csv",
    f"t/{TENANT_A}/exports//1.csv",
    f"t/{TENANT_A}/exports/",
    f"t/{TENANT_A}/",
    f"t/{TENANT_A}/.hidden",
    f"t/{TENANT_A}/exports/1.csv\x00.txt",
    f"t/{TENANT_A}/exports\\1.csv",
    f"t/{TENANT_A}/Exports/1.csv",
    f"t/{str(TENANT_A).upper()}/exports/1.csv",
    "t/not-a-tenant-0000000000000000000000000/exports/1.csv",
    f"t/{TENANT_A}/" + "a" * 300,
]
BAD_PREFIXES = ["", "t/", "t", f"t/{TENANT_A}", f"t/{TENANT_A}/../", "../", f"t/{TENANT_A}/exports", "/"]


@pytest.mark.parametrize("key", BAD_KEYS)
async def test_keys_that_could_leave_a_tenant_are_refused(store: FileStore, key: str, tmp_path: Path) -> None:
    source = tmp_path / "x.csv"
    source.write_bytes(b"x")
    with pytest.raises(ValueError, match="not a file key"):
        store.writing(key)
    with pytest.raises(ValueError, match="not a file key"):
        store.reading(key)
    with pytest.raises(ValueError, match="not a file key"):
        await store.put(key, source)
    with pytest.raises(ValueError, match="not a file key"):
        await store.delete(key)
    with pytest.raises(ValueError, match="not a file key"):
        store.download(key, "x.csv", "text/csv")


@pytest.mark.parametrize("prefix", BAD_PREFIXES)
async def test_only_a_tenant_folder_can_be_deleted_whole(store: FileStore, prefix: str) -> None:
    await _write(store, KEY, b"kept")
    with pytest.raises(ValueError, match="not a file prefix"):
        await store.delete_prefix(prefix)
    assert await _read(store, KEY) == b"kept"


async def test_deleting_one_tenant_leaves_the_other(store: FileStore) -> None:
    for tenant in (TENANT_A, TENANT_B):
        for name in ("exports/1.csv", "exports/2.xlsx", "imports/2026/01/people.csv"):
            await _write(store, f"t/{tenant}/{name}", f"{tenant} {name}".encode())
    assert await store.delete_prefix(f"t/{TENANT_A}/exports/") == 2
    assert await _read(store, f"t/{TENANT_A}/imports/2026/01/people.csv") == (
        f"{TENANT_A} imports/2026/01/people.csv".encode()
    )
    assert await store.delete_prefix(tenant_prefix(TENANT_A)) == 1
    for name in ("exports/1.csv", "imports/2026/01/people.csv"):
        with pytest.raises(FileNotFoundError):
            await _read(store, f"t/{TENANT_A}/{name}")
        assert await _read(store, f"t/{TENANT_B}/{name}") == f"{TENANT_B} {name}".encode()
    assert await store.delete_prefix(tenant_prefix(TENANT_A)) == 0


async def test_a_browser_downloads_the_file_under_its_name(store: FileStore) -> None:
    content = b"id,name\n1,\xc3\x89lodie\n"
    await _write(store, KEY, content)

    @get("/download", sync_to_thread=False, media_type="application/octet-stream")  # as the product's routes
    def download() -> Response[bytes]:
        return store.download(KEY, "contact-export-12.csv", "text/csv")

    async with AsyncTestClient(app=Litestar([download])) as client:
        answer = await client.get("/download", follow_redirects=False)
    if isinstance(store, S3FileStore):  # a short-lived link to S3 itself, which the browser follows
        assert answer.status_code == 302
        assert answer.headers["cache-control"] == "no-store"
        location = answer.headers["location"]
        assert location.startswith(store.client.meta.endpoint_url)
        assert "X-Amz-Expires=300" in location
        async with httpx.AsyncClient() as browser:
            answer = await browser.get(location)
    assert answer.status_code == 200
    assert answer.content == content
    assert answer.headers["content-type"].startswith("text/csv")
    disposition = answer.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert 'filename="contact-export-12.csv"' in disposition


async def test_big_files_go_to_s3_in_parts(s3_server: S3Server) -> None:
    bucket = s3_server.create_bucket()
    mib = 1024 * 1024
    store = S3FileStore(
        bucket,
        endpoint_url=s3_server.url,
        region=S3Server.REGION,
        transfer=TransferConfig(multipart_threshold=5 * mib, multipart_chunksize=5 * mib),
    )
    content = os.urandom(11 * mib)
    await _write(store, KEY, content)
    etag = s3_server.client().head_object(Bucket=bucket, Key=KEY)["ETag"]
    assert etag.strip('"').endswith("-3")  # S3's mark of an object uploaded in 3 parts
    async with store.reading(KEY) as path:
        assert hashlib.sha256(path.read_bytes()).digest() == hashlib.sha256(content).digest()
    assert not path.exists()  # the downloaded copy is removed after reading
    small = f"t/{TENANT_A}/exports/small.csv"
    await _write(store, small, b"small")
    assert "-" not in s3_server.client().head_object(Bucket=bucket, Key=small)["ETag"]
    assert s3_server.keys(bucket) == [KEY, small]


def test_s3_without_a_bucket_is_refused_at_startup() -> None:
    required = {"database_url": NO_DATABASE, "redis_url": NO_REDIS, "secret_key": SECRET}
    with pytest.raises(SettingsError, match="RAPPORT_S3_BUCKET is required when RAPPORT_FILES_BACKEND is s3"):
        load_settings(**required, files_backend="s3")
    env = {name: value for name, value in os.environ.items() if not name.startswith("RAPPORT_")}
    env |= {f"RAPPORT_{name.upper()}": value for name, value in required.items()}
    env["RAPPORT_FILES_BACKEND"] = "s3"
    result = subprocess.run(
        [sys.executable, "-m", "rapport", "worker"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "rapport: invalid settings: RAPPORT_S3_BUCKET is required when RAPPORT_FILES_BACKEND is s3"
    ]
