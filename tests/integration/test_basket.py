"""The market basket in the graph, on both engines: the numbers equal mlxtend's apriori /
association_rules on the same baskets, by level, basket unit, brand and period; restricted
customers' orders count for admins only; bad input gets a code."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from graph import subject
from loaders.pipeline import write_records
from resolvers.ids import to_global_id
from tests.integration.test_customer360 import ADMIN, ANALYST, APP, errors_of, run
from tests.unit.analytics.test_basket import mlxtend_rules, synthetic_baskets

START = datetime(2024, 1, 1, tzinfo=UTC)
ITEMS = 9
BRAND_OF = {f"i{k}": f"b{k % 3}" for k in range(ITEMS)}
CATEGORY_OF = {f"i{k}": f"cat{k % 4}" for k in range(ITEMS)}
CUSTOMERS = 30
NOW = int(datetime(2025, 1, 1, tzinfo=UTC).timestamp() * 1000)


def ms(when: datetime) -> int:
    return int(when.timestamp() * 1000)


def orders() -> list[dict[str, Any]]:
    """150 orders of the unit test's baskets (empty ones dropped: a purchase with no line
    items is no basket), one per day, spread over 30 customers, each at the brand of its
    first item."""
    out = []
    for n, items in enumerate(b for b in synthetic_baskets(7, 170) if b):
        if len(out) == 150:
            break
        ordered = sorted(items)
        out.append({
            "id": f"o{n}", "customer_id": f"c{n % CUSTOMERS}", "brand_id": BRAND_OF[ordered[0]],
            "at": ms(START + timedelta(days=n)), "currency": "EUR",
            "items": [{"product_id": i, "unit_price": 1.0} for i in ordered],
        })  # fmt: skip
    return out


ORDERS = orders()


async def load(store: Any) -> None:
    rows = [
        ("brands", [{"id": f"b{k}", "name": f"Brand {k}"} for k in range(3)]),
        ("products", [{"id": i, "brand_id": BRAND_OF[i], "name": i.upper(),
                       "category": CATEGORY_OF[i]} for i in sorted(BRAND_OF)]),
        ("customers", [{"id": f"c{k}", "name": f"C {k}"} for k in range(CUSTOMERS)]),
        ("purchases", ORDERS),
    ]  # fmt: skip
    for kind, batch in rows:
        await write_records(store, kind, batch, NOW)


@pytest.fixture
async def baskets(store):
    await load(store)
    store.statements.clear()
    return store


def expected_baskets(
    level: str = "product", unit: str = "order", brand: str | None = None,
    until: int | None = None, without: frozenset[str] = frozenset(),
) -> list[set[str]]:  # fmt: skip
    """The baskets as the graph should see them, built from the rows we loaded."""
    kept = [o for o in ORDERS if o["customer_id"] not in without
            and (brand is None or o["brand_id"] == brand)
            and (until is None or o["at"] < until)]  # fmt: skip
    name = {"product": lambda i: i, "category": CATEGORY_OF.get, "brand": BRAND_OF.get}[level]
    by_key: dict[str, set[str]] = {}
    for o in kept:
        key = o["id"] if unit == "order" else o["customer_id"]
        by_key.setdefault(key, set()).update(name(i["product_id"]) for i in o["items"])
    return list(by_key.values())


RULES = """query($brand: ID, $level: BasketLevel, $basket: BasketUnit, $period: DateRange,
                 $minSupport: Float!, $minConfidence: Float!, $maxSize: Int, $first: Int,
                 $after: String) {
  basketRules(brandId: $brand, level: $level, basket: $basket, period: $period,
              minSupport: $minSupport, minConfidence: $minConfidence, maxSize: $maxSize,
              first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { antecedent consequent baskets support antecedentSupport consequentSupport
            confidence lift }
  }
}"""


async def all_rules(store: Any, principal: Any, **variables: Any) -> list[dict[str, Any]]:
    """Every rule, page by page (100 a page, the most a page may hold)."""
    nodes: list[dict[str, Any]] = []
    after = None
    while True:
        data = await run(store, RULES, principal, first=100, after=after, **variables)
        page = data["basketRules"]
        nodes += page["nodes"]
        assert page["totalCount"] >= len(nodes)
        if not page["pageInfo"]["hasNextPage"]:
            return nodes
        after = page["pageInfo"]["endCursor"]


def as_mlxtend(nodes: list[dict[str, Any]]) -> dict[tuple[Any, ...], tuple[float, ...]]:
    return {
        (tuple(n["antecedent"]), tuple(n["consequent"])): (
            n["support"], n["antecedentSupport"], n["consequentSupport"], n["confidence"],
            n["lift"],
        )
        for n in nodes
    }  # fmt: skip


CASES = [
    # (level, unit, brand, until, min support, min confidence, max size)
    ("PRODUCT", "ORDER", None, None, 0.05, 0.2, 3),
    ("PRODUCT", "ORDER", None, ms(START + timedelta(days=60)), 0.05, 0.0, 3),
    ("PRODUCT", "ORDER", "b0", None, 0.1, 0.3, 2),
    ("CATEGORY", "ORDER", None, None, 0.1, 0.3, 3),
    ("BRAND", "ORDER", None, None, 0.1, 0.0, 3),
    ("PRODUCT", "CUSTOMER", None, None, 0.3, 0.5, 3),
]


@pytest.mark.parametrize(("level", "unit", "brand", "until", "support", "confidence", "size"),
                         CASES, ids=[f"case{i}" for i in range(len(CASES))])  # fmt: skip
async def test_rules_equal_mlxtend_on_the_same_baskets(
    baskets, level, unit, brand, until, support, confidence, size
):
    period = {"until": datetime.fromtimestamp(until / 1000, UTC).isoformat()} if until else None
    nodes = await all_rules(
        baskets, ANALYST, brand=brand, level=level, basket=unit, period=period,
        minSupport=support, minConfidence=confidence, maxSize=size,
    )  # fmt: skip
    expected_baskets_ = expected_baskets(level.lower(), unit.lower(), brand, until)
    _, expected = mlxtend_rules(expected_baskets_, support, confidence, size)
    assert as_mlxtend(nodes) == expected  # equal to the last bit, not approximately
    assert len(nodes) == len(expected) > 0
    lifts = [n["lift"] for n in nodes]
    assert lifts == sorted(lifts, reverse=True)  # strongest first
    # per page: N, then one statement per item-set size (and the brand's check)
    pages = -(-len(nodes) // 100)
    assert len(baskets.statements) == pages * (1 + size + (1 if brand else 0))


BOUGHT_WITH = """query($product: ID!, $period: DateRange, $first: Int, $after: String) {
  productsBoughtWith(productId: $product, period: $period, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { product { productId brand { brandId } } baskets support confidence lift }
  }
}"""


async def test_products_bought_with_one_product(baskets):
    data = (await run(baskets, BOUGHT_WITH, ANALYST, product="i2", first=3))["productsBoughtWith"]
    orders_ = expected_baskets()
    n, with_i2 = len(orders_), sum(1 for b in orders_ if "i2" in b)
    together = {f"i{k}": sum(1 for b in orders_ if {"i2", f"i{k}"} <= b)
                for k in range(ITEMS) if k != 2}  # fmt: skip
    assert data["totalCount"] == sum(1 for k in together.values() if k)
    first = data["nodes"][0]
    # i3 and i4 come with i2 by construction: the most frequent companions
    assert first["product"]["productId"] in {"i3", "i4"}
    other = first["product"]["productId"]
    alone = sum(1 for b in orders_ if other in b)
    assert first["baskets"] == together[other]
    assert first["support"] == together[other] / n
    assert first["confidence"] == pytest.approx(together[other] / with_i2)
    assert first["lift"] == pytest.approx(together[other] * n / (with_i2 * alone))
    assert first["product"]["brand"]["brandId"] == BRAND_OF[other]
    assert [x["baskets"] for x in data["nodes"]] == sorted(
        (k for k in together.values() if k), reverse=True)[:3]  # fmt: skip
    rest = await run(baskets, BOUGHT_WITH, ANALYST, product=to_global_id("Product", "i2"),
                     first=50, after=data["pageInfo"]["endCursor"])  # fmt: skip
    assert len(rest["productsBoughtWith"]["nodes"]) == data["totalCount"] - 3


async def test_a_restricted_customers_orders_count_for_admins_only(baskets):
    await baskets.write(subject.RESTRICT, {"id": "c1", "restricted": True, "now": NOW})
    query = {"minSupport": 0.05, "minConfidence": 0.2, "maxSize": 3}
    for principal, without in ((ANALYST, frozenset({"c1"})), (ADMIN, frozenset())):
        nodes = await all_rules(baskets, principal, **query)
        _, expected = mlxtend_rules(expected_baskets(without=without), 0.05, 0.2, 3)
        assert as_mlxtend(nodes) == expected
    analyst = await run(baskets, BOUGHT_WITH, ANALYST, product="i0", first=1)
    admin = await run(baskets, BOUGHT_WITH, ADMIN, product="i0", first=1)
    n_all, n_kept = len(expected_baskets()), len(expected_baskets(without=frozenset({"c1"})))
    assert n_kept == n_all - 5  # c1 placed 5 of the 150 orders
    a, b = analyst["productsBoughtWith"]["nodes"][0], admin["productsBoughtWith"]["nodes"][0]
    assert a["baskets"] / a["support"] == pytest.approx(n_kept)
    assert b["baskets"] / b["support"] == pytest.approx(n_all)


@pytest.mark.parametrize(
    ("query", "variables", "code", "argument"),
    [
        (RULES, {"minSupport": 0.0, "minConfidence": 0.1}, "BAD_USER_INPUT", "minSupport"),
        (RULES, {"minSupport": 0.1, "minConfidence": 1.5}, "BAD_USER_INPUT", "minConfidence"),
        (RULES, {"minSupport": 0.1, "minConfidence": 0.1, "maxSize": 4}, "BAD_USER_INPUT",
         "maxSize"),
        (RULES, {"minSupport": 0.1, "minConfidence": 0.1, "brand": "nope"}, "NOT_FOUND", None),
        (BOUGHT_WITH, {"product": "nope"}, "NOT_FOUND", None),
        (BOUGHT_WITH, {"product": to_global_id("Brand", "b0")}, "BAD_USER_INPUT", "productId"),
    ],
)  # fmt: skip
async def test_bad_input_gets_a_code(baskets, query, variables, code, argument):
    errors = await errors_of(baskets, query, ANALYST, **variables)
    assert (errors[0]["code"], errors[0].get("argument")) == (code, argument)


async def test_app_keys_may_not_ask(baskets):
    errors = await errors_of(baskets, BOUGHT_WITH, APP, product="i0")
    assert errors[0]["code"] == "FORBIDDEN"
