"""CRM duplicates on both engines: SAME_AS candidates from a run, merges with survivorship,
the merged id as an alias, consents across a merge, and the exact unmerge (whole graphs
compared)."""

from typing import Any

import pytest

from graph.consent_rules import live_consent
from graph.store import GraphStore
from identity.decisions import Evidence, Explanation, PairDecision
from loaders.duplicates import (
    SKIP_MERGED,
    SKIP_MISSING,
    SKIP_REJECTED,
    SKIP_RESTRICTED,
    record_duplicates,
)
from loaders.linking import relink
from loaders.pipeline import ErasedRows, write_records
from resolvers.clock import now_ms
from resolvers.consent import withdraw_consent
from resolvers.context import Context
from resolvers.ids import to_global_id
from resolvers.principal import Principal, Role
from resolvers.privacy import PrivacyConfig
from tests.integration.graph_dump import dump
from tests.integration.test_customer360 import SCHEMA

T0 = 1_700_000_000_000
DAY = 86_400_000
ADMIN = Principal("key:admin-1", Role.ADMIN)
SYSTEM = ("AuditEntry", "Merge")

# c2 is a duplicate of c1 (same person: older record, other phone and city); c3 is
# someone else. c2 has every kind of relationship a customer has.
ROWS: list[tuple[str, list[dict[str, Any]]]] = [
    ("brands", [{"id": "b1", "name": "Lumora"}, {"id": "b2", "name": "Vantelle"}]),
    ("tags", [{"id": "t1", "name": "running"}, {"id": "t2", "name": "video"}]),
    ("segments", [{"id": "s1", "name": "vip"}]),
    ("products", [{"id": "p1", "brand_id": "b1", "name": "Serum", "price": 30.0}]),
    ("customers", [
        {"id": "c1", "name": "Wang Wei", "email": "wang.wei@example.com", "city": "Shanghai",
         "country": "CN", "created_at": T0},
        {"id": "c2", "name": "Wang Wei", "phone": "+86 138 1234 5678", "city": "Beijing",
         "gender": "male", "birth_year": 1984, "created_at": T0 - 30 * DAY},
        {"id": "c3", "name": "Li Na", "email": "li.na@example.com", "created_at": T0},
    ]),
    ("social_accounts", [
        {"id": "a1", "platform": "weibo", "handle": "wangwei", "customer_id": "c1"},
        {"id": "a2", "platform": "wechat", "handle": "ww84", "customer_id": "c2"},
    ]),
    ("purchases", [{"id": "pu2", "customer_id": "c2", "brand_id": "b1", "at": T0 + DAY,
                    "items": [{"product_id": "p1", "quantity": 1, "unit_price": 30.0}]}]),
    ("complaints", [{"id": "k2", "customer_id": "c2", "about_kind": "brand", "about_id": "b1",
                     "opened_at": T0 + 2 * DAY, "text": "late"}]),
    ("customer_tags", [
        {"customer_id": "c1", "tag_id": "t1", "weight": 0.9, "source": "declared"},
        {"customer_id": "c2", "tag_id": "t1", "weight": 0.4, "source": "inferred"},
        {"customer_id": "c2", "tag_id": "t2", "weight": 0.5, "source": "inferred"},
    ]),
    ("customer_segments", [{"customer_id": "c2", "segment_id": "s1"}]),
    ("consents", [
        # c2 granted marketing and analytics; c1 (the same person) later withdrew marketing.
        {"customer_id": "c2", "brand_id": "b1", "purposes": "marketing|analytics",
         "granted_at": T0, "source": "app"},
        {"customer_id": "c1", "brand_id": "b1", "purposes": "marketing",
         "granted_at": T0 + DAY, "withdrawn_at": T0 + 3 * DAY, "source": "web"},
        {"customer_id": "c2", "brand_id": "b2", "purposes": "analytics", "granted_at": T0},
    ]),
]  # fmt: skip


def pair(left: str, right: str, probability: float) -> PairDecision:
    evidence = (Evidence("name", "full", 6.5, -1.25), Evidence("phone", None, 0.0))
    explanation = Explanation(-12.0, evidence, 0.0, probability)
    return PairDecision(left, right, "review", probability, explanation)


@pytest.fixture
async def graph(store: GraphStore) -> GraphStore:
    for kind, rows in ROWS:
        await write_records(store, kind, rows, T0 + 10 * DAY)
    return store


