"""graph/bulk.py: cells and types of the bulk tables, and what they refuse to carry."""

import csv
import io
from pathlib import Path

import pytest

from graph.bulk import ARRAY_DELIMITER, BulkValueError, Column, Table, cell, header, type_of


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, "boolean"),
        (3, "long"),
        (2.5, "double"),
        ("x", "string"),
        (["a", "b"], "string[]"),
        ([1, 2], "long[]"),
        ([0.5], "double[]"),
    ],
)
def test_each_value_has_its_import_type(value: object, expected: str) -> None:
    assert type_of(value) == expected


@pytest.mark.parametrize("value", [{"a": 1}, [], [1, "a"], [[1]], [True]])
def test_values_no_column_carries_are_refused_with_the_value(value: object) -> None:
    with pytest.raises(BulkValueError, match="no bulk import type"):
        type_of(value)


def test_cells_give_the_value_back() -> None:
    assert cell(None) == ""
    assert cell(False) == "false"
    assert cell(0.1 + 0.2) == repr(0.1 + 0.2)  # every digit: the float read back is the same
    assert float(cell(0.1 + 0.2)) == 0.1 + 0.2
    assert cell(["email", "sms"]) == f"email{ARRAY_DELIMITER}sms"
    assert cell(12) == "12"
    # The csv module quotes what needs it; a comma, a quote and a line break survive.
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow([cell('Wang, "Wei"\nline')])
    assert next(csv.reader(io.StringIO(out.getvalue()))) == ['Wang, "Wei"\nline']


def test_values_a_cell_would_change_are_refused() -> None:
    with pytest.raises(BulkValueError, match="empty string"):
        cell("")
    with pytest.raises(BulkValueError, match="array element"):
        cell(["a;b"])


def test_headers_name_the_id_spaces_and_types() -> None:
    node = Table(Path("n.csv"), (Column("name", "string"), Column("n", "long")), label="Customer")
    rel = Table(Path("r.csv"), (Column("at", "long"),), rel="MADE", source="Customer",
                target="Purchase")  # fmt: skip
    assert header(node) == ["id:ID(Customer)", "name:string", "n:long"]
    assert header(rel) == [":START_ID(Customer)", ":END_ID(Purchase)", "at:long"]
