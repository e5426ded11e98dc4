"""graph/writes.py: what an upsert sends with each row (the statements run in
tests/integration/test_writes.py)."""

import re

from graph.writes import _STATEMENTS, statement_params


def test_rows_carry_only_their_values_and_the_names_go_once_per_batch():
    rows = [
        {"id": "c1", "hash": "h1", "props": {"name": "Li", "city": None}},
        {"id": "c2", "hash": "h2", "props": {"name": None, "city": "Pune"}},
    ]
    params = statement_params(rows)
    assert params["rows"] == [
        {"id": "c1", "hash": "h1", "props": {"name": "Li"}},
        {"id": "c2", "hash": "h2", "props": {"city": "Pune"}},
    ]
    assert params["prop_names"] == ["name", "city"]
    assert rows[0]["props"] == {"name": "Li", "city": None}  # the caller's rows untouched


def test_no_upsert_reads_a_per_row_list_of_empty_properties():
    # The embedded engine parses parameters as text: a list in every row cost more than
    # the hash check and the RETURN together (bench.ingest).
    for upsert, _ in _STATEMENTS.values():
        assert not re.search(r"row\.(unset|i)\b", upsert)
        assert "$prop_names" in upsert
