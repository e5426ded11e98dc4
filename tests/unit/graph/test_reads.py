import pytest

from graph import reads


def test_unknown_part_never_reaches_the_text():
    with pytest.raises(KeyError, match="unknown parts"):
        reads.customers_query(reads.CUSTOMERS_BY_IDS_HEAD, ["purchases", "x}) DETACH DELETE"])


def test_only_selected_parts_are_joined():
    text = reads.customers_query(reads.CUSTOMERS_BY_IDS_HEAD, ["identities"])
    assert "HAS_ACCOUNT" in text and "MADE" not in text and "OPTIONAL MATCH" not in text
    text = reads.customers_query(reads.CUSTOMERS_BY_IDS_HEAD, ["purchases", "complaints"])
    assert text.count("OPTIONAL MATCH") == 2
    assert "$purchases_skip" in text and "$complaints_first" in text


def test_statements_take_values_only_as_parameters():
    text = reads.customers_query(reads.CUSTOMERS_PAGE_HEAD, list(reads.CUSTOMER_PARTS))
    assert "$after" in text and "$limit" in text and "$country" in text
    assert "'" not in text  # no literal values at all
