"""Fraud signals in the graph, on both engines: the statements' evidence scores as the
in-process patterns do on the same purchases; an injected ring, burst, refund abuser,
complaint abuser and account farm are flagged with their evidence, a household of two is
not; restricted
customers are absent but for admins; apps and partners are refused; purchases take their
hashed fingerprints."""

from typing import Any

import pytest

from analytics import farms, fraud
from analytics.fraud import PurchaseEvent
from graph import subject
from loaders.pipeline import write_records
from loaders.synthetic_fraud import START_MS, FraudData, generate, generate_farms, graph_rows
from resolvers import fraud as api
from resolvers.context import Context
from resolvers.principal import Principal, Role
from tests.integration.test_customer360 import ADMIN, ANALYST, APP, errors_of, run

NOW = START_MS + 400 * 86_400_000
PARTNER = Principal("test-partner", Role.PARTNER, partner_brand_id="b0")


def _steady(customer: str, **hashes: str) -> list[PurchaseEvent]:
    return [PurchaseEvent(customer, float(d), False, **hashes) for d in range(0, 360, 30)]


def _events() -> list[PurchaseEvent]:
    """40 ordinary customers (some in households), and by hand: a ring of three linked by
    a card and a device, a burst, a refund abuser, a household of two."""
    events = generate(customers=40, fraud_share=0.0, seed=3).events
    events += _steady("r1", payment_hash="a" * 64, device_hash="1" * 64)
    events += _steady("r2", payment_hash="a" * 64, device_hash="2" * 64)
    events += _steady("r3", payment_hash="b" * 64, device_hash="2" * 64)
    events += _steady("b1") + [PurchaseEvent("b1", 200.0 + i / 4) for i in range(8)]
    events += [PurchaseEvent("a1", float(d), refunded=d % 40 != 0) for d in range(0, 360, 20)]
    events += _steady("h1", address_hash="c" * 64) + _steady("h2", address_hash="c" * 64)
    events += _steady("k1")
    return events


EVENTS = _events()
SOCIAL = generate_farms(accounts=40, farm_share=0.15, seed=3)  # one farm of 6 accounts
# k1 complains 8 times on 12 purchases; one ordinary customer once
COMPLAINTS = [
    {"id": f"k{i}", "customer_id": "k1" if i < 8 else "c000001", "about_kind": "brand",
     "about_id": "b0", "opened_at": START_MS + i * 86_400_000}
    for i in range(9)
]  # fmt: skip


@pytest.fixture
async def graph(store):
    for kind, rows in [*graph_rows(FraudData(EVENTS, {}), SOCIAL), ("complaints", COMPLAINTS)]:
        await write_records(store, kind, rows, NOW)
    store.statements.clear()
    return store


SIGNALS = """query($kinds: [FraudKind!], $minScore: Float, $after: String) {
  fraudSignals(kinds: $kinds, minScore: $minScore, first: 100, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { kind score customerIds accountIds reason shared { kind values }
            window { start end count expected } refunds { refunds purchases share populationShare }
            complaints { complaints purchases expected } lockstep { pairs posts } }
  }
}"""


async def signals(store: Any, principal: Principal, **variables: Any) -> list[dict[str, Any]]:
    data = await run(store, SIGNALS, principal, **variables)
    assert not data["fraudSignals"]["pageInfo"]["hasNextPage"]
    return list(data["fraudSignals"]["nodes"])


async def test_the_graphs_evidence_scores_as_the_patterns_do_on_the_same_purchases(graph):
    ctx = Context(graph, ADMIN)
    evidence = await api.purchase_evidence(ctx, rings=True, patterns=True)
    in_graph = fraud.scores_of(evidence, api.CONFIG)
    in_process = {c: s for c, s in fraud.scores(EVENTS, api.CONFIG).items() if s > 0}
    assert in_process.keys() <= in_graph.keys()
    # equal but for the rounding of days to milliseconds
    assert {c: in_graph[c] for c in in_process} == pytest.approx(in_process, abs=0.01)
    assert not any(in_graph[c] for c in in_graph.keys() - in_process.keys())
    pairs = await api.lockstep_pairs(ctx)
    assert pairs == farms.lockstep_pairs(SOCIAL.interactions, SOCIAL.accounts, api.FARM_CONFIG)


