"""`POST /events`: a whole batch of events in ONE statement, so one transaction on both
engines (FalkorDB has no multi-statement transactions), with one outbox event and one
receipt per written event and one audit entry for the batch (docs/operations.md).

Rows arrive validated by loaders/kinds.py (resolvers/events.py), identify events first:
``{i, type, key, hash, tombstone, customer, account, brand, product, post, purchase, tag,
products, props, items, row_hash, identified, customer_ids, sources, version, event: {id,
kind, payload}}``, the fields a type does not use null. ``type`` is one of ``TYPES``.

Lookups go by id through the unique index: an id the event does not have is looked up
as '' (no node has it), never as null, which the embedded engine answers by scanning the
label; a purchase's products are looked up one by one (`IN` a row's list scans too).

Each row's refusal is decided from what the graph held when the statement started (every
OPTIONAL MATCH runs before any write): a track event about a customer an identify event of
the same batch creates says so with ``identified``. The receipt is an `(:IdempotencyKey)`
(unique id: the hash of the caller and the event id), so a batch sent again is answered
`duplicate` event by event; two first sends racing on Neo4j break the key's uniqueness
constraint and the resolver runs the batch again. Writes are MERGEs, or CREATEs of records
whose ids are constrained. The one write decided on values read before is an identify
event's profile: its fields that win by the survivorship rules (resolvers/events.py,
against the profile at ``version``), refused as `stale` when the profile's version moved
since; the customer is locked before its version is read, as graph/mutations.py does.
"""

from functools import cache

TYPES = ("identify_customer", "identify_account", "purchase", "contact", "interaction", "tag")

# Refusals, in the order they are checked.
DUPLICATE = "duplicate"
ID_REUSED = "id_reused"
ERASED = "erased"
RESTRICTED = "restricted"
UNKNOWN_CUSTOMER = "unknown_customer"
UNKNOWN_ACCOUNT = "unknown_account"
UNKNOWN_BRAND = "unknown_brand"
UNKNOWN_PRODUCT = "unknown_product"
UNKNOWN_POST = "unknown_post"
UNKNOWN_PURCHASE = "unknown_purchase"
PURCHASE_EXISTS = "purchase_exists"
STALE = "stale"  # an identify decided on a profile that changed since (resolvers/events.py)


def _when(kind: str) -> str:
    return f"CASE WHEN refusal IS NULL AND e.type = '{kind}' THEN [1] ELSE [] END"


# An identify event about a known customer locks it before its profile version is read
# (as graph/mutations.py does), so that two batches at once decide one after the other.
_identified = "CASE WHEN e.type = 'identify_customer' AND c IS NOT NULL THEN [1] ELSE [] END"

# What each kind of event needs looked up: (variable, clause, the types that need it).
_LOOKUPS = (
    ("a", "OPTIONAL MATCH (a:SocialAccount {id: coalesce(e.account, '')})",
     {"interaction", "identify_account"}),
    ("b", "OPTIONAL MATCH (b:Brand {id: coalesce(e.brand, '')})", {"purchase", "contact"}),
    ("p", "OPTIONAL MATCH (p:Product {id: coalesce(e.product, '')})", {"contact"}),
    ("po", "OPTIONAL MATCH (po:Post {id: coalesce(e.post, '')})", {"interaction"}),
    ("pu", "OPTIONAL MATCH (pu:Purchase {id: coalesce(e.purchase, '')})", {"purchase"}),
    ("cp", "OPTIONAL MATCH (c)-[:MADE]->(cp:Purchase {id: coalesce(e.purchase, '')})",
     {"contact"}),
)  # fmt: skip
_CUSTOMER_TYPES = {"identify_customer", "purchase", "contact", "tag"}

