"""Customer reads: the customer-360 by key and pages of customers."""

from typing import Any

from graph import reads
from graph.store import Record
from resolvers.context import Context
from resolvers.errors import not_found
from resolvers.ids import decode_cursor
from resolvers.selection import Shape, shape_params

FILTER_KEYS = ("country", "region", "platform", "tag", "segment")


async def customer_360(ctx: Context, key: str, shape: Shape) -> Record:
    """The customer's record with the parts of ``shape``; raise NOT_FOUND."""
    record = await ctx.loaders.customers.load((key, shape))
    if record is None:
        raise not_found("customer", key)
    return record


def filter_params(filters: dict[str, Any]) -> dict[str, Any]:
    return {k: filters.get(k) for k in FILTER_KEYS}


async def customers_page(
    ctx: Context, shape: Shape, first: int, after: str | None, filters: dict[str, Any]
) -> tuple[list[Record], bool]:
    """One statement for the page and every selected part; returns (records, has_next)."""
    params = {
        "after": decode_cursor(after, "customers") if after is not None else None,
        "limit": first + 1,
        **filter_params(filters),
        **shape_params(shape),
    }
    query = reads.customers_query(reads.CUSTOMERS_PAGE_HEAD, [p for p, _ in shape])
    rows = await ctx.store.read(query, params)
    records = sorted((r["entity"] for r in rows), key=lambda e: str(e["id"]))
    for record in records:
        record["_shape"] = shape
        ctx.loaders.customers.prime((record["id"], shape), record)
    return records[:first], len(records) > first


async def count_customers(ctx: Context, filters: dict[str, Any]) -> int:
    rows = await ctx.store.read(reads.CUSTOMERS_COUNT, filter_params(filters))
    return int(rows[0]["total"]) if rows else 0
