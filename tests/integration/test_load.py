"""`hub load` on both engines: nothing lost, idempotent, order-free, links decided by evidence."""

import json
from pathlib import Path

import pytest

from loaders.export import export_files
from loaders.linking import relink
from loaders.mapping import Mapping
from loaders.pipeline import LoadOptions, LoadReport, load_files
from loaders.synthetic import KINDS, SyntheticConfig
from tests.integration.graph_dump import dump

ZERO = {"nodes_created": 0, "nodes_deleted": 0, "relationships_created": 0,
        "relationships_deleted": 0, "properties_set": 0, "labels_added": 0}  # fmt: skip


def options(tmp_path: Path, **kw) -> LoadOptions:
    return LoadOptions(
        rejects_path=tmp_path / "rejects.jsonl", conflicts_path=tmp_path / "conflicts.jsonl", **kw
    )


async def load(store, tmp_path, kind, *paths, **kw) -> LoadReport:
    return await load_files(store, kind, list(paths), Mapping(), options(tmp_path, **kw))


def rejects(tmp_path: Path) -> list[dict]:
    path = tmp_path / "rejects.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> dict[str, Path]:
    """A small synthetic dataset as CSV files, and the same as JSONL."""
    root = tmp_path_factory.mktemp("export")
    files = export_files(SyntheticConfig(customers=150, brands=6), root / "csv", "csv").files
    jsonl = export_files(SyntheticConfig(customers=150, brands=6), root / "jsonl", "jsonl").files
    return {**files, **{f"{k}.jsonl": v for k, v in jsonl.items()}}


async def test_every_kind_loads_and_a_rerun_changes_nothing(store, tmp_path, exported):
    first = {k: await load(store, tmp_path, k, exported[k]) for k in KINDS}
    assert all(r.tally.rejected == 0 and r.tally.read > 0 for r in first.values())
    assert all(r.tally.written == r.tally.read for r in first.values() if r.kind != "customers")
    before = await dump(store)
    for kind in KINDS:
        again = await load(store, tmp_path, kind, exported[kind])
        assert (again.tally.written, again.tally.unchanged) == (0, again.tally.read), kind
        assert vars(again.counters) == ZERO, kind
    assert await dump(store) == before


async def test_csv_and_jsonl_exports_give_the_same_graph(store, tmp_path, exported):
    for kind in KINDS:
        await load(store, tmp_path, kind, exported[kind])
    from_csv = await dump(store)
    await store.write("MATCH (n) DETACH DELETE n")
    for kind in KINDS:
        await load(store, tmp_path, kind, exported[f"{kind}.jsonl"])
    assert await dump(store) == from_csv


async def test_load_order_does_not_matter_stubs_are_filled(store, tmp_path, exported):
    for kind in KINDS:
        await load(store, tmp_path, kind, exported[kind])
    in_order = await dump(store)
    await store.write("MATCH (n) DETACH DELETE n")
    first = await load(store, tmp_path, "purchases", exported["purchases"])
    assert first.counters.nodes_created > first.tally.written  # customers, brands... as stubs
    stubs = await store.read("MATCH (c:Customer) WHERE c.row_hash IS NULL RETURN count(c) AS n")
    assert stubs[0]["n"] > 0
    for kind in reversed(KINDS):
        await load(store, tmp_path, kind, exported[kind])
    assert await dump(store) == in_order
    left = await store.read("MATCH (n) WHERE n.row_hash IS NULL RETURN count(n) AS n")
    assert left[0]["n"] == 0


