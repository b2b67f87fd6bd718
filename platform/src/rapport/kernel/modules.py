"""The module host: the core's own modules are found through the ``rapport.modules`` entry-point group.

Each entry point names a :class:`Module`: what that module contributes (routes, Piccolo apps, actors,
periodic jobs, lifecycle hooks). ``create_app`` never lists modules; it asks this host. A module that
fails to load is recorded and left out; the platform starts without it and says so.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

import structlog
from stevedore import ExtensionManager

if TYPE_CHECKING:
    from litestar.types import ControllerRouterHandler

    from rapport.events.consumers import EventConsumer
    from rapport.kernel.objects import ObjectType
    from rapport.kernel.settings import Settings

__all__ = [
    "MODULE_GROUP",
    "LoadedModules",
    "Module",
    "Schedule",
    "load_modules",
    "object_types",
    "piccolo_app_paths",
    "piccolo_table_classes",
    "refresh_entry_points",
]

MODULE_GROUP = "rapport.modules"
log = structlog.get_logger(__name__)

LifecycleHook = Callable[["Settings"], Awaitable[None]]
DemoSeeder = Callable[["Settings"], Awaitable[list[str]]]


@dataclass(frozen=True, slots=True)
class Schedule:
    """A periodic job: the scheduler sends ``actor_name`` every ``every_minutes`` minutes."""

    actor_name: str
    every_minutes: int = 1


@dataclass(frozen=True, slots=True)
class Module:
    """What one module contributes to the platform."""

    name: str
    route_handlers: Sequence[ControllerRouterHandler] = ()
    piccolo_apps: Sequence[str] = ()
    """Dotted paths of control-plane ``piccolo_app`` modules (each defines ``APP_CONFIG``)."""
    tenant_piccolo_apps: Sequence[str] = ()
    """Dotted paths of ``piccolo_app`` modules whose tables live in every tenant schema."""
    actor_modules: Sequence[str] = ()
    """Modules whose import declares this module's dramatiq actors."""
    schedules: Sequence[Schedule] = ()
    on_startup: Sequence[LifecycleHook] = ()
    on_shutdown: Sequence[LifecycleHook] = ()
    demo_seeders: Sequence[DemoSeeder] = ()
    """Fill the development database with demo data; each returns lines to show the developer."""
    object_types: Sequence[ObjectType] = ()
    event_consumers: Sequence[EventConsumer] = ()
    """What this module does with domain events (each applied once per event, in a tenant transaction)."""
    """The kinds of records this module owns, as roles and the access layer see them."""
    depends_on: Sequence[str] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class LoadedModules:
    """The modules that loaded, by name, and the ones that failed with the reason."""

    modules: tuple[Module, ...]
    failures: tuple[tuple[str, str], ...]

    def names(self) -> list[str]:
        return [module.name for module in self.modules]


def refresh_entry_points() -> None:
    """Forget stevedore's per-process entry-point cache, so newly installed distributions are seen."""
    ExtensionManager.ENTRY_POINT_CACHE.pop(MODULE_GROUP, None)
    piccolo_app_paths.cache_clear()
    _process_object_types.cache_clear()


def load_modules(disabled: frozenset[str] = frozenset()) -> LoadedModules:
    """Load every module of the entry-point group except the disabled ones."""
    failures: list[tuple[str, str]] = []

    def on_failure(_manager: Any, entry_point: Any, exc: BaseException) -> None:
        failures.append((entry_point.name, f"{type(exc).__name__}: {exc}"))

    manager = ExtensionManager(
        namespace=MODULE_GROUP,
        invoke_on_load=False,
        on_load_failure_callback=on_failure,
    )
    modules: list[Module] = []
    for extension in sorted(manager.extensions, key=lambda ext: ext.name):
        if extension.name in disabled:
            continue
        if not isinstance(extension.plugin, Module):
            failures.append((extension.name, f"entry point is {type(extension.plugin).__name__}, not Module"))
            continue
        modules.append(extension.plugin)
    loaded_names = {module.name for module in modules}
    for module in list(modules):
        missing = [dep for dep in module.depends_on if dep not in loaded_names]
        if missing:
            modules.remove(module)
            failures.append((module.name, f"depends on modules that did not load: {', '.join(missing)}"))
    for name, reason in failures:
        log.error("module_load_failed", module=name, reason=reason)
    return LoadedModules(modules=tuple(modules), failures=tuple(sorted(failures)))


@cache
def piccolo_app_paths(scope: str = "all") -> list[str]:
    """The Piccolo apps of every module: ``control``, ``tenant`` or ``all`` (what ``piccolo_conf`` lists)."""
    modules = load_modules().modules
    control = [path for module in modules for path in module.piccolo_apps]
    tenant = [path for module in modules for path in module.tenant_piccolo_apps]
    return {"control": control, "tenant": tenant}.get(scope, control + tenant)


def object_types(modules: LoadedModules | None = None) -> dict[str, ObjectType]:
    """Every loaded module's object types, by name (of ``modules``, or of this process, computed once)."""
    if modules is None:
        return _process_object_types()
    return {kind.name: kind for module in modules.modules for kind in module.object_types}


@cache
def _process_object_types() -> dict[str, ObjectType]:
    return object_types(load_modules())


def piccolo_table_classes() -> list[Any]:
    """The table classes of every module's Piccolo apps (control and tenant)."""
    return [
        table
        for path in piccolo_app_paths()
        for table in importlib.import_module(path).APP_CONFIG.table_classes
    ]
