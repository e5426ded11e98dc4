"""`hub seed --fast` prepares the rows loaders.seed prepares, and links as generated."""

from typing import Any, cast

import pytest

from graph.store import GraphStore, WriteCounters
from loaders.export import ExportRows
from loaders.fast_seed import FreshWriter, prepared_batches
from loaders.kinds import MODELS
from loaders.synthetic import SyntheticConfig, generate

CONFIG = SyntheticConfig(customers=80)


@pytest.fixture(scope="module")
def generated():
    return list(generate(CONFIG, 500))


@pytest.fixture(scope="module")
def fast():
    return list(prepared_batches(CONFIG, 500))


def test_fast_rows_are_the_models_rows(generated, fast):
    to_export = ExportRows()
    expected = [
        (kind, [MODELS[kind].model_validate(to_export(kind, row)).prepare() for row in batch])
        for kind, batch in generated
    ]
    assert [(b.kind, b.rows) for b in fast] == expected
    assert {"interactions", "follows", "customer_tags", "consents"} <= {b.kind for b in fast}


def test_accounts_are_linked_to_the_customer_they_were_made_for(generated, fast):
    accounts = {row["id"]: row for kind, batch in generated if kind == "social_accounts"
                for row in batch}  # fmt: skip
    links = [link for b in fast for link in b.links]
    assert links and len(links) == sum(1 for r in accounts.values() if r.get("link_method"))
    for link in links:
        row = accounts[link["account_id"]]
        assert (link["customer_id"], link["method"]) == (row["customer_id"], row["link_method"])


class RecordingStore:
    """Answers every write as if each row were written; keeps (statement, rows)."""

    engine = "fake"

    def __init__(self) -> None:
        self.sent: list[tuple[str, list[dict[str, Any]]]] = []

    async def write_returning(self, query: str, params: dict[str, Any]) -> tuple[Any, Any]:
        rows = params["rows"]
        self.sent.append((query, rows))
        written = {"written": len(rows), "ids": [], "updated": [], "was": [], "gone": []}
        return [written], WriteCounters()


def _tag(customer: str, weight: float) -> dict[str, Any]:
    return {"customer_id": customer, "tag_id": "t-running", "hash": f"h{weight}",
            "props": {"weight": weight, "source": None}}  # fmt: skip


async def test_a_fresh_graph_creates_each_relationship_once_and_upserts_a_repeat():
    store = RecordingStore()
    writer = FreshWriter(cast(GraphStore, store))
    await writer.write("customer_tags", [_tag("c1", 1.0), _tag("c2", 1.0)], 0)
    await writer.write("customer_tags", [_tag("c2", 2.0), _tag("c3", 1.0)], 0)
    await writer.write("consents", [], 0)  # another kind: the next run of tags is new again
    await writer.write("customer_tags", [_tag("c1", 3.0)], 0)
    created = [[r["customer_id"] for r in rows] for q, rows in store.sent if "CREATE (s)" in q]
    merged = [[r["customer_id"] for r in rows] for q, rows in store.sent if "MERGE (s)-[r" in q]
    assert created == [["c1", "c2"], ["c3"], ["c1"]]
    assert merged == [["c2"]]
    upserted = [r for q, rows in store.sent if "MERGE (s)-[r" in q for r in rows]
    assert upserted[0]["props"]["weight"] == 2.0  # the later row stands, as with MERGE
