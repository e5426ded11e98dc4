"""Computed traits for the API: define (validated, stored, computed at once), list,
delete, refresh (graph/traits.py holds the statements)."""

from typing import Any

from graph import traits as g
from resolvers.context import Context
from resolvers.errors import bad_input, not_found


async def define_trait(ctx: Context, spec: g.TraitSpec) -> dict[str, Any]:
    """Store ``spec`` (replacing a definition of that name) and compute it for every
    customer; returns its record. A definition that cannot be computed: BAD_USER_INPUT
    with the reason, naming the argument."""
    try:
        spec.check()
    except g.TraitRefused as refused:
        raise bad_input(str(refused), f"input.{refused.argument}") from None
    now = ctx.clock()
    await g.save_trait(ctx.store, spec, ctx.principal.subject, now)
    await g.refresh_traits(ctx.store, now, names=[spec.name])
    return await trait_record(ctx, spec.name)


async def trait_record(ctx: Context, name: str) -> dict[str, Any]:
    """The stored definition ``name``; NOT_FOUND when there is none."""
    rows = await ctx.store.read(g.GET_TRAIT, {"name": name})
    if not rows:
        raise not_found("trait", name)
    record: dict[str, Any] = rows[0]["trait"]
    return record


async def trait_records(ctx: Context) -> list[dict[str, Any]]:
    """Every stored definition, by name."""
    return [record for _, record in await g.trait_specs(ctx.store)]


async def delete_trait(ctx: Context, name: str) -> bool:
    """Remove the definition and every value of it; False when there was none."""
    existed = bool(await ctx.store.read(g.GET_TRAIT, {"name": name}))
    await ctx.store.write(g.DELETE_TRAIT, {"name": name})
    return existed


async def refresh_traits(ctx: Context, names: list[str] | None) -> int:
    """Recompute the named traits (all when None) for every customer; the statements run."""
    return await g.refresh_traits(ctx.store, ctx.clock(), names=names)


def spec(**fields: Any) -> g.TraitSpec:
    """A trait definition from the API's fields (checked when defined)."""
    return g.TraitSpec(**fields)