BAD_PURCHASES = (
    (
        b"id,customer_id,brand_id,at,channel,currency,total,product_id,quantity,unit_price\n"
        b"o1,c1,b1,2024-05-01,online,EUR,10.5,p1,1,10.5\n"  # 2: fine
        b",c1,b1,2024-05-02,online,EUR,3,p1,1,3\n"  # 3: missing key
        b"o3,c1,b1,2024-02-30,online,EUR,3,p1,1,3\n"  # 4: bad date
        b"o4,c1,b1,2024-05-04,online,EUR,-3,p1,1,3\n"  # 5: negative amount
        b"o5,c1,b1,2024-05-05,carrier pigeon,EUR,3,p1,1,3\n"  # 6: unknown enum
        b"o6,c1,b1,2024-05-06,online,EUR,3\n"  # 7: wrong column count
    )
    + b"o7,c1,b\xe91,2024-05-07,online,EUR,3,p1,1,3\n"
    + (  # 8: invalid UTF-8
        b"o8,c1,b1,2024-05-08,store,EUR,20,p1,1,5\n"  # 9-10: one order, two items
        b"o8,c1,b1,2024-05-08,store,EUR,20,p2,3,5\n"
    )
)


# The reader in a child process (for big inputs) hands its rejects over with each batch.
@pytest.mark.parametrize("reader", ["thread", "process"])
async def test_every_bad_row_is_rejected_with_its_line_and_reasons(store, tmp_path, reader):
    path = tmp_path / "purchases.csv"
    path.write_bytes(BAD_PURCHASES)
    report = await load(store, tmp_path, "purchases", path, reader=reader)
    assert (report.tally.read, report.tally.written, report.tally.rejected) == (8, 2, 6)
    got = {r["line"]: r for r in rejects(tmp_path)}
    assert sorted(got) == [3, 4, 5, 6, 7, 8]
    assert got[3]["reasons"] == ["id: Field required"]
    assert got[4]["reasons"][0].startswith("at: '2024-02-30' is not a date")
    assert got[5]["reasons"] == ["total: Input should be greater than or equal to 0 (got '-3')"]
    assert got[6]["reasons"][0].startswith("channel: Input should be 'online'")
    assert got[7]["reasons"] == ["wrong column count: 7 fields, the header has 10"]
    assert got[8]["reasons"][0].startswith("invalid UTF-8: byte 0xe9")
    assert got[8]["raw"] == "o7,c1,b\\xe91,2024-05-07,online,EUR,3,p1,1,3"
    assert all(r["source"] == str(path) and r["kind"] == "purchases" for r in got.values())
    assert got[5]["raw"] == "o4,c1,b1,2024-05-04,online,EUR,-3,p1,1,3"
    items = await store.read(
        "MATCH (:Purchase {id: 'o8'})-[l:CONTAINS]->(p) RETURN p.id AS p, l.quantity AS q "
        "ORDER BY p"
    )
    assert items == [{"p": "p1", "q": 1}, {"p": "p2", "q": 3}]


async def test_malformed_json_lines_are_rejected_and_the_rest_loaded(store, tmp_path):
    path = tmp_path / "brands.jsonl"
    path.write_bytes(b'{"id": "b1", "name": "A"}\n{"id": "b2", "name": \n["b3"]\n{"id": "b4"}\n')
    report = await load(store, tmp_path, "brands", path)
    assert (report.tally.written, report.tally.rejected) == (2, 2)
    assert [(r["line"], r["reasons"][0][:14]) for r in rejects(tmp_path)] == [
        (2, "malformed JSON"),
        (3, "expected a JSO"),
    ]


async def test_a_dry_run_validates_and_writes_nothing(store, tmp_path):
    path = tmp_path / "purchases.csv"
    path.write_bytes(BAD_PURCHASES)
    report = await load_files(None, "purchases", [path], Mapping(), options(tmp_path, dry_run=True))
    assert (report.tally.read, report.tally.rejected) == (8, 6)
    assert len(rejects(tmp_path)) == 6
    assert (await store.read("MATCH (n) RETURN count(n) AS n"))[0]["n"] == 0


