"""Strawberry's ASGI view, strict about what a GraphQL request over HTTP may be. A body
or parameter that is not JSON, JSON that is not an object (``12345``, ``null``), invalid
UTF-8, nesting past the JSON parser's depth limit, fields of the wrong type, a repeated
GET parameter, an unsupported content type or method: each is a 4xx with a GraphQL-shaped
error saying what was wrong (hub/http_errors.py), never a 500 or a plain-text answer.

Strawberry decodes with ``json.loads`` (which raises UnicodeDecodeError on invalid UTF-8
and RecursionError on deep nesting, both 500s) and calls ``.get`` on whatever the body
decoded to (an AttributeError for a number); the overrides below are where it parses.
"""

from collections.abc import Iterable
from typing import Any

import orjson
from cross_web import HTTPException
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLRequestData
from strawberry.schema.exceptions import CannotGetOperationTypeError
from strawberry.types.unset import UNSET

from hub.http_errors import RefusalCode, refusal
from hub.persisted_queries import PersistedQueries, PersistedQueryError
from resolvers.context import Context

REQUEST_PARAMETERS = ("query", "variables", "operationName", "extensions")
# Far more than any operation's variables need, and far less than what the code that
# walks them recursively (the guard's text checks, input coercion) can take.
MAX_JSON_DEPTH = 64
_CODES = {404: RefusalCode.NOT_FOUND, 405: RefusalCode.METHOD_NOT_ALLOWED}


class StrictGraphQL(GraphQL[Context, None]):
    """The view hub/app.py's HubGraphQL builds on: Strawberry's, refusing malformed
    requests with a GraphQL-shaped 4xx, and answering persisted queries (hash-only
    requests) when ``persisted`` is set."""

    persisted: PersistedQueries | None = None

    # request and the responses are Starlette's (Any: Strawberry's signatures are generic).
    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        """Strawberry's run, with its HTTP errors answered as GraphQL errors with a code."""
        try:
            return await super().run(request, context, root_value)
        except PersistedQueryError as e:
            return refusal(request.scope, e.status, RefusalCode(e.code), e.message)
        except HTTPException as e:
            headers = {"allow": "GET, POST"} if e.status_code == 405 else None
            # Strawberry's reason for an unknown operation quotes the name the client sent.
            logged = (
                "the operationName names no operation of the document"
                if isinstance(e.__cause__, CannotGetOperationTypeError)
                else e.reason
            )
            code = _CODES.get(e.status_code, RefusalCode.BAD_REQUEST)
            return refusal(request.scope, e.status_code, code, e.reason, headers, logged=logged)

    def should_render_graphql_ide(self, request: Any) -> bool:
        # A hash-only persisted query is a GET without `query`, which Strawberry would
        # take for a browser's visit and answer with GraphiQL.
        if "extensions" in request.query_params:
            return False
        return bool(super().should_render_graphql_ide(request))

    def decode_json(self, data: str | bytes) -> object:
        # orjson refuses invalid UTF-8, lone surrogates and nesting past 1,024 levels with a
        # JSONDecodeError (as it does NaN and Infinity, which are not JSON either).
        return orjson.loads(data)

    def parse_json(self, data: str | bytes) -> dict[str, Any]:
        """The request body as a JSON object; raises HTTPException (400) saying why not."""
        value = _decoded(self, data, "the request body")
        if isinstance(value, list):
            raise HTTPException(400, "batched operations are not accepted: send one JSON object")
        return _json_object(value, "the request body")

    def parse_query_params(self, params: Any) -> dict[str, Any]:
        """A GET's parameters, ``variables`` and ``extensions`` decoded as JSON objects;
        raises HTTPException (400) for a repeated parameter or one that does not decode."""
        getlist = getattr(params, "getlist", None)  # Starlette's QueryParams is a multi-dict
        for name in REQUEST_PARAMETERS:
            if getlist is not None and len(getlist(name)) > 1:
                raise HTTPException(400, f"the {name!r} parameter is given more than once")
        parsed: dict[str, Any] = dict(params)
        for name in ("variables", "extensions"):
            value, what = parsed.get(name), f"the {name!r} parameter"
            parsed[name] = _json_object(_decoded(self, value, what), what) if value else None
        return parsed

    async def parse_http_body(self, request: Any) -> Any:
        """Strawberry's, plus a check of ``operationName``, which it passes on unchecked."""
        data = await super().parse_http_body(request)
        # (Never a list: parse_json refuses batches.)
        if isinstance(data, GraphQLRequestData) and not isinstance(data.operation_name, str | None):
            raise HTTPException(
                400, "The GraphQL operation's `operationName` must be a string or null, "
                "if provided.",
            )  # fmt: skip
        if isinstance(data, GraphQLRequestData) and self.persisted is not None:
            return self.persisted.resolve(data)  # raises PersistedQueryError, answered in run
        return data


def _decoded(view: StrictGraphQL, data: str | bytes, what: str) -> object:
    try:
        return view.decode_json(data)
    except orjson.JSONDecodeError as e:
        # orjson's messages name the problem and where, never the content.
        raise HTTPException(
            400, f"{what} is not valid JSON: {e.msg} (line {e.lineno}, column {e.colno})"
        ) from None


def _json_object(value: object, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise HTTPException(400, f"{what} must be a JSON object, not {_json_type(value)}")
    if nested_deeper_than(value, MAX_JSON_DEPTH):
        raise HTTPException(
            400, f"{what} nests arrays and objects more than {MAX_JSON_DEPTH} levels deep"
        )
    return value


def nested_deeper_than(value: object, limit: int) -> bool:
    """True when ``value`` has arrays or objects more than ``limit`` levels deep (counted
    without recursion, so that no depth can exhaust the stack)."""
    pending: list[tuple[object, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            children: Iterable[object] = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        # Only containers go on the stack: a scalar cannot be deeper (and a POST /events
        # batch is mostly scalars, each a tuple allocated for nothing before).
        pending.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "an array"
