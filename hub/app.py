"""The ASGI app: built by a factory, resources owned by its lifespan."""

import functools
import logging
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from typing import Any

import orjson
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.trace import Tracer
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute

from graph.errors import GraphError
from graph.store import EngineHealth, GraphStore, open_store
from hub.auth import AuthMiddleware
from hub.availability import EngineGate, StartupErrors
from hub.console import console_routes
from hub.events import events_endpoint
from hub.graphql_http import StrictGraphQL
from hub.http_limits import RequestSizeLimit
from hub.metrics_http import RefusalCounter, metrics_for_admins, serve_metrics_port
from hub.observe import ObservedStore, OperationObserver
from hub.partner_lists_http import ROUTES as partner_list_routes
from hub.persisted_queries import PersistedQueries
from hub.prometheus import HubMetrics
from hub.push import push_changes
from hub.request_id import RequestIdMiddleware
from hub.settings import Settings
from hub.startup import prepare_graph, upgrade_lines
from hub.tracing import instrument, tracer_of, tracer_provider
from resolvers.audit import AuditBatcher
from resolvers.compute import Compute
from resolvers.context import Context
from schema import build_schema, document_cache_stats
from schema.guard import app_operations

logger = logging.getLogger("hub")
EVERY_METHOD = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
API_PATHS = ("/graphql", "/events")  # behind credentials, the rate limit and the engine gate


class HubGraphQL(StrictGraphQL):
    def __init__(
        self, settings: Settings, metrics: HubMetrics | None = None, tracer: Tracer | None = None
    ) -> None:
        observers = [functools.partial(OperationObserver, metrics, tracer)]
        super().__init__(
            build_schema(
                observers,
                federation=settings.federation,
                compiled_execution=settings.compiled_execution,
            ),
            graphql_ide="graphiql" if settings.graphiql else None,
        )
        self._settings = settings
        self._tracer = tracer
        if settings.persisted_queries:
            self.persisted = PersistedQueries(settings.persisted_query_cache)
        self._app_operations = app_operations(settings.app_operations_dir)
        self._metrics = settings.metrics_config()
        self._privacy = settings.privacy_config()
        # Worker processes for work computed in Python (resolvers/compute.py), started on
        # first use and stopped by the app's lifespan.
        self.compute = Compute(settings.query_timeout_s, settings.compute_workers)

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    # GraphQL over HTTP (checked by tests/e2e/test_graphql_http_audit.py): a client that
    # prefers application/graphql-response+json gets it, and then a request error (the
    # document does not parse or validate, or the variables do not coerce: nothing ran)
    # is a 400 without a data entry. application/json answers stay 200 with `data: null`,
    # as the spec asks for clients that cannot read GraphQL errors from a 4xx.
    GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"

    @classmethod
    def response_media_type(cls, accept: str | None) -> str:
        """The media type to answer with: whichever of application/graphql-response+json
        and application/json (or a wildcard, meaning it) the Accept header ranks higher,
        the first listed on a tie; application/json when it names neither."""
        chosen, chosen_q = "application/json", 0.0
        for item in (accept or "").split(","):
            media_type, *params = (part.strip().lower() for part in item.split(";"))
            if media_type == cls.GRAPHQL_RESPONSE_JSON:
                candidate = cls.GRAPHQL_RESPONSE_JSON
            elif media_type in ("application/json", "application/*", "*/*"):
                candidate = "application/json"
            else:
                continue
            q = 1.0
            for param in params:
                name, _, value = param.partition("=")
                if name.strip() == "q":
                    try:
                        q = float(value)
                    except ValueError:
                        q = 0.0
            if q > chosen_q:
                chosen, chosen_q = candidate, q
        return chosen

    # request, result and responses are Starlette's and Strawberry's types (Any, as in
    # get_context, so this class needs no imports of its own).
    async def get_sub_response(self, request: Any) -> Any:
        sub_response = await super().get_sub_response(request)
        # Read back by process_result and create_response, which do not see each other.
        sub_response.media_type = self.response_media_type(request.headers.get("accept"))
        request.state.graphql_sub_response = sub_response
        return sub_response

    async def process_result(self, request: Any, result: Any) -> Any:
        response = await super().process_result(request, result)
        sub_response = getattr(request.state, "graphql_sub_response", None)
        request_error = (
            result.data is None
            and bool(result.errors)
            and all(error.path is None for error in result.errors)
        )  # an error raised while executing a field carries the field's path
        if (
            request_error
            and sub_response is not None
            and sub_response.media_type == self.GRAPHQL_RESPONSE_JSON
        ):
            sub_response.status_code = 400
            response.pop("data", None)
        if sub_response is not None and any(
            (error.extensions or {}).get("code") == "GRAPH_UNAVAILABLE"
            for error in result.errors or ()
        ):
            # The engine went away mid-request (or is restarting): say when to come back.
            sub_response.status_code = 503
            sub_response.headers["retry-after"] = str(request.app.state.store.retry_after_s())
        return response

    def create_response(self, response_data: Any, sub_response: Any) -> Any:
        response = super().create_response(response_data, sub_response)
        if sub_response.media_type == self.GRAPHQL_RESPONSE_JSON:
            response.headers["content-type"] = self.GRAPHQL_RESPONSE_JSON
        return response

    async def get_context(self, request: Any, response: Any) -> Context:
        return Context(
            # Counts (and traces) the statements of this request alone (hub/observe.py).
            store=ObservedStore(request.app.state.store, self._tracer),
            principal=request.state.principal,  # set by hub.auth.AuthMiddleware
            max_page_size=self._settings.max_page_size,
            metrics_config=self._metrics,
            privacy=self._privacy,
            partner_quotas=self._settings.partner_quotas(),
            key_rotation_grace_s=self._settings.partner_key_grace_s,
            compute=self.compute,
            broker=getattr(request.app.state, "broker", None),
            app_operations=self._app_operations,
            webhook_allow_internal=self._settings.webhook_allow_internal,
            audit_batcher=getattr(request.app.state, "audit", None),
            network_algorithms=self._settings.network_algorithms,
        )