# Refusals after the receipt's and the tombstone's: (condition, refusal, variables used).
_CHECKS = (
    ("e.customer IS NOT NULL AND c IS NULL AND e.type <> 'identify_customer'"
     " AND NOT e.identified", UNKNOWN_CUSTOMER, {"c"}),
    ("NOT $batch.admin AND c.restricted_at IS NOT NULL", RESTRICTED, {"c"}),
    ("e.type = 'identify_customer' AND coalesce(c.profile_version, 0) <> e.version", STALE,
     {"c", "identify_customer"}),
    ("e.type = 'interaction' AND a IS NULL", UNKNOWN_ACCOUNT, {"a"}),
    ("NOT $batch.admin AND size([o IN owners WHERE o.restricted_at IS NOT NULL]) > 0",
     RESTRICTED, {"a"}),
    ("e.brand IS NOT NULL AND b IS NULL", UNKNOWN_BRAND, {"b"}),
    ("e.product IS NOT NULL AND p IS NULL", UNKNOWN_PRODUCT, {"p"}),
    ("products_found < size(e.products)", UNKNOWN_PRODUCT, {"purchase"}),
    ("e.post IS NOT NULL AND po IS NULL", UNKNOWN_POST, {"po"}),
    ("e.type = 'purchase' AND pu IS NOT NULL", PURCHASE_EXISTS, {"pu"}),
    ("e.type = 'contact' AND e.purchase IS NOT NULL AND cp IS NULL", UNKNOWN_PURCHASE,
     {"cp"}),
)  # fmt: skip

_WRITES = {
    "identify_customer": f"""FOREACH (_ IN {_when("identify_customer")} |
  MERGE (n:Customer {{id: e.customer}})
  ON CREATE SET n.created_at = $batch.now
  SET n += e.props, n.field_sources = e.sources, n.profile_version = e.version + 1,
    n.row_hash = e.row_hash, n.updated_at = $batch.now)""",
    "identify_account": f"""FOREACH (_ IN {_when("identify_account")} |
  MERGE (n:SocialAccount {{id: e.account}})
  ON CREATE SET n.created_at = $batch.now
  SET n += e.props, n.row_hash = e.row_hash, n.updated_at = $batch.now)""",
    "purchase": f"""FOREACH (_ IN {_when("purchase")} |
  MERGE (cc:Customer {{id: e.customer}})
  CREATE (n:Purchase {{id: e.purchase}})
  SET n += e.props, n.created_at = $batch.now, n.updated_at = $batch.now
  CREATE (cc)-[:MADE]->(n)
  CREATE (n)-[:AT]->(b)
  FOREACH (i IN e.items |
    MERGE (ip:Product {{id: i.id}})
    CREATE (n)-[l:CONTAINS]->(ip)
    SET l.quantity = i.quantity, l.unit_price = i.unit_price))""",
    "contact": f"""FOREACH (_ IN {_when("contact")} |
  MERGE (cc:Customer {{id: e.customer}})
  CREATE (k:Contact {{id: e.contact}})
  SET k += e.props, k.created_at = $batch.now, k.updated_at = $batch.now
  CREATE (cc)-[:HAD_CONTACT]->(k)
  FOREACH (_b IN CASE WHEN b IS NULL THEN [] ELSE [1] END | CREATE (k)-[:ABOUT]->(b))
  FOREACH (_p IN CASE WHEN p IS NULL THEN [] ELSE [1] END | CREATE (k)-[:ABOUT]->(p))
  FOREACH (_u IN CASE WHEN cp IS NULL THEN [] ELSE [1] END | CREATE (k)-[:ABOUT]->(cp)))""",
    "interaction": f"""FOREACH (_ IN {_when("interaction")} |
  MERGE (a)-[r:INTERACTED {{kind: e.props.kind, at: e.props.at}}]->(po)
  SET r.text = e.props.text)""",
    "tag": f"""FOREACH (_ IN {_when("tag")} |
  MERGE (cc:Customer {{id: e.customer}})
  MERGE (t:Tag {{id: e.tag}})
  ON CREATE SET t.name = e.tag, t.created_at = $batch.now
  MERGE (cc)-[r:TAGGED]->(t)
  SET r.weight = e.props.weight, r.source = e.props.source, r.at = $batch.now)""",
}


