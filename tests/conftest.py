"""Test setup: a throwaway PostgreSQL and Redis for the whole session (never the `make run` data)."""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from aiosmtpd.controller import Controller
from litestar.testing import AsyncTestClient
from piccolo.engine.postgres import PostgresEngine
from rapport.app import create_app
from rapport.kernel.db import create_engine, install_engine
from rapport.kernel.devservices import EmbeddedPostgres, EmbeddedRedis, free_port
from rapport.kernel.settings import Environment, Settings

from tests.dns_server import TxtServer
from tests.factories import SHARED_EMAIL, SignedUp, sign_up
from tests.probe.fixtures import probe_client  # noqa: F401 - a fixture, shared with every test package
from tests.s3_server import S3Server

TEST_DATABASE = "rapport_test"
SECRET = "test-secret-key-0123456789-abcdefghijklmnop"
OPERATOR_TOKEN = "test-operator-token-0123456789-abcdefghij"


@pytest.fixture(scope="session")
def services_dir() -> Iterator[Path]:
    # Not under pytest's tmp root: that is private to root (0700), and PostgreSQL runs as `postgres`.
    path = Path(tempfile.mkdtemp(prefix="rapport-test-services-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres(services_dir: Path) -> Iterator[EmbeddedPostgres]:
    server = EmbeddedPostgres(services_dir / "postgres", durable=False, log_file=services_dir / "pg.log")
    server.start()

    async def create_database() -> None:
        connection = await asyncpg.connect(server.dsn)
        try:
            await connection.execute(f'CREATE DATABASE "{TEST_DATABASE}"')
        finally:
            await connection.close()

    asyncio.run(create_database())
    yield server
    server.stop()


@pytest.fixture(scope="session")
def redis_server(services_dir: Path) -> Iterator[EmbeddedRedis]:
    server = EmbeddedRedis(services_dir / "redis", durable=False)
    server.start()
    yield server
    server.stop()


class MailSink:
    """A real SMTP server (aiosmtpd) on loopback that keeps every message for the tests to read."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's hook
        self.messages.append(message_from_bytes(envelope.content, _class=EmailMessage, policy=default))
        return "250 OK"

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def to(self, address: str) -> list[EmailMessage]:
        return [message for message in self.messages if message["To"] == address]


@pytest.fixture(scope="session")
def mail_sink() -> Iterator[MailSink]:
    sink = MailSink()
    sink.controller.start()
    yield sink
    sink.controller.stop()


@pytest.fixture(scope="session")
def dns_server() -> Iterator[TxtServer]:
    server = TxtServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    """A real S3-protocol server on loopback; boto3 finds its credentials in this process's environment."""
    server = S3Server()
    server.start()
    with pytest.MonkeyPatch.context() as patch:
        for name, value in S3Server.CREDENTIALS.items():
            patch.setenv(name, value)
        yield server
    server.stop()


@pytest.fixture(scope="session")
def database_url(postgres: EmbeddedPostgres) -> str:
    return postgres.dsn_for(TEST_DATABASE)


@pytest.fixture(scope="session")
def service_env(
    database_url: str, redis_server: EmbeddedRedis, mail_sink: MailSink, services_dir: Path
) -> dict[str, str]:
    """The environment a Rapport process started by a test gets."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAPPORT_")}
    env.update(
        RAPPORT_ENV="test",
        RAPPORT_DATABASE_URL=database_url,
        RAPPORT_REDIS_URL=redis_server.url,
        RAPPORT_SECRET_KEY=SECRET,
        RAPPORT_OPERATOR_TOKEN=OPERATOR_TOKEN,
        RAPPORT_SIGNUP_RATE_PER_HOUR="100000",
        RAPPORT_SMTP_URL=mail_sink.url,
        RAPPORT_DATA_DIR=str(services_dir / "data"),
    )
    return env


def make_settings(database_url: str, redis_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "env": Environment.TEST,
        "database_url": database_url,
        "redis_url": redis_url,
        "secret_key": SECRET,
        "db_pool_min": 1,
        "db_pool_max": 5,
        "operator_token": OPERATOR_TOKEN,
        "signup_rate_per_hour": 100_000,
        "tenant_cache_seconds": 0,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def settings(
    database_url: str,
    redis_server: EmbeddedRedis,
    mail_sink: MailSink,
    dns_server: TxtServer,
    services_dir: Path,
) -> Settings:
    return make_settings(
        database_url,
        redis_server.url,
        smtp_url=mail_sink.url,
        dns_nameservers=[dns_server.address],
        data_dir=services_dir / "data",
    )


@pytest.fixture(scope="session")
async def migrated(settings: Settings) -> Settings:
    """The test database with every migration applied (control plane, template, tenants)."""
    from rapport.kernel.migrations import run_migrations

    report = await run_migrations(settings)
    assert report.ok
    return settings


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[AsyncTestClient]:  # type: ignore[type-arg]
    async with AsyncTestClient(app=create_app(settings)) as test_client:
        yield test_client


@pytest.fixture
async def app_client(migrated: Settings) -> AsyncIterator[AsyncTestClient]:  # type: ignore[type-arg]
    async with AsyncTestClient(app=create_app(migrated)) as test_client:
        yield test_client


@pytest.fixture
async def two_tenants(app_client: AsyncTestClient) -> tuple[SignedUp, SignedUp]:  # type: ignore[type-arg]
    """Two tenants with the same owner (same email) and rows with the same ids in each schema."""
    first = await sign_up(app_client, email=SHARED_EMAIL, name="First Org")
    second = await sign_up(app_client, email=SHARED_EMAIL, name="Second Org")
    return first, second


@pytest.fixture
async def engine(migrated: Settings) -> AsyncIterator[PostgresEngine]:
    """This process's engine on the test's event loop, for calling services and queries directly.

    Request it after ``two_tenants``/``app_client``: creating an app installs the app's own engine.
    """
    engine = create_engine(migrated.dsn)
    install_engine(engine)
    await engine.start_connection_pool(min_size=1, max_size=5)
    yield engine
    await engine.close_connection_pool()
