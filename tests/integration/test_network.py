"""The network queries against the hand-built network (network_graph.py), on both engines.

Every expected number is worked out by hand from the table in network_graph.py's
docstring; the reasoning is in the comments. N (customers in the graph) = 6.
"""

from typing import Any

import pytest

from graph import network as q
from graph import network_algorithms as qa
from graph import subject
from loaders.pipeline import write_records
from resolvers.compute import Compute
from resolvers.context import Context
from resolvers.ids import to_global_id
from resolvers.network import MAX_MATRIX_BRANDS, month_of
from tests.integration.network_graph import at, load_network
from tests.integration.test_customer360 import ADMIN, ANALYST, APP, SCHEMA, errors_of, run

THIRD, TWO_THIRDS = 1 / 3, 2 / 3


@pytest.fixture
async def network(store):
    await load_network(store)
    store.statements.clear()
    return store


# --- overlap ------------------------------------------------------------------------------

MATRIX = """query($brands: [ID!]!, $engagement: [EngagementKind!]) {
  audienceOverlapMatrix(brands: $brands, engagement: $engagement) {
    customersInGraph brands { brand { brandId } audience }
    pairs { a { brandId } b { brandId } audienceA audienceB shared union jaccard lift }
  }
}"""


def pairs_of(data: dict[str, Any]) -> dict[tuple[str, str], tuple[Any, ...]]:
    return {
        (p["a"]["brandId"], p["b"]["brandId"]): (p["shared"], p["union"], p["jaccard"], p["lift"])
        for p in data["audienceOverlapMatrix"]["pairs"]
    }


async def test_overlap_matrix_of_every_pair_in_one_statement(network):
    data = await run(network, MATRIX, brands=["bA", "bB", to_global_id("Brand", "bC"), "bD", "bA"])
    m = data["audienceOverlapMatrix"]
    # A = {c1, c2, c4}, B = {c2, c3, c5}, C = {c3, c4, c5}, D = {c4}; the repeated bA is dropped.
    assert m["customersInGraph"] == 6
    assert [(b["brand"]["brandId"], b["audience"]) for b in m["brands"]] == [
        ("bA", 3), ("bB", 3), ("bC", 3), ("bD", 1)
    ]  # fmt: skip
    pairs = pairs_of(data)
    assert list(pairs) == [("bA", "bB"), ("bA", "bC"), ("bA", "bD"), ("bB", "bC"), ("bB", "bD"),
                           ("bC", "bD")]  # fmt: skip
    # (shared, union, jaccard = shared / union, lift = shared * 6 / (|X| * |Y|))
    assert pairs[("bA", "bB")] == pytest.approx((1, 5, 0.2, 6 / 9))  # {c2}
    assert pairs[("bA", "bC")] == pytest.approx((1, 5, 0.2, 6 / 9))  # {c4}
    assert pairs[("bA", "bD")] == pytest.approx((1, 3, THIRD, 2.0))  # {c4}: 6 / (3 * 1)
    assert pairs[("bB", "bC")] == pytest.approx((2, 4, 0.5, 12 / 9))  # {c3, c5}
    assert pairs[("bB", "bD")] == (0, 4, 0.0, 0.0)
    assert pairs[("bC", "bD")] == pytest.approx((1, 3, THIRD, 2.0))  # {c4}
    # the brands and N, then every pair in one statement
    assert len(network.statements) == 2


async def test_overlap_matrix_by_engagement_kind(network):
    # Purchases only: A = {c1}, B = {c2, c3, c5}, C = {c4}, D = {}: nothing shared.
    data = await run(network, MATRIX, brands=["bA", "bB", "bC", "bD"], engagement=["PURCHASE"])
    sizes = [b["audience"] for b in data["audienceOverlapMatrix"]["brands"]]
    assert sizes == [1, 3, 1, 0]
    pairs = pairs_of(data)
    assert {p[0] for p in pairs.values()} == {0}
    assert pairs[("bA", "bD")] == (0, 1, 0.0, None)  # an empty audience: no lift
    # Follows and interactions: A = {c1, c2, c4}, B = {c3}, C = {c3, c5}, D = {c4}.
    data = await run(
        network, MATRIX, brands=["bB", "bC", "bD"], engagement=["FOLLOW", "INTERACTION"]
    )
    pairs = pairs_of(data)
    assert pairs[("bB", "bC")] == pytest.approx((1, 2, 0.5, 3.0))  # {c3}: 6 / (1 * 2)
    assert pairs[("bB", "bD")] == (0, 2, 0.0, 0.0)


async def test_audience_overlap_of_two_brands(network):
    query = """{ audienceOverlap(a: "bB", b: "bC") {
        a { name } b { name } audienceA audienceB shared union jaccard lift customersInGraph } }"""
    data = (await run(network, query))["audienceOverlap"]
    assert data == {
        "a": {"name": "Borea"}, "b": {"name": "Cirro"}, "audienceA": 3, "audienceB": 3,
        "shared": 2, "union": 4, "jaccard": 0.5, "lift": pytest.approx(12 / 9),
        "customersInGraph": 6,
    }  # fmt: skip


LOOKALIKES = """query($brand: ID!, $order: SimilarityOrder, $first: Int, $after: String) {
  lookalikeBrands(brand: $brand, orderBy: $order, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { a { brandId } b { brandId } shared jaccard lift }
  }
}"""