def ctx(store: GraphStore, who: Principal = ADMIN) -> Context:
    return Context(store, who, privacy=PrivacyConfig())


async def run(store: GraphStore, query: str, who: Principal = ADMIN, **vars: Any) -> Any:
    result = await SCHEMA.execute(query, variable_values=vars, context_value=ctx(store, who))
    assert result.errors is None, result.errors
    return result.data


MERGE = """mutation($s: ID!, $m: ID!, $reason: String!) {
  mergeCustomers(survivorId: $s, mergedId: $m, reason: $reason) {
    __typename
    ... on CustomerMerge { mergeId survivorId mergedId moved dropped fieldsTaken
                           consentsWithdrawn }
    ... on MergeError { code message argument }
  }
}"""
UNMERGE = """mutation($mergeId: String, $mergedId: ID, $reason: String!) {
  unmergeCustomers(mergeId: $mergeId, mergedId: $mergedId, reason: $reason) {
    __typename
    ... on CustomerUnmerge { mergeId mergedId movedBack restored fieldsKept
                             consentsKeptWithdrawn }
    ... on MergeError { code message argument }
  }
}"""
CANDIDATES = """query($first: Int!, $after: String, $min: Float!) {
  duplicateCandidates(first: $first, after: $after, minProbability: $min) {
    edges { cursor node { probability prior modelVersion
      left { customerId name } right { customerId name }
      evidence { comparison level weight tf } } }
    pageInfo { hasNextPage endCursor }
  }
}"""
REJECT = """mutation($l: ID!, $r: ID!, $reason: String!) {
  rejectDuplicate(leftId: $l, rightId: $r, reason: $reason) {
    __typename
    ... on DuplicateRejection { leftId rightId }
    ... on MergeError { code argument }
  }
}"""


async def merge(store: GraphStore, survivor: str, merged: str) -> dict[str, Any]:
    data = await run(store, MERGE, s=survivor, m=merged, reason="same person (ticket 42)")
    return dict(data["mergeCustomers"])


async def unmerge(store: GraphStore, **which: str) -> dict[str, Any]:
    data = await run(store, UNMERGE, reason="not the same person", **which)
    return dict(data["unmergeCustomers"])


async def live(store: GraphStore, customer: str, brand: str, purpose: str, now: int) -> bool:
    rows = await store.read(
        "MATCH (c:Customer {id: $id})-[r:CONSENTED]->(:Brand {id: $brand}) "
        f"WHERE {live_consent('c', 'r', 'purpose')} RETURN count(r) AS n",
        {"id": customer, "brand": brand, "purpose": purpose, "now": now},
    )
    return bool(rows[0]["n"])


# --- SAME_AS candidates ---------------------------------------------------------------------


async def test_a_run_records_candidates_and_a_rerun_writes_nothing(graph):
    decisions = [pair("c2", "c1", 0.97), pair("c1", "c3", 0.6)]
    first = await record_duplicates(graph, decisions, "m1", T0 + 11 * DAY)
    assert (first.added, first.changed, first.removed, first.skipped) == (2, 0, 0, {})
    rows = await graph.read(
        "MATCH (a:Customer)-[r:SAME_AS]->(b:Customer) RETURN a.id AS a, b.id AS b, "
        "r.status AS status, r.found_at AS found_at, r.model_version AS v ORDER BY a, b"
    )
    assert [(r["a"], r["b"], r["status"], r["found_at"], r["v"]) for r in rows] == [
        ("c1", "c2", "candidate", T0 + 11 * DAY, "m1"),  # ordered by id, whatever the input
        ("c1", "c3", "candidate", T0 + 11 * DAY, "m1"),
    ]
    again = await record_duplicates(graph, decisions, "m1", T0 + 12 * DAY)
    assert (again.added, again.changed, again.removed) == (0, 0, 0)
    assert again.counters.properties_set == 0 and again.counters.relationships_created == 0

    # A new model version changes the pair it still proposes and removes the stale one.
    third = await record_duplicates(graph, [pair("c1", "c2", 0.98)], "m2", T0 + 13 * DAY)
    assert (third.added, third.changed, third.removed) == (0, 1, 1)
    data = await run(graph, CANDIDATES, first=10, min=0.0)
    (edge,) = data["duplicateCandidates"]["edges"]
    node = edge["node"]
    assert (node["left"], node["right"]) == (
        {"customerId": "c1", "name": "Wang Wei"}, {"customerId": "c2", "name": "Wang Wei"}
    )  # fmt: skip
    assert node["probability"] == 0.98 and node["modelVersion"] == "m2" and node["prior"] == -12
    assert node["evidence"][0] == {"comparison": "name", "level": "full", "weight": 6.5,
                                   "tf": -1.25}  # fmt: skip


