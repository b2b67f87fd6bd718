"""Serve the built web app (``frontend/dist``) at ``/``, falling back to ``index.html`` for the app's paths.

Files of the build are served as they are (the hashed ``assets/`` for a year); any other path that is not
under ``/api/`` answers ``index.html``, so a reload of ``/contacts/42`` opens the app there. These routes
serve every host, workspace or not, and need no session: the app itself asks the API who is signed in.
When the app is not built, ``/`` answers a short page that says how to build it.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any

from litestar import HttpMethod, Request, Response, route
from litestar.exceptions import MethodNotAllowedException
from litestar.response import File

from rapport.kernel.errors import NotFoundError
from rapport.kernel.routes import NO_TENANT
from rapport.kernel.settings import Settings

__all__ = ["SECURITY_HEADERS", "default_dist", "web_app"]

IMMUTABLE = "public, max-age=31536000, immutable"
SECURITY_HEADERS = {
    # Mantine sets inline styles; scripts come only from the build. The socket is same-origin (ws: / wss:).
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "font-src 'self' data:; connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'self'; "
        "form-action 'self'; object-src 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
NOT_BUILT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Rapport</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; line-height: 1.5">
<h1>The web app is not built</h1>
<p>The API is running (<a href="/api/docs">API docs</a>). Build the web app with <code>make frontend</code>
(or <code>npm ci &amp;&amp; npm run build</code> in <code>frontend/</code>) and reload this page.</p>
</body></html>
"""


def default_dist() -> Path:
    """``frontend/dist`` of the source tree this package runs from."""
    return Path(__file__).resolve().parents[4] / "frontend" / "dist"


def _dist(request: Request[Any, Any, Any]) -> Path:
    settings: Settings = request.app.state.settings
    return (settings.web_dist or default_dist()).resolve()


def _built_file(dist: Path, path: str) -> Path | None:
    """The build's file at ``path``, never anything outside ``dist`` (no ``..``, no symlinks out)."""
    if not path or path.endswith("/"):
        return None
    candidate = (dist / path).resolve()
    if not candidate.is_relative_to(dist) or not candidate.is_file():
        return None
    return candidate


# Every method, so that an unknown API path answers 404 whatever the method (not 405 from this route).
@route(
    ["/", "/{path:path}"],
    http_method=[HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.DELETE],
    status_code=200,
    opt=NO_TENANT,
    exclude_from_auth=True,
    include_in_schema=False,
    sync_to_thread=False,
)
def web_app(request: Request[Any, Any, Any]) -> Response[Any]:
    """A file of the build, or the app's ``index.html`` for any other path outside ``/api/``."""
    relative = str(request.path_params.get("path", "")).lstrip("/")
    if relative == "api" or relative.startswith("api/"):
        raise NotFoundError(f"There is no API route {request.url.path}.")
    if request.method != HttpMethod.GET:
        raise MethodNotAllowedException(headers={"Allow": "GET"})
    dist = _dist(request)
    index = dist / "index.html"
    if not index.is_file():
        return Response(NOT_BUILT, media_type="text/html", status_code=503, headers=SECURITY_HEADERS)
    found = _built_file(dist, relative)
    if found is not None and found != index:
        cache = IMMUTABLE if relative.startswith("assets/") else "no-cache"
        media_type = mimetypes.guess_type(found.name)[0] or "application/octet-stream"
        return File(
            found,
            media_type=media_type,
            content_disposition_type="inline",
            headers={"Cache-Control": cache, **SECURITY_HEADERS},
        )
    return File(
        index,
        media_type="text/html",
        content_disposition_type="inline",
        headers={"Cache-Control": "no-cache", **SECURITY_HEADERS},
    )