async def test_lookalike_brands_ranked_and_paged(network):
    # From A = {c1, c2, c4}: D shares c4 (J 1/3, lift 2), B shares c2 (J 0.2, lift 2/3),
    # C shares c4 (J 0.2, lift 2/3); ties go by brand key.
    data = (await run(network, LOOKALIKES, brand="bA", first=2))["lookalikeBrands"]
    assert [(n["b"]["brandId"], n["shared"]) for n in data["nodes"]] == [("bD", 1), ("bB", 1)]
    assert data["nodes"][0]["jaccard"] == pytest.approx(THIRD)
    assert data["totalCount"] == 3 and data["pageInfo"]["hasNextPage"] is True
    rest = await run(network, LOOKALIKES, brand="bA", first=2, after=data["pageInfo"]["endCursor"])
    assert [n["b"]["brandId"] for n in rest["lookalikeBrands"]["nodes"]] == ["bC"]
    # By shared customers (the brand's side of the two-sided network): all 1, by key.
    shared = await run(network, LOOKALIKES, brand="bA", order="SHARED")
    assert [n["b"]["brandId"] for n in shared["lookalikeBrands"]["nodes"]] == ["bB", "bC", "bD"]
    # From B = {c2, c3, c5}: C shares c3 and c5 (J 0.5), A shares c2 (J 0.2); D shares none.
    data = (await run(network, LOOKALIKES, brand="bB", order="LIFT"))["lookalikeBrands"]
    assert [(n["a"]["brandId"], n["b"]["brandId"], n["shared"]) for n in data["nodes"]] == [
        ("bB", "bC", 2), ("bB", "bA", 1)
    ]  # fmt: skip
    assert [n["lift"] for n in data["nodes"]] == pytest.approx([12 / 9, 6 / 9])


# --- audience and growth --------------------------------------------------------------------

AUDIENCE = """query($brand: ID!, $period: DateRange, $engagement: [EngagementKind!]) {
  brandAudience(brand: $brand, period: $period, engagement: $engagement) {
    brand { brandId } customers followers interactors purchasers undatedMembers
    growth { totalCount nodes { month start newMembers runningTotal } }
  }
}"""


async def test_brand_audience_by_kind_and_growth_by_month(network):
    data = (await run(network, AUDIENCE, brand="bA"))["brandAudience"]
    # A: followers c1, c2 (a9 follows too but is nobody's account); interactors c1 (two
    # parallel interactions), c4; purchaser c1 (o1, o6).
    assert (data["customers"], data["followers"], data["interactors"], data["purchasers"]) == (
        3, 2, 2, 1
    )  # fmt: skip
    # First engagements: c1 Jan 12 (follow), c2 Feb 5 (follow), c4 Feb 12 (like).
    assert data["growth"]["nodes"] == [
        {"month": "2024-01", "start": "2024-01-01T00:00:00+00:00", "newMembers": 1,
         "runningTotal": 1},
        {"month": "2024-02", "start": "2024-02-01T00:00:00+00:00", "newMembers": 2,
         "runningTotal": 3},
    ]  # fmt: skip
    assert data["undatedMembers"] == 0
    assert len(network.statements) == 2  # the brand and N, then the audience


async def test_brand_audience_in_a_period(network):
    period = {"from": "2024-02-01T00:00:00Z", "until": "2024-03-01T00:00:00Z"}
    data = (await run(network, AUDIENCE, brand="bA", period=period))["brandAudience"]
    # In February: c1 bought (o6, Feb 3), c2 followed (Feb 5), c4 liked pA (Feb 12); c1's
    # follow and likes were in January.
    assert (data["customers"], data["followers"], data["interactors"], data["purchasers"]) == (
        3, 1, 1, 1
    )  # fmt: skip
    # Growth keeps first engagements over all time; only February is shown, its running
    # total counting c1 who joined in January.
    assert [(m["month"], m["newMembers"], m["runningTotal"]) for m in data["growth"]["nodes"]] == [
        ("2024-02", 2, 3)
    ]  # fmt: skip


async def test_brand_audience_of_one_kind_and_undated_members(network):
    data = (await run(network, AUDIENCE, brand="bB", engagement=["PURCHASE"]))["brandAudience"]
    # B's purchases: c2 (o2 Feb 21), c3 (o3 Feb 25), c5 (o5 Mar 5); other kinds are null.
    assert (data["customers"], data["followers"], data["interactors"], data["purchasers"]) == (
        3, None, None, 3
    )  # fmt: skip
    assert [(m["month"], m["newMembers"], m["runningTotal"]) for m in data["growth"]["nodes"]] == [
        ("2024-02", 2, 2), ("2024-03", 1, 3)
    ]  # fmt: skip
    # D's only member, c4, follows without a date: counted, in no month; out of any period.
    data = (await run(network, AUDIENCE, brand="bD"))["brandAudience"]
    assert (data["customers"], data["followers"], data["undatedMembers"]) == (1, 1, 1)
    assert data["growth"]["nodes"] == []
    period = {"from": "2024-01-01T00:00:00Z"}
    data = (await run(network, AUDIENCE, brand="bD", period=period))["brandAudience"]
    assert (data["customers"], data["followers"]) == (0, 0)


async def test_month_buckets_match_the_calendar_on_both_engines(network):
    # The Cypher month arithmetic against Python's calendar, around month, leap-day and
    # epoch boundaries.
    stamps = [
        0, -1, 951_782_400_000, 951_868_799_999, at(2, 29) + 86_399_999, at(3, 1),
        -2_208_988_800_000, 4_102_444_799_999, at(12, 31), at(1, 1) - 1,
    ]  # fmt: skip
    query = "\n".join(["UNWIND $stamps AS t", *q.month_lines("t", "t", "month"), "RETURN t, month"])
    rows = await network.read(query, {"stamps": stamps})
    assert {r["t"]: r["month"] for r in rows} == {t: month_of(t) for t in stamps}


# --- cross-sell ------------------------------------------------------------------------------

PROSPECTS = """query($from: ID!, $to: ID!, $min: Int, $first: Int, $after: String) {
  crossSellProspects(from: $from, to: $to, minMembers: $min, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { customer { customerId name } score reason
      tags { kind key name audienceShare baseRate excess members } categories { key excess } }
  }
}"""


