"""Recommendations in the graph, on both engines: the scores equal analytics/recommend.py's
on the same records, narrowed to the brands the customer consented to personalisation
with; every item has reasons in words; restricted customers and customers without a live
personalisation consent get none, with the reason; restricted customers are no peers;
already-bought items are left out unless asked; bad input gets a code.

The graph (2024, UTC), one product per order unless noted:

    c1 bought pA1, pB1; follows bC, likes bA's post; tags family, run; consents: bA, bB, bC
    c2 bought pA1, pA2, pC1; tag family; consent to bA for marketing only
    c3 bought pA1, pA3; personalisation consent to bA, withdrawn
    c4 bought pB1, pB2; likes bA's post; tag run; consent to bB
    c5 bought pA2 and pA3 (one order), pB2, pC2; follows bC; tag family
    c6 bought nothing; follows bA
    c7 bought pA3
    c8 bought pA1, pC2; restricted; consent to bA
"""

from datetime import UTC, datetime
from typing import Any

import pytest

from analytics.recommend import MAX_PEERS, History, scores
from graph import subject
from graph.recommend import recommendations_query
from loaders.pipeline import write_records
from resolvers.recommend import WEIGHTS
from tests.integration.test_customer360 import ADMIN, ANALYST, APP, errors_of, run

NOW = int(datetime(2025, 1, 1, tzinfo=UTC).timestamp() * 1000)
BRAND_OF = {"pA1": "bA", "pA2": "bA", "pA3": "bA", "pB1": "bB", "pB2": "bB",
            "pC1": "bC", "pC2": "bC"}  # fmt: skip
BOUGHT = {
    "c1": [["pA1"], ["pB1"]], "c2": [["pA1"], ["pA2"], ["pC1"]], "c3": [["pA1"], ["pA3"]],
    "c4": [["pB1"], ["pB2"]], "c5": [["pA2", "pA3"], ["pB2"], ["pC2"]], "c7": [["pA3"]],
    "c8": [["pA1"], ["pC2"]],
}  # fmt: skip
ENGAGED = {"c1": {"bA", "bC"}, "c4": {"bA"}, "c5": {"bC"}, "c6": {"bA"}}
TAGS = {"c1": {"t-family", "t-run"}, "c2": {"t-family"}, "c4": {"t-run"}, "c5": {"t-family"}}
RESTRICTED = "c8"


def ms(month: int, day: int) -> int:
    return int(datetime(2024, month, day, tzinfo=UTC).timestamp() * 1000)


def _consent(
    customer: str, brand: str, purpose: str, withdrawn: int | None = None
) -> dict[str, Any]:
    return {"customer_id": customer, "brand_id": brand, "purposes": [purpose],
            "granted_at": ms(1, 2), "withdrawn_at": withdrawn}  # fmt: skip


ROWS: list[tuple[str, list[dict[str, Any]]]] = [
    ("brands", [{"id": b, "name": n}
                for b, n in (("bA", "Alba"), ("bB", "Borea"), ("bC", "Cirro"))]),
    ("tags", [{"id": "t-family", "name": "Young family", "category": "lifestyle"},
              {"id": "t-run", "name": "Running", "category": "interest"}]),
    ("products", [{"id": p, "brand_id": b, "name": f"Item {p}"} for p, b in BRAND_OF.items()]),
    ("customers", [{"id": f"c{k}", "name": f"C {k}"} for k in range(1, 9)]),
    ("social_accounts", [{"id": f"a{c[1:]}", "platform": "weibo", "handle": f"@a{c[1:]}",
                          "created_at": ms(1, 1), "customer_id": c}
                         for c in ("c1", "c4", "c5", "c6")]),
    ("follows", [{"account_id": a, "target_kind": "brand", "target_id": b, "since": ms(2, 1)}
                 for a, b in (("a1", "bC"), ("a5", "bC"), ("a6", "bA"))]),
    ("purchases", [
        {"id": f"o-{c}-{n}", "customer_id": c, "brand_id": BRAND_OF[items[0]],
         "at": ms(3, 1 + n), "currency": "EUR",
         "items": [{"product_id": p, "unit_price": 10.0} for p in items]}
        for c, orders in BOUGHT.items() for n, items in enumerate(orders)
    ]),
    ("posts", [{"id": "postA", "author_kind": "brand", "author_id": "bA", "at": ms(2, 1),
                "platform": "weibo", "text": "new"}]),
    ("interactions", [{"account_id": a, "post_id": "postA", "kind": "like", "at": ms(2, 2)}
                      for a in ("a1", "a4")]),
    ("customer_tags", [{"customer_id": c, "tag_id": t} for c, ts in TAGS.items() for t in ts]),
    ("consents", [
        _consent("c1", "bA", "personalisation"), _consent("c1", "bB", "personalisation"),
        _consent("c1", "bC", "personalisation"),
        _consent("c2", "bA", "marketing"),
        _consent("c3", "bA", "personalisation", withdrawn=ms(6, 1)),
        _consent("c4", "bB", "personalisation"), _consent("c8", "bA", "personalisation"),
    ]),
]  # fmt: skip

