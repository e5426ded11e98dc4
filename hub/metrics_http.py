"""Prometheus over HTTP: the /metrics route (admin keys only, on the API's port), the
separate port (no credentials: bind it where only Prometheus reaches), and the count of
HTTP refusals by code."""

import logging
from wsgiref.simple_server import WSGIServer

from prometheus_client import CONTENT_TYPE_LATEST, start_http_server
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from hub.http_errors import RefusalCode, refusal
from hub.prometheus import HubMetrics
from resolvers.principal import Principal, Role

logger = logging.getLogger("hub")


async def metrics_for_admins(request: Request) -> Response:
    """The metrics, for an admin principal (hub.auth.AuthMiddleware checked the key);
    403 FORBIDDEN for any other role."""
    principal: Principal = request.state.principal
    if principal.role is not Role.ADMIN:
        return refusal(request.scope, 403, RefusalCode.FORBIDDEN, "/metrics is for admin keys")
    metrics: HubMetrics = request.app.state.metrics
    return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)


def serve_metrics_port(metrics: HubMetrics, host: str, port: int) -> WSGIServer:
    """Serve the metrics on ``host:port`` from a daemon thread until the server is shut
    down (port 0: any free port, read back from ``server.server_port``)."""
    server, _thread = start_http_server(port, addr=host, registry=metrics.registry)
    logger.info("metrics on http://%s:%d/metrics", host, server.server_port)
    return server


class RefusalCounter:
    """Counts the requests refused before GraphQL (hub/http_errors.py marks them) in
    ``hub_errors_total`` by code."""

    def __init__(self, app: ASGIApp, metrics: HubMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.app(scope, receive, send)
        finally:
            code = scope.get("state", {}).get("refusal_code") if scope["type"] == "http" else None
            if code is not None:
                self.metrics.count_error(code)
