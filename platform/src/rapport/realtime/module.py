"""The ``realtime`` module's registration (entry point ``rapport.modules: realtime``)."""

from rapport.kernel.modules import Module
from rapport.realtime.publisher import CONSUMER
from rapport.realtime.socket import realtime_socket

__all__ = ["module"]

module = Module(
    name="realtime",
    route_handlers=[realtime_socket],
    event_consumers=[CONSUMER],
    depends_on=("identity", "events"),
)
