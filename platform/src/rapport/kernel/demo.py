"""``rapport demo seed``: every module's demo seeder, in module order, against the configured database."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rapport.kernel.db import create_engine, install_engine
from rapport.kernel.modules import Module, load_modules

if TYPE_CHECKING:
    from rapport.kernel.settings import Settings

__all__ = ["seed_demo"]


async def seed_demo(settings: Settings) -> list[str]:
    """Run the seeders with a started pool; return what they want the developer to read."""
    engine = create_engine(settings.dsn)
    install_engine(engine)
    await engine.start_connection_pool(min_size=1, max_size=4)
    lines: list[str] = []
    try:
        for module in _in_dependency_order(load_modules(settings.disabled_modules).modules):
            for seeder in module.demo_seeders:
                lines.extend(await seeder(settings))
    finally:
        await engine.close_connection_pool()
    return lines


def _in_dependency_order(modules: tuple[Module, ...]) -> list[Module]:
    """Modules after the ones they depend on (a module's demo data builds on theirs)."""
    by_name = {module.name: module for module in modules}
    ordered: list[Module] = []

    def visit(module: Module) -> None:
        if module in ordered:
            return
        for name in module.depends_on:
            if name in by_name:
                visit(by_name[name])
        ordered.append(module)

    for module in modules:
        visit(module)
    return ordered
