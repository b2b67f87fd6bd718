"""The dramatiq worker's entry module (``dramatiq rapport.worker``): broker and actors, set up at startup."""

from rapport.kernel.jobs import configure_broker, import_actor_modules
from rapport.kernel.logging import configure_logging
from rapport.kernel.modules import load_modules
from rapport.kernel.settings import load_settings

settings = load_settings()
configure_logging(settings)
broker = configure_broker(settings)
import_actor_modules(load_modules(settings.disabled_modules))