def consent(
    customer: str, brand: str, purposes: list[str], withdrawn: int | None = None
) -> dict[str, Any]:
    return {"customer_id": customer, "brand_id": brand, "purposes": purposes,
            "granted_at": at(1, 1), "withdrawn_at": withdrawn, "source": "web",
            "policy_version": "2024-01"}  # fmt: skip


async def grant(store: Any, *rows: dict[str, Any]) -> None:
    await write_records(store, "consents", list(rows), at(6, 1))
    store.statements.clear()


async def test_cross_sell_prospects_scored_by_excess_share(network):
    await grant(network, consent("c1", "bB", ["marketing"]), consent("c4", "bB", ["marketing"]))
    # Target B's audience {c2, c3, c5} (3 of N = 6):
    #   t-run: c2, c3, c5 -> 3/3 = 1.0 vs base {c2, c3, c4, c5} 4/6 -> excess 1/3
    #   t-skin: c2, c5 -> 2/3 vs base {c1, c2, c5} 3/6 -> excess 1/6
    #   outerwear (B sells it): bought by c3, c5 -> 2/3 vs base {c3, c5} 2/6 -> excess 1/3
    #   shoes (B sells it): bought by c2 only -> 1 member < minMembers 2: ignored
    # Candidates: A's audience {c1, c2, c4} minus B's -> c1 (t-skin), c4 (t-run; shoes only).
    data = (await run(network, PROSPECTS, **{"from": "bA", "to": "bB"}))["crossSellProspects"]
    nodes = data["nodes"]
    assert [(n["customer"]["customerId"], n["score"]) for n in nodes] == [
        ("c4", pytest.approx(THIRD)), ("c1", pytest.approx(1 / 6))
    ]  # fmt: skip
    assert nodes[0]["reason"] == "tagged run (100% of Borea's audience vs 67% of all customers)"
    assert nodes[0]["tags"] == [
        {"kind": "tag", "key": "t-run", "name": "run", "audienceShare": 1.0,
         "baseRate": pytest.approx(TWO_THIRDS), "excess": pytest.approx(THIRD), "members": 3}
    ]  # fmt: skip
    assert nodes[0]["categories"] == []
    assert nodes[1]["reason"] == "tagged skin (67% of Borea's audience vs 50% of all customers)"
    page = await run(network, PROSPECTS, **{"from": "bA", "to": "bB", "first": 1})
    after = page["crossSellProspects"]["pageInfo"]["endCursor"]
    rest = await run(network, PROSPECTS, **{"from": "bA", "to": "bB", "first": 1, "after": after})
    assert [n["customer"]["customerId"] for n in rest["crossSellProspects"]["nodes"]] == ["c1"]


async def test_cross_sell_with_bought_categories_and_the_other_way(network):
    await grant(
        network, *(consent(c, b, ["marketing"]) for c, b in
                   [("c1", "bB"), ("c4", "bB"), ("c5", "bA"), ("c2", "bC")])
    )  # fmt: skip
    # minMembers 1 lets shoes in: 1/3 of B's audience vs base {c2, c4} 2/6: excess 0, so it
    # still adds nothing; the answer is unchanged.
    one = await run(network, PROSPECTS, **{"from": "bA", "to": "bB", "min": 1})
    assert [n["customer"]["customerId"] for n in one["crossSellProspects"]["nodes"]] == ["c4", "c1"]
    # Target A's audience {c1, c2, c4}: t-skin 2/3 vs 3/6 (excess 1/6); t-run 2/3 vs 4/6
    # (excess 0); skincare bought by c1 only (< 2 members). B's customers not in A: c3
    # (t-run only: score 0, left out) and c5 (t-skin: 1/6).
    data = await run(network, PROSPECTS, **{"from": "bB", "to": "bA"})
    nodes = data["crossSellProspects"]["nodes"]
    assert [(n["customer"]["customerId"], n["score"]) for n in nodes] == [
        ("c5", pytest.approx(1 / 6))
    ]
    # Categories: C sells shoes; C's audience {c3, c4, c5}: outerwear is not C's; shoes
    # bought by c4 only. From B, with minMembers 1: shoes 1/3 vs 2/6, excess 0. Tags of C's
    # audience: t-run 3/3 vs 4/6 (excess 1/3), t-skin 1/3 vs 3/6 (below base).
    # B's customers not in C: c2 (t-run, t-skin) -> 1/3.
    data = await run(network, PROSPECTS, **{"from": "bB", "to": "bC", "min": 1})
    nodes = data["crossSellProspects"]["nodes"]
    assert [(n["customer"]["customerId"], n["score"]) for n in nodes] == [
        ("c2", pytest.approx(THIRD))
    ]
    assert [t["key"] for t in nodes[0]["tags"]] == ["t-run"]


CONSENTED_PROSPECTS = """query($without: Boolean) {
  crossSellProspects(from: "bA", to: "bB", includeWithoutConsent: $without) {
    nodes { customer { customerId } score marketingConsent
      consent { brand { brandId } purposes grantedAt withdrawnAt source policyVersion } } }
}"""


def prospects(data: dict[str, Any]) -> list[tuple[str, bool]]:
    return [
        (n["customer"]["customerId"], n["marketingConsent"])
        for n in data["crossSellProspects"]["nodes"]
    ]