QUERY = """
query($id: ID!, $kind: RecommendationKind!, $exclude: Boolean!) {
  recommendations(customerId: $id, kind: $kind, first: 50, excludePurchased: $exclude) {
    customerId withheld
    items {
      score product { productId } brand { brandId }
      reasons { source score via customers peers text }
    }
  }
}
"""


@pytest.fixture
async def graph(store):
    for kind, batch in ROWS:
        await write_records(store, kind, batch, NOW)
    await store.write(subject.RESTRICT, {"id": RESTRICTED, "restricted": True, "now": NOW})
    store.statements.clear()
    return store


def expected(
    customer: str, kind: str, allowed: set[str], exclude: bool = True, max_peers: int = MAX_PEERS
) -> dict[str, float]:
    """analytics/recommend.py's scores on the loaded records (the restricted customer is
    no peer), narrowed to the consented brands."""

    def item(p: str) -> str:
        return p if kind == "product" else BRAND_OF[p]

    peers = {c: o for c, o in BOUGHT.items() if c != RESTRICTED}
    history = History(
        {c: frozenset(item(p) for o in orders for p in o) for c, orders in peers.items()},
        {c: frozenset(v) for c, v in ENGAGED.items()},
        {c: frozenset(v) for c, v in TAGS.items()},
    )
    brand = BRAND_OF.get if kind == "product" else (lambda b: b)
    return {i: s for i, s in scores(history, customer, WEIGHTS, exclude, max_peers).items()
            if brand(i) in allowed}  # fmt: skip


def found(data: dict[str, Any], kind: str) -> dict[str, float]:
    items = data["recommendations"]["items"]
    return {(i["product"]["productId"] if kind == "PRODUCT" else i["brand"]["brandId"]): i["score"]
            for i in items}  # fmt: skip


async def test_the_graphs_scores_equal_the_reference_and_bought_items_are_left_out(graph):
    for kind in ("PRODUCT", "BRAND"):
        for exclude in (True, False):
            graph.statements.clear()
            data = await run(graph, QUERY, APP, id="c1", kind=kind, exclude=exclude)
            assert data["recommendations"]["withheld"] is None
            want = expected("c1", kind.lower(), {"bA", "bB", "bC"}, exclude)
            assert want, "the graph is built so that c1 gets recommendations"
            assert found(data, kind) == pytest.approx(want), (kind, exclude)
            scores_ = [i["score"] for i in data["recommendations"]["items"]]
            assert scores_ == sorted(scores_, reverse=True)
            assert len(graph.statements) == 2  # the gate, then the items
            bought = {"pA1", "pB1"} if kind == "PRODUCT" else {"bA", "bB"}
            assert bool(bought & set(found(data, kind))) is not exclude, (kind, exclude)


