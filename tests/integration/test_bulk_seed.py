"""`hub seed --bulk-neo4j`: the bulk tables (loaders/bulk_seed.py) imported by Neo4j's
offline importer make the graph `hub seed --fast` writes statement by statement."""

from pathlib import Path

import pytest

from graph.migrations import migrate
from graph.neo4j_import import dev_server, run_import
from graph.store import GraphStore, open_store
from loaders.bulk_seed import write_tables
from loaders.fast_seed import seed_fast
from loaders.synthetic import SyntheticConfig
from tests.integration.graph_dump import dump

# Small, but with every kind, stubs (products no purchase names are still rows; posts name
# tags; accounts name customers) and repeated keys within a run.
CONFIG = SyntheticConfig(customers=60)


@pytest.mark.parametrize("engine", ["neo4j"])
async def test_the_import_makes_the_fast_seeds_graph(
    engine: str, neo4j_store: GraphStore, tmp_path: Path
) -> None:
    await neo4j_store.write("MATCH (n) DETACH DELETE n")
    await seed_fast(neo4j_store, CONFIG)
    expected = await dump(neo4j_store)
    await neo4j_store.write("MATCH (n) DETACH DELETE n")

    tables, report = write_tables(CONFIG, tmp_path / "tables")
    result = run_import(tables, tmp_path / "data")
    assert report.total_rows > 0
    assert (result.nodes, result.relationships) == (len(expected[0]), len(expected[1]))

    with dev_server(tmp_path / "data") as url:
        async with open_store(url) as imported:
            await migrate(imported)  # constraints over the imported nodes
            assert await dump(imported) == expected
