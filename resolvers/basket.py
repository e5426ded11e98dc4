"""Market basket for data teams: products bought together and a brand's rules.

graph/basket.py counts baskets and item sets in the graph (above the minimum support,
restricted customers left out but for admins); analytics/basket.py turns the counts into
rules. Definitions: docs/predictions.md, "Market basket".
"""

from dataclasses import dataclass
from typing import Any

from analytics import basket
from graph import basket as q
from graph.store import Record
from resolvers.context import Context
from resolvers.errors import ApiError, ErrorCode, bad_input, not_found
from resolvers.ids import key_for
from resolvers.network import Range, brands_and_customers

MAX_ITEMSETS = 10_000  # per size; more is refused (raise the minimum support)
MAX_BOUGHT_WITH = 1000
MAX_SIZE = q.MAX_SIZE
MIN_SUPPORT_FLOOR = 0.0001  # below it every pair of a big catalogue would be "frequent"


@dataclass(frozen=True)
class BasketRules:
    baskets: int  # N
    itemsets: dict[frozenset[str], int]  # every counted item set, singletons included
    rules: list[basket.Rule]


async def _read(ctx: Context, query: str, params: dict[str, Any]) -> list[Record]:
    """A basket statement with the caller's restriction rule (graph/restriction.py)."""
    return await ctx.store.read(
        query, {**params, "include_restricted": ctx.principal.sees_restricted}
    )


def _thresholds(min_support: float, min_confidence: float, max_size: int) -> None:
    if not MIN_SUPPORT_FLOOR <= min_support <= 1:
        raise bad_input(f"minSupport must be within {MIN_SUPPORT_FLOOR:g}..1", "minSupport")
    if not 0 <= min_confidence <= 1:
        raise bad_input("minConfidence must be within 0..1", "minConfidence")
    if not 2 <= max_size <= MAX_SIZE:
        raise bad_input(f"maxSize must be within 2..{MAX_SIZE}", "maxSize")


async def basket_rules(
    ctx: Context,
    brand: str | None,
    level: str,
    unit: str,
    period: Range,
    min_support: float,
    min_confidence: float,
    max_size: int,
) -> BasketRules:
    """Association rules among the items (``level``) of the baskets (``unit``) of the
    period, at ``brand``'s orders when given: one statement for N, then one per item-set
    size (Apriori: each size counts only items of the frequent sets of the size before).
    Raises BAD_USER_INPUT for a threshold out of range, NOT_FOUND for an unknown brand,
    LIMIT_EXCEEDED when one size has more than MAX_ITEMSETS frequent sets."""
    _thresholds(min_support, min_confidence, max_size)
    key = key_for("Brand", brand, "brand") if brand is not None else None
    if key is not None:
        await brands_and_customers(ctx, [key])
    base = {"brand": key, "from": period[0], "until": period[1]}
    rows = await _read(ctx, q.basket_count_query(level, unit), {**base, "items": None})
    n = int(rows[0]["n"]) if rows else 0
    counts: dict[frozenset[str], int] = {}
    items: list[str] | None = None
    for size in range(1, max_size + 1):
        if n == 0 or items == []:
            break
        found = await _read(
            ctx,
            q.itemset_counts_query(level, unit, size),
            {**base, "items": items, "n": n, "min_support": min_support,
             "max_sets": MAX_ITEMSETS + 1},
        )  # fmt: skip
        if len(found) > MAX_ITEMSETS:
            raise ApiError(
                f"more than {MAX_ITEMSETS:,} frequent sets of {size} items: raise minSupport",
                ErrorCode.LIMIT_EXCEEDED,
                limit="itemsets",
            )
        level_counts = {frozenset(r["items"]): int(r["k"]) for r in found}
        counts |= level_counts
        items = sorted({i for s in level_counts for i in s})
    return BasketRules(n, counts, basket.rules(counts, n, min_confidence) if n else [])


async def products_bought_with(
    ctx: Context, product: str, period: Range
) -> tuple[Record, int, int, list[dict[str, Any]]]:
    """(the product, N orders in the period, orders holding it, the products bought in the
    same orders, most often first, each with `product`, `baskets`, `support`,
    `confidence` (product -> it) and `lift`). NOT_FOUND for an unknown product."""
    key = key_for("Product", product, "productId")
    base = {"brand": None, "from": period[0], "until": period[1]}
    rows = await _read(ctx, q.basket_count_query("product", "order"), {**base, "items": None})
    n = int(rows[0]["n"]) if rows else 0
    together = await _read(
        ctx, q.BOUGHT_WITH, {**base, "product": key, "max_items": MAX_BOUGHT_WITH + 1}
    )
    both = {r["item"]: int(r["k"]) for r in together}
    ids = [key, *(i for i in both if i != key)][: MAX_BOUGHT_WITH + 1]
    found = await _read(ctx, q.PRODUCT_ORDER_COUNTS, {"ids": ids, **base})
    products = {r["product"]["id"]: (r["product"], int(r["k"])) for r in found}
    if key not in products:
        raise not_found("product", key)
    anchor, with_anchor = products[key]
    items = []
    for other, (record, alone) in products.items():
        if other == key:
            continue
        counts = {
            frozenset([key]): with_anchor,
            frozenset([other]): alone,
            frozenset([key, other]): both[other],
        }
        rule = next(r for r in basket.rules(counts, n, 0.0) if r.antecedent == (key,))
        items.append(
            {"product": record, "baskets": rule.baskets, "support": rule.support,
             "confidence": rule.confidence, "lift": rule.lift}
        )  # fmt: skip
    items.sort(key=lambda i: (-i["baskets"], -i["lift"], i["product"]["id"]))
    return anchor, n, with_anchor, items
