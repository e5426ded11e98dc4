"""GRAPH.BULK on the real embedded engine (graph/falkor_bulk.py): hand-made tables read
back exactly through Cypher, across restarts, with the hub's constraints built after; a
graph with nodes refused, before the import or when written to during it; a failing
import leaves the graph as it was, and an abandoned one is cleaned up. Embedded only:
Neo4j's importer is tests/integration/test_bulk_seed.py's."""

import asyncio
import csv
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from graph.bulk import BulkTables, BulkValueError, Column, Table, cell
from graph.errors import GraphNotEmpty, GraphQueryError
from graph.falkor_bulk import IMPORT_PREFIX, bulk_insert
from graph.falkor_store import GRAPH_NAME, FalkorStore
from graph.migrations import EXISTING_CONSTRAINTS, migrate
from graph.store import open_store
from loaders.bulk_seed import write_tables
from loaders.fast_seed import seed_fast
from loaders.synthetic import SyntheticConfig
from tests.integration.graph_dump import dump

# Every test id names its engine; this file has one.
pytestmark = pytest.mark.parametrize("engine", ["embedded"])

TEXTS = [
    'Ann, "the" first',
    "two\nlines\r\nand a CR",
    "émoji 😀 and 中文",
    "0123",  # a string that looks like a number stays a string
    " padded ",
    "true",
]
CUSTOMERS = [
    # id, name, code, visits, score, vip, tags
    ["c1", TEXTS[0], "0123", 9_007_199_254_740_993, 0.1, True, ["a", "b c", "0123"]],
    ["c2", TEXTS[1], " padded ", -1, -2.5e-300, False, ["😀"]],
    ["c3", TEXTS[2], "true", 0, 1e300, None, None],
    ["c4", None, None, None, None, None, None],
]
CUSTOMER_COLUMNS = (
    Column("name", "string"),
    Column("code", "string"),
    Column("visits", "long"),
    Column("score", "double"),
    Column("vip", "boolean"),
    Column("tags", "string[]"),
)
# Every kind, stubs and keys repeated within a run (as tests/integration/test_bulk_seed.py).
SEEDED = SyntheticConfig(customers=60)
NAMES = ["name", "code", "visits", "score", "vip", "tags"]
TAGS = [["c1", "sport"], ["t2", TEXTS[3]]]  # c1: a Tag sharing a Customer's id
TAGGED = [["c1", "c1", 0.75, 5], ["c2", "c1", None, None], ["c1", "t2", 1.0, 7]]