async def test_prospects_are_a_marketing_list_of_live_consents_to_the_target(network):
    # Prospects of A for B are c4 and c1 (above). c4 consented to B's marketing; c1 gave B
    # analytics only, withdrew a marketing consent to B, and consents to A's marketing,
    # which is not B's.
    await grant(
        network,
        consent("c4", "bB", ["marketing", "analytics"]),
        consent("c1", "bB", ["analytics"]),
        consent("c1", "bB", ["marketing"], withdrawn=at(1, 5)),
        consent("c1", "bA", ["marketing"]),
    )
    data = await run(network, CONSENTED_PROSPECTS)
    assert prospects(data) == [("c4", True)]
    assert data["crossSellProspects"]["nodes"][0]["consent"] == {
        "brand": {"brandId": "bB"}, "purposes": ["MARKETING", "ANALYTICS"],
        "grantedAt": "2024-01-01T00:00:00+00:00", "withdrawnAt": None, "source": "web",
        "policyVersion": "2024-01",
    }  # fmt: skip
    # For analysis, the rest too, each saying it has no consent.
    for principal in (ANALYST, ADMIN):
        data = await run(network, CONSENTED_PROSPECTS, principal, without=True)
        assert prospects(data) == [("c4", True), ("c1", False)]
        assert data["crossSellProspects"]["nodes"][1]["consent"] is None
    # App keys get the marketing list only, refused before anything runs.
    network.statements.clear()
    errors = await errors_of(network, CONSENTED_PROSPECTS, without=True)
    assert (errors[0]["code"], errors[0]["argument"]) == ("FORBIDDEN", "includeWithoutConsent")
    assert network.statements == []
    # A restriction ends the consent: c4 leaves the list, for admins too.
    await network.write(subject.RESTRICT, {"id": "c4", "restricted": True, "now": at(6, 1)})
    assert prospects(await run(network, CONSENTED_PROSPECTS, ADMIN)) == []


# --- restriction ----------------------------------------------------------------------------

# Everything of c2's: the customer, its name, its account (key, handle, display name),
# its purchase and its account's post.
BRAND_A = to_global_id("Brand", "bA")
C2_DATA = {"c2", "Bo", "a2", "@a2", "A2", "o2", "p2", "post p2"}
C2_NODES = [("Customer", "c2"), ("SocialAccount", "a2"), ("Purchase", "o2"), ("Post", "p2")]
C2_GLOBAL_IDS = {to_global_id(t, k) for t, k in C2_NODES}
EVERY_NETWORK_FIELD = """query($brand: ID!) {
  matrix: audienceOverlapMatrix(brands: ["bA", "bB", "bC", "bD"]) {
    customersInGraph brands { brand { brandId } audience } }
  audience: brandAudience(brand: "bA") { customers followers interactors purchasers }
  lookalikeBrands(brand: "bB", orderBy: SHARED) { nodes { b { brandId } shared } }
  crossSideEffect { nodes { month customersJoined customersReached } }
  influencers { nodes { account { accountId handle displayName } customerId
    interactionsReceived distinctInteractors attributedPurchases attributedBuyers score } }
  communities(minSize: 1) { communities { nodes { members(first: 100) {
    nodes { accountId customerId account { handle } } } } } }
  fromBrand: neighbourhood(node: $brand, hops: 3, maxNodes: 200) {
    nodes(first: 100) { nodes { type key displayName globalId } }
    edges(first: 100) { nodes { fromKey toKey } } }
  fromCustomer: neighbourhood(node: "c1", hops: 3, maxNodes: 200) {
    nodes(first: 100) { nodes { type key displayName globalId } }
    edges(first: 100) { nodes { fromKey toKey } } }
  path: shortestPath(customer: "c1", brand: "bB") { length nodes { type key displayName } }
  segmentPreferences(groupBy: SEGMENT) { nodes { group groupSize interactingCustomers } }
}"""
# (apart: with the above, over the cost limit of app and analyst keys)
FOR_ANALYSIS = """{
  byRegion: segmentPreferences(groupBy: REGION) { nodes { group groupSize } }
  toB: crossSellProspects(from: "bA", to: "bB", includeWithoutConsent: true) {
    nodes { customer { customerId } score } }
  toC: crossSellProspects(from: "bB", to: "bC", minMembers: 1, includeWithoutConsent: true) {
    nodes { customer { customerId } score } }
}"""


