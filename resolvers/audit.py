"""What a request read, gathered while it runs and written as one audit entry at its end
(schema/guard.py writes it, before the response leaves)."""

import asyncio
import hashlib
import logging
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from graph.audit import INSERT_AUDIT_ENTRIES, INSERT_AUDIT_ENTRY
from graph.errors import GraphError, GraphUnavailable
from graph.partner_usage import INSERT_METERED_AUDIT_ENTRY
from graph.store import GraphStore
from resolvers.errors import GRAPH_UNAVAILABLE_MESSAGE, INTERNAL_MESSAGE, ApiError, ErrorCode
from resolvers.principal import Principal

logger = logging.getLogger("hub.audit")


@dataclass
class AuditTrail:
    """Request-scoped: resolvers note the customers whose data is in the response, by hub
    id, also for partner pulls (the pseudonyms handed out are derived from those ids, so
    the entry holds ids only and an erasure can scrub them). Nothing here is logged."""

    customer_ids: set[str] = field(default_factory=set)
    purpose: str | None = None
    kinds: set[str] = field(default_factory=set)
    # A partner pull's usage, kept on its entry (graph/partner_usage.py): rows and cells
    # released, lists matched. Empty for every other request.
    usage: dict[str, int] = field(default_factory=dict)

    def customers_read(self, ids: Iterable[str], kind: str = "customer_read") -> None:
        """Customer-level data of ``ids`` is in the response."""
        self.customer_ids.update(ids)
        self.kinds.add(kind)

    def partner_pull(self, purpose: str, customer_ids: Iterable[str] = ()) -> None:
        """A partner pulled data for ``purpose``: the customers whose pseudonyms it was
        given (none for aggregates). Metered: one row per pseudonym handed out."""
        ids = list(customer_ids)
        self.purpose = purpose
        self.customer_ids.update(ids)
        self.kinds.add("partner_pull")
        self.metered(rows=len(ids))

    def metered(self, rows: int = 0, cells: int = 0, lists: int = 0) -> None:
        """A partner pull released ``rows`` (pseudonyms), ``cells`` (counts) and matched
        ``lists`` lists: what the partner is invoiced for."""
        for name, value in (("rows", rows), ("cells", cells), ("lists", lists)):
            self.usage[name] = self.usage.get(name, 0) + value

    def note(self, kind: str) -> None:
        """Any other act worth an entry (an export, an erasure, a consent change)."""
        self.kinds.add(kind)

    @property
    def empty(self) -> bool:
        return not self.kinds


def entry_params(
    principal: Principal,
    kinds: Iterable[str],
    customer_ids: Iterable[str],
    text: str,
    operation: str | None,
    purpose: str | None = None,
) -> dict[str, object]:
    """The properties of one `(:AuditEntry)`: ``text`` is hashed (the GraphQL document, or
    the CLI command), never stored. Writes put it in their own statement (graph/mutations.py)."""
    return {
        "id": uuid.uuid4().hex, "at": int(time.time() * 1000),
        "subject": principal.subject, "role": principal.role.value,
        "partner_id": principal.partner_brand_id, "purpose": purpose,
        "query_hash": hashlib.sha256(text.encode()).hexdigest(), "operation": operation,
        "kinds": sorted(kinds), "customer_ids": sorted(customer_ids),
    }  # fmt: skip


class AuditBatcher:
    """Group commit of audit entries: the entries of requests that end while an earlier
    batch is being written go out together in the next one, in one transaction.

    Each request still waits for its own entry to be committed before its response
    leaves (nothing read goes out unrecorded); under concurrency the requests share one
    transaction, and one forced log write on Neo4j, instead of each paying for its own.
    A lone request is written at once, alone: nothing waits for company. One per app
    (hub/app.py), used on the serving event loop only; the batch statement goes through
    the store of its first request, so a request's statement count includes its entry's
    write when it sent it.
    """

    def __init__(self) -> None:
        self._pending: list[tuple[dict[str, object], asyncio.Future[None], GraphStore]] = []
        self._writer: asyncio.Task[None] | None = None
        self.batches = 0  # statements written, for tests and benchmarks
        self.entries = 0

    async def write(self, store: GraphStore, params: dict[str, object]) -> None:
        """Commit one entry (``entry_params``) through ``store`` (the request's own: a
        shared write goes through the store of the first request in it, so it is counted
        and traced once, for that request); raises ApiError as ``write_entry`` does."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append((params, future, store))
        if self._writer is None:
            # A task of its own, not the request's: a client that goes away cancels its
            # request, which must not cancel the write the other requests wait on.
            self._writer = asyncio.create_task(self._drain())
        await future

    async def _drain(self) -> None:
        try:
            while self._pending:
                batch, self._pending = self._pending, []
                failure = await _written(
                    batch[0][2], INSERT_AUDIT_ENTRIES, {"entries": [p for p, _, _ in batch]}
                )
                self.batches += 1
                self.entries += len(batch)
                for _, future, _ in batch:
                    if future.done():  # its request was cancelled meanwhile
                        continue
                    if failure is None:
                        future.set_result(None)
                    else:  # each request raises its own error object
                        future.set_exception(ApiError(failure.message, failure.code))
        finally:
            self._writer = None
            for _, future, _ in self._pending:  # only if this task itself was cancelled
                if not future.done():
                    future.set_exception(ApiError(INTERNAL_MESSAGE, ErrorCode.INTERNAL))
            self._pending = []


async def _written(store: GraphStore, statement: str, params: dict[str, object]) -> ApiError | None:
    """Write one audit statement: None when committed, else the error a client may see
    (GRAPH_UNAVAILABLE when the graph cannot be reached, INTERNAL when it refused)."""
    try:
        await store.write(statement, params)
    except GraphUnavailable:
        return ApiError(GRAPH_UNAVAILABLE_MESSAGE, ErrorCode.GRAPH_UNAVAILABLE)
    except GraphError as e:
        logger.error("audit entry not written: %s", type(e).__name__)
        return ApiError(INTERNAL_MESSAGE, ErrorCode.INTERNAL)
    return None


async def write_entry(
    store: GraphStore,
    principal: Principal,
    trail: AuditTrail,
    text: str,
    operation: str | None,
    batcher: AuditBatcher | None = None,
) -> None:
    """Write ``trail`` as one `(:AuditEntry)` (see ``entry_params``), through ``batcher``
    when given (a partner pull's metered entry is always written alone).

    Raises ApiError GRAPH_UNAVAILABLE when the graph cannot be reached (the engine died
    mid-request), INTERNAL when it refused the entry."""
    # Raised from the request guard after execution, where Strawberry's error masking no
    # longer applies: the error must already be one a client may see.
    params = entry_params(
        principal, trail.kinds, trail.customer_ids, text, operation, trail.purpose
    )
    if trail.usage:
        usage = {"rows": 0, "cells": 0, "lists": 0, **trail.usage}
        failure = await _written(store, INSERT_METERED_AUDIT_ENTRY, {**params, "usage": usage})
    elif batcher is not None:
        await batcher.write(store, params)
        return
    else:
        failure = await _written(store, INSERT_AUDIT_ENTRY, params)
    if failure is not None:
        raise failure
