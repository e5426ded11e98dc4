"""Pages of customers, brands, node(id), and every read statement of the catalog,
against the hand-built sample graph on both engines.
"""

import pytest

from graph import reads
from graph.dialect import customer_search
from loaders.pipeline import write_records
from resolvers.customers import COMPUTED_FILTERS, PLAIN_FILTERS
from resolvers.ids import to_global_id
from tests.integration.sample_graph import T0, load_sample
from tests.integration.test_customer360 import errors_of, run


@pytest.fixture
async def sample(store):
    await load_sample(store)
    store.statements.clear()
    return store


PAGE = """query($first: Int!, $after: String, $filter: CustomerFilter) {
  customers(first: $first, after: $after, filter: $filter) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { customerId identities { account { platform } }
      purchases(first: 1) { totalCount nodes { purchaseId brand { name followerCount } } } } }
  }
}"""

# Every nested part of a customer, for the N+1 check.
NESTED_PAGE = """{ customers(first: 50, sort: {field: SPEND, direction: DESC}) {
  totalCount nodes { customerId name profileLoaded
    identities { linkMethod account { handle } } tags { weight tag { name } }
    consents { active brand { name followerCount } } segments { segmentId }
    brandsEngaged { kinds brand { name purchaseCount } }
    metrics { rfm { code } churn { level } customerClass }
    purchases(first: 5) { totalCount nodes { total brand { name } items { product { name } } } }
    recent: purchases(first: 1, filter: {brand: "b1"}) { nodes { purchaseId } }
    interactions(first: 5) { nodes { kind post { contentType } } }
    posts(first: 5) { nodes { text tags { name } } }
    complaints(first: 5) { nodes { status statusHistory { status } } }
    contactHistory(first: 5) { totalCount nodes { kind summary } } } } }"""


async def test_pages_follow_cursors_in_id_order(sample):
    first = await run(sample, PAGE, first=2)
    page = first["customers"]
    assert [e["node"]["customerId"] for e in page["edges"]] == ["c1", "c2"]
    assert page["totalCount"] == 3 and page["pageInfo"]["hasNextPage"] is True
    assert page["edges"][0]["node"]["purchases"] == {
        "totalCount": 3,
        "nodes": [{"purchaseId": "o2", "brand": {"name": "Vantelle", "followerCount": 0}}],
    }
    second = await run(sample, PAGE, first=2, after=page["pageInfo"]["endCursor"])
    assert [e["node"]["customerId"] for e in second["customers"]["edges"]] == ["c3"]
    assert second["customers"]["pageInfo"]["hasNextPage"] is False


async def test_a_page_with_nested_fields_is_a_fixed_number_of_statements(sample):
    await run(sample, PAGE, first=50)
    # the page with every selected part in one statement, and totalCount
    assert len(sample.statements) == 2


async def test_a_page_of_50_with_every_nested_field_is_two_statements(sample):
    # 50 more customers with a purchase and a complaint each, so the page is full
    await write_records(
        sample, "customers", [{"id": f"x{i:02}", "name": f"X {i}"} for i in range(50)], T0
    )
    await write_records(sample, "purchases",
                        [{"id": f"xo{i:02}", "customer_id": f"x{i:02}", "brand_id": "b1",
                          "at": T0 + i, "total": float(i), "items": [{"product_id": "p1"}]}
                         for i in range(50)], T0)  # fmt: skip
    sample.statements.clear()
    data = await run(sample, NESTED_PAGE)
    page = data["customers"]
    assert len(page["nodes"]) == 50 and page["totalCount"] == 53
    assert page["nodes"][0]["customerId"] == "c1"  # the biggest spender (200)
    assert len(sample.statements) == 2  # the page with every part, and the count


@pytest.mark.parametrize(
    ("filter_", "expected"),
    [
        ({"country": "CN"}, ["c1", "c3"]),
        ({"region": "Ile-de-France"}, ["c2"]),
        ({"platform": "weibo"}, ["c1"]),
        ({"tag": "t-skincare"}, ["c1"]),
        ({"segment": "s-vip"}, ["c1"]),
        ({"country": "CN", "platform": "wechat"}, ["c1"]),
        ({"country": "JP"}, []),
    ],
)
async def test_filters(sample, filter_, expected):
    data = await run(sample, PAGE, first=10, filter=filter_)
    assert [e["node"]["customerId"] for e in data["customers"]["edges"]] == expected
    assert data["customers"]["totalCount"] == len(expected)


async def test_page_size_over_the_maximum_is_refused(sample):
    errors = await errors_of(sample, "{ customers(first: 5000) { totalCount } }")
    assert errors[0]["code"] == "BAD_USER_INPUT" and errors[0]["argument"] == "first"
    assert sample.statements == []


async def test_brand_with_counts_products_and_posts(sample):
    query = """{ brand(id: "b1") { name followerCount productCount postCount purchaseCount
        products(first: 1) { totalCount nodes { name price brand { brandId } } }
        posts { nodes { postId authorBrand { brandId } tags { tagId } } } } }"""
    data = await run(sample, query)
    assert len(sample.statements) == 1
    b = data["brand"]
    assert (
        b["name"],
        b["followerCount"],
        b["productCount"],
        b["postCount"],
        b["purchaseCount"],
    ) == (
        "Lumora",
        2,
        2,
        1,
        2,
    )
    assert b["products"] == {
        "totalCount": 2, "nodes": [{"name": "Cream", "price": 20.0, "brand": {"brandId": "b1"}}]
    }  # fmt: skip
    assert b["posts"]["nodes"][0]["postId"] == "post1"
    assert sorted(t["tagId"] for t in b["posts"]["nodes"][0]["tags"]) == ["t-skincare", "t-video"]


