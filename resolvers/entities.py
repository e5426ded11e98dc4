"""Resolve an entity's list parts from the record its statement already returned,
falling back to the request's loader when the record was fetched for another shape.
"""

from collections.abc import Mapping
from typing import Any, Literal

from graph.store import Record
from resolvers.context import Context
from resolvers.selection import Page, find_instance, read_page

EntityKind = Literal["customer", "brand"]


async def part_items(
    ctx: Context, kind: EntityKind, record: Record, part: str, page: Page | None
) -> tuple[list[Any], int]:
    """Items of ``part`` for ``page`` (None: the whole unordered part) and the list's total.

    An ordered part's items are `{node, key}` maps, at most ``page.first + 1`` of them
    (the extra one tells that more follow)."""
    instance = find_instance(record.get("_shape", ()), part, page)
    if instance is None:
        loader = ctx.loaders.customers if kind == "customer" else ctx.loaders.brands
        record = await loader.load((record["id"], ((part, part, page),))) or {}
        instance = part
    value = record.get(instance)
    items = list(value or []) if isinstance(value, list | None) else [value]
    return items, int(record.get(f"{instance}_total") or len(items))


async def part_value(ctx: Context, kind: EntityKind, record: Record, part: str) -> Any:
    """A value part (a map computed in the entity's statement)."""
    items, _ = await part_items(ctx, kind, record, part, None)
    return items[0] if items else None


async def part_page(
    ctx: Context, kind: EntityKind, record: Record, part: str, arguments: Mapping[str, Any]
) -> tuple[list[Any], Page, int]:
    """One Relay page of an ordered part: (items, page, total). ``arguments`` are the
    field's own (`first`, `after`, `filter` with GraphQL names), read the way the statement
    planned them from the selection, so the page found is the page fetched."""
    page = read_page(part, arguments, ctx.default_page_size, ctx.max_page_size)
    items, total = await part_items(ctx, kind, record, part, page)
    return items, page, total
