"""A small two-sided network whose answers are worked out by hand in test_network.py.

Four brands, six customers (N = 6), seven accounts (c1 has two; a9 belongs to nobody),
six posts (three by brands, three by accounts), in the first months of 2024 (UTC).
Traps on purpose: parallel likes of one post (a1 on pA), an unlinked account following a
brand (a9 -> bA), accounts following accounts, a self-interaction (a2 on its own p2), a
customer's account interacting with the same customer's other account (a1b on p1), and a
follow without `since` (a4 -> bD).

Who engages with which brand (F follow, I interaction, P purchase), dates in 2024:

    bA (created Jan 10): c1 F(01-12) I(01-16, 01-17 on pA) P(o1 01-20, o6 02-03)
                         c2 F(02-05); c4 I(02-12 on pA)          -> A = {c1, c2, c4}
    bB (created Jan 20): c3 F(02-10) I(02-11 on pB) P(o3 02-25); c2 P(o2 02-21);
                         c5 P(o5 03-05)                           -> B = {c2, c3, c5}
    bC (created Mar 05): c5 I(03-11 on pC); c3 I(03-12 on pC); c4 P(o4 03-12)
                                                                  -> C = {c3, c4, c5}
    bD (created Mar 15): c4 F(no date)                            -> D = {c4}
"""

from datetime import UTC, datetime

from graph.store import GraphStore, WriteCounters
from loaders.pipeline import write_records

DAY = 86_400_000


def at(month: int, day: int) -> int:
    """Epoch ms of 2024-<month>-<day>T00:00:00Z."""
    return int(datetime(2024, month, day, tzinfo=UTC).timestamp() * 1000)


def _brand(key: str, name: str, category: str, created: int) -> dict[str, object]:
    return {"id": key, "name": name, "category": category, "created_at": created}


def _customer(key: str, name: str, region: str | None, created: int) -> dict[str, object]:
    return {"id": key, "name": name, "region": region, "country": "CN", "created_at": created}


def _account(key: str, customer: str | None) -> dict[str, object]:
    return {"id": key, "platform": "weibo", "handle": f"@{key}", "display_name": key.upper(),
            "created_at": at(1, 1), "customer_id": customer}  # fmt: skip


def _follow(account: str, kind: str, target: str, since: int | None) -> dict[str, object]:
    return {"account_id": account, "target_kind": kind, "target_id": target, "since": since}


def _post(key: str, kind: str, author: str, when: int, content: str) -> dict[str, object]:
    return {"id": key, "author_kind": kind, "author_id": author, "at": when,
            "platform": "weibo", "content_type": content, "text": f"post {key}"}  # fmt: skip


def _hit(account: str, post: str, kind: str, when: int) -> dict[str, object]:
    return {"account_id": account, "post_id": post, "kind": kind, "at": when}


def _order(key: str, customer: str, brand: str, when: int, product: str) -> dict[str, object]:
    return {"id": key, "customer_id": customer, "brand_id": brand, "at": when,
            "currency": "EUR", "items": [{"product_id": product, "unit_price": 10.0}]}  # fmt: skip


