"""Database hits and statements per operation against bench/baseline/plans.json (issue 14):
every published and representative operation PROFILEd once on Neo4j over the fixed graph
(bench/plans.py). Neo4j only: the embedded engine has no database-hit counts. A failure
prints the table of changes; `python -m bench.plans --update` re-baselines on purpose."""

import os

import pytest

from bench import plans
from graph.store import GraphStore


@pytest.mark.parametrize("engine", ["neo4j"])
async def test_db_hits_and_statements_hold_the_baseline(
    engine: str, neo4j_uri: str, neo4j_store: GraphStore
) -> None:
    user = os.environ.get("HUB_TEST_NEO4J_USER", "neo4j")
    password = os.environ.get("HUB_TEST_NEO4J_PASSWORD", "")
    profiling = plans.ProfilingStore(neo4j_uri, (user, password) if password else None)
    try:
        measured = await plans.measure(neo4j_store, profiling)
    finally:
        await profiling.close()
    changes = plans.compare(plans.load_baseline(), measured)
    report = plans.table(changes)
    print(report)  # shown with -rA, and in the failure below
    assert not [c for c in changes if c.failure], report