async def test_every_item_has_reasons_in_words(graph):
    data = await run(graph, QUERY, ANALYST, id="c1", kind="PRODUCT", exclude=True)
    items = {i["product"]["productId"]: i for i in data["recommendations"]["items"]}
    assert all(i["reasons"] for i in items.values())
    for item in items.values():
        assert sum(r["score"] for r in item["reasons"]) == pytest.approx(item["score"])
    # pA2: bought by c2 of {c2, c3} (who bought pA1 too), by c5 of the engaged {c4, c5,
    # c6}, by c2 and c5, both "Young family" like c1; the restricted c8 counts nowhere.
    reasons = {r["source"]: r for r in items["pA2"]["reasons"]}
    assert reasons["TAG"] == {
        "source": "TAG", "score": pytest.approx(WEIGHTS.tag * 1.0), "via": "t-family",
        "customers": 2, "peers": 2,
        "text": "Bought by 2 of the 2 customers who share your Young family tag",
    }  # fmt: skip
    assert reasons["PURCHASE"]["text"] == "Bought by 1 of the 2 customers who also bought Item pA1"
    assert reasons["ENGAGEMENT"]["text"] == (
        "Bought by 1 of the 3 customers who engage with the brands you engage with"
    )
    assert items["pA2"]["brand"] == {"brandId": "bA"}


async def test_consent_and_restriction_are_enforced_and_said_and_bad_input_refused(graph):
    # c4 consented to bB only; its peers bought bA's products too.
    data = await run(graph, QUERY, APP, id="c4", kind="PRODUCT", exclude=False)
    assert set(found(data, "PRODUCT")) == {"pB1", "pB2"}
    assert {"pA1", "pB1", "pB2"} <= set(expected("c4", "product", set(BRAND_OF.values()), False))
    assert found(data, "PRODUCT") == pytest.approx(expected("c4", "product", {"bB"}, False))
    # No live personalisation consent (marketing only, withdrawn, none), or restricted:
    # nothing, and why; the items statement alone returns nothing for them either.
    params = {"purpose": "personalisation", "now": NOW, "first": 50, "exclude_bought": False,
              "w_purchase": WEIGHTS.purchase, "w_engagement": WEIGHTS.engagement,
              "w_tag": WEIGHTS.tag, "max_peers": MAX_PEERS}  # fmt: skip
    for customer, why in (("c2", "NO_CONSENT"), ("c3", "NO_CONSENT"), ("c6", "NO_CONSENT"),
                          ("c8", "RESTRICTED")):  # fmt: skip
        data = await run(graph, QUERY, ADMIN, id=customer, kind="PRODUCT", exclude=True)
        assert data["recommendations"] == {"customerId": customer, "withheld": why, "items": []}
        rows = await graph.read(recommendations_query("product"), {**params, "customer": customer})
        assert rows == [], customer
    await graph.write(subject.RESTRICT, {"id": "c4", "restricted": True, "now": NOW})
    after = await run(graph, QUERY, APP, id="c4", kind="BRAND", exclude=False)
    assert after["recommendations"] == {"customerId": "c4", "withheld": "RESTRICTED", "items": []}
    q = "query($id: ID!, $n: Int!) { recommendations(customerId: $id, first: $n) { withheld } }"
    assert (await errors_of(graph, q, APP, id="nobody", n=10))[0]["code"] == "NOT_FOUND"
    assert (await errors_of(graph, q, APP, id="c1", n=0))[0]["code"] == "BAD_USER_INPUT"


async def test_a_peer_group_keeps_its_first_peers_by_id_as_the_reference_does(graph):
    """The bound on peer groups (analytics/recommend.py's MAX_PEERS): with room for one
    peer per group, the graph keeps the same peer the reference keeps, so the scores
    still agree, and they differ from the unbounded ones."""
    params = {"purpose": "personalisation", "now": NOW, "first": 50, "exclude_bought": False,
              "w_purchase": WEIGHTS.purchase, "w_engagement": WEIGHTS.engagement,
              "w_tag": WEIGHTS.tag, "customer": "c1"}  # fmt: skip
    for kind in ("product", "brand"):
        rows = await graph.read(recommendations_query(kind), {**params, "max_peers": 1})
        got = {r["item"]["id"]: r["score"] for r in rows}
        want = expected("c1", kind, {"bA", "bB", "bC"}, False, max_peers=1)
        assert got == pytest.approx(want), kind
        assert want != expected("c1", kind, {"bA", "bB", "bC"}, False), "the bound bites here"
