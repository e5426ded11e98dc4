"""Expected API failures: GraphQL errors with a code in `extensions`."""

from enum import StrEnum

from graphql import GraphQLError

from graph.errors import GraphUnavailable, QueryTimedOut

GRAPH_UNAVAILABLE_MESSAGE = "The graph is unavailable; try again shortly."
INTERNAL_MESSAGE = "Unexpected error; it has been logged."


class ErrorCode(StrEnum):
    BAD_USER_INPUT = "BAD_USER_INPUT"
    NOT_FOUND = "NOT_FOUND"
    GRAPH_UNAVAILABLE = "GRAPH_UNAVAILABLE"
    INTERNAL = "INTERNAL"
    FORBIDDEN = "FORBIDDEN"
    LIMIT_EXCEEDED = "LIMIT_EXCEEDED"
    QUOTA_EXCEEDED = "QUOTA_EXCEEDED"  # a partner's daily quota (docs/partner.md)
    # Refusals of a write (docs/operations.md): nothing was changed.
    ERASED = "ERASED"
    RESTRICTED = "RESTRICTED"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"
    CONFLICT = "CONFLICT"
    INVALID_TRANSITION = "INVALID_TRANSITION"
    # A webhook URL whose host is internal or does not resolve (resolvers/webhook_urls.py).
    URL_NOT_ALLOWED = "URL_NOT_ALLOWED"


class ApiError(GraphQLError):
    """An error a client can act on; its message is safe to show (no personal data)."""

    def __init__(self, message: str, code: ErrorCode, **details: object) -> None:
        super().__init__(message, extensions={"code": code.value, **details})
        self.code = code


def bad_input(message: str, argument: str) -> ApiError:
    return ApiError(message, ErrorCode.BAD_USER_INPUT, argument=argument)


def not_found(kind: str, key: str) -> ApiError:
    return ApiError(f"no {kind} with id {key!r}", ErrorCode.NOT_FOUND)


def forbidden(message: str, **details: object) -> ApiError:
    return ApiError(message, ErrorCode.FORBIDDEN, **details)


def query_timed_out(error: BaseException | None) -> ApiError | None:
    """LIMIT_EXCEEDED (``limit: "time"``) for a statement the database stopped at the
    query timeout: the client asked for more than the hub computes in that time."""
    if not isinstance(error, QueryTimedOut):
        return None
    return ApiError(
        f"the query took longer than the {error.timeout_s:g} s limit and was stopped; ask "
        "for less (fewer brands, a narrower period, a smaller page), or ask an admin to "
        "raise HUB_QUERY_TIMEOUT_S",
        ErrorCode.LIMIT_EXCEEDED,
        limit="time",
    )


def graph_unavailable(error: BaseException | None) -> bool:
    """True when ``error`` is the graph being unreachable (the engine died or restarts):
    the client is told to come back (GRAPH_UNAVAILABLE), not that something broke."""
    return isinstance(error, GraphUnavailable)