async def test_candidates_page_by_probability(graph):
    await write_records(graph, "customers", [{"id": f"d{i}", "name": "x"} for i in range(4)], T0)
    decisions = [pair("d0", "d1", 0.9), pair("d0", "d2", 0.7), pair("d2", "d3", 0.7),
                 pair("c1", "c3", 0.55)]  # fmt: skip
    await record_duplicates(graph, decisions, "m1", T0)
    seen, after = [], None
    while True:
        page = await run(graph, CANDIDATES, first=2, after=after, min=0.6)
        page = page["duplicateCandidates"]
        seen += [(e["node"]["left"]["customerId"], e["node"]["right"]["customerId"])
                 for e in page["edges"]]  # fmt: skip
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == [("d0", "d1"), ("d0", "d2"), ("d2", "d3")]


async def test_a_rejection_survives_reruns_and_unfit_pairs_are_skipped(graph):
    await record_duplicates(graph, [pair("c1", "c2", 0.9), pair("c1", "c3", 0.6)], "m1", T0)
    rejected = await run(graph, REJECT, l="c3", r="c1", reason="different people")
    assert rejected["rejectDuplicate"] == {"__typename": "DuplicateRejection", "leftId": "c1",
                                           "rightId": "c3"}  # fmt: skip
    await ctx(graph).store.write("MATCH (c:Customer {id: 'c2'}) SET c.restricted_at = 1")
    outcome = await record_duplicates(
        graph, [pair("c1", "c2", 0.9), pair("c1", "c3", 0.99), pair("c1", "gone", 0.9)], "m2", T0
    )
    assert outcome.skipped == {SKIP_RESTRICTED: 1, SKIP_REJECTED: 1, SKIP_MISSING: 1}
    assert (outcome.added, outcome.changed, outcome.removed) == (0, 0, 1)  # c1-c2 went
    rows = await graph.read(
        "MATCH (a)-[r:SAME_AS]->(b) RETURN a.id AS a, b.id AS b, r.status AS s, "
        "r.probability AS p, r.rejected_by AS by, r.reason AS reason"
    )
    assert rows == [{"a": "c1", "b": "c3", "s": "rejected", "p": 0.6, "by": "key:admin-1",
                     "reason": "different people"}]  # fmt: skip
    assert (await run(graph, CANDIDATES, first=5, min=0.0))["duplicateCandidates"]["edges"] == []


# --- merge and unmerge ----------------------------------------------------------------------


REVIEW_RECORDS = """
MATCH (c:Customer {id: $customer}), (a:SocialAccount {id: $account})
CREATE (c)-[:LINK_CANDIDATE {confidence: 0.7, model_version: 'm1', found_at: 1}]->(a)
CREATE (c)-[:LINK_DECISION {decision: 'rejected', by: 'key:admin-1', at: 2}]->(a)
"""


