"""A small graph for traits, rules and audiences; every answer the tests expect is worked
out by hand in the comments of tests/integration/test_traits.py and test_rules.py."""

from graph.store import GraphStore
from loaders.pipeline import write_records

DAY = 86_400_000
T0 = 1_700_000_000_000
NOW = T0 + 100 * DAY


def ago(days: int) -> int:
    return NOW - days * DAY


ROWS: list[tuple[str, list[dict[str, object]]]] = [
    ("brands", [{"id": "b1", "name": "Lumora"}, {"id": "b2", "name": "Vantelle"}]),
    ("tags", [{"id": "t-run", "name": "running", "category": "interest"}]),
    ("products", [
        {"id": "p1", "brand_id": "b1", "name": "Serum", "category": "skincare", "price": 20.0},
        {"id": "p2", "brand_id": "b2", "name": "Jacket", "category": "outerwear", "price": 100.0},
    ]),
    ("customers", [
        {"id": "c1", "name": "A", "country": "CN", "region": "East", "created_at": T0},
        {"id": "c2", "name": "B", "country": "FR", "region": "Paris", "created_at": T0},
        {"id": "c3", "name": "C", "country": "CN", "region": "North", "created_at": ago(30)},
        {"id": "c4", "name": "D", "country": "CN", "region": "East", "created_at": ago(10)},
        {"id": "c5", "name": "E", "country": "FR", "region": "Paris", "created_at": T0},
        {"id": "c6", "name": "F", "country": "CN", "region": "East", "created_at": T0},
    ]),
    ("social_accounts", [
        {"id": "a1", "platform": "wechat", "handle": "h1", "customer_id": "c1"},
        {"id": "a3", "platform": "weibo", "handle": "h3", "customer_id": "c3"},
        {"id": "a4", "platform": "wechat", "handle": "h4", "customer_id": "c4"},
    ]),
    ("purchases", [
        {"id": "o1", "customer_id": "c1", "brand_id": "b1", "at": ago(50), "channel": "online",
         "total": 80.0, "items": [{"product_id": "p1", "quantity": 4, "unit_price": 20.0}]},
        {"id": "o2", "customer_id": "c1", "brand_id": "b2", "at": ago(10), "channel": "store",
         "total": 100.0, "items": [{"product_id": "p2", "quantity": 1, "unit_price": 100.0}]},
        {"id": "o3", "customer_id": "c1", "brand_id": "b1", "at": ago(5), "channel": "online",
         "total": 20.0, "items": [{"product_id": "p1", "quantity": 1, "unit_price": 20.0}]},
        {"id": "o4", "customer_id": "c2", "brand_id": "b2", "at": ago(200), "channel": "online",
         "total": 300.0, "items": [{"product_id": "p2", "quantity": 3, "unit_price": 100.0}]},
        {"id": "o5", "customer_id": "c3", "brand_id": "b1", "at": ago(20), "channel": "store",
         "total": 40.0, "items": [{"product_id": "p1", "quantity": 2, "unit_price": 20.0}]},
        {"id": "o6", "customer_id": "c5", "brand_id": "b1", "at": ago(2), "channel": "online",
         "total": 1500.0, "items": [{"product_id": "p1", "quantity": 75, "unit_price": 20.0}]},
        {"id": "o7", "customer_id": "c6", "brand_id": "b1", "at": ago(1), "channel": "online",
         "total": 500.0},
    ]),
    ("posts", [
        {"id": "post1", "author_kind": "brand", "author_id": "b1", "at": ago(70),
         "platform": "wechat", "content_type": "video"},
        {"id": "post2", "author_kind": "brand", "author_id": "b2", "at": ago(70),
         "platform": "weibo", "content_type": "activity"},
    ]),
    ("interactions", [
        {"account_id": "a1", "post_id": "post1", "kind": "like", "at": ago(3)},
        {"account_id": "a1", "post_id": "post2", "kind": "comment", "at": ago(40)},
        {"account_id": "a3", "post_id": "post2", "kind": "like", "at": ago(1)},
        {"account_id": "a4", "post_id": "post1", "kind": "share", "at": ago(60)},
    ]),
    ("customer_tags", [
        {"customer_id": "c1", "tag_id": "t-run", "weight": 0.4},
        {"customer_id": "c3", "tag_id": "t-run", "weight": 0.9},
    ]),
    ("consents", [
        {"customer_id": "c1", "brand_id": "b1", "granted_at": ago(100), "purposes": "marketing"},
        {"customer_id": "c2", "brand_id": "b1", "granted_at": ago(100), "withdrawn_at": ago(1),
         "purposes": "marketing"},
        {"customer_id": "c3", "brand_id": "b1", "granted_at": ago(100), "purposes": "analytics"},
    ]),
    ("complaints", [
        {"id": "k1", "customer_id": "c1", "about_kind": "brand", "about_id": "b1",
         "category": "delivery", "opened_at": ago(30)},
    ]),
]  # fmt: skip


async def build(store: GraphStore) -> None:
    """Write the rows, then restrict c6's processing (the one restricted customer)."""
    for kind, rows in ROWS:
        await write_records(store, kind, rows, T0)
    await store.write("MATCH (c:Customer {id: 'c6'}) SET c.restricted_at = $now", {"now": T0})