async def healthz(request: Request) -> JSONResponse:
    """Liveness: the process answers, and its engine is up or coming back. It fails when
    the embedded engine cannot be brought back (or keeps dying), so that a process
    manager restarts the hub."""
    store: GraphStore = request.app.state.store
    health = store.health()
    if health is EngineHealth.FAILED:
        return JSONResponse({"status": "failed", "graph": health.value}, status_code=503)
    return JSONResponse({"status": "ok", "graph": health.value})


async def readyz(request: Request) -> JSONResponse:
    """Readiness: the graph answers too."""
    store: GraphStore = request.app.state.store
    try:
        await store.ping()
    except GraphError as e:
        logger.warning("readiness check failed: %s", type(e).__name__)
        return JSONResponse(
            {"status": "unavailable", "engine": store.engine},
            status_code=503,
            headers={"retry-after": str(store.retry_after_s())},
        )
    return JSONResponse({"status": "ready", "engine": store.engine})


def open_configured_store(
    settings: Settings, *, serve: bool = False
) -> AbstractAsyncContextManager[GraphStore]:
    """The graph named by the settings, open for the life of the returned context.

    The server (``serve``) owns and supervises the embedded engine; every other command
    attaches to the engine a running server owns, or starts its own."""
    return open_store(
        settings.graph_url,
        neo4j_auth=settings.neo4j_auth,
        neo4j_database=settings.neo4j_database,
        query_timeout_s=settings.query_timeout_s,
        embedded_fsync=settings.engine_fsync,
        embedded_share=not serve,
    )


