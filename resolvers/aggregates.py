"""Group-by aggregates over `customers(filter:, where:)`: counted, summed and averaged
in the database by a dimension, never by loading the customers."""

from dataclasses import dataclass
from typing import Any

from graph import reads
from graph import rules as g
from resolvers.context import Context
from resolvers.customers import CustomerQuery, _params
from resolvers.errors import bad_input
from resolvers.rules import knobs, parse_rule


@dataclass(frozen=True)
class GroupSpec:
    """Group by ``dimension`` (country, region, trait or metric; ``name`` names the
    trait or metric) and measure ``measure`` (None, trait or metric) named ``of``."""

    dimension: str
    name: str | None = None
    measure: str | None = None
    of: str | None = None


def _value(c: g.Compiler, kind: str, name: str | None, argument: str) -> str:
    if kind in g.GROUP_FIELDS:
        return g.GROUP_FIELDS[kind]
    if not name:
        raise bad_input(f"{kind} needs a name", argument)
    if kind == "trait":
        return c.trait(name)
    if kind == "metric":
        if name not in g.METRICS:
            raise bad_input(f"unknown metric {name!r}", argument)
        return c.metric(name)
    raise bad_input(f"cannot group by {kind!r}", argument)


async def customer_groups(ctx: Context, q: CustomerQuery, spec: GroupSpec) -> list[dict[str, Any]]:
    """Rows (grp, count, sum, avg) for the customers of ``q``, one statement."""
    now = ctx.clock()
    c = g.Compiler()
    key = _value(c, spec.dimension, spec.name, "by")
    value = _value(c, spec.measure, spec.of, "of") if spec.measure is not None else None
    tree = parse_rule(q.where_raw, now, ctx.principal.role) if q.where_raw is not None else None
    compiled = g.compile_rule(tree, knobs(ctx, now), ctx.principal.sees_restricted, c)
    params = {**await _params(ctx, q), **compiled.params}
    statement = "\n".join(
        [*reads.customers_match(q.computed), *compiled.where(), *g.group_lines(key, value)]
    )
    return await ctx.store.read(statement, params)
