"""What a request read, gathered while it runs and written as one audit entry at its end
(schema/guard.py writes it, before the response leaves)."""

import hashlib
import logging
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from graph.audit import INSERT_AUDIT_ENTRY
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


async def write_entry(
    store: GraphStore, principal: Principal, trail: AuditTrail, text: str, operation: str | None
) -> None:
    """Write ``trail`` as one `(:AuditEntry)` (see ``entry_params``).

    Raises ApiError GRAPH_UNAVAILABLE when the graph cannot be reached (the engine died
    mid-request), INTERNAL when it refused the entry."""
    # Raised from the request guard after execution, where Strawberry's error masking no
    # longer applies: the error must already be one a client may see.
    try:
        params = entry_params(
            principal, trail.kinds, trail.customer_ids, text, operation, trail.purpose
        )
        if trail.usage:
            usage = {"rows": 0, "cells": 0, "lists": 0, **trail.usage}
            await store.write(INSERT_METERED_AUDIT_ENTRY, {**params, "usage": usage})
        else:
            await store.write(INSERT_AUDIT_ENTRY, params)
    except GraphUnavailable:
        raise ApiError(GRAPH_UNAVAILABLE_MESSAGE, ErrorCode.GRAPH_UNAVAILABLE) from None
    except GraphError as e:
        logger.error("audit entry not written: %s", type(e).__name__)
        raise ApiError(INTERNAL_MESSAGE, ErrorCode.INTERNAL) from None