def create_app(
    settings: Settings, store: GraphStore | None = None, *,
    tracing: TracerProvider | None = None, attached: bool = False,
) -> Starlette:  # fmt: skip
    """The hub. With ``store`` given (tests), the app uses it and leaves it open; with
    ``tracing`` (tests), spans go to that provider whatever the settings say. An
    ``attached`` app is one worker of a deployment (hub/serve.py): it attaches to the graph
    the serving process opened and migrated, and leaves pushing changes out to it."""
    provider = tracing or tracer_provider(settings)
    metrics = HubMetrics() if settings.prometheus != "off" else None

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        metrics_server = None
        if metrics is not None and settings.prometheus == "port":
            metrics_server = serve_metrics_port(metrics, settings.host, settings.prometheus_port)
            app.state.metrics_port = metrics_server.server_port
        try:
            if store is not None:
                app.state.store = store
                app.state.audit = AuditBatcher()
                async with push_changes(app.state, store, settings):
                    yield
                return
            async with AsyncExitStack() as stack:
                try:
                    opened = await stack.enter_async_context(
                        open_configured_store(settings, serve=not attached)
                    )
                    upgrade = None if attached else await prepare_graph(opened, settings)
                except GraphError as e:
                    app.state.startup_error = str(e)  # one line for the server (StartupErrors)
                    raise
                app.state.store = opened
                app.state.audit = AuditBatcher()
                if upgrade is None:
                    # The serving process migrated the graph and delivers changes
                    # (hub/serve.py); this worker's subscribers hear the outbox feed.
                    async with push_changes(app.state, opened, settings, deliveries=False):
                        yield
                    return
                for line in upgrade_lines(upgrade, always=True):
                    logger.warning("%s", line)
                logger.info("graph ready on the %s engine", opened.engine)
                async with push_changes(app.state, opened, settings):
                    yield
        finally:
            graphql.compute.close()
            if metrics_server is not None:
                metrics_server.shutdown()
                metrics_server.server_close()
            if provider is not None and tracing is None:
                provider.shutdown()  # exports the spans still batched

    graphql = HubGraphQL(settings, metrics, tracer_of(provider))
    routes = [
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/graphql", graphql),  # the view answers other methods with a 405 of its own
        *partner_list_routes,
        WebSocketRoute("/graphql", graphql),  # subscriptions (graphql-transport-ws)
        Route("/events", events_endpoint(settings), methods=EVERY_METHOD),  # 405 of its own
        *console_routes(settings.console_dir),  # static files; each call they make is API
    ]
    guarded = list(API_PATHS)
    if settings.prometheus == "admin":
        routes.append(Route("/metrics", metrics_for_admins))
        guarded.append("/metrics")
    redact_access_log()
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        middleware=[
            Middleware(RequestIdMiddleware),  # first, so that every log line carries it
            *([Middleware(RefusalCounter, metrics=metrics)] if metrics is not None else []),
            Middleware(StartupErrors),
            Middleware(EngineGate, paths=API_PATHS),
            # Credentials before the body: the body of a caller without any is never read.
            Middleware(AuthMiddleware, settings=settings, paths=tuple(guarded), metrics=metrics),
            Middleware(
                RequestSizeLimit,
                max_bytes=settings.max_body_bytes,
                streamed=("/partner/lists",),
                streamed_max_bytes=settings.partner_list_max_bytes,
            ),
        ],
    )
    app.state.partner_list_ttl_ms = settings.partner_list_ttl_s * 1000
    app.state.partner_list_max_bytes = settings.partner_list_max_bytes
    app.state.metrics = metrics
    if metrics is not None:
        metrics.watch_store(lambda: getattr(app.state, "store", None))
        for name in ("parser", "validation"):
            metrics.watch_cache(name, functools.partial(_document_cache, name))
    if provider is not None:
        instrument(app, provider)
    return app


def _document_cache(name: str) -> tuple[int, int]:
    return document_cache_stats()[name]


class _QueryStringRedactor(logging.Filter):
    """uvicorn's access log prints the request path with its query string, which for
    `GET /graphql?query=...&variables=...` may hold personal data or a key: drop it."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            path, _, query = args[2].partition("?")
            if query:
                record.args = (*args[:2], f"{path}?[redacted]", *args[3:])
        return True


def redact_access_log() -> None:
    """Install the redactor on uvicorn's access logger (once)."""
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, _QueryStringRedactor) for f in access.filters):
        access.addFilter(_QueryStringRedactor())
