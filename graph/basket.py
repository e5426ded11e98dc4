"""Market-basket counts in the graph: baskets, and the baskets holding each item set.

A basket is one order (a Purchase) or, by customer, everything one customer bought in
the period; its items are the products, their categories or their brands. Only baskets
with at least one item of the level count (N). Counts are kept when their support
(count / N, a float) reaches `$min_support`, compared in the statement as mlxtend and
analytics/basket.py compare it. Restricted customers' purchases count for admins only
(graph/restriction.py). The arithmetic on the counts (confidence, lift) is the hub's:
analytics/basket.py. Docs: docs/predictions.md, "Market basket".
"""

from functools import cache

from graph import projections as proj
from graph.network import in_range
from graph.restriction import visible

# level -> (the match from the order `o` binding `p`, the item's key over `p`)
LEVELS: dict[str, tuple[str, str]] = {
    "product": ("MATCH (o)-[:CONTAINS]->(p:Product)", "p.id"),
    "category": (
        "MATCH (o)-[:CONTAINS]->(p:Product) WHERE p.category IS NOT NULL",
        "p.category",
    ),
    "brand": ("MATCH (o)-[:CONTAINS]->(:Product)-[:OF_BRAND]->(p:Brand)", "p.id"),
}
UNITS = {"order": "o", "customer": "c"}
MAX_SIZE = 3


def _items(level: str, unit: str) -> list[str]:
    """Lines binding one row per distinct (basket, item) of the period, at `$brand`'s
    orders when it is not null; `$items`, when not null, keeps only those items."""
    match, key = LEVELS[level]  # KeyError for anything not allow-listed
    basket = UNITS[unit]
    return [
        "MATCH (c:Customer)-[:MADE]->(o:Purchase)",
        f"WHERE {visible('c')} AND {in_range('o.at')}"
        " AND ($brand IS NULL OR (o)-[:AT]->(:Brand {id: $brand}))",
        match,
        f"WITH DISTINCT {basket} AS basket, {key} AS item",
        "WHERE $items IS NULL OR item IN $items",
    ]


@cache
def basket_count_query(level: str, unit: str) -> str:
    """`n`: the baskets of the period with an item of ``level`` (`$items` null)."""
    return "\n".join([*_items(level, unit), "RETURN count(DISTINCT basket) AS n"])


@cache
def itemset_counts_query(level: str, unit: str, size: int) -> str:
    """Rows (`items`, sorted; `k`, the baskets holding them all) for every set of ``size``
    items (1..3) among `$items` (null: all) with k / `$n` >= `$min_support`. A basket's
    items are sorted, so each set is counted once under one key."""
    if not 1 <= size <= MAX_SIZE:
        raise ValueError(f"item sets of 1..{MAX_SIZE} items, not {size}")
    lines = _items(level, unit)
    if size == 1:
        lines += ["WITH item AS i1, count(basket) AS k"]
    else:
        lines += [
            "WITH basket, item ORDER BY item",
            f"WITH basket, collect(item) AS its WHERE size(its) >= {size}",
            "UNWIND range(0, size(its) - 1) AS x1",
            "UNWIND range(x1 + 1, size(its) - 1) AS x2",
            *(["UNWIND range(x2 + 1, size(its) - 1) AS x3"] if size == 3 else []),
            "WITH " + ", ".join(f"its[x{i}] AS i{i}" for i in range(1, size + 1)),
            "WITH " + ", ".join(f"i{i}" for i in range(1, size + 1)) + ", count(*) AS k",
        ]
    keys = ", ".join(f"i{i}" for i in range(1, size + 1))
    return "\n".join(
        [
            *lines,
            "WHERE toFloat(k) / $n >= $min_support",
            f"RETURN [{keys}] AS items, k",
            f"ORDER BY k DESC, {keys}",
            "LIMIT $max_sets",
        ]
    )


# Products bought in the same order as `$product`, in the period: one row per product,
# the anchor itself included (its `k` is the orders holding it), most often first.
BOUGHT_WITH = "\n".join(
    [
        *_items("product", "order")[:-1],
        "WITH basket, collect(item) AS its WHERE $product IN its",
        "UNWIND its AS item",
        "WITH item, count(basket) AS k",
        "RETURN item, k ORDER BY k DESC, item LIMIT $max_items",
    ]
)

# The products `$ids` (unknown ones left out) and the orders of the period holding each.
PRODUCT_ORDER_COUNTS = "\n".join(
    [
        "UNWIND $ids AS key",
        "MATCH (x:Product {id: key})",
        "OPTIONAL MATCH (c:Customer)-[:MADE]->(o:Purchase)-[:CONTAINS]->(x)",
        f"WHERE {visible('c')} AND {in_range('o.at')}",
        "WITH x, count(DISTINCT o) AS k",
        f"RETURN {proj.PRODUCT} AS product, k",
    ]
)
