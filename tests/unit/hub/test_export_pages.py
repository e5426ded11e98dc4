"""hub/export_pages.py over a fake executor: connections paged through `$after` to the
end, lists and single objects as one page, rows inside each item with their follow-up
pages, and queries an export cannot page refused with a code."""

import pytest

from hub.export_pages import ExportError, Nested, pages, rows

PAGED = "query($first: Int!, $after: String) { customers(first: $first, after: $after) { x } }"
UNPAGED = "query { customers { x } }"


def connection(ids, cursor=None, more=False, total=None, edges=False):
    items = [{"id": i} for i in ids]
    page = {"pageInfo": {"hasNextPage": more, "endCursor": cursor}}
    page |= (
        {"edges": [{"node": n, "cursor": n["id"]} for n in items]} if edges else {"nodes": items}
    )
    if total is not None:
        page["totalCount"] = total
    return page


class FakeApi:
    """Answers each call with the next prepared data, recording the variables."""

    def __init__(self, *answers):
        self.answers, self.calls = list(answers), []

    async def __call__(self, query, variables):
        self.calls.append((query, variables))
        return self.answers.pop(0)


async def collect(it):
    return [x async for x in it]


@pytest.mark.parametrize("edges", [False, True])
async def test_a_connection_is_read_to_its_last_page(edges):
    api = FakeApi(
        {"customers": connection(["a", "b"], "c2", more=True, total=3, edges=edges)},
        {"customers": connection(["c"], "c3", more=False, total=3, edges=edges)},
    )
    got = await collect(pages(api, PAGED, {"first": 2}))
    assert [[i["id"] for i in p.items] for p in got] == [["a", "b"], ["c"]]
    assert [p.total for p in got] == [3, 3]
    assert [v for _, v in api.calls] == [{"first": 2, "after": None}, {"first": 2, "after": "c2"}]


async def test_the_first_connection_is_found_below_other_objects():
    api = FakeApi({"audience": {"audienceId": "x"}, "wrap": {"customers": connection(["a"])}})
    got = await collect(pages(api, PAGED))
    assert [i["id"] for i in got[0].items] == ["a"]


async def test_a_list_or_one_object_is_one_page():
    api = FakeApi({"matrix": {"n": 3, "pairs": [{"a": 1}, None, {"a": 2}]}}, {"brand": {"id": "b"}})
    assert (await collect(pages(api, UNPAGED)))[0].items == [{"a": 1}, {"a": 2}]
    assert (await collect(pages(api, UNPAGED)))[0].items == [{"id": "b"}]


async def test_more_pages_without_an_after_variable_is_refused():
    api = FakeApi({"customers": connection(["a"], "c1", more=True)})
    with pytest.raises(ExportError, match=r"declare `\$after") as e:
        await collect(pages(api, UNPAGED))
    assert e.value.code == "BAD_USER_INPUT"


async def test_page_info_without_the_cursor_is_refused():
    api = FakeApi({"customers": {"nodes": [], "pageInfo": {"hasNextPage": False}}})
    with pytest.raises(ExportError, match="endCursor"):
        await collect(pages(api, PAGED))


async def test_a_cursor_that_does_not_move_on_stops_the_export():
    api = FakeApi(
        {"customers": connection(["a"], "c1", more=True)},
        {"customers": connection(["a"], "c1", more=True)},
    )
    with pytest.raises(ExportError, match="does not move on"):
        await collect(pages(api, PAGED))


async def test_a_query_that_does_not_parse_is_refused_before_any_call():
    api = FakeApi()
    with pytest.raises(ExportError) as e:
        await collect(pages(api, "query {"))
    assert e.value.code == "GRAPHQL_PARSE_FAILED" and api.calls == []


async def test_nested_rows_carry_their_item_and_read_the_rest_of_its_connection():
    follow_up = "query($id: ID!, $first: Int!, $after: String) { customer(id: $id) { x } }"
    nested = Nested("purchases", "customer", follow_up)
    outer = {"customers": {
        "pageInfo": {"hasNextPage": False, "endCursor": "o1"},
        "nodes": [
            {"id": "c1", "name": "Ann", "purchases": connection(["p1"], "k1", more=True)},
            {"id": "c2", "name": "Bo", "purchases": connection([])},
        ],
    }}  # fmt: skip
    api = FakeApi(outer, {"customer": {"purchases": connection(["p2"], "k2")}})
    got = await collect(rows(api, PAGED, {"first": 1}, nested))
    assert got == [([
        {"customer.id": "c1", "customer.name": "Ann", "id": "p1"},
        {"customer.id": "c1", "customer.name": "Ann", "id": "p2"},
    ], 2, None)]  # fmt: skip
    assert api.calls[1] == (follow_up, {"first": 1, "after": "k1", "id": "c1"})
