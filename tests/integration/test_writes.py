"""Schema migration and batch writes on both engines."""

import pytest

from graph.errors import GraphQueryError
from graph.migrations import migrate
from graph.writes import plan_writes
from tests.integration.sample_graph import ROWS, load_sample


async def test_migrate_is_idempotent_and_ids_are_unique(store):
    await migrate(store.inner)
    await migrate(store.inner)  # a second run must not fail
    await store.write("CREATE (:Customer {id: 'dup'})")
    with pytest.raises(GraphQueryError):
        await store.write("CREATE (:Customer {id: 'dup'})")


async def test_sample_graph_writes_every_node_and_relationship(store):
    counters = await load_sample(store)
    # 2 brands + 3 tags + 1 segment + 3 products + 3 customers + 3 accounts + 4 purchases
    # + 2 posts + 3 complaints
    assert counters.nodes_created == 24
    # OF_BRAND 3, HAS_ACCOUNT 2, FOLLOWS 3, MADE 4 + AT 4 + CONTAINS 5, POSTED 2 + ABOUT 4,
    # INTERACTED 3, TAGGED 2, CONSENTED 2, FILED 3 + ABOUT 3, IN_SEGMENT 1
    assert counters.relationships_created == 41
    rows = await store.read("MATCH (c:Customer {id: 'c1'}) RETURN c.email_hash AS h")
    assert rows[0]["h"] is not None and len(rows[0]["h"]) == 64


async def test_writing_the_same_rows_twice_creates_nothing(store):
    await load_sample(store)
    again = await load_sample(store)
    assert again.nodes_created == 0
    assert again.relationships_created == 0
    nodes = await store.read("MATCH (n) RETURN count(n) AS n")
    rels = await store.read("MATCH ()-[r]->() RETURN count(r) AS n")
    assert (nodes[0]["n"], rels[0]["n"]) == (24, 41)


async def test_every_write_statement_in_the_catalog_runs(store):
    seen: set[str] = set()
    for kind, rows in ROWS:
        for query, share in plan_writes(kind, rows):
            seen.add(query)
            if share:
                await store.write(query, {"rows": share, "now": 1})
    from graph import writes

    catalog = {
        v
        for k, v in vars(writes).items()
        if k.isupper() and not k.startswith("_") and isinstance(v, str)
    }
    catalog |= set(writes.COMPLAINTS_ABOUT.values())
    assert catalog <= seen, "a write statement is not planned for any kind"
    assert len(store.statements) == len(catalog)
