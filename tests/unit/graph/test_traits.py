"""Trait definitions that cannot be computed are refused, with the reason and where."""

import pytest

from graph.traits import TraitRefused, TraitSpec


@pytest.mark.parametrize(
    ("spec", "argument", "words"),
    [
        (TraitSpec("x", "purchases", "sum", "channel"), "field", "numeric"),
        (TraitSpec("x", "purchases", "count", "amount"), "field", "no field"),
        (TraitSpec("x", "purchases", "avg"), "field", "needs a field"),
        (
            TraitSpec("x", "interactions", "count", None, {"category": "a"}),
            "conditions.category",
            "cannot be narrowed",
        ),
        (TraitSpec("x", "orders", "count"), "source", "unknown source"),
        (TraitSpec("x", "purchases", "median", "amount"), "aggregate", "unknown aggregate"),
        (TraitSpec("X y", "purchases", "count"), "name", "lower-case"),
        (TraitSpec("x", "purchases", "count", None, {}, 0), "windowDays", "1.."),
        (TraitSpec("x", "purchases", "count", None, {"brand": " "}), "conditions.brand", "empty"),
    ],
)
def test_definitions_that_cannot_be_computed_are_refused(spec, argument, words):
    with pytest.raises(TraitRefused, match=words) as refused:
        spec.check()
    assert refused.value.argument == argument
