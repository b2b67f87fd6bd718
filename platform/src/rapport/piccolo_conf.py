"""Piccolo's configuration module (``PICCOLO_CONF=rapport.piccolo_conf``).

``DB`` is looked up on every access (PEP 562): it is always the engine the process installed, so
Piccolo's migration manager joins the tenant transaction opened on that same engine. Piccolo's own CLI
gets an engine built from ``RAPPORT_DATABASE_URL``. The registry lists every module's Piccolo apps.
"""

from typing import Any

from piccolo.conf.apps import AppRegistry

from rapport.kernel.db import configured_engine
from rapport.kernel.modules import piccolo_app_paths

APP_REGISTRY = AppRegistry(apps=piccolo_app_paths())


def __getattr__(name: str) -> Any:
    if name == "DB":
        return configured_engine()
    raise AttributeError(name)
