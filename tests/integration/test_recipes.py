"""The recipes (recipes/README.md) on both engines: public data sets shipped inside installed
packages, loaded through the same pipeline as `hub load`, checked against the files
themselves as read here with plain Python."""

from dataclasses import asdict
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import orjson

from graph.store import WriteCounters
from loaders.mapping import Mapping, load_mapping
from loaders.pipeline import LoadOptions, LoadReport, load_files
from loaders.recipes import CDNOW_CUSTOMERS, CDNOW_PURCHASES, cdnow_path, febrl_path

ROOT = Path(__file__).resolve().parents[2]
RECIPES = ROOT / "recipes"


def options(tmp_path: Path, name: str) -> LoadOptions:
    return LoadOptions(
        rejects_path=tmp_path / f"rejects-{name}.jsonl",
        conflicts_path=tmp_path / f"conflicts-{name}.jsonl",
        retry_for_s=0,
    )


async def load(store, kind: str, path: Path, mapping: Mapping, opts: LoadOptions) -> LoadReport:
    return await load_files(store, kind, [path], mapping, opts)


async def count(store, query: str) -> int:
    rows = await store.read(query)
    return int(rows[0]["n"])


def cdnow_lines() -> list[list[str]]:
    """CDNOW_master.txt's purchases, split on whitespace: [customer_id, date, cds, dollars]."""
    text = cdnow_path().read_bytes().decode("ascii")
    header, *lines = [line.split() for line in text.splitlines() if line.strip()]
    assert header == ["customer_id", "date", "number_of_cds", "dollar_value"]
    return lines


async def test_cdnow_recipe_loads_every_customer_and_purchase(store, tmp_path):
    lines = cdnow_lines()
    assert len(lines) == CDNOW_PURCHASES
    spend = sum(Decimal(line[3]) for line in lines)
    assert spend == Decimal("2500315.63")

    brand = await load(store, "brands", RECIPES / "cdnow" / "brand.csv", Mapping(),
                       options(tmp_path, "brand"))  # fmt: skip
    assert (brand.tally.read, brand.tally.written, brand.tally.rejected) == (1, 1, 0)

    customers = await load(
        store, "customers", cdnow_path(), load_mapping(RECIPES / "cdnow" / "customers.toml"),
        options(tmp_path, "customers"),
    )  # fmt: skip
    # One customer per purchase line: each customer is written once, its repeats unchanged.
    assert (customers.tally.read, customers.tally.written, customers.tally.rejected) == (
        CDNOW_PURCHASES, CDNOW_CUSTOMERS, 0,
    )  # fmt: skip
    assert customers.rejects_path is None
    assert await count(store, "MATCH (c:Customer) RETURN count(c) AS n") == CDNOW_CUSTOMERS

    mapping = load_mapping(RECIPES / "cdnow" / "purchases.toml")
    purchases = await load(store, "purchases", cdnow_path(), mapping, options(tmp_path, "p"))
    assert (purchases.tally.read, purchases.tally.written, purchases.tally.rejected) == (
        CDNOW_PURCHASES, CDNOW_PURCHASES, 0,
    )  # fmt: skip
    assert purchases.ignored_columns == {"number_of_cds"}
    assert await count(store, "MATCH (p:Purchase) RETURN count(p) AS n") == CDNOW_PURCHASES
    # Every purchase hangs off a loaded customer (no stubs were made) and the loaded brand.
    assert await count(store, "MATCH (c:Customer) RETURN count(c) AS n") == CDNOW_CUSTOMERS
    assert (
        await count(store, "MATCH (c:Customer) WHERE c.row_hash IS NULL RETURN count(c) AS n") == 0
    )
    made_at = "MATCH (:Customer)-[:MADE]->(p:Purchase)-[:AT]->(:Brand {id: 'cdnow'})"
    assert await count(store, made_at + " RETURN count(p) AS n") == CDNOW_PURCHASES
    rows = await store.read("MATCH (b:Brand) RETURN b.id AS id, b.name AS name, b.row_hash AS h")
    assert [(r["id"], r["name"]) for r in rows] == [("cdnow", "CDNOW")] and rows[0]["h"]

    rows = await store.read("MATCH (p:Purchase) RETURN sum(p.total) AS total")
    assert abs(Decimal(str(rows[0]["total"])) - spend) < Decimal("0.005"), (rows, spend)

    # Customer 00002 made two purchases on 1997-01-12 (lines 3 and 4): both are there.
    rows = await store.read(
        "MATCH (:Customer {id: 'cdnow-00002'})-[:MADE]->(p:Purchase) "
        "RETURN p.id AS id, p.at AS at, p.total AS total, p.currency AS currency, "
        "p.channel AS channel ORDER BY id"
    )
    day = int(datetime(1997, 1, 12, tzinfo=UTC).timestamp() * 1000)
    got = [(r["id"], r["at"], r["total"], r["currency"], r["channel"]) for r in rows]
    assert got[:2] == [
        ("cdnow-00002-19970112-3", day, 12.0, "USD", "online"),
        ("cdnow-00002-19970112-4", day, 77.0, "USD", "online"),
    ]
    assert len(got) == sum(1 for line in lines if line[0] == "00002")

    again = await load(store, "purchases", cdnow_path(), mapping, options(tmp_path, "again"))
    assert (again.tally.read, again.tally.written, again.tally.rejected) == (
        CDNOW_PURCHASES, 0, 0,
    )  # fmt: skip
    assert again.counters == WriteCounters(), asdict(again.counters)


async def test_febrl_recipe_loads_person_records_as_customers(store, tmp_path):
    path = febrl_path("dataset1")
    opts = options(tmp_path, "febrl")
    mapping = load_mapping(RECIPES / "febrl" / "customers.toml")
    report = await load(store, "customers", path, mapping, opts)
    assert report.tally.read == 1000
    rejects = (
        [orjson.loads(line) for line in opts.rejects_path.read_bytes().splitlines()]
        if opts.rejects_path.exists()
        else []
    )
    assert len(rejects) == report.tally.rejected
    assert all(r["reasons"] for r in rejects)
    customers = await count(store, "MATCH (c:Customer) RETURN count(c) AS n")
    assert customers + report.tally.rejected == 1000
    # Measured: blanks (41 birth dates, 44 given names, 15 states) are not errors for a
    # customer, and every birth year given is in 1900-1999, so no record is rejected.
    assert report.tally.rejected == 0

    # rec-122-org, lachlan, berry, 69, giblin street, killarney, bittern, 4814, qld,
    #   19990219, 7364009
    # rec-223-org, , waller, 6, tullaroop street, willaroo, st james, 4011, wa, 19081209,
    #   6988048
    rows = await store.read(
        "MATCH (c:Customer) WHERE c.id IN ['febrl-dataset1-rec-122-org', "
        "'febrl-dataset1-rec-223-org'] "
        "RETURN c.id AS id, c.name AS name, c.city AS city, c.region AS region, "
        "c.country AS country, c.birth_year AS birth_year, c.external_id AS external_id "
        "ORDER BY id"
    )
    assert [tuple(r.values()) for r in rows] == [
        ("febrl-dataset1-rec-122-org", "lachlan berry", "bittern", "QLD", "AU", 1999, "7364009"),
        ("febrl-dataset1-rec-223-org", "waller", "st james", "WA", "AU", 1908, "6988048"),
    ]
