"""Automatic persisted queries, Apollo's protocol (docs/api.md, "Persisted queries"): a
client sends `extensions.persistedQuery = {version: 1, sha256Hash}` without the query;
the hub answers PERSISTED_QUERY_NOT_FOUND until the client sends the query with its hash
once, which registers it. Registrations live in this process (a bounded LRU): behind a
load balancer each hub learns a query at its first miss, which the protocol expects.

Only authenticated requests get here (hub/auth.py runs first), and a registered query is
still parsed, validated and guarded (schema/guard.py) like any other each time it runs.
"""

import hashlib
import re
from collections import OrderedDict
from dataclasses import replace
from threading import Lock

from strawberry.http import GraphQLRequestData

HASH = re.compile(r"[0-9a-f]{64}")
NOT_FOUND_MESSAGE = "PersistedQueryNotFound"


class PersistedQueryError(Exception):
    """The request's persisted query cannot run: ``code`` PERSISTED_QUERY_NOT_FOUND (send
    the query with its hash) or BAD_REQUEST (a malformed extension, a hash that is not the
    query's)."""

    def __init__(self, code: str, message: str, status: int) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


class PersistedQueries:
    """sha256 hex -> query text, the ``size`` most recently used."""

    def __init__(self, size: int = 1000) -> None:
        self._size = size
        self._queries: OrderedDict[str, str] = OrderedDict()
        self._lock = Lock()  # one view serves every request of the process

    def __len__(self) -> int:
        return len(self._queries)

    def resolve(self, data: GraphQLRequestData) -> GraphQLRequestData:
        """``data`` with its query filled in from the hash, or registered under it; as it
        is without a persistedQuery extension. Raises PersistedQueryError."""
        extension = (data.extensions or {}).get("persistedQuery")
        if extension is None:
            return data
        if not isinstance(extension, dict) or extension.get("version") != 1:
            raise PersistedQueryError(
                "BAD_REQUEST", "extensions.persistedQuery must be {version: 1, sha256Hash}", 400
            )
        digest = extension.get("sha256Hash")
        if not isinstance(digest, str) or not HASH.fullmatch(digest):
            raise PersistedQueryError(
                "BAD_REQUEST", "persistedQuery.sha256Hash must be 64 lowercase hex digits", 400
            )
        if not data.query:
            with self._lock:
                query = self._queries.get(digest)
                if query is not None:
                    self._queries.move_to_end(digest)
            if query is None:
                raise PersistedQueryError("PERSISTED_QUERY_NOT_FOUND", NOT_FOUND_MESSAGE, 200)
            return replace(data, query=query)
        if hashlib.sha256(data.query.encode("utf-8", "surrogatepass")).hexdigest() != digest:
            raise PersistedQueryError("BAD_REQUEST", "provided sha does not match query", 400)
        with self._lock:
            self._queries[digest] = data.query
            self._queries.move_to_end(digest)
            while len(self._queries) > self._size:
                self._queries.popitem(last=False)
        return data
