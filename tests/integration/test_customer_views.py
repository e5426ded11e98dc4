"""Contact history, brands engaged, metrics, filtered purchases, complaint handling,
customerByIdentity and the filtered, sorted, searchable `customers` list, against the
hand-built sample graph (tests/integration/sample_graph.py) on both engines. Every
expected value is worked out by hand from that file, in the comments.
"""

from datetime import UTC, datetime

import pytest

from loaders.pipeline import write_records
from tests.integration.sample_graph import DAY, T0, load_sample
from tests.integration.test_customer360 import errors_of, run


def iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).isoformat()


@pytest.fixture
async def sample(store):
    await load_sample(store)
    store.statements.clear()
    return store


HISTORY = """query($after: String, $filter: ContactFilter) { customer(id: "c1") {
  contactHistory(first: 3, after: $after, filter: $filter) {
    totalCount pageInfo { hasNextPage hasPreviousPage endCursor }
    nodes { kind at channel summary purchase { purchaseId } complaint { complaintId }
            post { postId } interaction { kind post { postId } } } } } }"""


def event_ids(page):
    out = []
    for n in page["nodes"]:
        kind = n["kind"]
        if kind == "PURCHASE":
            out.append(n["purchase"]["purchaseId"])
        elif kind == "COMPLAINT":
            out.append(n["complaint"]["complaintId"])
        elif kind == "POST":
            out.append(n["post"]["postId"])
        else:
            out.append(f"{n['interaction']['kind']}:{n['interaction']['post']['postId']}")
    return out


async def test_contact_history_merges_every_channel_newest_first(sample):
    # c1's contacts, newest first; equal times are ordered by kind, then id:
    #   day 6 cmp2 | day 4 cmp1 (complaint) < post2 (post) | day 3 comment (interaction) < o2
    #   | day 2 like (interaction) < o3 | day 1 o1                                -> 8 in all
    pages, after = [], None
    while True:
        data = await run(sample, HISTORY, after=after)
        page = data["customer"]["contactHistory"]
        pages.append(event_ids(page))
        assert page["totalCount"] == 8
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert pages == [
        ["cmp2", "cmp1", "post2"],
        ["comment:post1", "o2", "like:post1"],
        ["o3", "o1"],
    ]
    assert len(sample.statements) == 3  # one per page


async def test_contact_history_events_carry_time_channel_and_summary(sample):
    data = await run(sample, HISTORY)
    first = data["customer"]["contactHistory"]["nodes"][0]
    assert first["kind"] == "COMPLAINT" and first["channel"] == "email"
    assert first["at"] == iso(T0 + 6 * DAY)
    assert first["summary"] == "Complaint about service, now open"
    post = data["customer"]["contactHistory"]["nodes"][2]
    assert (post["kind"], post["channel"], post["summary"]) == ("POST", "weibo", "Posted on weibo")


async def test_contact_history_filtered_by_kind(sample):
    data = await run(sample, HISTORY, filter={"kinds": ["PURCHASE"]})
    page = data["customer"]["contactHistory"]
    assert event_ids(page) == ["o2", "o3", "o1"] and page["totalCount"] == 3
    # o2: one item (p3) at Vantelle for 100.0 CNY
    assert page["nodes"][0]["summary"] == "Bought 1 item(s) at Vantelle for 100.0 CNY"


async def test_brands_engaged_and_how(sample):
    query = """{ customer(id: "c1") { brandsEngaged {
        brand { brandId } kinds follows interactions purchases spend firstAt lastAt } } }"""
    data = await run(sample, query)
    # b1: a1 follows it (since T0), a1 liked and commented post1 (b1's, days 2 and 3),
    #     o1 + o3 bought there (80 + 20); latest day 3.  b2: o2 (100, day 3).
    # Both last engaged on day 3: ties go by brand id.
    assert data["customer"]["brandsEngaged"] == [
        {"brand": {"brandId": "b1"}, "kinds": ["follow", "interaction", "purchase"],
         "follows": True, "interactions": 2, "purchases": 2, "spend": 100.0,
         "firstAt": iso(T0), "lastAt": iso(T0 + 3 * DAY)},
        {"brand": {"brandId": "b2"}, "kinds": ["purchase"], "follows": False,
         "interactions": 0, "purchases": 1, "spend": 100.0,
         "firstAt": iso(T0 + 3 * DAY), "lastAt": iso(T0 + 3 * DAY)},
    ]  # fmt: skip


