"""`/partner/lists`: a partner key uploads, inspects and deletes its hashed customer lists
(docs/partner.md, "Lists"). Authenticated and rate-limited like /graphql (hub/auth.py).
An upload is read as it streams in, a chunk written every 10,000 lines, so memory stays
flat (HUB_PARTNER_LIST_MAX_BYTES caps one upload; a list may take several).

    POST   /partner/lists        a new list (the body, if any, is its first upload) -> 201
    POST   /partner/lists/{id}   one more upload: one hash a line                   -> 200
    GET    /partner/lists/{id}   its counts                                         -> 200
    DELETE /partner/lists/{id}   the list and every hash of it                      -> 200

Answers are JSON counts; errors are GraphQL-shaped (`errors[0].extensions.code`). A bad
line is reported by number, never echoed. Each call writes an audit entry.
"""

from collections.abc import AsyncIterator
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from graph.errors import GraphError
from hub.http_errors import RefusalCode
from resolvers import partner_lists as pl
from resolvers.audit import AuditTrail, write_entry
from resolvers.errors import ApiError, ErrorCode
from resolvers.principal import Principal, Role


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse(
        {"errors": [{"message": message, "extensions": {"code": code}}]}, status_code=status
    )


def _status_json(status: pl.ListStatus) -> dict[str, Any]:
    body: dict[str, Any] = {
        "listId": status.id, "expiresAt": status.expires_at, "entries": status.entries,
        "badEntries": status.bad_entries, "lines": status.lines,
    }  # fmt: skip
    if status.first_line is not None:
        # this upload's bad lines, numbered within the list (its lines continue the last's)
        body["badLines"] = [status.first_line - 1 + n for n in status.bad_lines]
    return body


async def _upload(
    request: Request, partner: str, list_id: str, empty: pl.ListStatus | None = None
) -> pl.ListStatus:
    """The request's body streamed into the list; ``empty`` (a new list's status) when the
    body holds nothing at all. Raises what pl.append_stream raises."""
    stream: AsyncIterator[bytes] = request.stream()
    if empty is not None:
        # A new list with no body stays empty: no upload, no chunk.
        first = b""
        async for piece in stream:
            if piece:
                first = piece
                break
        if not first:
            return empty
        stream = _prepend(first, stream)
    return await pl.append_stream(
        request.app.state.store, partner, list_id, stream, request.app.state.partner_list_max_bytes
    )


async def _prepend(first: bytes, rest: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    yield first
    async for piece in rest:
        yield piece


def _too_large(e: pl.UploadTooLarge) -> str:
    """The 413 message: the limit, and how far the list got (counts only)."""
    if e.status is None:
        return str(e)
    return f"{e}; the list {e.status.id} holds the {e.status.entries} entries before it"


async def _audit(request: Request, principal: Principal) -> None:
    """The call's audit entry (``partner_list_<method>``)."""
    trail = AuditTrail()
    trail.note(f"partner_list_{request.method.lower()}")
    await write_entry(
        request.app.state.store, principal, trail, f"{request.method} /partner/lists",
        "partner_lists",
    )  # fmt: skip


async def lists(request: Request) -> JSONResponse:
    """The four operations above; FORBIDDEN for keys other than partner keys."""
    principal: Principal = request.state.principal
    partner = principal.partner_brand_id
    if principal.role is not Role.PARTNER or partner is None:
        return _error(403, ErrorCode.FORBIDDEN.value, "only partner keys may upload lists")
    store = request.app.state.store
    list_id = request.path_params.get("list_id")
    method = request.method
    try:
        if list_id is None:
            status = await pl.create_list(store, partner, request.app.state.partner_list_ttl_ms)
            status = await _upload(request, partner, status.id, status)
            code = 201
        elif method == "POST":
            status, code = await _upload(request, partner, list_id), 200
        elif method == "GET":
            status, code = await pl.list_status(store, partner, list_id), 200
        else:
            await pl.delete_list(store, partner, list_id)
            status, code = None, 200
        await _audit(request, principal)
    except pl.UploadTooLarge as e:
        try:
            await _audit(request, principal)  # the chunks before the limit were written
        except GraphError:
            return _error(503, ErrorCode.GRAPH_UNAVAILABLE.value, "the graph is unavailable")
        return _error(413, RefusalCode.PAYLOAD_TOO_LARGE.value, _too_large(e))
    except ApiError as e:
        http = {ErrorCode.NOT_FOUND: 404, ErrorCode.BAD_USER_INPUT: 400}.get(e.code, 503)
        return _error(http, e.code.value, e.message)
    except GraphError:
        return _error(503, ErrorCode.GRAPH_UNAVAILABLE.value, "the graph is unavailable")
    if status is None:
        return JSONResponse({"listId": list_id, "deleted": True}, status_code=code)
    return JSONResponse(_status_json(status), status_code=code)


ROUTES = [
    Route("/partner/lists", lists, methods=["POST"]),
    Route("/partner/lists/{list_id}", lists, methods=["POST", "GET", "DELETE"]),
]
