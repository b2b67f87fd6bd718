"""Browser tests: a real ``rapport serve`` (with relay and worker, for live updates) and the system Chromium.

One server serves every browser test module (it starts once per session); each module has its own browser.

The server serves the built web app (``make frontend``); Chromium is Debian's (``make browser``), driven by
Playwright without any browser download of its own. Screenshots go to each test's tmp dir (and to
``$RAPPORT_SCREENSHOTS`` when set).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from rapport.kernel.devservices import EmbeddedRedis, free_port
from rapport.kernel.settings import Settings
from rapport.webapp.serving import default_dist
from redis import Redis as SyncRedis

from tests.factories import PASSWORD, unique_slug
from tests.support import wait_for_http

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
TIMEOUT_MS = 15_000


@dataclass
class Server:
    port: int
    logs: Path
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    redis_url: str = ""

    def fresh_sign_in_limits(self) -> None:
        """Forget the sign-in rate limits: the web tests share this server and sign in from one address far
        more often than the 30 a minute a person gets."""
        client = SyncRedis.from_url(self.redis_url)
        try:
            for key in client.scan_iter("rapport:ratelimit:login:*"):
                client.delete(key)
        finally:
            client.close()

    @property
    def bare(self) -> str:
        """The product's own address (signup): ``http://localhost:<port>``."""
        return f"http://localhost:{self.port}"

    def workspace(self, slug: str) -> str:
        return f"http://{slug}.localhost:{self.port}"

    def log(self) -> str:
        return "\n".join(f"--- {path.name}\n{path.read_text()[-3000:]}" for path in self.logs.iterdir())


@pytest.fixture(scope="package")
def server(
    migrated: Settings, service_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """One server, relay and worker for the web tests, stopped after them: a relay left running would take
    later tests' outbox events (it relays for every tenant of the database)."""
    if not (default_dist() / "index.html").is_file():
        pytest.fail("The web app is not built: run `make frontend` (make test does).")
    root = tmp_path_factory.mktemp("web-server")
    redis = EmbeddedRedis(root / "redis", durable=False)
    redis.start()
    port = free_port()
    env = dict(service_env)
    env.update(
        RAPPORT_REDIS_URL=redis.url,
        RAPPORT_PORT=str(port),
        RAPPORT_RELAY_POLL_SECONDS="0.5",
        RAPPORT_WORKER_PROCESSES="1",
        RAPPORT_WORKER_THREADS="2",
    )
    running = Server(port, root, redis_url=redis.url)
    try:
        for name, args in (("api", ["serve"]), ("relay", ["relay"]), ("worker", ["worker"])):
            log = (root / f"{name}.log").open("ab")
            running.processes[name] = subprocess.Popen(
                [sys.executable, "-m", "rapport", *args],
                env=env,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        wait_for_http(f"http://127.0.0.1:{port}/healthz", running.processes["api"])
        yield running
    finally:
        for process in running.processes.values():
            process.terminate()
        for process in running.processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, 9)
                process.wait(timeout=30)
        redis.stop()


@pytest.fixture(scope="module")
def browser(server: Server) -> Iterator[Browser]:
    """Chromium for one module. Playwright's sync API keeps an event loop running in this thread while it is
    open, so it starts after the async session fixtures (through ``server``) and stops with the module,
    before any later async test needs the thread's loop."""
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.fail("Chromium is not installed: run `make browser` (make test does).")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class Screens:
    """Numbered screenshots of one test."""

    def __init__(self, page: Page, folder: Path) -> None:
        self.page, self.folder, self.count = page, folder, 0
        copy_to = os.environ.get("RAPPORT_SCREENSHOTS")
        self.copy_to = Path(copy_to) if copy_to else None

    def take(self, name: str) -> Path:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{name}.png"
        self.page.screenshot(path=str(path))
        if self.copy_to is not None:
            self.copy_to.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, self.copy_to / f"{self.folder.name}-{path.name}")
        return path


@pytest.fixture
def page(browser: Browser, server: Server, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh browser context (no cookies) per test; on failure the servers' logs are attached."""
    server.fresh_sign_in_limits()
    context = browser.new_context(viewport={"width": 1366, "height": 820})
    context.set_default_timeout(TIMEOUT_MS)
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened
    context.close()
    assert not errors, f"the page raised: {errors}"


@pytest.fixture
def screens(page: Page, tmp_path: Path) -> Screens:
    return Screens(page, tmp_path)


@dataclass
class Workspace:
    """A workspace signed up through the API, with its owner signed in for API calls (cookie + CSRF)."""

    server: Server
    slug: str
    email: str
    http: httpx.Client

    @property
    def url(self) -> str:
        return self.server.workspace(self.slug)

    def create(self, collection: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self.http.post(f"/api/v1/{collection}", json=body)
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created

    def get(self, path: str) -> Any:
        response = self.http.get(path)
        assert response.status_code == 200, response.text
        return response.json()


def sign_up_workspace(server: Server, prefix: str = "web") -> Workspace:
    slug = unique_slug(prefix)
    email = f"owner@{slug}.example"
    base = f"http://127.0.0.1:{server.port}"
    response = httpx.post(f"{base}/api/v1/signup", json={
        "organization_name": f"Org {slug}", "slug": slug, "admin_email": email, "password": PASSWORD,
    })  # fmt: skip
    assert response.status_code == 201, response.text
    http = httpx.Client(base_url=base, headers={"x-tenant": slug}, timeout=10)
    login = http.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert login.status_code == 200, login.text
    http.headers["x-csrf-token"] = login.json()["csrf_token"]
    return Workspace(server, slug, email, http)


@pytest.fixture
def workspace(server: Server) -> Iterator[Workspace]:
    made = sign_up_workspace(server)
    yield made
    made.http.close()


def sign_in(page: Page, workspace: Workspace, email: str | None = None) -> None:
    """Through the sign-in page, as a person does; lands on "My work", ends on the contacts table."""
    page.goto(f"{workspace.url}/sign-in")
    page.get_by_label("Email").fill(email or workspace.email)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(f"{workspace.url}/")
    page.get_by_role("link", name="Contacts").click()
    page.wait_for_url(f"{workspace.url}/contacts")
