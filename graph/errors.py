"""The hub's own small error hierarchy for everything below the API.

Driver and engine exceptions are wrapped into these at the graph/ boundary so the
layers above never import a database driver to catch its errors.
"""


class GraphError(Exception):
    """Base of every error raised by graph/."""


class InvalidGraphUrl(GraphError, ValueError):
    """HUB_GRAPH_URL is not a URL the hub can use."""


class GraphUnavailable(GraphError):
    """The database cannot be reached (down, wrong address, wrong credentials)."""


class GraphQueryError(GraphError):
    """The database refused a statement (syntax, constraint violation, timeout)."""


class QueryTimedOut(GraphQueryError):
    """The database stopped a statement that ran past the store's query timeout."""

    def __init__(self, message: str, timeout_s: float) -> None:
        super().__init__(message)
        self.timeout_s = timeout_s


class EngineStartError(GraphError):
    """The embedded engine could not be started."""


class GraphNotEmpty(GraphError):
    """A bulk import was asked to load into a graph that already holds nodes."""