async def test_unmerge_restores_exactly_the_graph_before_the_merge(graph):
    await record_duplicates(graph, [pair("c1", "c2", 0.97), pair("c2", "c3", 0.6)], "m1", T0)
    await write_records(graph, "social_accounts", [{"id": "a3", "platform": "x"}], T0)
    await graph.write(REVIEW_RECORDS, {"customer": "c2", "account": "a3"})
    before = await dump(graph, keep_times=True, skip_labels=SYSTEM)

    done = await merge(graph, "c1", "c2")
    assert done["__typename"] == "CustomerMerge", done
    # moved: a2, pu2, k2, t2, s1, both consents, the SAME_AS with c3 and the candidate and
    # decision on a3; dropped: the c1-c2 SAME_AS and the tag t1 c1 has already.
    assert (done["moved"], done["dropped"]) == (10, 2)
    assert done["fieldsTaken"] == ["birth_year", "created_at", "gender", "phone", "phone_hash"]
    assert done["consentsWithdrawn"] == 1
    assert await graph.read("MATCH (c:Customer {id: 'c2'}) RETURN c.id AS id") == []
    c1 = (await graph.read("MATCH (c:Customer {id: 'c1'}) RETURN properties(c) AS p"))[0]["p"]
    assert (c1["city"], c1["email"], c1["phone"], c1["birth_year"], c1["created_at"]) == (
        "Shanghai", "wang.wei@example.com", "+86 138 1234 5678", 1984, T0 - 30 * DAY
    )  # the city of the newer record; the phone only c2 had; the earlier creation  # fmt: skip
    rels = await graph.read(
        "MATCH (:Customer {id: 'c1'})-[r]-(o) RETURN type(r) AS t, o.id AS o ORDER BY t, o"
    )
    assert [(r["t"], r["o"]) for r in rels] == [
        ("CONSENTED", "b1"), ("CONSENTED", "b1"), ("CONSENTED", "b1"), ("CONSENTED", "b2"),
        ("FILED", "k2"), ("HAS_ACCOUNT", "a1"), ("HAS_ACCOUNT", "a2"), ("IN_SEGMENT", "s1"),
        ("LINK_CANDIDATE", "a3"), ("LINK_DECISION", "a3"), ("MADE", "pu2"), ("SAME_AS", "c3"),
        ("TAGGED", "t1"), ("TAGGED", "t2"),
    ]  # fmt: skip

    undone = await unmerge(graph, mergeId=done["mergeId"])
    assert undone["__typename"] == "CustomerUnmerge", undone
    assert (undone["movedBack"], undone["restored"], undone["fieldsKept"]) == (10, 2, [])
    assert await dump(graph, keep_times=True, skip_labels=SYSTEM) == before

    merges = await graph.read("MATCH (m:Merge) RETURN properties(m) AS m")
    (record,) = [r["m"] for r in merges]
    assert (record["status"], record["actor"], record["unmerged_by"]) == (
        "unmerged", "key:admin-1", "key:admin-1"
    )  # fmt: skip
    kinds = await graph.read("MATCH (a:AuditEntry) RETURN a.kinds AS k, a.customer_ids AS ids")
    assert sorted((tuple(r["k"]), tuple(r["ids"])) for r in kinds) == [
        (("customer_merge",), ("c1", "c2")), (("customer_unmerge",), ("c1", "c2")),
    ]  # fmt: skip


async def test_the_merged_id_resolves_to_the_survivor(graph):
    await merge(graph, "c1", "c2")
    query = "query($id: ID!) { customer(id: $id) { id customerId name } }"
    by_key = (await run(graph, query, id="c2"))["customer"]
    assert by_key["customerId"] == "c1"
    global_c2 = to_global_id("Customer", "c2")
    assert (await run(graph, query, id=global_c2))["customer"] == by_key
    node = (await run(graph, "query($id: ID!) { node(id: $id) { id } }", id=global_c2))["node"]
    assert node["id"] == to_global_id("Customer", "c1")
    # A run that still proposes the merged id is told so, and records nothing for it.
    outcome = await record_duplicates(graph, [pair("c2", "c3", 0.9)], "m1", T0)
    assert outcome.skipped == {SKIP_MERGED: 1} and outcome.added == 0


async def test_later_loads_attach_rows_of_the_merged_id_to_the_survivor(graph):
    await merge(graph, "c1", "c2")
    await write_records(graph, "purchases", [
        {"id": "pu9", "customer_id": "c2", "brand_id": "b2", "at": T0 + 20 * DAY}
    ], T0 + 20 * DAY)  # fmt: skip
    owner = await graph.read("MATCH (c)-[:MADE]->(:Purchase {id: 'pu9'}) RETURN c.id AS id")
    assert owner == [{"id": "c1"}]
    with pytest.raises(ErasedRows, match="merged"):  # never a new customer c2
        await write_records(graph, "customers", [{"id": "c2", "name": "Wang Wei"}], T0)
    assert await graph.read("MATCH (c:Customer {id: 'c2'}) RETURN c.id AS id") == []
    # An account claiming c2 stays linked to the survivor when its link is re-decided.
    await relink(graph, ["a2"], T0 + 21 * DAY)
    links = await graph.read("MATCH (c)-[h:HAS_ACCOUNT]->(:SocialAccount {id: 'a2'}) "
                             "RETURN c.id AS id, h.method AS m")  # fmt: skip
    assert links == [{"id": "c1", "m": "crm_id"}]
    assert await graph.read("MATCH (c:Customer {id: 'c2'}) RETURN c.id AS id") == []


