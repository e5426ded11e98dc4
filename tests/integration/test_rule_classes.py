"""Churn risk and the customer class in the rule language, on both engines, on
tests/integration/audience_graph.py: the customers a rule selects are exactly those whose
360 metrics (resolvers/metrics.py, computed in Python) say so.

By hand (NOW): c1 spends 200 on 3 purchase days (gaps 40 and 5: the median of an even
count, 22.5), c2 300 once 200 days ago, c3 40 once, c4 never, c5 1500 two days ago, c6
(restricted; admins see it) 500 yesterday. Classes: c5 and c6 HIGH_POTENTIAL (monetary
score 5 and 4), c1 and c2 REGULAR, c3 (monetary score 1) and c4 (no profit) LOW_VALUE.
"""

from datetime import UTC, datetime
from typing import Any

import pytest

from resolvers.clock import FixedClock
from resolvers.context import Context
from resolvers.principal import Principal, Role
from schema import build_schema
from tests.integration.audience_graph import NOW, build

ADMIN = Principal("key:admin-1", Role.ADMIN)
SCHEMA = build_schema()
METRICS = "query($at: DateTime) { customers(first: 20) { nodes { customerId " \
    "metrics(asOf: $at) { customerClass churn { risk } } } } }"  # fmt: skip
SELECTED = "query($where: CustomerRule) { customers(first: 20, where: $where) { " \
    "nodes { customerId } } }"  # fmt: skip


async def run(store: Any, query: str, **variables: Any) -> Any:
    ctx = Context(store, ADMIN, clock=FixedClock(NOW))
    result = await SCHEMA.execute(query, variable_values=variables, context_value=ctx)
    assert result.errors is None, result.errors
    assert result.data is not None
    return next(iter(result.data.values()))


async def selected(store: Any, where: dict[str, Any]) -> set[str]:
    return {n["customerId"] for n in (await run(store, SELECTED, where=where))["nodes"]}


async def test_class_and_churn_risk_rules_match_the_360_metrics(store):
    await build(store)
    at = datetime.fromtimestamp(NOW / 1000, tz=UTC).isoformat()
    nodes = (await run(store, METRICS, at=at))["nodes"]
    by_class: dict[str, set[str]] = {}
    for n in nodes:
        by_class.setdefault(n["metrics"]["customerClass"], set()).add(n["customerId"])
    assert by_class == {"HIGH_POTENTIAL": {"c5", "c6"}, "REGULAR": {"c1", "c2"},
                        "LOW_VALUE": {"c3", "c4"}}  # fmt: skip
    for name, members in by_class.items():
        assert await selected(store, {"customerClass": name}) == members, name
    risks = {n["customerId"]: n["metrics"]["churn"]["risk"] for n in nodes}
    for threshold in (0.1, 0.2, 0.5):
        rule = {"metric": {"metric": "CHURN_RISK", "op": "GTE", "value": threshold}}
        expected = {c for c, r in risks.items() if r is not None and r >= threshold}
        assert await selected(store, rule) == expected, threshold
    c1_risk = risks["c1"]
    ratio = 5 / 22.5  # 5 days since, median gap (40 + 5) / 2
    assert c1_risk == pytest.approx(ratio / (ratio + 1.0))