ROWS: list[tuple[str, list[dict[str, object]]]] = [
    ("brands", [
        _brand("bA", "Alba", "beauty", at(1, 10)),
        _brand("bB", "Borea", "fashion", at(1, 20)),
        _brand("bC", "Cirro", "sport", at(3, 5)),
        _brand("bD", "Dune", "home", at(3, 15)),
    ]),
    ("tags", [
        {"id": "t-skin", "name": "skin", "category": "interest"},
        {"id": "t-run", "name": "run", "category": "interest"},
        {"id": "t-video", "name": "video", "category": "content_type"},
        {"id": "t-photo", "name": "photo", "category": "content_type"},
    ]),
    ("segments", [{"id": "s-gold", "name": "gold"}, {"id": "s-new", "name": "new"}]),
    ("products", [
        {"id": "pA1", "brand_id": "bA", "name": "Serum", "category": "skincare"},
        {"id": "pB1", "brand_id": "bB", "name": "Coat", "category": "outerwear"},
        {"id": "pB2", "brand_id": "bB", "name": "Boot", "category": "shoes"},
        {"id": "pC1", "brand_id": "bC", "name": "Trainer", "category": "shoes"},
    ]),
    ("customers", [
        _customer("c1", "Ai", "North", at(1, 2)),
        _customer("c2", "Bo", "North", at(1, 15)),
        _customer("c3", "Cai", "South", at(2, 3)),
        _customer("c4", "Dan", "South", at(2, 10)),
        _customer("c5", "En", "South", at(3, 1)),
        _customer("c6", "Fei", None, at(3, 20)),
    ]),
    ("social_accounts", [
        _account("a1", "c1"), _account("a1b", "c1"), _account("a2", "c2"), _account("a3", "c3"),
        _account("a4", "c4"), _account("a5", "c5"), _account("a9", None),
    ]),
    ("follows", [
        _follow("a1", "brand", "bA", at(1, 12)),
        _follow("a2", "brand", "bA", at(2, 5)),
        _follow("a3", "brand", "bB", at(2, 10)),
        _follow("a9", "brand", "bA", at(1, 11)),
        _follow("a4", "brand", "bD", None),
        _follow("a5", "account", "a9", at(2, 1)),
        _follow("a4", "account", "a9", at(2, 1)),
        _follow("a1", "account", "a2", at(2, 1)),
    ]),
    ("posts", [
        _post("pA", "brand", "bA", at(1, 15), "t-video"),
        _post("pB", "brand", "bB", at(2, 1), "t-photo"),
        _post("pC", "brand", "bC", at(3, 10), "t-video"),
        _post("p9", "account", "a9", at(2, 1), "t-video"),
        _post("p2", "account", "a2", at(2, 15), "t-photo"),
        _post("p1", "account", "a1", at(2, 18), "t-photo"),
    ]),
    ("interactions", [
        _hit("a1", "pA", "like", at(1, 16)),
        _hit("a1", "pA", "comment", at(1, 17)),
        _hit("a4", "pA", "like", at(2, 12)),
        _hit("a3", "pB", "like", at(2, 11)),
        _hit("a5", "pC", "like", at(3, 11)),
        _hit("a3", "pC", "like", at(3, 12)),
        _hit("a1", "p9", "share", at(2, 2)),
        _hit("a4", "p9", "like", at(2, 12)),
        _hit("a2", "p9", "like", at(2, 20)),
        _hit("a5", "p9", "share", at(3, 2)),
        _hit("a1b", "p2", "like", at(2, 16)),
        _hit("a2", "p2", "like", at(2, 16)),
        _hit("a1b", "p1", "like", at(2, 19)),
    ]),
    ("purchases", [
        _order("o1", "c1", "bA", at(1, 20), "pA1"),
        _order("o6", "c1", "bA", at(2, 3), "pA1"),
        _order("o2", "c2", "bB", at(2, 21), "pB2"),
        _order("o3", "c3", "bB", at(2, 25), "pB1"),
        _order("o5", "c5", "bB", at(3, 5), "pB1"),
        _order("o4", "c4", "bC", at(3, 12), "pC1"),
    ]),
    ("customer_tags", [
        {"customer_id": c, "tag_id": t}
        for c, t in [("c1", "t-skin"), ("c2", "t-skin"), ("c2", "t-run"), ("c3", "t-run"),
                     ("c4", "t-run"), ("c5", "t-run"), ("c5", "t-skin")]
    ]),
    ("customer_segments", [
        {"customer_id": c, "segment_id": s}
        for c, s in [("c1", "s-gold"), ("c2", "s-gold"), ("c4", "s-gold"), ("c5", "s-new")]
    ]),
]  # fmt: skip


async def load_network(store: GraphStore, now: int = at(6, 1)) -> WriteCounters:
    total = WriteCounters()
    for kind, rows in ROWS:
        total += await write_records(store, kind, rows, now)
    return total
