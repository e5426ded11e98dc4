"""loaders/bulk_seed.py's table writer on hand-made prepared rows (the whole dataset is
compared with the fast seed's graph in tests/integration/test_bulk_seed.py)."""

import csv
from pathlib import Path
from typing import Any

import pytest

from graph.bulk import BulkTables, BulkValueError
from loaders.bulk_seed import _Writer

NOW = 1_700_000_000_000


def _purchase(pid: str, customer: str, items: list[dict[str, Any]], total: float) -> dict[str, Any]:
    return {"id": pid, "customer_id": customer, "brand_id": "b1", "items": items,
            "hash": f"h-{pid}", "props": {"at": 1, "total": total, "channel": None}}  # fmt: skip


def _rows(tables: BulkTables, name: str) -> list[list[str]]:
    table = next(t for t in (*tables.nodes, *tables.relationships) if t.path.name == name)
    with table.path.open(encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def test_nodes_edges_list_edges_and_stubs(tmp_path: Path) -> None:
    writer = _Writer(tmp_path, NOW)
    items = [{"id": "p1", "quantity": 1, "unit_price": 2.0},
             {"id": "p1", "quantity": 3, "unit_price": 2.0}]  # fmt: skip
    writer.write_run("purchases", [_purchase("o1", "c1", items, 6.0)], [])
    tables = writer.finish()
    assert _rows(tables, "nodes_Purchase.csv") == [["o1", "1", "6.0", "", "h-o1", str(NOW)]]
    # The customer, the brand and the product were only named: stubs holding their id.
    assert _rows(tables, "nodes_Customer.csv") == [["c1"]]
    assert _rows(tables, "nodes_Product.csv") == [["p1"]]
    # An id twice in one list: one relationship, the last one's properties.
    assert _rows(tables, "rels_CONTAINS_Purchase_Product_purchases.csv") == [
        ["o1", "p1", "3", "2.0"]
    ]
    assert _rows(tables, "rels_MADE_Customer_Purchase_purchases.csv") == [["c1", "o1"]]
    purchase = next(t for t in tables.nodes if t.label == "Purchase")
    assert [(c.name, c.type) for c in purchase.columns] == [
        ("at", "long"), ("total", "double"), ("channel", "string"), ("row_hash", "string"),
        ("updated_at", "long"),
    ]  # fmt: skip


def test_a_node_given_a_row_in_two_runs_is_refused(tmp_path: Path) -> None:
    writer = _Writer(tmp_path, NOW)
    writer.write_run("purchases", [_purchase("o1", "c1", [], 1.0)], [])
    with pytest.raises(BulkValueError, match="'o1': given a row in two runs"):
        writer.write_run("purchases", [_purchase("o1", "c1", [], 2.0)], [])
    writer.abort()


def test_a_column_holding_two_types_is_refused(tmp_path: Path) -> None:
    writer = _Writer(tmp_path, NOW)
    writer.write_run(
        "purchases", [_purchase("o1", "c1", [], 1.0), _purchase("o2", "c1", [], 2)], []
    )
    with pytest.raises(BulkValueError, match=r"column 'total' holds \['double', 'long'\]"):
        writer.finish()


def test_rows_of_one_kind_must_have_the_same_properties(tmp_path: Path) -> None:
    writer = _Writer(tmp_path, NOW)
    other = _purchase("o2", "c1", [], 2.0)
    other["props"]["note"] = "x"
    with pytest.raises(BulkValueError, match="'o2': properties"):
        writer.write_run("purchases", [_purchase("o1", "c1", [], 1.0), other], [])
    writer.abort()


def test_a_line_break_marks_the_table_multiline(tmp_path: Path) -> None:
    writer = _Writer(tmp_path, NOW)
    row = {"id": "t1", "hash": "h", "props": {"name": "two\nlines", "category": "interest"}}
    writer.write_run("tags", [row], [])
    tables = writer.finish()
    assert [t.multiline for t in tables.nodes] == [True]
    assert _rows(tables, "nodes_Tag.csv") == [["t1", "two\nlines", "interest", "h", str(NOW)]]
