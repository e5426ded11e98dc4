"""hub/graphql_http.py's depth check: containers count, scalars at the last level do not."""

from typing import Any

from hub.graphql_http import nested_deeper_than


def nested(levels: int, leaf: Any = 1) -> Any:
    value = leaf
    for level in range(levels):
        value = [value] if level % 2 else {"k": value, "s": "x"}
    return value


def test_the_depth_counts_arrays_and_objects_not_scalars():
    assert not nested_deeper_than(nested(3), 3)
    assert nested_deeper_than(nested(4), 3)
    assert not nested_deeper_than(nested(3, leaf="deep string"), 3)
    assert not nested_deeper_than({"events": [{"a": 1}] * 500}, 3)
    assert nested_deeper_than({"events": [{"a": 1}] * 500 + [{"a": [1]}]}, 3)
    assert not nested_deeper_than(5, 0) and nested_deeper_than([], 0)