METRICS = """query($asOf: DateTime) { customer(id: "c1") { metrics(asOf: $asOf) {
  asOf rfm { recencyDays frequency monetary recencyScore frequencyScore monetaryScore code }
  historicLifetimeValue averageOrderValue profitability customerClass classReason
  costToServe { complaints complaintCost orders orderCost interactions total }
  churn { daysSinceLastPurchase typicalGapDays gapIsDefault ratio risk level explanation }
  preferredContentTypes { contentType count share } } } }"""


async def test_metrics_on_hand_worked_numbers(sample):
    data = await run(sample, METRICS, asOf=iso(T0 + 10 * DAY))
    m = data["customer"]["metrics"]
    # purchases on days 1, 2, 3 (80 + 20 + 100 = 200); as of day 10: 7 days since the last.
    # R: 7 <= 30 -> 5; F: 3 reaches the 3 threshold -> 3; M: 200 >= 100, < 250 -> 2.
    assert m["rfm"] == {"recencyDays": 7, "frequency": 3, "monetary": 200.0,
                        "recencyScore": 5, "frequencyScore": 3, "monetaryScore": 2,
                        "code": "5-3-2"}  # fmt: skip
    assert m["historicLifetimeValue"] == pytest.approx(80.0)  # 200 x 0.4 margin
    assert m["averageOrderValue"] == pytest.approx(200 / 3)
    # 2 complaints x 25 + 3 orders x 5 + 2 interactions x 0 = 65
    assert m["costToServe"] == {"complaints": 2, "complaintCost": 50.0, "orders": 3,
                                "orderCost": 15.0, "interactions": 2, "total": 65.0}  # fmt: skip
    assert m["profitability"] == pytest.approx(15.0)
    # gaps between purchase days: 1, 1 -> typical 1 day; 7 / 1 = 7x; risk 7 / (7 + 1)
    churn = m["churn"]
    assert (churn["daysSinceLastPurchase"], churn["typicalGapDays"], churn["gapIsDefault"]) == (
        7,
        1.0,
        False,
    )
    assert churn["ratio"] == pytest.approx(7.0) and churn["risk"] == pytest.approx(0.875)
    assert churn["level"] == "high" and "7 days ago" in churn["explanation"]
    assert m["preferredContentTypes"] == [{"contentType": "t-video", "count": 2, "share": 1.0}]
    # profitable, M score 2, F score 3: neither low value nor high potential
    assert m["customerClass"] == "REGULAR"
    assert len(sample.statements) == 1


async def test_metrics_of_a_customer_who_never_bought(sample):
    data = await run(sample, METRICS.replace('"c1"', '"c2"'), asOf=iso(T0 + 10 * DAY))
    m = data["customer"]["metrics"]
    assert m["rfm"]["frequency"] == 0 and m["rfm"]["recencyDays"] is None
    assert m["churn"]["level"] == "unknown" and m["churn"]["risk"] is None
    assert m["customerClass"] == "LOW_VALUE"


PURCHASES = """query($filter: PurchaseFilter) { customer(id: "c1") {
  purchases(filter: $filter) { totalCount nodes { purchaseId } } } }"""


@pytest.mark.parametrize(
    ("filter_", "expected"),
    [
        ({"brand": "b1"}, ["o3", "o1"]),
        ({"brand": "b2"}, ["o2"]),
        ({"from": iso(T0 + 2 * DAY)}, ["o2", "o3"]),  # from is inclusive
        ({"until": iso(T0 + 2 * DAY)}, ["o1"]),  # until is exclusive
        ({"brand": "b1", "from": iso(T0 + 2 * DAY), "until": iso(T0 + 3 * DAY)}, ["o3"]),
        ({"brand": "nope"}, []),
    ],
)
async def test_purchases_filtered_by_brand_and_time(sample, filter_, expected):
    data = await run(sample, PURCHASES, filter=filter_)
    page = data["customer"]["purchases"]
    assert [p["purchaseId"] for p in page["nodes"]] == expected
    assert page["totalCount"] == len(expected)


async def test_differently_filtered_aliases_share_the_one_statement(sample):
    query = """{ customer(id: "c1") {
      atB1: purchases(filter: {brand: "b1"}) { nodes { purchaseId } }
      atB2: purchases(filter: {brand: "b2"}) { nodes { purchaseId } }
      newest: purchases(first: 1) { nodes { purchaseId } } } }"""
    data = await run(sample, query)
    assert len(sample.statements) == 1
    c = data["customer"]
    assert [p["purchaseId"] for p in c["atB1"]["nodes"]] == ["o3", "o1"]
    assert [p["purchaseId"] for p in c["atB2"]["nodes"]] == ["o2"]
    assert [p["purchaseId"] for p in c["newest"]["nodes"]] == ["o2"]