async def test_facts_added_between_merge_and_unmerge_stay_with_the_survivor(graph):
    done = await merge(graph, "c1", "c2")
    await write_records(graph, "purchases", [
        {"id": "pu9", "customer_id": "c2", "brand_id": "b2", "at": T0 + 20 * DAY}
    ], T0 + 20 * DAY)  # fmt: skip
    await write_records(graph, "customer_segments", [{"customer_id": "c1", "segment_id": "s2"}],
                        T0 + 20 * DAY)  # fmt: skip
    await unmerge(graph, mergedId="c2")
    made = await graph.read(
        "MATCH (c:Customer)-[:MADE]->(p) RETURN c.id AS c, p.id AS p ORDER BY p"
    )
    assert [(r["c"], r["p"]) for r in made] == [("c2", "pu2"), ("c1", "pu9")]
    segments = await graph.read(
        "MATCH (c:Customer)-[:IN_SEGMENT]->(s) RETURN c.id AS c, s.id AS s ORDER BY c, s"
    )
    assert [(r["c"], r["s"]) for r in segments] == [("c1", "s2"), ("c2", "s1")]
    again = await unmerge(graph, mergeId=done["mergeId"])
    assert again["code"] == "NOT_MERGED"


async def test_a_withdrawal_on_either_side_holds_after_the_merge(graph):
    now = T0 + 10 * DAY
    # Before: c2 is live for marketing at b1 (its grant); c1 withdrew marketing later.
    assert await live(graph, "c2", "b1", "marketing", now)
    assert not await live(graph, "c1", "b1", "marketing", now)
    await merge(graph, "c1", "c2")
    assert not await live(graph, "c1", "b1", "marketing", now)  # c1's withdrawal holds
    assert await live(graph, "c1", "b1", "analytics", now)  # what was not withdrawn stays
    assert await live(graph, "c1", "b2", "analytics", now)


async def test_a_withdrawal_on_the_merged_side_holds_too(graph):
    now = T0 + 10 * DAY
    await write_records(graph, "consents", [
        {"customer_id": "c3", "brand_id": "b2", "purposes": "marketing", "granted_at": T0},
        {"customer_id": "c1", "brand_id": "b2", "purposes": "marketing",
         "granted_at": T0 + DAY, "withdrawn_at": T0 + 2 * DAY},
    ], now)  # fmt: skip
    await merge(graph, "c3", "c1")  # c3 survives; c1 (merged) had withdrawn later
    assert not await live(graph, "c3", "b2", "marketing", now)


async def test_a_withdrawal_after_the_merge_holds_after_the_unmerge(graph):
    now = T0 + 10 * DAY
    done = await merge(graph, "c1", "c2")
    assert await live(graph, "c1", "b2", "analytics", now)  # c2's grant, moved
    await withdraw_consent(ctx(graph), "c1", "b2", ["analytics"], "app")
    result = await unmerge(graph, mergeId=done["mergeId"])
    assert result["consentsKeptWithdrawn"] == 1  # c2's b1 grant: not given back either
    later = now_ms() + 1000
    for customer in ("c1", "c2"):
        for brand, purpose in (("b1", "marketing"), ("b2", "analytics")):
            assert not await live(graph, customer, brand, purpose, later), (customer, brand)


async def test_merges_are_refused_with_a_code(graph):
    await run(graph, 'mutation { restrictProcessing(customerId: "c3", restricted: true) '
              "{ __typename } }")  # fmt: skip
    cases = [
        (("c1", "c1"), "SAME_CUSTOMER", "mergedId"),
        (("c1", "nobody"), "NOT_FOUND", "mergedId"),
        (("c1", "c3"), "RESTRICTED", "mergedId"),
        (("c3", "c1"), "RESTRICTED", "survivorId"),
    ]
    for (survivor, merged), code, argument in cases:
        refused = await merge(graph, survivor, merged)
        assert (refused["code"], refused["argument"]) == (code, argument), refused
    await run(graph, 'mutation { eraseCustomer(customerId: "c3") { __typename } }')
    assert (await merge(graph, "c1", "c3"))["code"] == "ERASED"
    assert (await merge(graph, "c1", "c2"))["__typename"] == "CustomerMerge"
    assert (await merge(graph, "c1", "c2"))["code"] == "ALREADY_MERGED"
    assert (await merge(graph, "c2", "c1"))["code"] == "ALREADY_MERGED"
    blank = await run(graph, MERGE, s="c1", m="c2", reason="  ")
    assert blank["mergeCustomers"]["code"] == "BAD_USER_INPUT"
    assert (await unmerge(graph, mergeId="nope"))["code"] == "NOT_FOUND"
    data = await run(graph, UNMERGE, reason="x")
    assert data["unmergeCustomers"]["code"] == "BAD_USER_INPUT"
    # Nothing above left a merge record behind but the one merge.
    assert len(await graph.read("MATCH (m:Merge) RETURN m.id AS id")) == 1


