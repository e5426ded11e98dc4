"""Traits, rules, aggregates and saved audiences through GraphQL, on both engines, on
tests/integration/audience_graph.py (NOW = T0 + 100 days; c6 restricted); membership
history and the period comparison checked against counts and a z-test computed here."""

import json
import math
from datetime import UTC, datetime
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
HOUR = 3_600_000


def iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).isoformat()


async def run(store: Any, clock: FixedClock, query: str, principal: Principal = ANALYST,
              **variables: Any) -> Any:  # fmt: skip
    ctx = Context(store, principal, clock=clock)
    result = await SCHEMA.execute(query, variable_values=variables, context_value=ctx)
    assert result.errors is None, result.errors
    assert result.data is not None
    return next(iter(result.data.values()))


async def refused(store: Any, clock: FixedClock, query: str, **variables: Any) -> Any:
    ctx = Context(store, ADMIN, clock=clock)
    result = await SCHEMA.execute(query, variable_values=variables, context_value=ctx)
    assert result.errors is not None
    return result.errors[0].extensions


DEFINE = """
mutation($input: TraitDefinitionInput!) {
  defineTrait(input: $input) { name source aggregate field windowDays conditions { name value } }
}"""
CUSTOMER_TRAITS = 'query { customer(id: "c1") { traits { name number text } } }'
CUSTOMERS = """
query($where: CustomerRule, $by: GroupBy!, $of: GroupMeasure) {
  customers(where: $where, first: 10) {
    totalCount nodes { customerId }
    groups(by: $by, of: $of) { key count sum avg }
  }
}"""
SAVE = """
mutation($input: AudienceInput!) { saveAudience(input: $input) { audienceId name owner } }"""
REFRESH = 'mutation { refreshAudience(audienceId: "cn") { entered exited } }'
HISTORY = """
query($at: [DateTime!]!, $period: Period!, $a: Period!, $b: Period!) {
  audience(audienceId: "cn") {
    sizes(at: $at) { size }
    changes(period: $period) { customerId enteredAt exitedAt }
    compare(by: CONTENT_TYPE, a: $a, b: $b) {
      contentType nA kA nB kB shareA shareB delta z pValue significant
    }
  }
}"""
PREVIEW = "query($rule: CustomerRule!) { audiencePreview(rule: $rule, sample: 2) { size sample } }"


@pytest.fixture
async def graph(store):
    await build(store)
    return store


async def test_trait_defined_and_shown_in_the_360(graph):
    clock = FixedClock(NOW)
    spec = {"name": "b1_spend", "source": "PURCHASES", "aggregate": "SUM", "field": "amount",
            "conditions": {"brand": "b1"}, "windowDays": 90}  # fmt: skip
    defined = await run(graph, clock, DEFINE, input=spec)
    assert defined["conditions"] == [{"name": "brand", "value": "b1"}]
    traits = (await run(graph, clock, CUSTOMER_TRAITS, ADMIN))["traits"]
    assert traits == [{"name": "b1_spend", "number": 100.0, "text": None}]  # o1 80 + o3 20


async def test_a_definition_that_cannot_be_computed_is_refused(graph):
    spec = {"name": "bad", "source": "PURCHASES", "aggregate": "SUM", "field": "channel"}
    errors = await refused(graph, FixedClock(NOW), DEFINE, input=spec)
    assert errors["code"] == "BAD_USER_INPUT"
    assert errors["argument"] == "input.field"


async def test_customers_where_with_groups(graph):
    where = {"or": [{"tag": {"tag": "t-run"}}, {"identity": "weibo"}]}
    got = await run(graph, FixedClock(NOW), CUSTOMERS, where=where,
                    by={"dimension": "REGION"}, of={"metric": "SPEND"})  # fmt: skip
    assert got["totalCount"] == 2
    assert sorted(n["customerId"] for n in got["nodes"]) == ["c1", "c3"]
    # c1 East 80 + 100 + 20; c3 North 40
    assert got["groups"] == [
        {"key": "East", "count": 1, "sum": 200.0, "avg": 200.0},
        {"key": "North", "count": 1, "sum": 40.0, "avg": 40.0},
    ]


async def test_groups_by_metric_without_a_rule(graph):
    got = await run(graph, FixedClock(NOW), CUSTOMERS,
                    by={"dimension": "METRIC", "metric": "MONETARY_SCORE"})  # fmt: skip
    # monetary scores: c1 200 -> 2, c2 300 -> 3, c3 40 -> 1, c4 0 -> 1, c5 1500 -> 5
    assert [(g["key"], g["count"]) for g in got["groups"]] == [(1, 2), (2, 1), (3, 1), (5, 1)]


