"""Resolve an entity's list parts from the record its statement already returned,
falling back to the request's loader when the record was fetched for another shape.
"""

from typing import Any, Literal

from graph.store import Record
from resolvers.context import Context
from resolvers.selection import Window, page_window

EntityKind = Literal["customer", "brand"]


async def part_items(
    ctx: Context, kind: EntityKind, record: Record, part: str, window: Window | None
) -> tuple[list[Any], int]:
    """Items of ``part`` in ``window`` (None: the whole unordered list), and the total."""
    fetched = dict(record.get("_shape", ()))
    have = fetched.get(part)
    covered = have is not None and (
        window is None or (have.skip <= window.skip and window.end <= have.end)
    )
    if not covered:
        loader = ctx.loaders.customers if kind == "customer" else ctx.loaders.brands
        shape = ((part, window or Window(0, 0)),)
        fresh = await loader.load((record["id"], shape))
        record = fresh or {}
        have = window
    items = list(record.get(part) or [])
    if window is None:
        return items, len(items)
    assert have is not None
    start = window.skip - have.skip
    return items[start : start + window.first], int(record.get(f"{part}_total") or 0)


async def part_page(
    ctx: Context, kind: EntityKind, record: Record, part: str, first: int, after: str | None
) -> tuple[list[Any], Window, int]:
    """One Relay page of an ordered part: (items, the window asked for, total)."""
    window = page_window(first, after, part, ctx.max_page_size)
    items, total = await part_items(ctx, kind, record, part, window)
    return items, window, total
