"""Piccolo's configuration module (``PICCOLO_CONF=rapport.piccolo_conf``).

The engine is the one the process installed at startup; Piccolo's own CLI gets one built from
``RAPPORT_DATABASE_URL``. The app registry lists the Piccolo apps of every loaded module.
"""

from piccolo.conf.apps import AppRegistry

from rapport.kernel.db import configured_engine
from rapport.kernel.modules import piccolo_app_paths

DB = configured_engine()
APP_REGISTRY = AppRegistry(apps=piccolo_app_paths())