@cache
def ingest_statement(types: frozenset[str]) -> str:
    """The statement of a batch whose events are of ``types`` (a subset of TYPES): only
    the lookups, checks and writes those need, so a batch of one kind does not pay for
    the others (the refusals are the same, in the same order)."""
    have = set(types)
    lookups = [(v, clause) for v, clause, wanted in _LOOKUPS if wanted & have]
    if have & _CUSTOMER_TYPES:
        have.add("c")
    have |= {v for v, _ in lookups}
    bound = ["e", "seen", "gone", "c"] + [v for v, _ in lookups]
    lines = [
        "UNWIND $events AS e",
        "OPTIONAL MATCH (seen:IdempotencyKey {id: coalesce(e.key, '')})",
        "OPTIONAL MATCH (gone:Erasure {id: coalesce(e.tombstone, '')})",
    ]
    if "c" in have:
        lines.append("OPTIONAL MATCH (c:Customer {id: coalesce(e.customer, '')})")
    else:
        lines.append("WITH e, seen, gone, null AS c")
    if "identify_customer" in have:
        lines += [f"FOREACH (_l IN {_identified} | SET c._lock = true)", "WITH e, seen, gone, c"]
    lines += [clause for _, clause in lookups]
    if "purchase" in have:
        lines += [
            "UNWIND CASE WHEN size(e.products) = 0 THEN [null] ELSE e.products END AS pid",
            "OPTIONAL MATCH (pr:Product {id: coalesce(pid, '')})",
            f"WITH {', '.join(bound)}, count(DISTINCT pr) AS products_found",
        ]
        bound.append("products_found")
    if "a" in have:
        lines.append(f"WITH {', '.join(bound)}, CASE WHEN a IS NULL THEN [] ELSE "
                     "[(a)<-[:HAS_ACCOUNT]-(o:Customer) | o] END AS owners")  # fmt: skip
        bound.append("owners")
        ids = ("CASE WHEN e.type IN ['interaction', 'identify_account'] "
               "THEN [o IN owners | o.id] ELSE e.customer_ids END AS ids")  # fmt: skip
    else:
        ids = "e.customer_ids AS ids"
    checks = [f"    WHEN {cond} THEN '{refusal}'" for cond, refusal, uses in _CHECKS
              if uses <= have]  # fmt: skip
    kept = [v for v in bound if v not in ("seen", "gone", "products_found", "owners")]
    lines += [
        f"WITH {', '.join(kept)}, {ids},",
        "  CASE",
        f"    WHEN seen IS NOT NULL AND seen.request_hash <> e.hash THEN '{ID_REUSED}'",
        f"    WHEN seen IS NOT NULL THEN '{DUPLICATE}'",
        f"    WHEN gone IS NOT NULL THEN '{ERASED}'",
        *checks,
        "    ELSE null END AS refusal",
    ]
    for kind in TYPES:
        if kind in have:
            lines.append(_WRITES[kind])
    if "identify_customer" in have:
        lines.append(f"FOREACH (_l IN {_identified} | SET c._lock = null)")
    return "\n".join(lines) + "\n" + _RECEIPTS


_RECEIPTS = """FOREACH (_ IN CASE WHEN refusal IS NULL THEN [1] ELSE [] END |
  CREATE (:IdempotencyKey {id: e.key, request_hash: e.hash, mutation: 'events',
    at: $batch.now, result: e.result, customer_ids: ids})
  CREATE (:OutboxEvent {id: e.event.id, kind: e.event.kind, at: $batch.now, seq: e.i,
    payload: e.event.payload, customer_ids: ids}))
WITH collect({i: e.i, refusal: refusal}) AS results,
  collect(CASE WHEN refusal IS NULL THEN ids ELSE [] END) AS written
CREATE (:AuditEntry {id: $audit.id, at: $audit.at, subject: $audit.subject,
  role: $audit.role, partner_id: $audit.partner_id, purpose: $audit.purpose,
  query_hash: $audit.query_hash, operation: $audit.operation, kinds: $audit.kinds,
  customer_ids: reduce(acc = [], x IN written | acc + [y IN x WHERE NOT y IN acc])})
RETURN results
"""

# Every kind at once (what a mixed batch runs).
INGEST_EVENTS = ingest_statement(frozenset(TYPES))


# The profiles identify events decide against (resolvers/events.py).
CUSTOMER_PROFILES = """UNWIND $ids AS id
MATCH (c:Customer {id: id})
RETURN c.id AS id, properties(c) AS props
"""
