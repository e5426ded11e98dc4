"""What GraphQL subscriptions stream (schema/subscriptions.py): outbox events from this
process's broker (resolvers/outbox.py), filtered per subscription and per caller, and
complaints found at risk of missing their SLA by a periodic look at the queue.

Restriction holds as in queries: a caller who does not see restricted customers
(everyone but admins) gets no event about one, checked against the graph per event.
"""

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

from graph.outbox import ANY_RESTRICTED, CUSTOMER_VISIBLE
from graph.store import Record
from resolvers.access import may_call
from resolvers.complaints import QueueFilter, queue, sla_state
from resolvers.context import Context
from resolvers.errors import bad_input, forbidden, not_found
from resolvers.outbox import Broker, OutboxMessage

PENDING_STATUSES = ["open", "in_progress", "escalated"]
MAX_AT_RISK_PAGES = 10


def authorise(ctx: Context, field: str) -> None:
    """Raises FORBIDDEN unless the caller's role may subscribe to ``field`` (the request
    guard's table, resolvers/access.py, checked here too: subscriptions run outside it)."""
    if not may_call(ctx.principal.role, "subscription", field):
        raise forbidden(f"{ctx.principal.role.value} keys may not subscribe to {field}")


async def _visible(ctx: Context, message: OutboxMessage) -> bool:
    if ctx.principal.sees_restricted or not message.customer_ids:
        return True
    rows = await ctx.store.read(ANY_RESTRICTED, {"ids": list(message.customer_ids)})
    return not rows[0]["n"]


async def changes(
    ctx: Context, broker: Broker, wanted: Callable[[OutboxMessage], bool]
) -> AsyncIterator[OutboxMessage]:
    """The outbox events ``wanted`` lets through, from now until the client leaves."""
    async with broker.subscribe() as messages:
        async for message in messages:
            if wanted(message) and await _visible(ctx, message):
                yield message


async def customer_changes(
    ctx: Context, broker: Broker, customer_id: str
) -> AsyncIterator[OutboxMessage]:
    """Every outbox event naming the customer. Raises NOT_FOUND (at once) for a customer
    the caller cannot see."""
    rows = await ctx.store.read(
        CUSTOMER_VISIBLE, {"id": customer_id, "include_restricted": ctx.principal.sees_restricted}
    )
    if not rows:
        raise not_found("customer", customer_id)
    async for message in changes(ctx, broker, lambda m: customer_id in m.customer_ids):
        yield message


async def at_risk(ctx: Context, every_s: float) -> AsyncIterator[Record]:
    """Pending complaints at risk of missing a target, each once (again after it was out
    of risk), looked for now and every ``every_s`` seconds. Raises BAD_USER_INPUT."""
    if not 1 <= every_s <= 3600:
        raise bad_input("must be 1-3600 seconds", "everySeconds")
    reported: set[str] = set()
    while True:
        now = ctx.clock()
        found: dict[str, Record] = {}
        for page in range(MAX_AT_RISK_PAGES):
            rows, more, _ = await queue(ctx, QueueFilter(statuses=PENDING_STATUSES),
                                        "due_asc", 100, page * 100)  # fmt: skip
            found |= {r["id"]: r for r in rows if sla_state(r, now).at_risk}
            if not more:
                break
        for complaint_id, row in found.items():
            if complaint_id not in reported:
                yield row
        reported = set(found)
        await asyncio.sleep(every_s)


def complaint_id(message: OutboxMessage) -> Any:
    return message.payload.get("complaint_id")
