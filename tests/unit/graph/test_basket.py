"""graph/basket.py: statements only from allow-listed levels and units, item sets of 1..3."""

import pytest

from graph import basket


def test_levels_and_units_come_from_the_allow_list() -> None:
    for level in basket.LEVELS:
        for unit in basket.UNITS:
            for size in (1, 2, 3):
                text = basket.itemset_counts_query(level, unit, size)
                assert "$min_support" in text and "$include_restricted" in text
    with pytest.raises(KeyError):
        basket.basket_count_query("product) DETACH DELETE (x", "order")
    with pytest.raises(KeyError):
        basket.itemset_counts_query("product", "session", 2)


@pytest.mark.parametrize("size", [0, 4])
def test_item_sets_of_one_to_three_items(size: int) -> None:
    with pytest.raises(ValueError):
        basket.itemset_counts_query("product", "order", size)
