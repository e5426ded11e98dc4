"""OpenTelemetry traces (docs/observability.md): off unless HUB_OTLP_ENDPOINT is set, then
exported over OTLP/HTTP in batches. The app's tracer provider is its own (no global one
is set), so tests give theirs with an in-memory exporter.

HTTP spans come from the Starlette instrumentation, which records the URL with its query
string and the client's address: `GET /graphql?query=...&variables=...` would put a
request's values into a span. So the instrumentation is shown the request without either
(HideFromTracing) and the app behind it gets the request back whole (RestoreScope)."""

from typing import Any

from opentelemetry.instrumentation.starlette import StarletteInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import Tracer
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.types import ASGIApp, Receive, Scope, Send

from hub.settings import Settings

_ORIGINAL = "hub.original_scope"
TRACER_NAME = "customer360-hub"


def tracer_provider(settings: Settings) -> TracerProvider | None:
    """A provider exporting to the configured OTLP endpoint, or None (tracing off)."""
    if settings.otlp_endpoint is None:
        return None
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    resource = Resource.create({"service.name": settings.otel_service_name})
    provider = TracerProvider(resource=resource)
    exporter = OTLPSpanExporter(endpoint=settings.otlp_endpoint)
    provider.add_span_processor(BatchSpanProcessor(exporter))
    return provider


def tracer_of(provider: TracerProvider | None) -> Tracer | None:
    return provider.get_tracer(TRACER_NAME) if provider is not None else None


def instrument(app: Starlette, provider: TracerProvider) -> None:
    """Add the Starlette instrumentation's HTTP spans to ``app``, without query strings or
    client addresses."""
    StarletteInstrumentor.instrument_app(app, tracer_provider=provider)
    # instrument_app put its middleware first: hide before it, restore right after it.
    app.user_middleware.insert(0, Middleware(HideFromTracing))
    app.user_middleware.insert(2, Middleware(RestoreScope))


class HideFromTracing:
    """Passes on a copy of the request's scope without its query string and client."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        hidden: dict[str, Any] = {**scope, "query_string": b"", "client": None}
        hidden[_ORIGINAL] = scope
        await self.app(hidden, receive, send)


class RestoreScope:
    """Passes on the request's own scope, as it was before HideFromTracing."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope.get(_ORIGINAL, scope), receive, send)
