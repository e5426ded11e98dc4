"""A small graph whose answers are worked out by hand (see the comments)."""

from graph.store import GraphStore, WriteCounters
from loaders.pipeline import write_records

DAY = 86_400_000
T0 = 1_700_000_000_000  # 2023-11-14T22:13:20Z

ROWS: list[tuple[str, list[dict[str, object]]]] = [
    ("brands", [
        {"id": "b1", "name": "Lumora", "category": "beauty", "country": "FR", "created_at": T0},
        {"id": "b2", "name": "Vantelle", "category": "fashion", "country": "CN", "created_at": T0},
    ]),
    ("tags", [
        {"id": "t-video", "name": "video", "category": "content_type"},
        {"id": "t-running", "name": "running", "category": "interest"},
        {"id": "t-skincare", "name": "skincare", "category": "interest"},
    ]),
    ("segments", [{"id": "s-vip", "name": "vip"}]),
    ("products", [
        {"id": "p1", "brand_id": "b1", "name": "Serum", "category": "skincare", "price": 30.0},
        {"id": "p2", "brand_id": "b1", "name": "Cream", "category": "skincare", "price": 20.0},
        {"id": "p3", "brand_id": "b2", "name": "Jacket", "category": "outerwear", "price": 100.0},
    ]),
    ("customers", [
        # c1: three purchases, two accounts, a complaint; c2: nothing but a profile.
        {"id": "c1", "external_id": "CRM-1", "name": "Wang Fang", "email": " Wang.Fang@Example.com",
         "phone": "+86 138 0013 8000", "gender": "female", "birth_year": 1990, "city": "Shanghai",
         "region": "East China", "country": "CN", "created_at": T0},
        {"id": "c2", "external_id": "CRM-2", "name": "Claire Martin", "email": None, "phone": None,
         "gender": None, "birth_year": None, "city": "Paris", "region": "Ile-de-France",
         "country": "FR", "created_at": T0 + DAY},
        {"id": "c3", "external_id": "CRM-3", "name": "Li Wei", "email": "li@example.com",
         "phone": None, "gender": "male", "birth_year": 1985, "city": "Beijing",
         "region": "North China", "country": "CN", "created_at": T0 + 2 * DAY},
    ]),
    ("social_accounts", [
        # a1 carries c1's CRM id, a2 c1's email written differently; a3 no evidence at all.
        {"id": "a1", "platform": "wechat", "handle": "wangfang", "display_name": "Fang",
         "created_at": T0, "customer_id": "c1"},
        {"id": "a2", "platform": "weibo", "handle": "@fang90", "display_name": "Fang W",
         "created_at": T0, "email": "wang.fang@EXAMPLE.com "},
        {"id": "a3", "platform": "instagram", "handle": "@nobody", "display_name": "Nobody",
         "created_at": T0},
    ]),
    ("follows", [
        {"account_id": "a1", "target_kind": "brand", "target_id": "b1", "since": T0},
        {"account_id": "a3", "target_kind": "brand", "target_id": "b1", "since": T0},
        {"account_id": "a3", "target_kind": "account", "target_id": "a1", "since": T0},
    ]),
    ("purchases", [
        {"id": "o1", "customer_id": "c1", "brand_id": "b1", "at": T0 + 1 * DAY, "channel": "online",
         "currency": "EUR", "total": 80.0,
         "items": [{"product_id": "p1", "quantity": 2, "unit_price": 30.0},
                   {"product_id": "p2", "quantity": 1, "unit_price": 20.0}]},
        {"id": "o2", "customer_id": "c1", "brand_id": "b2", "at": T0 + 3 * DAY, "channel": "store",
         "currency": "CNY", "total": 100.0,
         "items": [{"product_id": "p3", "quantity": 1, "unit_price": 100.0}]},
        {"id": "o3", "customer_id": "c1", "brand_id": "b1", "at": T0 + 2 * DAY, "channel": "online",
         "currency": "EUR", "total": 20.0,
         "items": [{"product_id": "p2", "quantity": 1, "unit_price": 20.0}]},
        {"id": "o4", "customer_id": "c3", "brand_id": "b2", "at": T0 + 5 * DAY, "channel": "online",
         "currency": "CNY", "total": 100.0,
         "items": [{"product_id": "p3", "quantity": 1, "unit_price": 100.0}]},
    ]),
    ("posts", [
        {"id": "post1", "author_kind": "brand", "author_id": "b1", "at": T0 + DAY,
         "platform": "wechat", "content_type": "t-video", "text": "New serum", "tag_ids": ["t-skincare"]},
        {"id": "post2", "author_kind": "account", "author_id": "a2", "at": T0 + 4 * DAY,
         "platform": "weibo", "content_type": "t-video", "text": "My run", "tag_ids": ["t-running"]},
    ]),
    ("interactions", [
        {"account_id": "a1", "post_id": "post1", "kind": "like", "at": T0 + 2 * DAY, "text": None},
        {"account_id": "a1", "post_id": "post1", "kind": "comment", "at": T0 + 3 * DAY, "text": "Love it"},
        {"account_id": "a3", "post_id": "post2", "kind": "like", "at": T0 + 5 * DAY, "text": None},
    ]),
    ("customer_tags", [
        {"customer_id": "c1", "tag_id": "t-running", "weight": 0.4, "source": "inferred", "at": T0},
        {"customer_id": "c1", "tag_id": "t-skincare", "weight": 0.9, "source": "declared", "at": T0},
    ]),
    ("consents", [
        {"customer_id": "c1", "brand_id": "b1", "purposes": ["marketing", "partner_sharing"],
         "granted_at": T0, "withdrawn_at": None, "source": "app", "policy_version": "2024-01"},
        {"customer_id": "c1", "brand_id": "b2", "purposes": ["marketing"], "granted_at": T0,
         "withdrawn_at": T0 + DAY, "source": "store", "policy_version": "2024-01"},
    ]),
    ("complaints", [
        {"id": "cmp1", "customer_id": "c1", "about_kind": "purchase", "about_id": "o2",
         "channel": "phone", "category": "delivery", "status": "resolved", "opened_at": T0 + 4 * DAY,
         "first_response_at": T0 + 4 * DAY + 3_600_000, "resolved_at": T0 + 5 * DAY,
         "text": "Late delivery"},
        {"id": "cmp2", "customer_id": "c1", "about_kind": "brand", "about_id": "b1",
         "channel": "email", "category": "service", "status": "open", "opened_at": T0 + 6 * DAY,
         "first_response_at": None, "resolved_at": None, "text": "No answer"},
        {"id": "cmp3", "customer_id": "c3", "about_kind": "product", "about_id": "p3",
         "channel": "chat", "category": "quality", "status": "open", "opened_at": T0 + 6 * DAY,
         "first_response_at": None, "resolved_at": None, "text": "Torn"},
    ]),
    ("customer_segments", [{"customer_id": "c1", "segment_id": "s-vip"}]),
]  # fmt: skip


async def load_sample(store: GraphStore, now: int = T0 + 10 * DAY) -> WriteCounters:
    total = WriteCounters()
    for kind, rows in ROWS:
        total += await write_records(store, kind, rows, now)
    return total
