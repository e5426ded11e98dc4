"""Data-subject rights: export everything about a customer, erase it, restrict processing.

An erasure removes the customer and every personal satellite (docs/privacy.md has the
list and the reasons), scrubs the customer's id from the system nodes that name it, and
leaves `(:Erasure)` tombstones: keyed HMACs of the erased ids, holding no identifier, that
the loaders look up to refuse any later row that would bring the customer back.
"""

import hashlib
import hmac

from graph.model import NODE_LABELS, SYSTEM_LABELS

# What a tombstone stands for. The customer's own tombstone is the HMAC of its id under the
# erasure key; the others use a key derived per kind, so equal ids of different kinds
# never share a tombstone.
ERASED_KINDS: tuple[str, ...] = ("customer", "account", "post", "purchase", "complaint")


def erasure_id(key: bytes, value: str, of: str = "customer") -> str:
    """The tombstone id of the ``of`` with id ``value``: hex HMAC-SHA256 under ``key``
    (the hub's ``derived_key("erasure")``), or under HMAC(key, of) for the other kinds."""
    if of not in ERASED_KINDS:
        raise ValueError(f"unknown erased kind {of!r}")
    if of != "customer":
        key = hmac.new(key, of.encode(), hashlib.sha256).digest()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


# --- export -------------------------------------------------------------------------------

# The customer and everything hanging off it, as plain maps (one row; none when missing).
# Every comprehension has names of its own (FalkorDB: docs/engines.md).
EXPORT_CUSTOMER = """
MATCH (c:Customer {id: $id})
RETURN properties(c) AS profile,
  [(c)-[xh:HAS_ACCOUNT]->(xa:SocialAccount) | {account: properties(xa),
     link: {method: xh.method, confidence: xh.confidence, linked_at: xh.linked_at},
     follows: [(xa)-[xf:FOLLOWS]->(xt) | {target_kind: head(labels(xt)), target_id: xt.id,
                                          since: xf.since}]}] AS identities,
  [(c)-[xtr:TAGGED]->(xtg:Tag) | {tag_id: xtg.id, name: xtg.name, category: xtg.category,
     weight: xtr.weight, source: xtr.source, at: xtr.at}] AS tags,
  [(c)-[:IN_SEGMENT]->(xs:Segment) | {segment_id: xs.id, name: xs.name}] AS segments,
  [(c)-[xc:CONSENTED]->(xb:Brand) | {brand_id: xb.id, purposes: xc.purposes,
     granted_at: xc.granted_at, withdrawn_at: xc.withdrawn_at, source: xc.source,
     policy_version: xc.policy_version}] AS consents,
  [(c)-[:MADE]->(xp:Purchase) | {purchase: properties(xp),
     brand_id: head([(xp)-[:AT]->(xpb:Brand) | xpb.id]),
     items: [(xp)-[xi:CONTAINS]->(xpr:Product) | {product_id: xpr.id, name: xpr.name,
             quantity: xi.quantity, unit_price: xi.unit_price}]}] AS purchases,
  [(c)-[:HAS_ACCOUNT]->(xpa:SocialAccount)-[:POSTED]->(xpo:Post) | {account_id: xpa.id,
     post: properties(xpo), tag_ids: [(xpo)-[:ABOUT]->(xpt:Tag) | xpt.id]}] AS posts,
  [(c)-[:HAS_ACCOUNT]->(xia:SocialAccount)-[xir:INTERACTED]->(xip:Post) | {
     account_id: xia.id, post_id: xip.id, kind: xir.kind, at: xir.at,
     text: xir.text}] AS interactions,
  [(c)-[:FILED]->(xk:Complaint) | {complaint: properties(xk),
     about_id: head([(xk)-[:ABOUT]->(xka) | xka.id])}] AS complaints
"""

EXPORT_CONSENT_EVENTS = """
MATCH (e:ConsentEvent {customer_id: $id})
RETURN properties(e) AS event, e.at AS at, e.id AS id
ORDER BY at DESC, id DESC
"""

# The audit entries naming the customer; other customers' ids are not exported.
EXPORT_AUDIT_ENTRIES = """
MATCH (a:AuditEntry) WHERE $id IN a.customer_ids
RETURN a {.id, .at, .subject, .role, .partner_id, .purpose, .query_hash, .kinds} AS entry,
       a.at AS at, a.id AS id
ORDER BY at DESC, id DESC
"""

# --- restriction --------------------------------------------------------------------------

# Set (keeping the first time) or clear `restricted_at`; no row when the customer is missing.
RESTRICT = """
MATCH (c:Customer {id: $id})
SET c.restricted_at = CASE WHEN $restricted THEN coalesce(c.restricted_at, $now) ELSE null END
RETURN c.restricted_at AS restricted_at
"""

# --- erasure ------------------------------------------------------------------------------