async def test_bad_rules_are_refused_with_where(graph):
    errors = await refused(graph, FixedClock(NOW), CUSTOMERS,
                           where={"and": [{"identity": "wechat", "segment": "s"}]},
                           by={"dimension": "COUNTRY"})  # fmt: skip
    assert errors == {"code": "BAD_USER_INPUT", "argument": "where.and[0]"}


async def test_audience_history_and_period_comparison(graph):
    clock = FixedClock(NOW)
    rule = {"profile": {"field": "COUNTRY", "op": "EQ", "text": "CN"}}
    assert await run(graph, clock, PREVIEW, rule=rule) == {"size": 3, "sample": ["c1", "c3"]}
    saved = await run(graph, clock, SAVE, input={"audienceId": "cn", "name": "China",
                                                  "rule": rule})  # fmt: skip
    assert saved["owner"] == "key:analyst-1"
    # In period A [NOW, NOW + 1 day), c1 and c4 like a video post.
    interactions = [
        {"account_id": "a1", "post_id": "post1", "kind": "like", "at": NOW + HOUR},
        {"account_id": "a4", "post_id": "post1", "kind": "like", "at": NOW + 2 * HOUR},
        # In period B [NOW + 2 days, NOW + 3 days), c3 and c1 like an activity post.
        {"account_id": "a3", "post_id": "post2", "kind": "like", "at": NOW + 2 * DAY + HOUR},
        {"account_id": "a1", "post_id": "post2", "kind": "like", "at": NOW + 2 * DAY + 2 * HOUR},
    ]
    await write_records(graph, "interactions", interactions, NOW)
    clock.advance(DAY)  # c4 moves to France: leaves
    await write_records(graph, "customers", [{"id": "c4", "name": "D", "country": "FR",
                                              "region": "East", "created_at": NOW - 10 * DAY}],
                        clock())  # fmt: skip
    assert await run(graph, clock, REFRESH) == {"entered": 0, "exited": 1}
    clock.advance(DAY)  # c2 moves to China: enters
    await write_records(graph, "customers", [{"id": "c2", "name": "B", "country": "CN",
                                              "region": "Paris", "created_at": NOW - 100 * DAY}],
                        clock())  # fmt: skip
    assert await run(graph, clock, REFRESH) == {"entered": 1, "exited": 0}
    assert await run(graph, clock, REFRESH) == {"entered": 0, "exited": 0}
    # Every entry and exit left one outbox event naming its customer (c6 is restricted).
    events = await graph.read(
        "MATCH (v:OutboxEvent) WHERE v.kind STARTS WITH 'audience.' "
        "RETURN v.kind AS kind, v.customer_ids AS ids, v.at AS at, v.payload AS payload "
        "ORDER BY at, kind, ids"
    )
    assert [(e["kind"], e["ids"], e["at"]) for e in events] == [
        ("audience.entered", ["c1"], NOW), ("audience.entered", ["c3"], NOW),
        ("audience.entered", ["c4"], NOW), ("audience.exited", ["c4"], NOW + DAY),
        ("audience.entered", ["c2"], NOW + 2 * DAY),
    ]  # fmt: skip
    assert json.loads(events[0]["payload"]) == {"audience_id": "cn", "refreshed_at": NOW}

    history = await run(
        graph, clock, HISTORY,
        at=[iso(NOW - 1), iso(NOW), iso(NOW + DAY), iso(NOW + 2 * DAY)],
        period={"from": iso(NOW + 1), "until": iso(NOW + 3 * DAY)},
        a={"from": iso(NOW), "until": iso(NOW + DAY)},
        b={"from": iso(NOW + 2 * DAY), "until": iso(NOW + 3 * DAY)},
    )  # fmt: skip
    assert [s["size"] for s in history["sizes"]] == [0, 3, 2, 3]
    assert [(c["customerId"], c["exitedAt"] is not None) for c in history["changes"]] == [
        ("c2", False),
        ("c4", True),
    ]
    # Members in A: c1 c3 c4 (3), video 2 of 3, activity 0; in B: c1 c2 c3 (3), video 0,
    # activity 2 of 3.
    cells = {c["contentType"]: c for c in history["compare"]}
    video = cells["video"]
    assert (video["nA"], video["kA"], video["nB"], video["kB"]) == (3, 2, 3, 0)
    pooled = 2 / 6
    se = math.sqrt(pooled * (1 - pooled) * (1 / 3 + 1 / 3))
    z = (0 - 2 / 3) / se
    assert video["delta"] == pytest.approx(-2 / 3)
    assert video["z"] == pytest.approx(z)
    assert video["pValue"] == pytest.approx(math.erfc(abs(z) / math.sqrt(2)))
    assert video["significant"] is (math.erfc(abs(z) / math.sqrt(2)) < 0.05)
    activity = cells["activity"]
    assert (activity["kA"], activity["kB"], activity["z"]) == (0, 2, pytest.approx(-z))
