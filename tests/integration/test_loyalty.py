"""Loyalty tiers through GraphQL on both engines, on tests/integration/audience_graph.py:
each customer holds the first tier whose audience holds them; a move closes one spell and
opens another, and the 360 shows the tier and when it changed."""

from typing import Any

import pytest

from loaders.pipeline import write_records
from resolvers.clock import FixedClock
from resolvers.context import Context
from resolvers.principal import Principal, Role
from schema import build_schema
from tests.integration.audience_graph import DAY, NOW, build

ANALYST = Principal("key:analyst-1", Role.ANALYST)
ADMIN = Principal("key:admin-1", Role.ADMIN)
SCHEMA = build_schema()

SAVE = """mutation($id: String!, $rule: CustomerRule!) {
  saveAudience(input: {audienceId: $id, name: $id, rule: $rule}) { audienceId } }"""
PROGRAM = """mutation($tiers: [String!]!) {
  saveLoyaltyProgram(input: {programId: "club", name: "Club", tiers: $tiers}) {
    programId tiers refreshedAt } }"""
TIERS = """query($id: ID!) { customer(id: $id) { loyaltyTiers { programId tier since until } } }"""


async def execute(store: Any, now: int, query: str, principal: Principal = ANALYST,
                  **variables: Any) -> Any:  # fmt: skip
    ctx = Context(store, principal, clock=FixedClock(now))
    return await SCHEMA.execute(query, variable_values=variables, context_value=ctx)


async def run(store: Any, now: int, query: str, principal: Principal = ANALYST,
              **variables: Any) -> Any:  # fmt: skip
    result = await execute(store, now, query, principal, **variables)
    assert result.errors is None, result.errors
    assert result.data is not None
    return next(iter(result.data.values()))


@pytest.fixture
async def graph(store):
    await build(store)
    return store


async def held(store: Any, now: int, customer: str) -> list[tuple[str, int | None]]:
    rows = await run(store, now, TIERS, ADMIN, id=customer)
    return [(t["tier"], t["until"] is None) for t in rows["loyaltyTiers"]]


async def test_first_matching_tier_with_history(graph):
    # gold: spend >= 150 (c1 200, c2 300, c5 1500); silver: any purchase (c1 c2 c3 c5; c6
    # is restricted and enters no audience).
    gold = {"metric": {"metric": "SPEND", "op": "GTE", "value": 150}}
    silver = {"metric": {"metric": "ORDERS", "op": "GTE", "value": 1}}
    await run(graph, NOW, SAVE, id="gold", rule=gold)
    await run(graph, NOW, SAVE, id="silver", rule=silver)
    saved = await run(graph, NOW, PROGRAM, tiers=["gold", "silver"])
    assert saved["tiers"] == ["gold", "silver"] and saved["refreshedAt"] is not None
    rows = await graph.read(
        "MATCH (c:Customer)-[s:IN_TIER]->(:LoyaltyProgram {id: 'club'}) "
        "RETURN c.id AS id, s.tier AS tier ORDER BY id"
    )
    assert [(r["id"], r["tier"]) for r in rows] == [
        ("c1", "gold"),
        ("c2", "gold"),
        ("c3", "silver"),
        ("c5", "gold"),
    ]
    # c3 buys 200 more a day later: moves up to gold.
    later = NOW + DAY
    await write_records(graph, "purchases", [{"id": "o9", "customer_id": "c3", "brand_id": "b1",
                                             "at": later, "total": 200.0}], later)  # fmt: skip
    moved = 'mutation { refreshLoyaltyProgram(programId: "club") { closed opened } }'
    assert await run(graph, later, moved) == {"closed": 1, "opened": 1}
    assert await run(graph, later, moved) == {"closed": 0, "opened": 0}
    tiers = (await run(graph, later, TIERS, ADMIN, id="c3"))["loyaltyTiers"]
    assert [(t["tier"], t["until"] is None) for t in tiers] == [("gold", True), ("silver", False)]
    assert tiers[0]["since"] == tiers[1]["until"]  # when it changed
    assert await held(graph, later, "c4") == []


async def test_a_tier_that_is_not_an_audience_is_refused(graph):
    bad = await execute(graph, NOW, PROGRAM, tiers=["nope"])
    assert bad.errors is not None
    assert bad.errors[0].extensions == {"code": "BAD_USER_INPUT", "argument": "input.tiers"}
