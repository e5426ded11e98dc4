"""Recommendations for one customer (docs/recommendations.md): graph/recommend.py scores
the items and enforces consent and restriction in its statement; here the arguments are
checked, the reason for an empty answer is read, and each source's numbers become a
reason in words."""

from dataclasses import dataclass
from typing import Any

from analytics.recommend import MAX_PEERS, Weights
from graph import recommend as q
from resolvers.context import Context, Record
from resolvers.errors import bad_input, not_found
from resolvers.ids import key_for

PURPOSE = "personalisation"  # the consent purpose that covers personalised offers
MAX_FIRST = 100
WEIGHTS = Weights()

# (kind, source) -> the reason's text, from the best peer group's numbers
_ENGAGE = "customers who engage with the brands you engage with"
_TEXT = {
    ("product", "purchase"): "Bought by {k} of the {n} customers who also bought {name}",
    ("product", "engagement"): "Bought by {k} of the {n} " + _ENGAGE,
    ("product", "tag"): "Bought by {k} of the {n} customers who share your {name} tag",
    ("brand", "purchase"): "{k} of the {n} customers who also bought from {name} bought from it",
    ("brand", "engagement"): "{k} of the {n} " + _ENGAGE + " bought from it",
    ("brand", "tag"): "{k} of the {n} customers who share your {name} tag bought from it",
}


@dataclass(frozen=True)
class Reason:
    source: str  # purchase, engagement or tag
    score: float  # what the source adds to the item's score
    via: str | None  # the product, brand or tag the peers share with the customer
    customers: int  # peers in that group who bought the item
    peers: int  # the group's size
    text: str


@dataclass(frozen=True)
class Recommended:
    item: Record  # the product (with its brand) or the brand
    score: float
    reasons: list[Reason]  # strongest first


@dataclass(frozen=True)
class Recommendations:
    customer_id: str  # the customer's key
    withheld: str | None  # "restricted" or "no_consent" when nothing may be recommended
    items: list[Recommended]


def _reason(kind: str, part: dict[str, Any]) -> Reason:
    """The source's reason: its strongest peer group (the largest share of buyers)."""
    groups = [g for g in part["groups"] if g["n"]]
    best = max(groups, key=lambda g: (g["k"] / g["n"], g["k"], str(g["via"] or "")))
    name = best["name"] or best["via"] or ""
    text = _TEXT[kind, part["source"]].format(k=best["k"], n=best["n"], name=name)
    return Reason(part["source"], float(part["part"]), best["via"], int(best["k"]),
                  int(best["n"]), text)  # fmt: skip


async def recommendations(
    ctx: Context, customer_id: str, kind: str, first: int, exclude_bought: bool
) -> Recommendations:
    """The ``first`` best products or brands (``kind``) for the customer, or none and why
    (a restricted customer; no consent live for personalisation). Raises BAD_USER_INPUT
    for ``first`` out of 1..MAX_FIRST, NOT_FOUND for an unknown customer."""
    if not 1 <= first <= MAX_FIRST:
        raise bad_input(f"first must be within 1..{MAX_FIRST}", "first")
    key = key_for("Customer", customer_id, "customerId")
    now = ctx.clock()
    base = {"customer": key, "purpose": PURPOSE, "now": now}
    gate = (await ctx.store.read(q.RECOMMENDATION_GATE, base))[0]
    if not gate["found"]:
        raise not_found("customer", key)
    # What the customer bought and engaged with shapes the answer: a customer-level read.
    ctx.audit.customers_read([key])
    if gate["restricted"]:
        return Recommendations(key, "restricted", [])
    if not gate["consented"]:
        return Recommendations(key, "no_consent", [])
    rows = await ctx.store.read(
        q.recommendations_query(kind),
        {**base, "first": first, "exclude_bought": exclude_bought,
         "w_purchase": WEIGHTS.purchase, "w_engagement": WEIGHTS.engagement,
         "w_tag": WEIGHTS.tag, "max_peers": MAX_PEERS},
    )  # fmt: skip
    items = [
        Recommended(
            r["item"], float(r["score"]),
            sorted((_reason(kind, p) for p in r["parts"]), key=lambda x: (-x.score, x.source)),
        )
        for r in rows
    ]  # fmt: skip
    return Recommendations(key, None, items)