# What an erasure removes: the customer's accounts (with how many customers each is linked
# to), their posts, its purchases and complaints, and its identity keys.
ERASURE_PLAN = """
MATCH (c:Customer {id: $id})
RETURN c.email_hash AS email_hash, c.phone_hash AS phone_hash,
  [(c)-[:HAS_ACCOUNT]->(ea:SocialAccount) | {id: ea.id,
     owners: size([(ea)<-[:HAS_ACCOUNT]-(:Customer) | 1])}] AS accounts,
  [(c)-[:HAS_ACCOUNT]->(pa:SocialAccount)-[:POSTED]->(ep:Post) | {account: pa.id,
     post: ep.id}] AS posts,
  [(c)-[:MADE]->(eo:Purchase) | eo.id] AS purchases,
  [(c)-[:FILED]->(ek:Complaint) | ek.id] AS complaints
"""

# Accounts whose identity evidence names the customer: they claim its id or share one of
# its keys (a null key matches nothing).
EVIDENCE_ACCOUNTS = """
MATCH (a:SocialAccount {claimed_customer_id: $id}) RETURN a.id AS id
UNION
MATCH (a:SocialAccount {email_hash: $email_hash}) RETURN a.id AS id
UNION
MATCH (a:SocialAccount {phone_hash: $phone_hash}) RETURN a.id AS id
"""

# The neighbours of everything an erasure deletes: stubs among them may be left orphaned.
ERASURE_NEIGHBOURS = """
MATCH (:Customer {id: $id})--(m) RETURN labels(m) AS labels, m.id AS id
UNION
UNWIND $accounts AS i MATCH (:SocialAccount {id: i})--(m) RETURN labels(m) AS labels, m.id AS id
UNION
UNWIND $posts AS i MATCH (:Post {id: i})--(m) RETURN labels(m) AS labels, m.id AS id
UNION
UNWIND $purchases AS i MATCH (:Purchase {id: i})--(m) RETURN labels(m) AS labels, m.id AS id
UNION
UNWIND $complaints AS i MATCH (:Complaint {id: i})--(m) RETURN labels(m) AS labels, m.id AS id
"""

# Tombstones first, so loads running meanwhile already refuse what is being erased.
WRITE_TOMBSTONES = """
UNWIND $tombstones AS t
MERGE (e:Erasure {id: t.id})
ON CREATE SET e.of = t.of, e.at = $now, e.actor = $actor
"""

# Deleting a node deletes its relationships: line items with purchases, interactions and
# topics with posts, follows and interactions with accounts, tags, segments, consents and
# links with the customer.
DELETE_BY_LABEL: dict[str, str] = {
    label: f"UNWIND $ids AS i MATCH (n:{label} {{id: i}}) DETACH DELETE n"
    for label in ("Post", "SocialAccount", "Purchase", "Complaint", "Customer")
}

# Remove the evidence naming the erased customer from accounts that stay; their conflict
# note (which names customers) goes too: the next relink decides them afresh.
SCRUB_EVIDENCE = """
UNWIND $ids AS i
MATCH (a:SocialAccount {id: i})
SET a.claimed_customer_id = CASE WHEN a.claimed_customer_id = $id THEN null
                                 ELSE a.claimed_customer_id END,
    a.email_hash = CASE WHEN a.email_hash = $email_hash THEN null ELSE a.email_hash END,
    a.phone_hash = CASE WHEN a.phone_hash = $phone_hash THEN null ELSE a.phone_hash END,
    a.link_conflict = null
"""

DELETE_CONSENT_EVENTS = "MATCH (e:ConsentEvent {customer_id: $id}) DELETE e"

# System nodes name customers only in a `customer_ids` list (graph/model.py).
SCRUB_CUSTOMER_IDS: dict[str, str] = {
    label: f"MATCH (n:{label}) WHERE $id IN n.customer_ids "
    "SET n.customer_ids = [x IN n.customer_ids WHERE x <> $id]"
    for label in SYSTEM_LABELS
    if label not in ("ConsentEvent", "Erasure")  # events are deleted; tombstones hold none
}

# Stubs (never loaded: no row_hash) left with no relationship once their neighbour went.
DELETE_ORPHAN_STUBS: dict[str, str] = {
    label: f"UNWIND $ids AS i MATCH (n:{label} {{id: i}}) "
    "WHERE n.row_hash IS NULL AND size([(n)--() | 1]) = 0 DELETE n"
    for label in NODE_LABELS
}

# --- the loaders' check -------------------------------------------------------------------

# Which of `$ids` are tombstones (one index lookup each).
ERASED_AMONG = "UNWIND $ids AS i MATCH (e:Erasure {id: i}) RETURN e.id AS id"

# Whether the graph holds any tombstone at all.
ANY_ERASURE = "MATCH (e:Erasure) RETURN e.id AS id LIMIT 1"
