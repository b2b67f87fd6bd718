"""Modules are found through the `rapport.modules` entry-point group; a broken one is reported."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient
from rapport.app import create_app
from rapport.kernel.modules import load_modules, refresh_entry_points
from rapport.kernel.settings import Settings


@pytest.fixture
def broken_distribution(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Install (on sys.path) a distribution whose `rapport.modules` entry points fail to load."""
    dist = tmp_path / "rapport_broken-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: rapport-broken\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(
        "[rapport.modules]\n"
        "broken = rapport_broken_module:module\n"
        "notamodule = json:dumps\n"
        "orphan = rapport_orphan_module:module\n"
    )
    (tmp_path / "rapport_broken_module.py").write_text("raise RuntimeError('boom at import')\n")
    (tmp_path / "rapport_orphan_module.py").write_text(
        "from rapport.kernel.modules import Module\nmodule = Module(name='orphan', depends_on=['broken'])\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    refresh_entry_points()
    yield str(tmp_path)
    monkeypatch.undo()
    refresh_entry_points()
    sys.modules.pop("rapport_orphan_module", None)


def test_core_modules_are_found() -> None:
    loaded = load_modules()
    assert "system" in loaded.names()
    assert loaded.failures == ()


def test_disabled_module_is_left_out() -> None:
    assert "system" not in load_modules(frozenset({"system"})).names()


def test_broken_modules_are_reported_and_skipped(broken_distribution: str) -> None:
    loaded = load_modules()
    failures = dict(loaded.failures)
    assert "boom at import" in failures["broken"]
    assert "not Module" in failures["notamodule"]
    assert "depends on modules that did not load: broken" in failures["orphan"]
    assert "system" in loaded.names()


async def test_status_shows_module_failures(broken_distribution: str, settings: Settings) -> None:
    async with AsyncTestClient(app=create_app(settings)) as client:
        body = (await client.get("/api/v1/system/status")).json()
    assert "system" in body["modules"]
    assert {failure["module"] for failure in body["module_failures"]} == {"broken", "notamodule", "orphan"}