async def test_erasing_the_survivor_erases_the_merge_record_and_the_alias(graph):
    await merge(graph, "c1", "c2")
    await run(graph, 'mutation { eraseCustomer(customerId: "c1") { __typename } }')
    assert await graph.read("MATCH (m:Merge) RETURN m.id AS id") == []
    with pytest.raises(ErasedRows):  # the merged id is tombstoned with the survivor
        await write_records(graph, "customers", [{"id": "c2", "name": "Wang Wei"}], T0,
                            erasure_key=PrivacyConfig().erasure_key())  # fmt: skip


@pytest.mark.parametrize("who", [Role.APP, Role.ANALYST, Role.PARTNER])
async def test_only_admins_see_candidates_or_merge(graph, who):
    await record_duplicates(graph, [pair("c1", "c2", 0.97)], "m1", T0)
    principal = Principal("someone", who, partner_brand_id="b1" if who is Role.PARTNER else None)
    for query, variables in (
        (CANDIDATES, {"first": 5, "min": 0.0}),
        (MERGE, {"s": "c1", "m": "c2", "reason": "x"}),
        (UNMERGE, {"mergedId": "c2", "reason": "x"}),
        (REJECT, {"l": "c1", "r": "c2", "reason": "x"}),
    ):
        result = await SCHEMA.execute(
            query, variable_values=variables, context_value=ctx(graph, principal)
        )
        assert result.data is None and result.errors[0].extensions["code"] == "FORBIDDEN"
    assert len(await graph.read("MATCH (c:Customer) RETURN c.id AS id")) == 3


async def test_a_survivor_merged_in_turn_takes_its_aliases_along(graph):
    first = await merge(graph, "c1", "c2")
    await merge(graph, "c3", "c1")
    query = "query($id: ID!) { customer(id: $id) { customerId } }"
    assert (await run(graph, query, id="c2"))["customer"]["customerId"] == "c3"
    await write_records(graph, "customer_tags", [{"customer_id": "c2", "tag_id": "t9"}], T0)
    assert await graph.read(
        "MATCH (c)-[:TAGGED]->(:Tag {id: 't9'}) RETURN c.id AS id"
    ) == [{"id": "c3"}]  # fmt: skip
    refused = await unmerge(graph, mergeId=first["mergeId"])
    assert (refused["code"], refused["argument"]) == ("SURVIVOR_MERGED", "mergeId")
    await unmerge(graph, mergedId="c1")
    assert (await unmerge(graph, mergeId=first["mergeId"]))["__typename"] == "CustomerUnmerge"
    assert (await run(graph, query, id="c2"))["customer"]["customerId"] == "c2"


async def test_review_records_are_not_in_the_network_reads_of_other_roles(graph):
    hood = """query($node: ID!) { neighbourhood(node: $node, hops: 1, maxNodes: 50) {
      nodes(first: 50) { nodes { key } } edges(first: 50) { nodes { type toKey } } } }"""
    await record_duplicates(graph, [pair("c1", "c2", 0.97)], "m1", T0)
    await write_records(graph, "social_accounts", [{"id": "a3", "platform": "x"}], T0)
    await graph.write(REVIEW_RECORDS, {"customer": "c1", "account": "a3"})
    app = Principal("app", Role.APP)
    data = (await run(graph, hood, app, node="c1"))["neighbourhood"]
    keys = [n["key"] for n in data["nodes"]["nodes"]]
    assert "c2" not in keys and "a3" not in keys and "a1" in keys
    types = {e["type"] for e in data["edges"]["nodes"]}
    assert not types & {"SAME_AS", "LINK_CANDIDATE", "LINK_DECISION"}
