"""CRM tests sign many people in: each test starts with fresh sign-in budgets, like the identity tests.

``worker``: one real worker per test module on the app's broker and file store (the in-process app
queues the jobs: imports, duplicate scans).
"""

from collections.abc import Iterator

import pytest
from rapport.kernel.settings import Settings

from tests.events.conftest import REPO, Processes
from tests.identity.conftest import fresh_auth_limits  # noqa: F401 - an autouse fixture


@pytest.fixture(scope="module")
def worker(
    service_env: dict[str, str], settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Processes]:
    """A worker on the app's broker (the in-process app queues the jobs) and its file store."""
    env = service_env | {
        "RAPPORT_DATA_DIR": str(settings.data_dir),
        "PYTHONPATH": str(REPO),
        "RAPPORT_WORKER_PROCESSES": "1",
        "RAPPORT_WORKER_THREADS": "4",
    }
    logs = tmp_path_factory.mktemp("import-logs")
    running = Processes(env, logs)
    running.start("worker", "worker")
    yield running
    running.stop_all()
