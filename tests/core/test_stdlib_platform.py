"""The repository's `platform/` folder must never shadow the standard library's `platform` module."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_stdlib_platform_works_from_the_repo_root() -> None:
    result = subprocess.run(
        [sys.executable, "-c", "import platform; print(platform.system()); print(platform.__file__)"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    system, location = result.stdout.split()
    assert system == "Linux"
    assert not location.startswith(str(ROOT / "platform"))


def test_platform_folder_is_not_a_package() -> None:
    assert not (ROOT / "platform" / "__init__.py").exists()