async def test_a_changed_row_moves_its_edges(store, tmp_path):
    path = tmp_path / "purchases.jsonl"
    order = {"id": "o1", "customer_id": "c1", "brand_id": "b1", "at": "2024-05-01",
             "items": [{"product_id": "p1", "unit_price": 2}, {"product_id": "p2"}]}  # fmt: skip
    path.write_text(json.dumps(order) + "\n")
    await load(store, tmp_path, "purchases", path)
    moved = {**order, "customer_id": "c2", "items": [{"product_id": "p2", "quantity": 2}]}
    path.write_text(json.dumps(moved) + "\n")
    report = await load(store, tmp_path, "purchases", path)
    assert report.tally.written == 1
    edges = await store.read(
        "MATCH (x)-[r]-(:Purchase {id: 'o1'}) RETURN type(r) AS t, x.id AS x ORDER BY t, x"
    )
    assert edges == [{"t": "AT", "x": "b1"}, {"t": "CONTAINS", "x": "p2"}, {"t": "MADE", "x": "c2"}]


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


async def test_linking_conflicts_are_reported_and_left_unlinked(store, tmp_path):
    customers = write_jsonl(tmp_path / "customers.jsonl", [
        {"id": "c1", "email": "shared@example.com"},
        {"id": "c2", "email": "Shared@Example.com "},  # the same key as c1 once normalised
        {"id": "c3", "phone": "+33 6 12 34 56 78"},
        {"id": "c4", "phone": "+86 138 0000 0000"},
    ])  # fmt: skip
    accounts = write_jsonl(tmp_path / "accounts.jsonl", [
        {"id": "a1", "platform": "instagram", "email": "shared@example.com"},
        {"id": "a2", "platform": "wechat", "customer_id": "c3", "phone": "+86 13800000000"},
        {"id": "a3", "platform": "weibo", "phone": "0033 6 12 34 56 78"},
    ])  # fmt: skip
    await load(store, tmp_path, "customers", customers)
    report = await load(store, tmp_path, "social_accounts", accounts)
    assert (report.tally.linked, report.tally.conflicts) == (1, 2)
    lines = (tmp_path / "conflicts.jsonl").read_text().splitlines()
    conflicts = {c["account_id"]: c for c in map(json.loads, lines)}
    assert conflicts["a1"]["reason"] == "one email key on 2 customers (c1, c2)"
    assert conflicts["a2"]["reason"] == "claimed by 2 customers: c3 (crm_id), c4 (phone)"
    assert conflicts["a2"]["candidates"] == [
        {"customer_id": "c3", "method": "crm_id"},
        {"customer_id": "c4", "method": "phone"},
    ]
    links = await store.read(
        "MATCH (c)-[h:HAS_ACCOUNT]->(a) RETURN a.id AS a, c.id AS c, h.method AS m ORDER BY a"
    )
    assert links == [{"a": "a3", "c": "c3", "m": "phone"}]
    # Loading the same accounts again writes nothing, so reports nothing; a relink of every
    # account lists the conflicts that stand, and changes nothing.
    again = await load(store, tmp_path, "social_accounts", accounts)
    assert (again.tally.written, again.tally.conflicts, vars(again.counters)) == (0, 0, ZERO)
    standing = await relink(store, ["a1", "a2", "a3"], now=0)
    assert [d.account_id for d in standing.conflicts] == ["a1", "a2"]
    assert (standing.linked, standing.unlinked, vars(standing.counters)) == (0, 0, ZERO)
    # The data is fixed at the source: c2's email was a typo. Reloading resolves the conflict.
    write_jsonl(customers, [{"id": "c2", "email": "c2@example.com"}])
    fixed = await load(store, tmp_path, "customers", customers)
    assert (fixed.tally.linked, fixed.tally.conflicts) == (1, 0)
    links = await store.read(
        "MATCH (c)-[h:HAS_ACCOUNT]->(a {id: 'a1'}) RETURN c.id AS c, h.method AS m"
    )
    assert links == [{"c": "c1", "m": "email"}]
    state = await store.read("MATCH (a:SocialAccount {id: 'a1'}) RETURN a.link_conflict AS x")
    assert state == [{"x": None}]
