"""Batch writes: one `UNWIND $rows AS row` + MERGE statement per kind of record.

MERGE is always on a constrained key (or a relationship between two such nodes), so
writing the same rows twice leaves the graph as it was. Rows are plain dicts in the
shapes documented in docs/ (and produced by loaders/synthetic.py).
"""

from collections.abc import Sequence
from typing import Any

from graph.identity_keys import email_hash, phone_hash
from graph.store import GraphStore, WriteCounters

Row = dict[str, Any]

BRANDS = """
UNWIND $rows AS row
MERGE (b:Brand {id: row.id})
ON CREATE SET b.created_at = coalesce(row.created_at, $now)
SET b.name = row.name, b.category = row.category, b.country = row.country, b.updated_at = $now
"""

TAGS = """
UNWIND $rows AS row
MERGE (t:Tag {id: row.id})
ON CREATE SET t.created_at = $now
SET t.name = row.name, t.category = row.category, t.updated_at = $now
"""

SEGMENTS = """
UNWIND $rows AS row
MERGE (s:Segment {id: row.id})
ON CREATE SET s.created_at = $now
SET s.name = row.name, s.updated_at = $now
"""

PRODUCTS = """
UNWIND $rows AS row
MERGE (p:Product {id: row.id})
ON CREATE SET p.created_at = $now
SET p.name = row.name, p.category = row.category, p.price = row.price, p.updated_at = $now
WITH p, row
MATCH (b:Brand {id: row.brand_id})
MERGE (p)-[:OF_BRAND]->(b)
"""

CUSTOMERS = """
UNWIND $rows AS row
MERGE (c:Customer {id: row.id})
ON CREATE SET c.created_at = coalesce(row.created_at, $now)
SET c.external_id = row.external_id, c.name = row.name, c.email = row.email,
    c.email_hash = row.email_hash, c.phone = row.phone, c.phone_hash = row.phone_hash,
    c.gender = row.gender, c.birth_year = row.birth_year, c.city = row.city,
    c.region = row.region, c.country = row.country, c.updated_at = $now
"""

SOCIAL_ACCOUNTS = """
UNWIND $rows AS row
MERGE (a:SocialAccount {id: row.id})
ON CREATE SET a.created_at = coalesce(row.created_at, $now)
SET a.platform = row.platform, a.handle = row.handle, a.display_name = row.display_name,
    a.updated_at = $now
WITH a, row
WHERE row.customer_id IS NOT NULL
MATCH (c:Customer {id: row.customer_id})
MERGE (c)-[h:HAS_ACCOUNT]->(a)
ON CREATE SET h.linked_at = $now
SET h.method = row.link_method, h.confidence = row.link_confidence
"""

FOLLOWS_BRAND = """
UNWIND $rows AS row
MATCH (a:SocialAccount {id: row.account_id})
MATCH (b:Brand {id: row.target_id})
MERGE (a)-[f:FOLLOWS]->(b)
SET f.since = row.since
"""

FOLLOWS_ACCOUNT = """
UNWIND $rows AS row
MATCH (a:SocialAccount {id: row.account_id})
MATCH (t:SocialAccount {id: row.target_id})
MERGE (a)-[f:FOLLOWS]->(t)
SET f.since = row.since
"""

PURCHASES = """
UNWIND $rows AS row
MERGE (p:Purchase {id: row.id})
ON CREATE SET p.created_at = $now
SET p.at = row.at, p.channel = row.channel, p.currency = row.currency, p.total = row.total,
    p.updated_at = $now
WITH p, row
MATCH (c:Customer {id: row.customer_id})
MERGE (c)-[:MADE]->(p)
WITH p, row
MATCH (b:Brand {id: row.brand_id})
MERGE (p)-[:AT]->(b)
WITH p, row
UNWIND row.items AS item
MATCH (product:Product {id: item.product_id})
MERGE (p)-[line:CONTAINS]->(product)
SET line.quantity = item.quantity, line.unit_price = item.unit_price
"""

_POST_BODY = """
MERGE (post:Post {id: row.id})
ON CREATE SET post.created_at = $now
SET post.at = row.at, post.platform = row.platform, post.content_type = row.content_type,
    post.text = row.text, post.updated_at = $now
MERGE (author)-[:POSTED]->(post)
WITH post, row
UNWIND [row.content_type] + coalesce(row.tag_ids, []) AS tag_id
MATCH (t:Tag {id: tag_id})
MERGE (post)-[:ABOUT]->(t)
"""
POSTS_BY_BRAND = "UNWIND $rows AS row\nMATCH (author:Brand {id: row.author_id})" + _POST_BODY
POSTS_BY_ACCOUNT = (
    "UNWIND $rows AS row\nMATCH (author:SocialAccount {id: row.author_id})" + _POST_BODY
)