def strings_in(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set().union(*(strings_in(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(strings_in(v) for v in value)) if value else set()
    return {value} if isinstance(value, str) else set()


async def test_a_restricted_customer_is_in_no_network_result(network):
    await network.write(subject.RESTRICT, {"id": "c2", "restricted": True, "now": at(6, 1)})
    for principal in (ANALYST, None):  # None: the app key `run` uses by default
        data = await run(
            network, EVERY_NETWORK_FIELD, *([principal] if principal else []), brand=BRAND_A
        )
        seen = strings_in(data)
        assert not seen & C2_DATA, seen & C2_DATA
        assert not seen & C2_GLOBAL_IDS
    # Nor is it counted: without c2, A = {c1, c4}, B = {c3, c5}, C = {c3, c4, c5}, N = 5.
    assert data["matrix"]["customersInGraph"] == 5
    assert [b["audience"] for b in data["matrix"]["brands"]] == [2, 2, 3, 1]
    assert data["audience"] == {"customers": 2, "followers": 1, "interactors": 2, "purchasers": 1}
    # a9's post p9 without a2's like and without c2's purchase o2: 3 interactions, 2
    # shares, 2 purchases (o6, o5) -> 3 + 4 + 10; a2 (c2's) is not ranked.
    assert [(i["account"]["accountId"], i["distinctInteractors"], i["attributedBuyers"],
             i["score"]) for i in data["influencers"]["nodes"]] == [("a9", 3, 2, 17.0)]  # fmt: skip
    assert data["crossSideEffect"]["nodes"][0]["customersJoined"] == 1  # Jan: c1 only
    gold = data["segmentPreferences"]["nodes"][0]
    assert (gold["group"], gold["groupSize"]) == ("s-gold", 2)  # {c1, c4}
    assert data["path"]["length"] == 4  # c1 - t-skin - c5 - o5 - bB, not through c2
    # B's profile without c2: t-run 2/2 vs 3/5 (c1 does not carry it); outerwear 2/2.
    # Then c4 (t-run) is the only prospect of A for B; and B has no customer left outside C.
    prospects_seen = await run(network, FOR_ANALYSIS, ANALYST)
    assert not strings_in(prospects_seen) & C2_DATA
    # North = {c1} without c2
    assert prospects_seen["byRegion"]["nodes"][0] == {"group": "North", "groupSize": 1}
    assert [n["customer"]["customerId"] for n in prospects_seen["toB"]["nodes"]] == ["c4"]
    assert prospects_seen["toC"]["nodes"] == []
    # c2 itself, or a node of its, cannot be a start.
    for query, start in [(HOOD, {"node": "c2"}),
                         (HOOD, {"node": to_global_id("SocialAccount", "a2")}),
                         (PATH, {"customer": "c2", "brand": "bA"})]:  # fmt: skip
        errors = await errors_of(network, query, **start)
        assert (errors[0]["code"], errors[0].get("reason")) == ("FORBIDDEN", "RESTRICTED")
    # Admins still see it, as in `customers`.
    admin = await run(network, EVERY_NETWORK_FIELD, ADMIN, brand=BRAND_A)
    assert admin["matrix"]["customersInGraph"] == 6
    assert {"c2", "a2"} <= strings_in(admin)


# --- cross-side effect -----------------------------------------------------------------------

CROSS_SIDE = """query($period: DateRange, $engagement: [EngagementKind!]) {
  crossSideEffect(period: $period, engagement: $engagement) { totalCount nodes { month
    brandsJoined customersReached engagementsWithNewBrands
    customersJoined brandsReached engagementsByNewCustomers } }
}"""


def months(data: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [tuple(m.values()) for m in data["crossSideEffect"]["nodes"]]


async def test_cross_side_effect_month_by_month(network):
    # Brands: Jan bA, bB; Mar bC, bD.
    #   Jan: A u B = {c1..c5} = 5 customers; engagements with A: 2 follows (a1, a2; a9 is
    #   nobody's) + 3 interactions (a1 x2, a4 on pA) + 2 purchases = 7; with B: 1 + 1 + 3 = 5.
    #   Mar: C u D = {c3, c4, c5}; C: 2 likes on pC + o4 = 3; D: 1 undated follow -> 4.
    # Customers: Jan c1, c2; Feb c3, c4; Mar c5, c6.
    #   Jan: c1 -> A (follow, 2 likes, 2 purchases = 5; its posts' likes are not brands');
    #        c2 -> A (follow), B (o2) = 2 -> brands {A, B}, 7 engagements.
    #   Feb: c3 -> B (follow, like, o3), C (like) = 4; c4 -> A (like), C (o4), D (follow) = 3
    #        -> brands {A, B, C, D}, 7.
    #   Mar: c5 -> C (like), B (o5) = 2; c6 nothing -> brands {B, C}, 2.
    data = await run(network, CROSS_SIDE)
    assert months(data) == [
        ("2024-01", 2, 5, 12, 2, 2, 7),
        ("2024-02", 0, 0, 0, 2, 4, 7),
        ("2024-03", 2, 3, 4, 2, 2, 2),
    ]
    period = {"from": "2024-02-01T00:00:00Z", "until": "2024-04-01T00:00:00Z"}
    assert months(await run(network, CROSS_SIDE, period=period)) == [
        ("2024-02", 0, 0, 0, 2, 4, 7),
        ("2024-03", 2, 3, 4, 2, 2, 2),
    ]
    # Purchases only: Jan brands A (o1, o6: c1), B (o2, o3, o5: c2, c3, c5) -> 4 customers,
    # 5 purchases; Mar C (o4: c4), D none. Customers: Jan c1 (A x2), c2 (B) -> 2 brands, 3;
    # Feb c3 (B), c4 (C) -> 2, 2; Mar c5 (B) -> 1, 1.
    data = await run(network, CROSS_SIDE, engagement=["PURCHASE"])
    assert months(data) == [
        ("2024-01", 2, 4, 5, 2, 2, 3),
        ("2024-02", 0, 0, 0, 2, 2, 2),
        ("2024-03", 2, 1, 1, 2, 1, 1),
    ]


# --- influence -------------------------------------------------------------------------------

INFLUENCERS = """query($period: DateRange, $days: Int, $first: Int, $after: String) {
  influencers(period: $period, attributionWindowDays: $days, first: $first, after: $after) {
    totalCount pageInfo { endCursor }
    nodes { account { accountId } customerId posts interactionsReceived distinctInteractors
      sharesReceived attributedPurchases attributedBuyers score } }
}"""


async def test_influencers_with_evidence(network):
    # a9 (nobody's) posted p9: a1 share Feb 2, a4 like Feb 12, a2 like Feb 20, a5 share Mar 2
    #   -> 4 interactions, 4 interactors, 2 shares. Purchases within 7 days after: c1 o6
    #   (Feb 3), c2 o2 (Feb 21), c5 o5 (Mar 5); c4's o4 (Mar 12) is 29 days on -> 3.
    #   score = 4 + 2 * 2 + 5 * 3 = 23.
    # a2 (c2's) posted p2: a1b (c1's) like counts; a2's own like does not -> 1, score 1.
    # a1 posted p1: only a1b liked it, the same customer's account -> not listed.
    data = (await run(network, INFLUENCERS))["influencers"]
    assert data["nodes"] == [
        {"account": {"accountId": "a9"}, "customerId": None, "posts": 1,
         "interactionsReceived": 4, "distinctInteractors": 4, "sharesReceived": 2,
         "attributedPurchases": 3, "attributedBuyers": 3, "score": 23.0},
        {"account": {"accountId": "a2"}, "customerId": "c2", "posts": 1,
         "interactionsReceived": 1, "distinctInteractors": 1, "sharesReceived": 0,
         "attributedPurchases": 0, "attributedBuyers": 0, "score": 1.0},
    ]  # fmt: skip
    # A 30-day window also takes c4's o4: 4 purchases, score 4 + 4 + 20 = 28.
    wide = (await run(network, INFLUENCERS, days=30))["influencers"]["nodes"]
    assert [(n["attributedPurchases"], n["score"]) for n in wide] == [(4, 28.0), (0, 1.0)]
    # March only: a5's share (then o5 on Mar 5) -> 1 + 2 * 1 + 5 * 1 = 8; a2 has none.
    march = {"from": "2024-03-01T00:00:00Z"}
    late = (await run(network, INFLUENCERS, period=march))["influencers"]["nodes"]
    assert [(n["account"]["accountId"], n["interactionsReceived"], n["score"]) for n in late] == [
        ("a9", 1, 8.0)
    ]  # fmt: skip


# --- communities -----------------------------------------------------------------------------


async def test_communities_of_accounts(network):
    # Account edges (undirected, weight = follows + interactions): a9-a5 2 (follow, share),
    # a9-a4 2 (follow, like), a9-a1 1, a9-a2 1, a1-a2 1 (follow), a1b-a2 1, a1b-a1 1 (a2's
    # like of its own post is no edge). m = 9. The split {a1, a1b, a2} | {a4, a5, a9} has
    # modularity 3/9 - (8/18)^2 + 4/9 - (10/18)^2 = 0.27, above any other split.
    query = """query($min: Int) { communities(minSize: $min) { truncated communities {
        totalCount nodes { rank size internalWeight
          members { nodes { accountId customerId account { handle } } } } } } }"""
    data = (await run(network, query))["communities"]
    assert data["truncated"] is False
    found = [
        (c["rank"], c["size"], c["internalWeight"],
         [(m["accountId"], m["customerId"]) for m in c["members"]["nodes"]])
        for c in data["communities"]["nodes"]
    ]  # fmt: skip
    assert found == [
        (1, 3, 3, [("a1", "c1"), ("a1b", "c1"), ("a2", "c2")]),
        (2, 3, 4, [("a4", "c4"), ("a5", "c5"), ("a9", None)]),
    ]
    member = data["communities"]["nodes"][0]["members"]["nodes"][0]
    assert member["account"] == {"handle": "@a1"}
    assert (await run(network, query, min=4))["communities"]["communities"]["totalCount"] == 0


def aliased_communities(seeds: list[int]) -> str:
    return "{ " + " ".join(
        f"c{i}: communities(seed: {seed}) {{ truncated communities {{ nodes {{ size }} }} }}"
        for i, seed in enumerate(seeds)
    ) + " }"  # fmt: skip


async def test_ten_aliased_communities_are_refused_before_anything_runs(network):
    # Each costs what Louvain over the account graph is worth (resolvers/access.py):
    # ten are over every role's limit.
    for principal in (APP, ANALYST, ADMIN):
        errors = await errors_of(network, aliased_communities(list(range(10))), principal)
        assert (errors[0]["code"], errors[0]["limit"]) == ("LIMIT_EXCEEDED", "cost")
    assert network.statements == []


async def test_aliased_communities_share_the_edges_and_each_seed_is_computed_once(network):
    data = await run(network, aliased_communities([42, 42, 7]), ADMIN)
    assert data["c0"] == data["c1"] and data["c0"]["communities"]["nodes"]
    if network.engine == "embedded":
        assert network.statements == [q.ACCOUNT_EDGES]  # one read of the edges for all three
    else:  # Neo4j runs them in Graph Data Science: one projection for all three
        assert network.statements == [
            qa.GDS_PROCEDURES, qa.GDS_PROJECT_ACCOUNT_GRAPH, qa.GDS_LOUVAIN, qa.GDS_MEMBERS,
            qa.GDS_INTERNAL_WEIGHTS, qa.GDS_DROP,
        ]  # fmt: skip


async def test_a_computation_over_the_time_limit_is_refused_with_a_code(network):
    context = Context(
        network, APP, compute=Compute(timeout_s=0.001, keep_workers=False), network_algorithms="hub"
    )
    result = await SCHEMA.execute("{ communities { truncated } }", context_value=context)
    assert result.errors is not None
    assert result.errors[0].extensions == {"code": "LIMIT_EXCEEDED", "limit": "time"}


# --- neighbourhood and paths -----------------------------------------------------------------

HOOD = """query($node: ID!, $hops: Int, $max: Int) {
  neighbourhood(node: $node, hops: $hops, maxNodes: $max) { truncated
    nodes(first: 100) { totalCount nodes { type key displayName distance globalId } }
    edges(first: 100) { totalCount nodes { fromKey type toKey count } } }
}"""


def hood(data: dict[str, Any]) -> tuple[list[tuple[str, int]], set[tuple[Any, ...]]]:
    n = data["neighbourhood"]
    nodes = [(x["key"], x["distance"]) for x in n["nodes"]["nodes"]]
    edges = {(e["fromKey"], e["type"], e["toKey"], e["count"]) for e in n["edges"]["nodes"]}
    return nodes, edges


async def test_neighbourhood_one_hop_by_customer_key(network):
    data = await run(network, HOOD, node="c5", hops=1)
    nodes, edges = hood(data)
    # c5: account a5, purchase o5, segment s-new, tags t-run, t-skin; by type then key.
    assert nodes == [("c5", 0), ("o5", 1), ("s-new", 1), ("a5", 1), ("t-run", 1), ("t-skin", 1)]
    assert edges == {("c5", "HAS_ACCOUNT", "a5", 1), ("c5", "MADE", "o5", 1),
                     ("c5", "IN_SEGMENT", "s-new", 1), ("c5", "TAGGED", "t-run", 1),
                     ("c5", "TAGGED", "t-skin", 1)}  # fmt: skip
    first = data["neighbourhood"]["nodes"]["nodes"][0]
    assert (first["type"], first["displayName"]) == ("Customer", "En")
    segment = data["neighbourhood"]["nodes"]["nodes"][2]
    assert (segment["type"], segment["globalId"]) == ("Segment", None)  # no node(id) for it
    assert data["neighbourhood"]["truncated"] is False


async def test_neighbourhood_two_hops_capped(network):
    # Level 2 from c5: a5 -> a9, pC, p9; o5 -> bB, pB1; t-run -> c2, c3, c4; t-skin -> c1, c2
    # = 9 nodes; with maxNodes 10 the 5 of level 1 and the first 5 of level 2 in (type, key)
    # order (bB, c1, c2, c3, c4) stay.
    data = await run(network, HOOD, node="c5", hops=2, max=10)
    nodes, edges = hood(data)
    assert nodes[6:] == [("bB", 2), ("c1", 2), ("c2", 2), ("c3", 2), ("c4", 2)]
    assert data["neighbourhood"]["truncated"] is True
    # c5's 5, o5 -AT-> bB, and the TAGGED edges of c1 (skin), c2 (skin, run), c3, c4 (run).
    assert len(edges) == 11
    assert ("o5", "AT", "bB", 1) in edges and ("c2", "TAGGED", "t-run", 1) in edges


async def test_neighbourhood_three_hops_from_a_brand_global_id(network):
    # bD <- a4 (level 1); a4 -> c4, a9, pA, p9 (level 2); level 3: c4 -> o4, t-run, s-gold;
    # p9 <- a1, a2, a5 and -> t-video; pA <- bA (and a1) and -> t-video; a9 -> bA, a5 -> a9.
    data = await run(network, HOOD, node=to_global_id("Brand", "bD"), hops=3, max=200)
    nodes, edges = hood(data)
    assert nodes == [
        ("bD", 0), ("a4", 1), ("c4", 2), ("p9", 2), ("pA", 2), ("a9", 2),
        ("bA", 3), ("o4", 3), ("s-gold", 3), ("a1", 3), ("a2", 3), ("a5", 3), ("t-run", 3),
        ("t-video", 3),
    ]  # fmt: skip
    assert edges == {
        ("a4", "FOLLOWS", "bD", 1), ("c4", "HAS_ACCOUNT", "a4", 1), ("a4", "FOLLOWS", "a9", 1),
        ("a4", "INTERACTED", "pA", 1), ("a4", "INTERACTED", "p9", 1), ("a9", "POSTED", "p9", 1),
        ("c4", "MADE", "o4", 1), ("c4", "TAGGED", "t-run", 1), ("c4", "IN_SEGMENT", "s-gold", 1),
        ("a1", "INTERACTED", "p9", 1),
        ("a5", "INTERACTED", "p9", 1), ("a2", "INTERACTED", "p9", 1),
        ("p9", "ABOUT", "t-video", 1), ("bA", "POSTED", "pA", 1), ("a1", "INTERACTED", "pA", 2),
        ("pA", "ABOUT", "t-video", 1), ("a5", "FOLLOWS", "a9", 1), ("a9", "FOLLOWS", "bA", 1),
        ("a1", "FOLLOWS", "bA", 1), ("a2", "FOLLOWS", "bA", 1), ("a1", "FOLLOWS", "a2", 1),
    }  # fmt: skip


PATH = """query($customer: ID!, $brand: ID!, $max: Int) {
  shortestPath(customer: $customer, brand: $brand, maxHops: $max) {
    length nodes { type key displayName } steps { type forward } }
}"""


async def test_shortest_path_from_customer_to_brand(network):
    # c5 and bC share no neighbour (c5: a5, o5, t-run, t-skin, s-new; bC: pC, pC1, o4), so
    # the shortest path is 3 long, and only c5 -> a5 -> pC <- bC is (o5's and the tags'
    # neighbours do not touch bC).
    data = (await run(network, PATH, customer="c5", brand="bC"))["shortestPath"]
    assert data["length"] == 3
    assert [(n["type"], n["key"]) for n in data["nodes"]] == [
        ("Customer", "c5"), ("SocialAccount", "a5"), ("Post", "pC"), ("Brand", "bC")
    ]  # fmt: skip
    assert data["steps"] == [
        {"type": "HAS_ACCOUNT", "forward": True},
        {"type": "INTERACTED", "forward": True},
        {"type": "POSTED", "forward": False},
    ]
    assert (await run(network, PATH, customer="c5", brand="bC", max=2))["shortestPath"] is None
    # c6 has no relationships at all.
    assert (await run(network, PATH, customer="c6", brand="bA"))["shortestPath"] is None


# --- segment x content type ------------------------------------------------------------------

PREFS = """query($by: PreferenceGroup!, $period: DateRange, $first: Int, $after: String) {
  segmentPreferences(groupBy: $by, period: $period, first: $first, after: $after) {
    totalCount pageInfo { endCursor }
    nodes { group groupName groupSize contentType interactingCustomers interactions rate } }
}"""


def cells(data: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (c["group"], c["groupSize"], c["contentType"], c["interactingCustomers"],
         c["interactions"], c["rate"])
        for c in data["segmentPreferences"]["nodes"]
    ]  # fmt: skip


async def test_segment_preferences_by_segment(network):
    # Interactions: c1 video x3 (pA x2, p9), photo x2 (p2, p1 via a1b); c2 video (p9), photo
    # (p2, own post: still c2's interaction); c3 photo (pB), video (pC); c4 video x2 (pA, p9);
    # c5 video x2 (p9, pC). s-gold = {c1, c2, c4}, s-new = {c5}.
    data = await run(network, PREFS, by="SEGMENT")
    assert cells(data) == [
        ("s-gold", 3, "t-video", 3, 6, 1.0),
        ("s-gold", 3, "t-photo", 2, 3, pytest.approx(TWO_THIRDS)),
        ("s-new", 1, "t-video", 1, 2, 1.0),
        ("s-new", 1, "t-photo", 0, 0, 0.0),
    ]
    assert data["segmentPreferences"]["nodes"][0]["groupName"] == "gold"
    # February only: c1 p9 share, p2 and p1 likes; c2 p9, p2; c4 pA, p9; c5 nothing.
    february = {"from": "2024-02-01T00:00:00Z", "until": "2024-03-01T00:00:00Z"}
    assert cells(await run(network, PREFS, by="SEGMENT", period=february)) == [
        ("s-gold", 3, "t-video", 3, 4, 1.0),
        ("s-gold", 3, "t-photo", 2, 3, pytest.approx(TWO_THIRDS)),
        ("s-new", 1, "t-photo", 0, 0, 0.0),
        ("s-new", 1, "t-video", 0, 0, 0.0),
    ]


async def test_segment_preferences_by_region(network):
    # North = {c1, c2}, South = {c3, c4, c5}; c6 has no region and no group.
    data = await run(network, PREFS, by="REGION", first=3)
    assert cells(data) == [
        ("North", 2, "t-photo", 2, 3, 1.0),
        ("North", 2, "t-video", 2, 4, 1.0),
        ("South", 3, "t-video", 3, 5, 1.0),
    ]
    after = data["segmentPreferences"]["pageInfo"]["endCursor"]
    rest = await run(network, PREFS, by="REGION", first=3, after=after)
    assert cells(rest) == [("South", 3, "t-photo", 1, 1, pytest.approx(THIRD))]


# --- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "code", "argument"),
    [
        ('{ brandAudience(brand: "nope") { customers } }', "NOT_FOUND", None),
        ('{ audienceOverlap(a: "bA", b: "nope") { shared } }', "NOT_FOUND", None),
        ('{ audienceOverlap(a: "bA", b: "bA") { shared } }', "BAD_USER_INPUT", "b"),
        (f'{{ audienceOverlap(a: "bA", b: "{to_global_id("Customer", "c1")}") {{ shared }} }}',
         "BAD_USER_INPUT", "b"),
        ('{ audienceOverlapMatrix(brands: ["bA"], engagement: []) { customersInGraph } }',
         "BAD_USER_INPUT", "engagement"),
        ('{ lookalikeBrands(brand: "bA", first: 1000) { totalCount } }', "BAD_USER_INPUT",
         "first"),
        ('{ lookalikeBrands(brand: "bA", after: "bogus") { totalCount } }', "BAD_USER_INPUT",
         "after"),
        ('{ brandAudience(brand: "bA", period: {from: "2024-03-01T00:00:00Z", '
         'until: "2024-02-01T00:00:00Z"}) { customers } }', "BAD_USER_INPUT", "period"),
        ('{ crossSellProspects(from: "bA", to: "nope") { totalCount } }', "NOT_FOUND", None),
        ('{ crossSellProspects(from: "bA", to: "bB", minMembers: 0) { totalCount } }',
         "BAD_USER_INPUT", "minMembers"),
        ('{ influencers(attributionWindowDays: -1) { totalCount } }', "BAD_USER_INPUT",
         "attributionWindowDays"),
        ('{ communities(minSize: 0) { truncated } }', "BAD_USER_INPUT", "minSize"),
        ('{ neighbourhood(node: "c1", hops: 4) { truncated } }', "BAD_USER_INPUT", "hops"),
        ('{ neighbourhood(node: "c1", hops: 0) { truncated } }', "BAD_USER_INPUT", "hops"),
        ('{ neighbourhood(node: "c1", maxNodes: 201) { truncated } }', "BAD_USER_INPUT",
         "maxNodes"),
        ('{ neighbourhood(node: "nobody") { truncated } }', "NOT_FOUND", None),
        ('{ shortestPath(customer: "c1", brand: "bA", maxHops: 7) { length } }',
         "BAD_USER_INPUT", "maxHops"),
        ('{ shortestPath(customer: "nobody", brand: "bA") { length } }', "NOT_FOUND", None),
        ('{ shortestPath(customer: "c1", brand: "nope") { length } }', "NOT_FOUND", None),
        ('{ segmentPreferences(groupBy: REGION, first: 101) { totalCount } }', "BAD_USER_INPUT",
         "first"),
    ],
)  # fmt: skip
async def test_errors_have_codes(network, query, code, argument):
    errors = await errors_of(network, query)
    assert errors[0]["code"] == code, errors
    assert errors[0].get("argument") == argument


async def test_too_many_brands_is_refused_before_any_statement(network):
    brands = [f"b{i}" for i in range(MAX_MATRIX_BRANDS + 1)]
    errors = await errors_of(network, MATRIX, brands=brands)
    assert (errors[0]["code"], errors[0]["argument"]) == ("BAD_USER_INPUT", "brands")
    assert network.statements == []


async def test_a_cursor_of_another_list_is_refused(network):
    page = await run(network, LOOKALIKES, brand="bA", first=1)
    cursor = page["lookalikeBrands"]["pageInfo"]["endCursor"]
    errors = await errors_of(network, PREFS, by="REGION", after=cursor)
    assert (errors[0]["code"], errors[0]["argument"]) == ("BAD_USER_INPUT", "after")
