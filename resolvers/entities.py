"""Resolve an entity's part fields from the record its statement returned, through the
plan the statement was made from (resolvers/plan.py)."""

from typing import Any

from strawberry.types import Info

from graph.reads import Page
from graph.store import Record
from resolvers.context import Context
from resolvers.plan import EntityKind, EntityPlan, part_result, plan_entity


async def part_items(
    info: Info[Context, None], kind: EntityKind, record: Record, plan: EntityPlan | None
) -> tuple[list[Any], Page | None, int]:
    """(items, page fetched or None, total) of the part field being resolved, found by its
    response alias in ``plan``. An entity met inside another read has no plan: its field
    is planned alone and fetched in a statement of its own (batched over such entities).

    An ordered part's items are `{node, key}` maps, at most ``page.first + 1`` of them
    (the extra one tells that more follow)."""
    ctx = info.context
    if plan is None:
        plan = plan_entity(kind, info.selected_fields, ctx.default_page_size, ctx.max_page_size)
        loader = ctx.loaders.customers if kind == "customer" else ctx.loaders.brands
        record = await loader.load((record["id"], plan.fetches)) or {}
    index, fetch = plan.fetch_of(str(info.path.key))
    items, total = part_result(record, index)
    return items, fetch.page, total


async def part_page(
    info: Info[Context, None], kind: EntityKind, record: Record, plan: EntityPlan | None
) -> tuple[list[Any], Page, int]:
    """One Relay page of an ordered part: (items, page, total)."""
    items, page, total = await part_items(info, kind, record, plan)
    assert page is not None, "an ordered part is always fetched with a page"
    return items, page, total


async def part_value(
    info: Info[Context, None], kind: EntityKind, record: Record, plan: EntityPlan | None
) -> Any:
    """A value part (a map computed in the entity's statement), or None."""
    items, _, _ = await part_items(info, kind, record, plan)
    return items[0] if items else None
