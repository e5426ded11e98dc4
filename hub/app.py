"""The ASGI app: built by a factory, resources owned by its lifespan."""

import logging
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from strawberry.asgi import GraphQL

from graph.errors import GraphError
from graph.migrations import migrate
from graph.store import GraphStore, open_store
from hub.settings import Settings
from resolvers.context import Context
from schema import build_schema

logger = logging.getLogger("hub")


class HubGraphQL(GraphQL[Context, None]):
    def __init__(self, settings: Settings) -> None:
        super().__init__(build_schema(), graphql_ide="graphiql" if settings.graphiql else None)
        self._settings = settings
        self._metrics = settings.metrics_config()

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    async def get_context(self, request: Any, response: Any) -> Context:
        return Context(
            store=request.app.state.store,
            max_page_size=self._settings.max_page_size,
            metrics_config=self._metrics,
        )


async def healthz(request: Request) -> JSONResponse:
    """Liveness: the process answers."""
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    """Readiness: the graph answers too."""
    store: GraphStore = request.app.state.store
    try:
        await store.ping()
    except GraphError as e:
        logger.warning("readiness check failed: %s", type(e).__name__)
        return JSONResponse({"status": "unavailable", "engine": store.engine}, status_code=503)
    return JSONResponse({"status": "ready", "engine": store.engine})


def open_configured_store(settings: Settings) -> AbstractAsyncContextManager[GraphStore]:
    """The graph named by the settings, open for the life of the returned context."""
    return open_store(
        settings.graph_url,
        neo4j_auth=settings.neo4j_auth,
        neo4j_database=settings.neo4j_database,
        query_timeout_s=settings.query_timeout_s,
    )


def create_app(settings: Settings, store: GraphStore | None = None) -> Starlette:
    """The hub. With ``store`` given (tests), the app uses it and leaves it open."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if store is not None:
            app.state.store = store
            yield
            return
        async with open_configured_store(settings) as opened:
            await migrate(opened)
            app.state.store = opened
            logger.info("graph ready on the %s engine", opened.engine)
            yield

    graphql = HubGraphQL(settings)
    routes = [
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/graphql", graphql, methods=["GET", "POST"]),
    ]
    return Starlette(routes=routes, lifespan=lifespan)