async def test_injected_fraud_is_flagged_with_its_evidence_and_a_household_is_not(graph):
    found = await signals(graph, ANALYST)
    # one statement each: population, histories, shared values, complaints, lockstep
    # pairs, the farm accounts' customers
    assert len(graph.statements) == 6
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for s in found:
        by_kind.setdefault(s["kind"], []).append(s)
    rings = [s for s in by_kind["RING"] if "r1" in s["customerIds"]]
    assert rings[0]["customerIds"] == ["r1", "r2", "r3"]
    assert rings[0]["shared"] == [{"kind": "device", "values": 1}, {"kind": "payment", "values": 1}]
    assert not [s for s in found if "h1" in s["customerIds"] or "h2" in s["customerIds"]]
    burst = next(s for s in by_kind["BURST"] if s["customerIds"] == ["b1"])
    assert burst["window"]["count"] == 8 and burst["window"]["start"].startswith("2024-07-19")
    abuse = next(s for s in by_kind["REFUND_ABUSE"] if s["customerIds"] == ["a1"])
    assert abuse["refunds"]["refunds"] == 9 and abuse["refunds"]["purchases"] == 18
    (complaints,) = by_kind["COMPLAINT_ABUSE"]
    assert complaints["customerIds"] == ["k1"]
    assert complaints["complaints"]["complaints"] == 8
    assert complaints["complaints"]["purchases"] == 12
    farm = by_kind["ACCOUNT_FARM"]
    assert [f["accountIds"] for f in farm] == [sorted(SOCIAL.labels)]
    assert farm[0]["lockstep"]["posts"] >= api.FARM_CONFIG.min_posts
    scores = [s["score"] for s in found]
    assert scores == sorted(scores, reverse=True) and min(scores) >= 10
    only = await signals(graph, ANALYST, kinds=["ACCOUNT_FARM"], minScore=0)
    assert {s["kind"] for s in only} == {"ACCOUNT_FARM"}


async def test_restricted_customers_are_absent_but_for_admins(graph):
    await graph.write(subject.RESTRICT, {"id": "r1", "restricted": True, "now": NOW})
    analyst = await signals(graph, ANALYST, kinds=["RING"])
    assert not [s for s in analyst if "r1" in s["customerIds"]]
    assert not [s for s in analyst if "r2" in s["customerIds"]]  # two left: no ring
    admin = await signals(graph, ADMIN, kinds=["RING"])
    assert [s["customerIds"] for s in admin if "r1" in s["customerIds"]] == [["r1", "r2", "r3"]]


@pytest.mark.parametrize("principal", [APP, PARTNER], ids=["app", "partner"])
async def test_apps_and_partners_may_not_ask(store, principal):
    errors = await errors_of(store, SIGNALS, principal)
    assert errors[0]["code"] == "FORBIDDEN"
    assert store.statements == []  # refused before anything runs


@pytest.mark.parametrize(
    ("variables", "argument"),
    [({"minScore": -1.0}, "minScore"), ({"kinds": []}, "kinds")],
    ids=["negative-score", "no-kinds"],
)
async def test_bad_input_gets_a_code(store, variables, argument):
    errors = await errors_of(store, SIGNALS, ANALYST, **variables)
    assert (errors[0]["code"], errors[0].get("argument")) == ("BAD_USER_INPUT", argument)


PURCHASE = """mutation($input: RecordPurchaseInput!) {
  recordPurchase(input: $input) {
    __typename ... on WriteError { code argument }
  }
}"""


async def test_record_purchase_stores_the_hashed_fingerprints_and_refuses_raw_values(graph):
    base = {"id": "new-1", "customerId": "h1", "brandId": "b0", "at": "2024-06-01T00:00:00Z",
            "paymentHash": "A" * 64, "deviceHash": "d" * 64, "addressHash": "c" * 64,
            "refundedAt": "2024-06-03T00:00:00Z"}  # fmt: skip
    done = await run(graph, PURCHASE, ADMIN, input=base)
    assert done["recordPurchase"]["__typename"] == "PurchasePayload"
    rows = await graph.read(
        "MATCH (o:Purchase {id: 'new-1'}) "
        "RETURN o.payment_hash AS p, o.device_hash AS d, o.address_hash AS a, o.refunded_at AS r"
    )
    assert rows[0] == {"p": "a" * 64, "d": "d" * 64, "a": "c" * 64, "r": 1717372800000}
    card = {**base, "id": "new-2", "paymentHash": "4111 1111 1111 1111"}
    raw = await run(graph, PURCHASE, ADMIN, input=card)
    assert raw["recordPurchase"] == {
        "__typename": "WriteError",
        "code": "BAD_USER_INPUT",
        "argument": "input.paymentHash",
    }
