"""The customer-360 API against the hand-built sample graph, on both engines."""

from typing import Any

import pytest

from resolvers.context import Context
from resolvers.ids import to_global_id
from resolvers.principal import Principal, Role
from schema import build_schema
from tests.integration.sample_graph import DAY, T0, load_sample

SCHEMA = build_schema()
APP = Principal("test-app", Role.APP)
ANALYST = Principal("test-analyst", Role.ANALYST)
ADMIN = Principal("test-admin", Role.ADMIN)

FULL_360 = """
query($id: ID!) {
  customer(id: $id) {
    customerId name email country
    identities { linkMethod linkConfidence account { accountId platform handle } }
    tags { weight source tag { tagId category } }
    consents { active purposes brand { brandId name } }
    segments { segmentId }
    purchases(first: 2) {
      totalCount pageInfo { hasNextPage endCursor }
      nodes { purchaseId total at brand { name }
              items { quantity unitPrice product { productId } } }
    }
    interactions { totalCount nodes { kind text account { handle } post { postId contentType } } }
    posts { totalCount nodes { postId tags { tagId } authorAccount { accountId } } }
    complaints { totalCount nodes { complaintId status about { kind subjectId } } }
  }
}
"""


async def run(
    store: Any, query: str, principal: Principal = APP, **variables: Any
) -> dict[str, Any]:
    result = await SCHEMA.execute(
        query, variable_values=variables, context_value=Context(store, principal)
    )
    assert result.errors is None, result.errors
    assert result.data is not None
    return result.data


async def errors_of(
    store: Any, query: str, principal: Principal = APP, **variables: Any
) -> list[dict[str, Any]]:
    result = await SCHEMA.execute(
        query, variable_values=variables, context_value=Context(store, principal)
    )
    assert result.errors, "expected errors"
    return [{"message": e.message, **(e.extensions or {})} for e in result.errors]


@pytest.fixture
async def sample(store):
    await load_sample(store)
    store.statements.clear()
    return store


async def test_full_360_is_one_statement_with_hand_worked_answers(sample):
    data = await run(sample, FULL_360, id="c1")
    assert len(sample.statements) == 1
    assert len(sample.audit_writes) == 1  # and one audit entry (docs/security.md)
    c = data["customer"]
    assert (c["customerId"], c["name"], c["email"], c["country"]) == (
        "c1",
        "Wang Fang",
        "Wang.Fang@Example.com",  # the loader trims values
        "CN",
    )
    assert sorted((i["account"]["platform"], i["linkMethod"]) for i in c["identities"]) == [
        ("wechat", "crm_id"),
        ("weibo", "email"),
    ]
    assert [t["tag"]["tagId"] for t in c["tags"]] == ["t-skincare", "t-running"]  # by weight
    assert sorted((k["brand"]["brandId"], k["active"]) for k in c["consents"]) == [
        ("b1", True),
        ("b2", False),
    ]
    assert c["segments"] == [{"segmentId": "s-vip"}]
    # purchases newest first: o2 (day 3), o3 (day 2), then o1 (day 1) on the next page
    purchases = c["purchases"]
    assert purchases["totalCount"] == 3
    assert [p["purchaseId"] for p in purchases["nodes"]] == ["o2", "o3"]
    assert purchases["pageInfo"]["hasNextPage"] is True
    assert purchases["nodes"][0]["brand"]["name"] == "Vantelle"
    assert purchases["nodes"][0]["items"] == [
        {"quantity": 1, "unitPrice": 100.0, "product": {"productId": "p3"}}
    ]
    # a1's comment (day 3) then a1's like (day 2); a3 is not c1's
    assert [(i["kind"], i["text"]) for i in c["interactions"]["nodes"]] == [
        ("comment", "Love it"),
        ("like", None),
    ]
    assert c["interactions"]["nodes"][0]["post"] == {"postId": "post1", "contentType": "t-video"}
    assert c["posts"]["totalCount"] == 1
    post = c["posts"]["nodes"][0]
    assert sorted(t["tagId"] for t in post["tags"]) == ["t-running", "t-video"]
    assert post["authorAccount"] == {"accountId": "a2"}
    assert [(k["complaintId"], k["about"]["kind"], k["about"]["subjectId"])
            for k in c["complaints"]["nodes"]] == [("cmp2", "brand", "b1"),
                                                   ("cmp1", "purchase", "o2")]  # fmt: skip