async def test_inverted_time_range_is_a_user_error(sample):
    errors = await errors_of(
        sample, PURCHASES, filter={"from": iso(T0 + 3 * DAY), "until": iso(T0)}
    )
    assert errors[0]["code"] == "BAD_USER_INPUT" and errors[0]["argument"] == "filter"
    assert sample.statements == []


async def test_complaint_status_history(sample):
    query = """{ customer(id: "c1") { complaints { nodes { complaintId
        statusHistory { status at } hoursToFirstResponse hoursToResolution } } } }"""
    data = await run(sample, query)
    cmp2, cmp1 = data["customer"]["complaints"]["nodes"]
    # cmp1: opened day 4, answered an hour later, resolved day 5 (24 h after opening)
    assert cmp1["statusHistory"] == [
        {"status": "open", "at": iso(T0 + 4 * DAY)},
        {"status": "in_progress", "at": iso(T0 + 4 * DAY + 3_600_000)},
        {"status": "resolved", "at": iso(T0 + 5 * DAY)},
    ]
    assert (cmp1["hoursToFirstResponse"], cmp1["hoursToResolution"]) == (1.0, 24.0)
    assert cmp2["statusHistory"] == [{"status": "open", "at": iso(T0 + 6 * DAY)}]
    assert (cmp2["hoursToFirstResponse"], cmp2["hoursToResolution"]) == (None, None)


BY_IDENTITY = """query($identity: IdentityInput!) {
  customerByIdentity(identity: $identity) { customerId
    identities { account { handle } } purchases(first: 1) { nodes { purchaseId } } } }"""


@pytest.mark.parametrize(
    ("identity", "expected"),
    [
        ({"platform": "wechat", "handle": "wangfang"}, "c1"),
        ({"platform": "weibo", "handle": "@fang90"}, "c1"),  # linked by email evidence
        ({"email": "  WANG.fang@example.COM"}, "c1"),  # normalised before hashing
        ({"phone": "+86 138-0013-8000"}, "c1"),
        ({"email": "li@example.com"}, "c3"),
        ({"externalId": "CRM-2"}, "c2"),
    ],
)
async def test_customer_by_identity(sample, identity, expected):
    data = await run(sample, BY_IDENTITY, identity=identity)
    assert data["customerByIdentity"]["customerId"] == expected
    assert len(sample.statements) == 1  # found and shaped in one statement


@pytest.mark.parametrize(
    ("identity", "code"),
    [
        ({"platform": "instagram", "handle": "@nobody"}, "NOT_FOUND"),  # a3 is linked to no one
        ({"email": "nobody@example.com"}, "NOT_FOUND"),
        ({"email": "x@example.com", "phone": "+8613800138000"}, "BAD_USER_INPUT"),
        ({}, "BAD_USER_INPUT"),
        ({"handle": "wangfang"}, "BAD_USER_INPUT"),  # no platform
        ({"phone": "12"}, "BAD_USER_INPUT"),  # too short to be a phone
    ],
)
async def test_customer_by_identity_errors(sample, identity, code):
    errors = await errors_of(sample, BY_IDENTITY, identity=identity)
    assert errors[0]["code"] == code


LIST = """query($first: Int!, $after: String, $filter: CustomerFilter, $sort: CustomerSort) {
  customers(first: $first, after: $after, filter: $filter, sort: $sort) {
    totalCount pageInfo { hasNextPage endCursor } nodes { customerId } } }"""


