"""The ``webapp`` module's registration (entry point ``rapport.modules: webapp``).

Disable it (``RAPPORT_DISABLED_MODULES='["webapp"]'``) to run the API without serving the web app.
"""

from rapport.kernel.modules import Module
from rapport.webapp.serving import web_app

__all__ = ["module"]

module = Module(name="webapp", route_handlers=[web_app])