def _write(path: Path, rows: list[list[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows([[cell(v) for v in r] for r in rows])
    return path


def _tables(directory: Path, tagged: list[list[object]] = TAGGED) -> BulkTables:
    return BulkTables(
        directory,
        nodes=[
            Table(_write(directory / "c.csv", CUSTOMERS), CUSTOMER_COLUMNS, label="Customer"),
            Table(_write(directory / "t.csv", TAGS), (Column("name", "string"),), label="Tag"),
        ],
        relationships=[
            Table(
                _write(directory / "r.csv", tagged),
                (Column("weight", "double"), Column("at", "long")),
                rel="TAGGED",
                source="Customer",
                target="Tag",
            )
        ],
    )


@pytest.fixture
async def falkor(tmp_path: Path) -> AsyncIterator[FalkorStore]:
    """An engine of this test's own, its graph migrated and empty (as `hub seed` finds it)."""
    async with open_store(f"embedded://{tmp_path / 'graph'}") as store:
        assert isinstance(store, FalkorStore)
        await migrate(store)
        yield store


def _expected_customers() -> list[dict[str, object]]:
    return [
        {"id": row[0]} | {k: v for k, v in zip(NAMES, row[1:], strict=True) if v is not None}
        for row in CUSTOMERS
    ]


async def _customers(store: FalkorStore) -> list[dict[str, object]]:
    rows = await store.read("MATCH (c:Customer) RETURN properties(c) AS p ORDER BY c.id")
    return [r["p"] for r in rows]


async def test_tables_read_back_exactly_across_commands_and_a_restart(
    engine: str, tmp_path: Path
) -> None:
    url = f"embedded://{tmp_path / 'graph'}"
    marks: list[tuple[str, int]] = []
    async with open_store(url) as store:
        assert isinstance(store, FalkorStore)
        await migrate(store)  # the key exists, with indexes and constraints only
        created = await bulk_insert(
            store, _tables(tmp_path), lambda t, n: marks.append((t, n)), max_command_bytes=200
        )
        assert created == (6, 3)
        assert await _customers(store) == _expected_customers()
        tags = await store.read("MATCH (t:Tag) RETURN properties(t) AS p ORDER BY t.id")
        assert [r["p"] for r in tags] == [
            {"id": "c1", "name": "sport"},
            {"id": "t2", "name": "0123"},
        ]
        rels = await store.read(
            "MATCH (c:Customer)-[r:TAGGED]->(t:Tag) "
            "RETURN c.id AS c, t.id AS t, properties(r) AS p ORDER BY c, t"
        )
        assert rels == [
            {"c": "c1", "t": "c1", "p": {"weight": 0.75, "at": 5}},
            {"c": "c1", "t": "t2", "p": {"weight": 1.0, "at": 7}},
            {"c": "c2", "t": "c1", "p": {}},
        ]
        # Several commands (200 bytes each at most), each table's rows reported to the end.
        assert len(marks) > 3
        finals = {t: n for t, n in marks}
        assert finals == {"Customer": 4, "Tag": 2, "(Customer)-[TAGGED]->(Tag)": 3}
        # bulk_insert ran the migrations: built over the data, nothing left to do.
        assert (await migrate(store)).applied == 0
        statuses = {r["status"] for r in await store.read(EXISTING_CONSTRAINTS)}
        assert statuses == {"OPERATIONAL"}
        with pytest.raises(GraphQueryError):
            await store.write("CREATE (:Customer {id: 'c3'})")
        before = await dump(store, keep_times=True)
    async with open_store(url) as store:
        assert await dump(store, keep_times=True) == before


async def test_a_graph_with_a_node_is_refused_and_left_as_it_was(
    engine: str, falkor: FalkorStore, tmp_path: Path
) -> None:
    await falkor.write("CREATE (:ApiKey {id: 'k1'})")
    before = await dump(falkor, keep_times=True)
    with pytest.raises(GraphNotEmpty, match="already holds nodes"):
        await bulk_insert(falkor, _tables(tmp_path))
    assert await dump(falkor, keep_times=True) == before


async def test_a_load_failing_midway_leaves_the_graph_as_it_was(
    engine: str, falkor: FalkorStore, tmp_path: Path
) -> None:
    broken = [*TAGGED, ["c1", "nowhere", None, None]]
    with pytest.raises(BulkValueError, match=r"r.csv:4: no node Tag 'nowhere'"):
        # Small commands: the nodes are in the engine when the bad row is read.
        await bulk_insert(falkor, _tables(tmp_path, broken), max_command_bytes=100)
    assert await falkor.execute_command("GRAPH.LIST") == [GRAPH_NAME]
    assert await falkor.read(EXISTING_CONSTRAINTS)  # the hub's graph is as it was
    assert await bulk_insert(falkor, _tables(tmp_path)) == (6, 3)
    assert await _customers(falkor) == _expected_customers()


async def test_a_write_during_the_import_is_kept_and_the_import_refused(
    engine: str, falkor: FalkorStore, tmp_path: Path
) -> None:
    """Another client (a serving hub) writes while the commands go in: its node must not
    shift the imported nodes' internal ids, nor be replaced by the import."""
    writes: list[asyncio.Task[object]] = []

    def write_once(table: str, rows: int) -> None:
        if not writes:  # runs while the next command is in the engine
            writes.append(asyncio.create_task(falkor.write("CREATE (:ApiKey {id: 'k1'})")))

    with pytest.raises(GraphNotEmpty, match="already holds nodes"):
        await bulk_insert(falkor, _tables(tmp_path), write_once, max_command_bytes=100)
    await asyncio.gather(*writes)
    assert await falkor.read("MATCH (n) RETURN labels(n) AS l, n.id AS id") == [
        {"l": ["ApiKey"], "id": "k1"}
    ]
    assert await falkor.execute_command("GRAPH.LIST") == [GRAPH_NAME]


async def test_a_client_that_read_the_old_graph_reads_the_new_one_right(
    engine: str, falkor: FalkorStore, tmp_path: Path
) -> None:
    """The client caches label and property names by the engine's ids; the imported
    graph numbers them anew."""
    await falkor.write("CREATE (:Zeta {zz: 1, yy: 2})")
    assert await falkor.read("MATCH (n) RETURN n") == [{"n": {"zz": 1, "yy": 2}}]
    await falkor.write("MATCH (n) DETACH DELETE n")
    await bulk_insert(falkor, _tables(tmp_path))
    rows = await falkor.read("MATCH (n:Tag) RETURN n, labels(n) AS l ORDER BY n.id")
    assert rows == [
        {"n": {"id": "c1", "name": "sport"}, "l": ["Tag"]},
        {"n": {"id": "t2", "name": "0123"}, "l": ["Tag"]},
    ]


async def test_the_graph_of_an_import_whose_process_died_is_deleted(
    engine: str, falkor: FalkorStore, tmp_path: Path
) -> None:
    gone = await asyncio.create_subprocess_exec("true")
    await gone.wait()
    abandoned = f"{IMPORT_PREFIX}{gone.pid}"
    await falkor.execute_command("GRAPH.QUERY", abandoned, "CREATE (:Customer {id: 'old'})")
    await falkor.execute_command("GRAPH.DELETE", GRAPH_NAME)  # and no graph of the hub's yet
    assert await bulk_insert(falkor, _tables(tmp_path)) == (6, 3)
    assert await falkor.execute_command("GRAPH.LIST") == [GRAPH_NAME]


async def test_replacing_the_graph_checks_again_after_a_write_in_between(
    engine: str, falkor: FalkorStore
) -> None:
    await falkor.execute_command("GRAPH.QUERY", "other", "CREATE (:Customer {id: 'new'})")
    checks: list[int] = []

    async def check() -> None:
        checks.append(len(checks))
        if len(checks) == 1:  # between the WATCH and the rename
            await falkor.write("CREATE (:ApiKey {id: 'k1'})")

    await falkor.replace_graph("other", check)
    assert checks == [0, 1]
    assert await falkor.read("MATCH (n) RETURN n.id AS id") == [{"id": "new"}]


async def test_the_import_makes_the_fast_seeds_graph(
    engine: str, falkor: FalkorStore, tmp_path: Path
) -> None:
    """loaders/bulk_seed.py's tables through GRAPH.BULK make the graph `hub seed --fast`
    writes statement by statement (the load times apart)."""
    await seed_fast(falkor, SEEDED)
    expected = await dump(falkor)
    await falkor.write("MATCH (n) DETACH DELETE n")

    tables, _ = write_tables(SEEDED, tmp_path / "tables")
    created = await bulk_insert(falkor, tables)
    assert created == (len(expected[0]), len(expected[1]))
    assert await dump(falkor) == expected


async def test_tables_without_rows_change_nothing(
    engine: str, falkor: FalkorStore, tmp_path: Path
) -> None:
    empty = BulkTables(tmp_path, nodes=[Table(_write(tmp_path / "c.csv", []), (), label="Tag")])
    assert await bulk_insert(falkor, empty) == (0, 0)
    assert await falkor.execute_command("GRAPH.LIST") == [GRAPH_NAME]
    assert await falkor.read("MATCH (n) RETURN n") == []
