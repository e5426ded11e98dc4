"""`hub seed --bulk-neo4j`: the bulk tables (loaders/bulk_seed.py) imported by Neo4j's
offline importer make the graph `hub seed --fast` writes statement by statement."""

import subprocess
from pathlib import Path

import pytest

from graph.migrations import migrate
from graph.neo4j_import import NEO4J_DEV, run_import
from graph.store import GraphStore, open_store
from loaders.bulk_seed import write_tables
from loaders.fast_seed import seed_fast
from loaders.synthetic import SyntheticConfig
from tests.integration.graph_dump import dump

# Small, but with every kind, stubs (products no purchase names are still rows; posts name
# tags; accounts name customers) and repeated keys within a run.
CONFIG = SyntheticConfig(customers=60)


def _serve(data: Path, started: list[subprocess.Popen[str]]) -> str:
    process = subprocess.Popen(
        [str(NEO4J_DEV), "--data", str(data)], stdout=subprocess.PIPE, text=True
    )
    started.append(process)
    assert process.stdout is not None
    line = process.stdout.readline().strip()
    assert line.startswith("bolt://"), f"neo4j-dev did not start (exit {process.poll()})"
    return line


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

    started: list[subprocess.Popen[str]] = []
    try:
        url = _serve(tmp_path / "data", started)
        async with open_store(url) as imported:
            await migrate(imported)  # constraints over the imported nodes
            assert await dump(imported) == expected
    finally:
        for process in started:
            process.terminate()
            process.wait(timeout=60)
            if process.stdout is not None:
                process.stdout.close()
