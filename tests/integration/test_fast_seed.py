"""`hub seed --fast` into an empty graph (graph/fresh_writes.py: relationships CREATEd)
makes the graph its upserts make into a graph that already holds something."""

from graph.store import GraphStore
from loaders.fast_seed import seed_fast
from loaders.synthetic import SyntheticConfig
from tests.integration.conftest import CountingStore
from tests.integration.graph_dump import dump

CONFIG = SyntheticConfig(customers=25)
# A node of no label the seed writes: the graph is not empty, so the seed upserts.
OTHER = "CREATE (:SeedTestMarker {id: 'marker'})"


async def test_the_fresh_path_makes_the_upserts_graph(store: CountingStore) -> None:
    inner: GraphStore = store.inner
    fresh = await seed_fast(store, CONFIG)
    assert any("CREATE (s)-[r:INTERACTED" in q for q in store.statements)
    created = await dump(inner)

    await inner.write("MATCH (n) DETACH DELETE n")
    await inner.write(OTHER)
    store.statements.clear()
    upserted = await seed_fast(store, CONFIG)
    assert not any(q.startswith("UNWIND $rows") and "CREATE (s)" in q for q in store.statements)
    assert await dump(inner, skip_labels={"SeedTestMarker"}) == created
    assert (fresh.tally.written, fresh.total_rows) == (upserted.tally.written, upserted.total_rows)
