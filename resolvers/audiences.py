"""Saved audiences for the API: preview, save, refresh membership, and the reads over
membership spells: size over time, who entered or left, period-over-period comparison."""

import json
import re
from dataclasses import dataclass
from typing import Any

from analytics.significance import ProportionTest, two_proportion_z_test
from graph import audiences as g
from resolvers import rules
from resolvers.context import Context
from resolvers.errors import bad_input, not_found

AUDIENCE_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
MAX_SAMPLE = 50
MAX_POINTS = 366
MAX_CHANGES = 1000
SIGNIFICANCE_LEVEL = 0.05


async def preview(ctx: Context, raw_rule: Any, sample: int) -> tuple[int, list[str]]:
    """(how many customers the rule selects now, the first ``sample`` ids by id), as the
    caller may see them; one statement."""
    if not 0 <= sample <= MAX_SAMPLE:
        raise bad_input(f"sample is 0..{MAX_SAMPLE}", "sample")
    compiled = rules.compile_for(ctx, raw_rule, ctx.clock(), "rule")
    query = "\n".join([
        *compiled.lines, "WITH e ORDER BY e.id",
        "WITH count(e) AS size, collect(e.id) AS ids",
        "RETURN size, ids[0..$sample] AS sample",
    ])  # fmt: skip
    rows = await ctx.store.read(query, {**compiled.params, "sample": sample})
    return (int(rows[0]["size"]), list(rows[0]["sample"])) if rows else (0, [])


async def save(
    ctx: Context, audience_id: str, name: str, description: str | None, raw_rule: Any
) -> dict[str, Any]:
    """Store the audience (replacing one of that id) and materialise its membership now;
    returns its record. BAD_USER_INPUT for a bad id, name or rule."""
    if not AUDIENCE_ID.match(audience_id):
        raise bad_input("an audience id is 1-64 of a-z, 0-9, _ and -", "input.audienceId")
    if not 1 <= len(name.strip()) <= 200:
        raise bad_input("a name is 1-200 characters", "input.name")
    now = ctx.clock()
    rules.parse_rule(raw_rule, now, ctx.principal.role, "input.rule")  # refuse before storing
    params = {
        "id": audience_id, "name": name.strip(), "description": description,
        "rule": rules.to_json(raw_rule), "owner": ctx.principal.subject, "now": now,
    }  # fmt: skip
    await ctx.store.write(g.SAVE_AUDIENCE, params)
    await refresh(ctx, audience_id)
    return await record(ctx, audience_id)


async def record(ctx: Context, audience_id: str) -> dict[str, Any]:
    rows = await ctx.store.read(g.GET_AUDIENCE, {"id": audience_id})
    if not rows:
        raise not_found("audience", audience_id)
    found: dict[str, Any] = rows[0]["audience"]
    return found


async def records(ctx: Context) -> list[dict[str, Any]]:
    return [r["audience"] for r in await ctx.store.read(g.LIST_AUDIENCES)]


async def refresh(ctx: Context, audience_id: str) -> g.RefreshCounts:
    """Bring the membership up to the saved rule now: who entered and who left. Restricted
    customers leave (and enter none), whoever asks."""
    saved = await record(ctx, audience_id)
    now = ctx.clock()
    tree = rules.parse_rule(json.loads(saved["rule"]), now, where="rule")
    return await g.refresh_membership(ctx.store, audience_id, tree, rules.knobs(ctx, now), now)


async def sizes(ctx: Context, audience_id: str, points: list[int]) -> list[dict[str, Any]]:
    """The size at each of ``points`` (epoch ms), in time order."""
    if not 1 <= len(points) <= MAX_POINTS:
        raise bad_input(f"give 1..{MAX_POINTS} points", "points")
    await record(ctx, audience_id)
    return await ctx.store.read(g.SIZES, {"audience": audience_id, "points": sorted(points)})


async def changes(ctx: Context, audience_id: str, start: int, end: int) -> list[dict[str, Any]]:
    """Spells that began or ended in [start, end): who entered or left, newest first."""
    await record(ctx, audience_id)
    params = {"audience": audience_id, "start": start, "end": end, "limit": MAX_CHANGES,
              "include_restricted": ctx.principal.sees_restricted}  # fmt: skip
    return await ctx.store.read(g.CHANGES, params)


@dataclass(frozen=True)
class Cell:
    """One cell of a breakdown in two periods: `k` of `n` in each, and the test."""

    group: str
    sub: str
    n_a: int
    k_a: int
    n_b: int
    k_b: int
    test: ProportionTest

    @property
    def significant(self) -> bool:
        return self.test.p_value is not None and self.test.p_value < SIGNIFICANCE_LEVEL


async def compare(
    ctx: Context, audience_id: str, by: str, a: tuple[int, int], b: tuple[int, int]
) -> list[Cell]:
    """Breakdown ``by`` in period ``a`` and period ``b`` ([start, end) each), cell by
    cell, with B's share minus A's and a two-proportion z-test (two-sided)."""
    await record(ctx, audience_id)
    seen = ctx.principal.sees_restricted
    rows_a = await g.breakdown(ctx.store, audience_id, by, a[0], a[1], seen)
    rows_b = await g.breakdown(ctx.store, audience_id, by, b[0], b[1], seen)
    index_a = {(r["grp"], r["sub"]): r for r in rows_a}
    index_b = {(r["grp"], r["sub"]): r for r in rows_b}
    # A group's population is the same for every sub-cell of it: a cell absent in one
    # period has 0 of that period's population.
    pop_a = {r["grp"]: int(r["n"]) for r in rows_a}
    pop_b = {r["grp"]: int(r["n"]) for r in rows_b}
    cells = []
    for key in sorted(index_a.keys() | index_b.keys()):
        group, sub = key
        n_a = pop_a.get(group, 0) if by != "region" else (rows_a[0]["n"] if rows_a else 0)
        n_b = pop_b.get(group, 0) if by != "region" else (rows_b[0]["n"] if rows_b else 0)
        k_a = int(index_a[key]["k"]) if key in index_a else 0
        k_b = int(index_b[key]["k"]) if key in index_b else 0
        test = two_proportion_z_test(k_a, int(n_a), k_b, int(n_b))
        cells.append(Cell(group, sub, int(n_a), k_a, int(n_b), k_b, test))
    return cells