async def test_second_page_follows_the_cursor(sample):
    first = await run(sample, FULL_360, id="c1")
    cursor = first["customer"]["purchases"]["pageInfo"]["endCursor"]
    query = """query($id: ID!, $after: String) { customer(id: $id) {
        purchases(first: 2, after: $after) { nodes { purchaseId at }
        pageInfo { hasNextPage hasPreviousPage } } } }"""
    data = await run(sample, query, id="c1", after=cursor)
    page = data["customer"]["purchases"]
    assert [p["purchaseId"] for p in page["nodes"]] == ["o1"]
    assert page["nodes"][0]["at"].startswith("2023-11-15")  # T0 + 1 day, as DateTime
    assert page["pageInfo"] == {"hasNextPage": False, "hasPreviousPage": True}


async def test_aliases_of_one_list_share_the_one_statement(sample):
    query = """{ customer(id: "c1") {
        newest: purchases(first: 1) { nodes { purchaseId } }
        all: purchases(first: 10) { nodes { purchaseId } } } }"""
    data = await run(sample, query)
    assert len(sample.statements) == 1
    assert [p["purchaseId"] for p in data["customer"]["newest"]["nodes"]] == ["o2"]
    assert [p["purchaseId"] for p in data["customer"]["all"]["nodes"]] == ["o2", "o3", "o1"]


async def test_a_page_is_read_the_way_it_was_planned_in_one_statement(sample):
    # The page size of a list asked without `first` is the context's; it was once read a
    # second time by the field with the schema's default, and the two pages disagreeing
    # sent a second statement.
    query = """{ customer(id: "c1") {
        purchases { totalCount nodes { purchaseId } }
        contactHistory { nodes { kind } } } }"""
    result = await SCHEMA.execute(query, context_value=Context(sample, APP, default_page_size=1))
    assert result.errors is None and result.data is not None, result.errors
    assert len(sample.statements) == 1
    customer = result.data["customer"]
    assert customer["purchases"] == {"totalCount": 3, "nodes": [{"purchaseId": "o2"}]}
    assert len(customer["contactHistory"]["nodes"]) == 1


async def test_each_selection_of_a_customers_page_gets_its_own_page(sample):
    query = """{ customers(first: 1) {
        edges { node { purchases(first: 1) { nodes { purchaseId } } } }
        nodes { purchases(first: 2) { nodes { purchaseId } } } } }"""
    data = await run(sample, query)
    assert len(sample.statements) == 1
    edge, node = data["customers"]["edges"][0]["node"], data["customers"]["nodes"][0]
    assert [p["purchaseId"] for p in edge["purchases"]["nodes"]] == ["o2"]
    assert [p["purchaseId"] for p in node["purchases"]["nodes"]] == ["o2", "o3"]


async def test_customer_without_activity_has_empty_lists(sample):
    data = await run(sample, FULL_360, id=to_global_id("Customer", "c2"))
    c = data["customer"]
    assert c["identities"] == [] and c["tags"] == [] and c["consents"] == []
    for part in ("purchases", "interactions", "posts", "complaints"):
        assert c[part] == {**c[part], "totalCount": 0, "nodes": []}


async def test_profile_only_selection_fetches_no_parts(sample):
    data = await run(sample, '{ customer(id: "c3") { name city } }')
    assert data == {"customer": {"name": "Li Wei", "city": "Beijing"}}
    assert len(sample.statements) == 1
    assert "OPTIONAL MATCH" not in sample.statements[0] and "MADE" not in sample.statements[0]


async def test_unknown_customer_is_not_found(sample):
    errors = await errors_of(sample, '{ customer(id: "nope") { name } }')
    assert errors[0]["code"] == "NOT_FOUND"


@pytest.mark.parametrize(
    ("args", "argument"),
    [
        ("purchases(first: 1000) { totalCount }", "first"),
        ("purchases(first: -1) { totalCount }", "first"),
        ('purchases(after: "garbage") { totalCount }', "after"),
    ],
)
async def test_bad_list_arguments_are_user_errors(sample, args, argument):
    errors = await errors_of(sample, f'{{ customer(id: "c1") {{ {args} }} }}')
    assert errors[0]["code"] == "BAD_USER_INPUT"
    assert errors[0]["argument"] == argument
    assert sample.statements == []  # rejected before any database call


async def test_another_types_global_id_is_rejected(sample):
    errors = await errors_of(
        sample,
        "{ customer(id: $id) { name } }".replace("$id", '"' + to_global_id("Brand", "b1") + '"'),
    )
    assert errors[0]["code"] == "BAD_USER_INPUT"


async def test_timestamps_are_iso_datetimes(sample):
    data = await run(
        sample, '{ customer(id: "c1") { createdAt complaints { nodes { openedAt } } } }'
    )
    assert data["customer"]["createdAt"] == "2023-11-14T22:13:20+00:00"
    assert data["customer"]["complaints"]["nodes"][0]["openedAt"].startswith("2023-11-20")
    assert T0 + 6 * DAY  # cmp2 opened on day 6 = 2023-11-20
