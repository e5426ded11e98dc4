"""One-row-per-item purchases become orders; what cannot be grouped safely is refused."""

from loaders.reader import group_line_items
from loaders.sources import SourceRow


def row(line, id_, product="p1", at="2024-05-01", **extra):
    fields = {"id": id_, "at": at, "product_id": product, "quantity": "1", **extra}
    return SourceRow("f.csv", line, f"line {line}", fields)


def test_adjacent_rows_make_one_order_and_a_bad_row_inside_does_not_split_it():
    broken = SourceRow("f.csv", 3, "???", errors=["wrong column count"])
    out = list(group_line_items(iter([row(2, "o1"), broken, row(4, "o1", "p2"), row(5, "o2")])))
    assert [(r.line, r.fields.get("id"), r.errors) for r in out] == [
        (2, "o1", []),
        (3, None, ["wrong column count"]),
        (5, "o2", []),
    ]
    assert [i["product_id"] for i in out[0].fields["items"]] == ["p1", "p2"]
    assert out[0].raw == "line 2\nline 4"


def test_rows_of_one_order_that_disagree_are_refused():
    out = list(group_line_items(iter([row(2, "o1"), row(3, "o1", "p2", at="2024-06-01")])))
    assert out[0].errors == ["the rows of order 'o1' disagree on at (line 3)"]


def test_an_order_whose_rows_are_not_adjacent_is_refused_the_second_time():
    out = list(group_line_items(iter([row(2, "o1"), row(3, "o2"), row(4, "o1", "p2")])))
    assert [r.errors for r in out[:2]] == [[], []]
    assert out[2].errors[0].startswith("order 'o1' already appeared at line 2")


def test_an_order_without_items_is_one_row_with_an_empty_product():
    out = list(group_line_items(iter([row(2, "o1", product="")])))
    assert out[0].fields["items"] == []


def test_a_batch_keeps_the_last_row_of_each_key():
    from loaders.pipeline import last_of_each

    rows = [
        {"id": "c1", "props": {"n": 1}, "hash": "a"},
        {"id": "c2", "props": {}, "hash": "b"},
        {"id": "c1", "props": {"n": 2}, "hash": "c"},
    ]
    assert [r["hash"] for r in last_of_each(rows)] == ["c", "b"]
    rels = [
        {"account_id": "a1", "post_id": "p1", "kind": "like", "at": 1, "props": {}, "hash": "x"},
        {"account_id": "a1", "post_id": "p1", "kind": "like", "at": 2, "props": {}, "hash": "y"},
        {"account_id": "a1", "post_id": "p1", "kind": "like", "at": 1, "props": {}, "hash": "z"},
    ]
    assert [r["hash"] for r in last_of_each(rels)] == ["z", "y"]
