"""The rule language compiled to one statement, on both engines, against answers worked
out by hand on tests/integration/audience_graph.py (NOW = T0 + 100 days; c6 restricted)."""

import pytest

from graph import rules as r
from graph.audiences import refresh_membership
from graph.traits import TraitSpec, refresh_traits, save_trait
from tests.integration.audience_graph import NOW, ago, build

CN = r.Profile("country", "eq", "CN")

CASES: list[tuple[str, r.Rule, set[str]]] = [
    ("country", CN, {"c1", "c3", "c4"}),
    ("not", r.NotRule(CN), {"c2", "c5"}),
    # c1 has the tag, c3 the tag and a weibo account
    ("or", r.AnyOf((r.HasTag("t-run"), r.HasIdentity("weibo"))), {"c1", "c3"}),
    ("tag weight", r.HasTag("t-run", 0.5), {"c3"}),
    # c2's consent was withdrawn a day ago; c3's is for analytics
    ("live consent", r.LiveConsent("b1", "marketing"), {"c1"}),
    # spend: c1 200, c2 300, c3 40, c5 1500
    ("spend", r.MetricIs("spend", "gte", 300), {"c2", "c5"}),
    ("recency", r.MetricIs("recency_days", "lte", 7), {"c1", "c5"}),
    # monetary score of 1500: 1 + 4 breakpoints reached = 5; of 300: 3
    ("monetary score", r.MetricIs("monetary_score", "gte", 4), {"c5"}),
    # margin 0.4, 25 per complaint, 5 per order: c1 80-25-15=40, c2 115, c3 11, c5 595
    ("profitability", r.MetricIs("profitability", "gt", 100), {"c2", "c5"}),
    # b2 within 30 days: c1 bought (10 days ago), c3 liked its post (1 day ago)
    ("engaged window", r.EngagedWith("b2", since=ago(30)), {"c1", "c3"}),
    ("engaged ever", r.EngagedWith("b2"), {"c1", "c2", "c3"}),
    ("engaged by purchase", r.EngagedWith("b2", ("purchase",)), {"c1", "c2"}),
    # latest activity within 15 days: c1 (like 3 days ago), c3 (1), c5 (2)
    ("active", r.ActiveBetween(ago(15), None), {"c1", "c3", "c5"}),
    ("created", r.CreatedBetween(ago(40), NOW), {"c3", "c4"}),
    ("region in", r.Profile("region", "in", ["East", "Paris"]), {"c1", "c2", "c4", "c5"}),
    # online orders: c1 2, c2 1, c5 1; c1 has a wechat account
    ("trait and not", r.AllOf((r.TraitIs("online_orders", "gte", 1),
                               r.NotRule(r.HasIdentity("wechat")))), {"c2", "c5"}),
    ("trait missing is false", r.NotRule(r.TraitIs("no_such_trait", "gt", 0)),
     {"c1", "c2", "c3", "c4", "c5"}),
    # Under a NOT a missing value is false, whatever nests between them.
    ("not over or with missing", r.NotRule(r.AnyOf((r.Profile("birth_year", "gt", 3000),
                                                    r.TraitIs("no_such_trait", "gt", 0)))),
     {"c1", "c2", "c3", "c4", "c5"}),
    ("nested", r.AllOf((CN, r.AnyOf((r.MetricIs("orders", "eq", 0),
                                     r.NotRule(r.HasTag("t-run")))))), {"c4"}),
]  # fmt: skip


async def matching(store, rule: r.Rule | None, admin: bool = False) -> set[str]:
    compiled = r.compile_rule(rule, r.Knobs(now=NOW), include_restricted=admin)
    query = "\n".join([*compiled.lines, "RETURN e.id AS id"])
    return {row["id"] for row in await store.read(query, compiled.params)}


@pytest.mark.parametrize(("name", "rule", "expected"), CASES, ids=[c[0] for c in CASES])
async def test_rule_known_answers(store, name, rule, expected):
    """The rule selects the expected customers; and an audience holding every visible
    customer, refreshed to the rule, keeps them: its exit statement evaluates the rule's
    negation (bare patterns among them) and closes the spells of the others."""
    await build(store)
    await save_trait(
        store, TraitSpec("online_orders", "purchases", "count", None, {"channel": "online"}),
        "key:admin", NOW,
    )  # fmt: skip
    await refresh_traits(store, NOW)
    assert await matching(store, rule) == expected
    await store.write("CREATE (:Audience {id: 'all'})", {})
    await refresh_membership(store, "all", None, r.Knobs(now=NOW), NOW)
    counts = await refresh_membership(store, "all", rule, r.Knobs(now=NOW), NOW + 1)
    assert counts.entered == 0
    rows = await store.read(
        "MATCH (e:Customer)-[m:IN_AUDIENCE]->(:Audience {id: 'all'}) WHERE m.exited_at IS NULL"
        " RETURN e.id AS id", {},
    )  # fmt: skip
    assert {row["id"] for row in rows} == expected


def test_comparisons_are_coalesced_only_under_a_not():
    """Outside a NOT the bare comparison (Neo4j filters on it before matching patterns);
    under one, coalesce(..., false), so that a missing value is not selected by the NOT."""
    plain = r.compile_rule(r.AllOf((CN, r.HasTag("t-run"))), r.Knobs(now=NOW), False)
    assert plain.condition == "((e.country = $r0) AND (e)-[:TAGGED]->(:Tag {id: $r1}))"
    negated = r.compile_rule(r.NotRule(r.AnyOf((CN,))), r.Knobs(now=NOW), False)
    assert negated.condition == "(NOT (coalesce(e.country = $r0, false)))"


async def test_restricted_customers_only_for_admins(store):
    await build(store)
    assert await matching(store, CN) == {"c1", "c3", "c4"}
    assert await matching(store, CN, admin=True) == {"c1", "c3", "c4", "c6"}


async def test_values_are_parameters_only(store):
    await build(store)
    hostile = "CN' OR 1=1 //"
    compiled = r.compile_rule(r.Profile("country", "eq", hostile), r.Knobs(now=NOW), False)
    assert hostile not in "\n".join(compiled.lines)
    assert await matching(store, r.Profile("country", "eq", hostile)) == set()
