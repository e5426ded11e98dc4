"""Requests refused before GraphQL runs (no usable credential, too many requests, a body
that is too large or not a GraphQL request at all) are answered as GraphQL errors are:
`{"errors": [{"message": ..., "extensions": {"code": ...}}]}` with a 4xx (or 503), and
logged as one line that names the method, path, status and code, never the request's
query string, headers or body."""

import json
import logging
from collections.abc import Mapping
from enum import StrEnum

from starlette.responses import Response
from starlette.types import Scope

logger = logging.getLogger("hub.http")


class RefusalCode(StrEnum):
    """Codes of HTTP-level refusals (errors from inside GraphQL use resolvers/errors.py's)."""

    BAD_REQUEST = "BAD_REQUEST"  # 400: not a well-formed GraphQL request
    UNAUTHENTICATED = "UNAUTHENTICATED"  # 401
    FORBIDDEN = "FORBIDDEN"  # 403: the caller's role may not use this route (/metrics, /events)
    NOT_FOUND = "NOT_FOUND"  # 404
    METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"  # 405
    PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"  # 413
    URI_TOO_LONG = "URI_TOO_LONG"  # 414
    UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"  # 415
    RATE_LIMITED = "RATE_LIMITED"  # 429
    GRAPH_UNAVAILABLE = "GRAPH_UNAVAILABLE"  # 503
    # 200, as Apollo's clients expect: send the query with its hash (hub/persisted_queries.py)
    PERSISTED_QUERY_NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"


def refusal(
    scope: Scope,
    status: int,
    code: RefusalCode,
    message: str,
    headers: Mapping[str, str] | None = None,
    *,
    logged: str | None = None,
    level: int = logging.INFO,
) -> Response:
    """The response refusing the request of ``scope``, logged as one line at ``level``:
    ``logged`` when given, else ``message`` (what the client is shown). What is logged
    must not quote anything the client sent."""
    logger.log(
        level,
        "refused %s %s: %d %s: %s",
        scope.get("method", "-"), scope.get("path", "-"), status, code.value,
        message if logged is None else logged,
    )  # fmt: skip
    # Read back by hub/metrics_http.py, which counts refusals by code.
    scope.setdefault("state", {})["refusal_code"] = code.value
    body = json.dumps({"errors": [{"message": message, "extensions": {"code": code.value}}]})
    return Response(body, status, headers=dict(headers or {}), media_type="application/json")
