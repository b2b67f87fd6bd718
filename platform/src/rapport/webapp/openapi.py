"""The OpenAPI document as the web app's generated client sees it (``rapport openapi``).

The document depends on the loaded modules, not on a database: the app is built with placeholder
settings that no server is behind (``create_app`` connects nothing until its lifespan starts).
"""

from __future__ import annotations

import json
import warnings
from typing import Any

__all__ = ["openapi_document", "openapi_json"]

PLACEHOLDERS: dict[str, Any] = {
    "database_url": "postgresql://openapi@127.0.0.1:9/openapi",
    "redis_url": "redis://127.0.0.1:9/0",
    "secret_key": "openapi-document-only-" + "x" * 16,
    "log_level": "WARNING",
}


def openapi_document() -> dict[str, Any]:
    """The OpenAPI document of the app with every module loaded."""
    from rapport.app import create_app
    from rapport.kernel.settings import Settings

    with warnings.catch_warnings():
        # Piccolo's engine probes the database once when created; nothing listens at the placeholder.
        warnings.simplefilter("ignore")
        app = create_app(Settings(**PLACEHOLDERS))
    document: dict[str, Any] = app.openapi_schema.to_schema()
    return document


def openapi_json() -> str:
    """The document as stable JSON (sorted keys), so regenerating it changes nothing unless the API did."""
    return json.dumps(openapi_document(), indent=2, sort_keys=True) + "\n"