INTERACTIONS = """
UNWIND $rows AS row
MATCH (a:SocialAccount {id: row.account_id})
MATCH (post:Post {id: row.post_id})
MERGE (a)-[i:INTERACTED {kind: row.kind, at: row.at}]->(post)
SET i.text = row.text
"""

CUSTOMER_TAGS = """
UNWIND $rows AS row
MATCH (c:Customer {id: row.customer_id})
MATCH (t:Tag {id: row.tag_id})
MERGE (c)-[r:TAGGED]->(t)
SET r.weight = row.weight, r.source = row.source, r.at = row.at
"""

CONSENTS = """
UNWIND $rows AS row
MATCH (c:Customer {id: row.customer_id})
MATCH (b:Brand {id: row.brand_id})
MERGE (c)-[k:CONSENTED {granted_at: row.granted_at}]->(b)
SET k.purposes = row.purposes, k.withdrawn_at = row.withdrawn_at, k.source = row.source,
    k.policy_version = row.policy_version
"""

CUSTOMER_SEGMENTS = """
UNWIND $rows AS row
MATCH (c:Customer {id: row.customer_id})
MATCH (s:Segment {id: row.segment_id})
MERGE (c)-[:IN_SEGMENT]->(s)
"""

_COMPLAINT_BODY = """
MERGE (k:Complaint {id: row.id})
ON CREATE SET k.created_at = $now
SET k.channel = row.channel, k.category = row.category, k.status = row.status,
    k.opened_at = row.opened_at, k.first_response_at = row.first_response_at,
    k.resolved_at = row.resolved_at, k.text = row.text, k.about_kind = row.about_kind,
    k.updated_at = $now
MERGE (c)-[:FILED]->(k)
MERGE (k)-[:ABOUT]->(target)
"""
COMPLAINTS_ABOUT = {
    label.lower(): "UNWIND $rows AS row\nMATCH (c:Customer {id: row.customer_id})\n"
    f"MATCH (target:{label} {{id: row.about_id}})" + _COMPLAINT_BODY
    for label in ("Brand", "Product", "Purchase")
}


def _with_key_hashes(rows: Sequence[Row]) -> list[Row]:
    return [
        {**r, "email_hash": email_hash(r.get("email")), "phone_hash": phone_hash(r.get("phone"))}
        for r in rows
    ]


def _split(
    rows: Sequence[Row], field: str, by_value: dict[str, str]
) -> list[tuple[str, list[Row]]]:
    return [(q, [r for r in rows if r.get(field) == v]) for v, q in by_value.items()]


def plan_writes(kind: str, rows: Sequence[Row]) -> list[tuple[str, list[Row]]]:
    """The statements (with their share of ``rows``) that write a batch of ``kind``.

    Raises KeyError for an unknown kind.
    """
    simple = {
        "brands": BRANDS, "tags": TAGS, "segments": SEGMENTS, "products": PRODUCTS,
        "social_accounts": SOCIAL_ACCOUNTS, "purchases": PURCHASES,
        "interactions": INTERACTIONS, "customer_tags": CUSTOMER_TAGS, "consents": CONSENTS,
        "customer_segments": CUSTOMER_SEGMENTS,
    }  # fmt: skip
    if kind in simple:
        return [(simple[kind], list(rows))]
    if kind == "customers":
        return [(CUSTOMERS, _with_key_hashes(rows))]
    if kind == "follows":
        return _split(rows, "target_kind", {"brand": FOLLOWS_BRAND, "account": FOLLOWS_ACCOUNT})
    if kind == "posts":
        return _split(rows, "author_kind", {"brand": POSTS_BY_BRAND, "account": POSTS_BY_ACCOUNT})
    if kind == "complaints":
        return _split(rows, "about_kind", COMPLAINTS_ABOUT)
    raise KeyError(kind)


async def write_rows(store: GraphStore, kind: str, rows: Sequence[Row], now: int) -> WriteCounters:
    """Write one batch of ``kind``; return the database's counters for it."""
    total = WriteCounters()
    for query, share in plan_writes(kind, rows):
        if share:
            total += await store.write(query, {"rows": share, "now": now})
    return total