@pytest.mark.parametrize(
    ("filter_", "expected"),
    [
        ({"brand": "b1"}, ["c1"]),  # c1 bought there and follows it; a3 is no customer's
        ({"brand": "b2"}, ["c1", "c3"]),
        ({"spend": {"min": 150}}, ["c1"]),  # c1 200, c3 100, c2 0
        ({"spend": {"max": 50}}, ["c2"]),
        ({"spend": {"min": 100, "max": 100}}, ["c3"]),
        ({"lastActivity": {"from": iso(T0 + 5 * DAY)}}, ["c1", "c3"]),  # both day 6
        ({"lastActivity": {"until": iso(T0 + 6 * DAY)}}, []),  # c2 never active
        ({"consent": {"brand": "b1"}}, ["c1"]),
        ({"consent": {"brand": "b2"}}, []),  # withdrawn on day 1
        ({"consent": {"brand": "b1", "purpose": "PARTNER_SHARING"}}, ["c1"]),
        ({"consent": {"brand": "b1", "purpose": "ANALYTICS"}}, []),
        ({"search": "wang"}, ["c1"]),
        ({"search": "fang90"}, ["c1"]),  # a2's handle, linked to c1
        ({"search": "Li"}, ["c3"]),
        ({"search": "nobody"}, []),  # a3's handle, linked to no customer
        ({"search": "wang", "country": "FR"}, []),
        ({"profileLoaded": False}, []),
    ],
)
async def test_customer_filters(sample, filter_, expected):
    data = await run(sample, LIST, first=10, filter=filter_)
    page = data["customers"]
    assert [n["customerId"] for n in page["nodes"]] == expected
    assert page["totalCount"] == len(expected)


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ({"field": "NAME"}, ["c2", "c3", "c1"]),  # Claire Martin, Li Wei, Wang Fang
        ({"field": "SPEND", "direction": "DESC"}, ["c1", "c3", "c2"]),  # 200, 100, 0
        ({"field": "CREATED_AT", "direction": "DESC"}, ["c3", "c2", "c1"]),
        # c1 and c3 both last active on day 6: the tie goes by id, descending too
        ({"field": "LAST_ACTIVITY", "direction": "DESC"}, ["c3", "c1", "c2"]),
        ({"field": "ID", "direction": "DESC"}, ["c3", "c2", "c1"]),
    ],
)
async def test_sorted_pages_follow_keyset_cursors(sample, sort, expected):
    seen, after = [], None
    while True:
        data = await run(sample, LIST, first=2, after=after, sort=sort)
        page = data["customers"]
        seen += [n["customerId"] for n in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == expected


async def test_a_cursor_of_another_sort_is_refused(sample):
    data = await run(sample, LIST, first=1, sort={"field": "NAME"})
    cursor = data["customers"]["pageInfo"]["endCursor"]
    errors = await errors_of(sample, LIST, first=1, after=cursor, sort={"field": "SPEND"})
    assert errors[0]["code"] == "BAD_USER_INPUT" and errors[0]["argument"] == "after"


@pytest.mark.parametrize(
    "filter_",
    [
        {"search": " %% "},
        {"spend": {"min": 10, "max": 1}},
        {"lastActivity": {"from": iso(T0 + DAY), "until": iso(T0)}},
        # A purpose is the Purpose enum: neither an unknown one nor the graph's own
        # spelling matches nothing in silence.
        {"consent": {"brand": "b1", "purpose": "bogus"}},
        {"consent": {"brand": "b1", "purpose": "partner_sharing"}},
    ],
)
async def test_bad_customer_filters_are_user_errors(sample, filter_):
    errors = await errors_of(sample, LIST, first=1, filter=filter_)
    assert errors[0]["code"] == "BAD_USER_INPUT"


@pytest.mark.parametrize("purpose", ['"PARTNER_SHARING"', "bogus", '"partner_sharing"'])
async def test_a_purpose_written_in_the_document_must_be_an_enum_value(sample, purpose):
    document = (
        f'{{ customers(filter: {{consent: {{brand: "b1", purpose: {purpose}}}}}) '
        "{ totalCount } }"
    )
    errors = await errors_of(sample, document)
    assert [e["code"] for e in errors] == ["GRAPHQL_VALIDATION_FAILED"]
    assert "Purpose" in errors[0]["message"]
    assert sample.statements == []
    data = await run(sample, document.replace(purpose, "PARTNER_SHARING"))
    assert data["customers"]["totalCount"] == 1


async def test_stub_customers_are_flagged(sample):
    # a purchase by a customer whose CRM row is not loaded yet makes a stub customer
    await write_records(
        sample, "purchases",
        [{"id": "o9", "customer_id": "c9", "brand_id": "b1", "at": T0, "total": 5.0,
          "items": []}],
        T0,
    )  # fmt: skip
    data = await run(sample, LIST, first=10, filter={"profileLoaded": False})
    assert [n["customerId"] for n in data["customers"]["nodes"]] == ["c9"]
    data = await run(sample, '{ customer(id: "c9") { profileLoaded name } }')
    assert data["customer"] == {"profileLoaded": False, "name": None}
