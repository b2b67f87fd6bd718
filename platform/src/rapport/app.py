"""The application factory: ``create_app(settings)`` builds the Litestar app from the loaded modules."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from litestar import Litestar, get
from litestar.channels import ChannelsPlugin
from litestar.channels.backends.redis import RedisChannelsPubSubBackend
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin, SwaggerRenderPlugin
from litestar.response import Redirect
from litestar.types import ControllerRouterHandler

from rapport import __version__
from rapport.identity.access import provide_access
from rapport.identity.controllers import provide_principal
from rapport.identity.middleware import AuthMiddleware
from rapport.kernel.db import create_engine, install_engine, release_connection
from rapport.kernel.errors import problem_details_plugin, unhandled_exception_handler
from rapport.kernel.files import file_store
from rapport.kernel.health import healthz, readyz
from rapport.kernel.jobs import configure_broker
from rapport.kernel.keyring import KeyRing
from rapport.kernel.logging import RequestIdMiddleware, configure_logging
from rapport.kernel.modules import load_modules, object_types
from rapport.kernel.ratelimit import HttpRateLimitMiddleware
from rapport.kernel.redis import create_pubsub_redis, create_redis
from rapport.kernel.routes import NO_TENANT
from rapport.kernel.settings import Settings, load_settings
from rapport.tenancy.changes import listen_for_changes
from rapport.tenancy.middleware import TenantMiddleware, TenantResolver, provide_tenant

__all__ = ["app_from_environment", "create_app"]

log = structlog.get_logger(__name__)


@get("/api/docs", include_in_schema=False, opt=NO_TENANT, exclude_from_auth=True)
async def api_docs() -> Redirect:
    return Redirect("/api/schema/swagger")


def create_app(settings: Settings) -> Litestar:
    """Build the app: kernel routes, every loaded module's routes, one error mapping, one lifespan."""
    configure_logging(settings)
    loaded = load_modules(settings.disabled_modules)
    engine = create_engine(settings.dsn)
    install_engine(engine)
    configure_broker(settings)
    file_store(settings)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        # PostgreSQL caches each relation a connection touches: across thousands of tenant schemas that
        # grows (~18 KB per schema per connection), so connections are recycled after a number of queries.
        await engine.start_connection_pool(
            min_size=settings.db_pool_min,
            max_size=settings.db_pool_max,
            max_queries=settings.db_connection_max_queries,
            reset=release_connection,
        )
        app.state.redis = create_redis(str(settings.redis_url))
        stop_listening = asyncio.Event()
        listener = asyncio.create_task(listen_for_changes(str(settings.redis_url), resolver, stop_listening))
        for module in loaded.modules:
            for hook in module.on_startup:
                await hook(settings)
        log.info("app_started", modules=loaded.names(), failed=[name for name, _ in loaded.failures])
        try:
            yield
        finally:
            for module in reversed(loaded.modules):
                for hook in module.on_shutdown:
                    await hook(settings)
            stop_listening.set()
            await listener
            await app.state.redis.aclose()
            await engine.close_connection_pool()

    resolver = TenantResolver(settings.base_domain, settings.tenant_cache_seconds)
    handlers: list[ControllerRouterHandler] = [healthz, readyz, api_docs]
    for module in loaded.modules:
        handlers.extend(module.route_handlers)

    app = Litestar(
        route_handlers=handlers,
        # Every module's routes may ask for these; ``principal`` follows ``tenant`` and ``access`` follows
        # ``principal`` (see ``provide_principal``), so a handler resolves them in sequence, without tasks.
        dependencies={
            "tenant": Provide(provide_tenant),
            "principal": Provide(provide_principal),
            "access": Provide(provide_access),
        },
        lifespan=[lifespan],
        middleware=[
            RequestIdMiddleware(),
            TenantMiddleware(resolver),
            HttpRateLimitMiddleware(settings.rate_limit_per_minute),
            DefineMiddleware(AuthMiddleware, exclude=["^/api/schema"]),
        ],
        plugins=[
            problem_details_plugin(),
            # Realtime: each API process subscribes to the tenants' Redis channels its sockets need.
            ChannelsPlugin(
                backend=RedisChannelsPubSubBackend(redis=create_pubsub_redis(str(settings.redis_url))),
                arbitrary_channels_allowed=True,
            ),
        ],
        exception_handlers={Exception: unhandled_exception_handler},
        openapi_config=OpenAPIConfig(
            title="Rapport API",
            version=__version__,
            path="/api/schema",
            render_plugins=[SwaggerRenderPlugin(path="/swagger"), ScalarRenderPlugin(path="/scalar")],
        ),
        debug=False,
    )
    app.state.settings = settings
    app.state.modules = loaded
    app.state.object_types = object_types(loaded)
    app.state.engine = engine
    app.state.tenant_resolver = resolver
    app.state.keyring = KeyRing.from_settings(settings)
    return app


def app_from_environment() -> Litestar:
    """Uvicorn's factory (``rapport.app:app_from_environment``): settings from the environment."""
    return create_app(load_settings())