async def test_brand_counters_inside_a_customer_360_come_with_its_statement(sample):
    query = """{ customer(id: "c1") {
        purchases(first: 10) { nodes { brand { followerCount purchaseCount } } }
        consents { brand { brandId postCount } }
        brandsEngaged { brand { brandId productCount } } } }"""
    data = await run(sample, query)
    c = data["customer"]
    counts = [p["brand"]["followerCount"] for p in c["purchases"]["nodes"]]
    assert counts == [0, 2, 2]  # o2 at b2 (no followers), o3 and o1 at b1 (a1, a3)
    # b1: o1, o3 (c1's) and nothing else; b2: o2 (c1) and o4 (c3)
    assert [p["brand"]["purchaseCount"] for p in c["purchases"]["nodes"]] == [2, 2, 2]
    assert sorted((k["brand"]["brandId"], k["brand"]["postCount"]) for k in c["consents"]) == [
        ("b1", 1), ("b2", 0)
    ]  # fmt: skip
    assert [(e["brand"]["brandId"], e["brand"]["productCount"]) for e in c["brandsEngaged"]] == [
        ("b1", 2), ("b2", 1)
    ]  # fmt: skip
    assert len(sample.statements) == 1  # counters and all


@pytest.mark.parametrize(
    ("type_name", "key", "fragment", "expected"),
    [
        ("Customer", "c2", "... on Customer { name }", {"name": "Claire Martin"}),
        ("Brand", "b2", "... on Brand { name }", {"name": "Vantelle"}),
        ("SocialAccount", "a3", "... on SocialAccount { handle }", {"handle": "@nobody"}),
        ("Purchase", "o1", "... on Purchase { total brand { name } }",
         {"total": 80.0, "brand": {"name": "Lumora"}}),
        ("Post", "post2", "... on Post { text authorAccount { accountId } }",
         {"text": "My run", "authorAccount": {"accountId": "a2"}}),
        ("Complaint", "cmp3", "... on Complaint { category about { kind } }",
         {"category": "quality", "about": {"kind": "product"}}),
        ("Product", "p3", "... on Product { name brand { name } }",
         {"name": "Jacket", "brand": {"name": "Vantelle"}}),
        ("Tag", "t-video", "... on Tag { category }", {"category": "content_type"}),
    ],
)  # fmt: skip
async def test_node_by_global_id(sample, type_name, key, fragment, expected):
    gid = to_global_id(type_name, key)
    data = await run(sample, f'{{ node(id: "{gid}") {{ id {fragment} }} }}')
    assert data["node"] == {"id": gid, **expected}


async def test_node_errors_have_codes(sample):
    assert (await errors_of(sample, '{ node(id: "bogus") { id } }'))[0]["code"] == "BAD_USER_INPUT"
    gid = to_global_id("Purchase", "missing")
    assert (await errors_of(sample, f'{{ node(id: "{gid}") {{ id }} }}'))[0]["code"] == "NOT_FOUND"


async def test_every_read_statement_in_the_catalog_runs(sample):
    def fetches(parts, after=False):
        def page(part):  # with a cursor: a sort key of the part's length
            key = (0, *("x" for _ in part.order[1:])) if after else None
            return reads.Page(5, key) if part.ordered else None

        return [reads.Fetch(name, page(part)) for name, part in parts.items()]

    every_customer_part = fetches(reads.CUSTOMER_PARTS)
    filters = {k: None for k in (*PLAIN_FILTERS, *COMPUTED_FILTERS, "ids")}
    filters["include_restricted"] = False
    page = {"after": None, "limit": 2, **filters}

    def customers(head, params, carry=(), parts=every_customer_part):
        text, fetch_params = reads.customers_statement(head, parts, carry)
        return text, {**params, **fetch_params}

    def brands(parts):
        text, fetch_params = reads.brands_statement(parts)
        return text, {"ids": ["b1"], **fetch_params}

    statements = [
        customers(reads.CUSTOMERS_BY_IDS_HEAD, {"ids": ["c1"]}),
        customers(reads.CUSTOMERS_BY_IDS_HEAD, {"ids": ["c1"]},
                  parts=fetches(reads.CUSTOMER_PARTS, after=True)),
        *(customers(reads.customers_page_head(sort, desc, computed), page, carry=("sk",))
          for sort in reads.CUSTOMER_SORTS for desc in (False, True) for computed in (False, True)),
        brands(fetches(reads.BRAND_PARTS)),
        brands(fetches(reads.BRAND_PARTS, after=True)),
        (reads.customers_count(False), filters),
        (reads.customers_count(True), filters),
        customers(reads.CUSTOMER_BY_ACCOUNT_HEAD, {"platform": "wechat", "handle": "wangfang"}),
        *(customers(head, {"hash": "x", "external_id": "x"})
          for head in (reads.CUSTOMER_BY_EMAIL_HEAD, reads.CUSTOMER_BY_PHONE_HEAD,
                       reads.CUSTOMER_BY_EXTERNAL_ID_HEAD)),
        (*customer_search(sample.engine, ["wang"]),),
        *((q, {"ids": ["x"]}) for q in reads.NODES_BY_IDS.values()),
    ]  # fmt: skip
    for query, params in statements:
        if isinstance(params, str):  # the search statement and its query text
            params = {"query": params, "limit": 10}
        await sample.read(query, params)
    named = {v for k, v in vars(reads).items() if k.isupper() and isinstance(v, str)}
    ran = "\n".join(sample.statements)
    assert all(text in ran for text in named), [t for t in named if t not in ran]
