"""Budgets of the built web app (issue #7): the JavaScript a first visit loads stays small."""

from __future__ import annotations

import gzip
import re

import pytest
from rapport.webapp.serving import default_dist

INITIAL_JS_BUDGET = 300 * 1024
"""Bytes, gzipped: what the browser downloads before the first screen shows."""


def test_initial_javascript_fits_the_budget() -> None:
    dist = default_dist()
    if not (dist / "index.html").is_file():
        pytest.fail("The web app is not built: run `make frontend` (make test does).")
    index = (dist / "index.html").read_text()
    scripts = re.findall(r'<(?:script|link)[^>]+(?:src|href)="/(assets/[^"]+\.js)"', index)
    assert scripts, "index.html loads no script from assets/"
    size = sum(len(gzip.compress((dist / script).read_bytes(), 9)) for script in scripts)
    assert size <= INITIAL_JS_BUDGET, f"initial JavaScript is {size // 1024} KB gzipped (budget 300 KB)"
