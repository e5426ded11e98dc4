"""Loyalty programmes for the API (docs/audiences.md): ordered tiers, each a saved
audience; saving or refreshing one refreshes its audiences, then the tier spells."""

from typing import Any

from graph import loyalty as g
from resolvers import audiences
from resolvers.context import Context
from resolvers.errors import bad_input, not_found

MAX_TIERS = 10


async def save(ctx: Context, program_id: str, name: str, tiers: list[str]) -> dict[str, Any]:
    """Store the programme (replacing one of that id) and assign tiers now; returns its
    record. BAD_USER_INPUT for a bad id or name, no tiers, too many, a tier named twice
    or one that is not a saved audience."""
    if not audiences.AUDIENCE_ID.match(program_id):
        raise bad_input("a programme id is 1-64 of a-z, 0-9, _ and -", "input.programId")
    if not 1 <= len(name.strip()) <= 200:
        raise bad_input("a name is 1-200 characters", "input.name")
    if not 1 <= len(tiers) <= MAX_TIERS or len(set(tiers)) != len(tiers):
        raise bad_input(f"1..{MAX_TIERS} different audience ids, best first", "input.tiers")
    rows = await ctx.store.read(g.AUDIENCES_FOUND, {"ids": tiers})
    missing = sorted(set(tiers) - set(rows[0]["found"] if rows else []))
    if missing:
        raise bad_input(f"not saved audiences: {', '.join(missing)}", "input.tiers")
    params = {"id": program_id, "name": name.strip(), "tiers": tiers,
              "owner": ctx.principal.subject, "now": ctx.clock()}  # fmt: skip
    await ctx.store.write(g.SAVE_PROGRAM, params)
    await refresh(ctx, program_id)
    return await record(ctx, program_id)


async def record(ctx: Context, program_id: str) -> dict[str, Any]:
    """The stored programme; NOT_FOUND when there is none."""
    rows = await ctx.store.read(g.GET_PROGRAM, {"id": program_id})
    if not rows:
        raise not_found("loyalty programme", program_id)
    found: dict[str, Any] = rows[0]["program"]
    return found


async def records(ctx: Context) -> list[dict[str, Any]]:
    """Every programme, by id."""
    return [r["program"] for r in await ctx.store.read(g.LIST_PROGRAMS)]


async def refresh(ctx: Context, program_id: str) -> g.TierChanges:
    """Refresh each tier's audience, then move customers between tiers: spells closed
    and opened."""
    program = await record(ctx, program_id)
    tiers = list(program["tiers"])
    for audience_id in tiers:
        await audiences.refresh(ctx, audience_id)
    return await g.refresh_tiers(ctx.store, program_id, tiers, ctx.clock())
