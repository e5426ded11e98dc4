import re

import pytest

from graph import reads
from graph.reads import Fetch, Page


def test_unknown_part_never_reaches_the_text():
    with pytest.raises(KeyError):
        reads.customers_statement(
            reads.CUSTOMERS_BY_IDS_HEAD, [Fetch("purchases", Page(5)), Fetch("x}) DETACH DELETE")]
        )
    with pytest.raises(KeyError):
        reads.customers_page_head("e.id) DETACH DELETE (e", False, False)


def test_only_selected_parts_are_joined():
    text, params = reads.customers_statement(reads.CUSTOMERS_BY_IDS_HEAD, [Fetch("identities")])
    assert "HAS_ACCOUNT" in text and "MADE" not in text and "OPTIONAL MATCH" not in text
    assert params == {}
    text, params = reads.customers_statement(
        reads.CUSTOMERS_BY_IDS_HEAD,
        [
            Fetch("complaints", Page(3)),
            Fetch("purchases", Page(5, after=(1, "p1"))),
            Fetch("purchases", Page(7, filters=(("brand", "b1"),))),
        ],
    )
    assert text.count("OPTIONAL MATCH") == 3  # one per fetch
    # text and parameters are made together: every parameter the text reads is given
    assert set(re.findall(r"\$(p\d_\w+)", text)) == set(params)
    assert params["p0_first"] == 3 and params["p1_after"] == [1, "p1"]
    assert params["p2_after"] is None and params["p2_first"] == 7
    assert params["p2_brand"] == "b1" and params["p1_brand"] is None


def test_an_ordered_part_needs_a_page():
    with pytest.raises(ValueError, match="needs a page"):
        reads.customers_statement(reads.CUSTOMERS_BY_IDS_HEAD, [Fetch("purchases")])


def test_statements_take_values_only_as_parameters():
    fetches = [
        Fetch(p, Page(5, (0, "x", "y")[: len(part.order)]) if part.ordered else None)
        for p, part in reads.CUSTOMER_PARTS.items()
    ]
    for sort in reads.CUSTOMER_SORTS:
        text, _ = reads.customers_statement(reads.customers_page_head(sort, True, True), fetches)
        assert "$after" in text and "$limit" in text and "$country" in text
        # no literal values but the fixed labels of contact kinds and empty defaults
        literals = set(re.findall(r"'[^']*'", text))
        assert literals <= {"'purchase'", "'interaction'", "'complaint'", "'post'", "''", "'|'",
                            "'follow'"}, literals  # fmt: skip
