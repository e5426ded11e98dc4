import re

import pytest

from graph import reads


def test_unknown_part_never_reaches_the_text():
    with pytest.raises(KeyError, match="unknown part"):
        reads.customers_query(
            reads.CUSTOMERS_BY_IDS_HEAD,
            [("purchases", "purchases"), ("x", "x}) DETACH DELETE")],
        )
    with pytest.raises(KeyError, match="bad instance name"):
        reads.customers_query(
            reads.CUSTOMERS_BY_IDS_HEAD, [("purchases}) DETACH DELETE (", "purchases")]
        )
    with pytest.raises(KeyError):
        reads.customers_page_head("e.id) DETACH DELETE (e", False, False)


def test_only_selected_parts_are_joined():
    text = reads.customers_query(reads.CUSTOMERS_BY_IDS_HEAD, [("identities", "identities")])
    assert "HAS_ACCOUNT" in text and "MADE" not in text and "OPTIONAL MATCH" not in text
    text = reads.customers_query(
        reads.CUSTOMERS_BY_IDS_HEAD,
        [("complaints", "complaints"), ("purchases", "purchases"), ("purchases_2", "purchases")],
    )
    assert text.count("OPTIONAL MATCH") == 3
    assert "$purchases_after" in text and "$complaints_first" in text
    assert "$purchases_2_brand" in text and "$purchases_2_first" in text


def test_statements_take_values_only_as_parameters():
    parts = [(p, p) for p in reads.CUSTOMER_PARTS]
    for sort in reads.CUSTOMER_SORTS:
        text = reads.customers_query(reads.customers_page_head(sort, True, True), parts)
        assert "$after" in text and "$limit" in text and "$country" in text
        # no literal values but the fixed labels of contact kinds and empty defaults
        literals = set(re.findall(r"'[^']*'", text))
        assert literals <= {"'purchase'", "'interaction'", "'complaint'", "'post'", "''", "'|'",
                            "'follow'"}, literals  # fmt: skip
