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

INGEST_EVENTS = f"""UNWIND $events AS e
OPTIONAL MATCH (seen:IdempotencyKey {{id: coalesce(e.key, '')}})
OPTIONAL MATCH (gone:Erasure {{id: coalesce(e.tombstone, '')}})
OPTIONAL MATCH (c:Customer {{id: coalesce(e.customer, '')}})
FOREACH (_l IN {_identified} | SET c._lock = true)
WITH e, seen, gone, c
OPTIONAL MATCH (a:SocialAccount {{id: coalesce(e.account, '')}})
OPTIONAL MATCH (b:Brand {{id: coalesce(e.brand, '')}})
OPTIONAL MATCH (p:Product {{id: coalesce(e.product, '')}})
OPTIONAL MATCH (po:Post {{id: coalesce(e.post, '')}})
OPTIONAL MATCH (pu:Purchase {{id: coalesce(e.purchase, '')}})
OPTIONAL MATCH (c)-[:MADE]->(cp:Purchase {{id: coalesce(e.purchase, '')}})
UNWIND CASE WHEN size(e.products) = 0 THEN [null] ELSE e.products END AS pid
OPTIONAL MATCH (pr:Product {{id: coalesce(pid, '')}})
WITH e, seen, gone, c, a, b, p, po, pu, cp, count(DISTINCT pr) AS products_found
WITH e, seen, gone, c, a, b, p, po, pu, cp, products_found,
  CASE WHEN a IS NULL THEN [] ELSE [(a)<-[:HAS_ACCOUNT]-(o:Customer) | o] END AS owners
WITH e, c, a, b, p, po, pu, cp,
  CASE WHEN e.type IN ['interaction', 'identify_account']
    THEN [o IN owners | o.id] ELSE e.customer_ids END AS ids,
  CASE
    WHEN seen IS NOT NULL AND seen.request_hash <> e.hash THEN '{ID_REUSED}'
    WHEN seen IS NOT NULL THEN '{DUPLICATE}'
    WHEN gone IS NOT NULL THEN '{ERASED}'
    WHEN e.customer IS NOT NULL AND c IS NULL AND e.type <> 'identify_customer'
      AND NOT e.identified THEN '{UNKNOWN_CUSTOMER}'
    WHEN NOT $batch.admin AND c.restricted_at IS NOT NULL THEN '{RESTRICTED}'
    WHEN e.type = 'identify_customer' AND coalesce(c.profile_version, 0) <> e.version
      THEN '{STALE}'
    WHEN e.type = 'interaction' AND a IS NULL THEN '{UNKNOWN_ACCOUNT}'
    WHEN NOT $batch.admin AND size([o IN owners WHERE o.restricted_at IS NOT NULL]) > 0
      THEN '{RESTRICTED}'
    WHEN e.brand IS NOT NULL AND b IS NULL THEN '{UNKNOWN_BRAND}'
    WHEN e.product IS NOT NULL AND p IS NULL THEN '{UNKNOWN_PRODUCT}'
    WHEN products_found < size(e.products) THEN '{UNKNOWN_PRODUCT}'
    WHEN e.post IS NOT NULL AND po IS NULL THEN '{UNKNOWN_POST}'
    WHEN e.type = 'purchase' AND pu IS NOT NULL THEN '{PURCHASE_EXISTS}'
    WHEN e.type = 'contact' AND e.purchase IS NOT NULL AND cp IS NULL
      THEN '{UNKNOWN_PURCHASE}'
    ELSE null END AS refusal
FOREACH (_ IN {_when("identify_customer")} |
  MERGE (n:Customer {{id: e.customer}})
  ON CREATE SET n.created_at = $batch.now
  SET n += e.props, n.field_sources = e.sources, n.profile_version = e.version + 1,
    n.row_hash = e.row_hash, n.updated_at = $batch.now)
FOREACH (_l IN {_identified} | SET c._lock = null)
FOREACH (_ IN {_when("identify_account")} |
  MERGE (n:SocialAccount {{id: e.account}})
  ON CREATE SET n.created_at = $batch.now
  SET n += e.props, n.row_hash = e.row_hash, n.updated_at = $batch.now)
FOREACH (_ IN {_when("purchase")} |
  MERGE (cc:Customer {{id: e.customer}})
  CREATE (n:Purchase {{id: e.purchase}})
  SET n += e.props, n.created_at = $batch.now, n.updated_at = $batch.now
  CREATE (cc)-[:MADE]->(n)
  CREATE (n)-[:AT]->(b)
  FOREACH (i IN e.items |
    MERGE (ip:Product {{id: i.id}})
    CREATE (n)-[l:CONTAINS]->(ip)
    SET l.quantity = i.quantity, l.unit_price = i.unit_price))
FOREACH (_ IN {_when("contact")} |
  MERGE (cc:Customer {{id: e.customer}})
  CREATE (k:Contact {{id: e.contact}})
  SET k += e.props, k.created_at = $batch.now, k.updated_at = $batch.now
  CREATE (cc)-[:HAD_CONTACT]->(k)
  FOREACH (_b IN CASE WHEN b IS NULL THEN [] ELSE [1] END | CREATE (k)-[:ABOUT]->(b))
  FOREACH (_p IN CASE WHEN p IS NULL THEN [] ELSE [1] END | CREATE (k)-[:ABOUT]->(p))
  FOREACH (_u IN CASE WHEN cp IS NULL THEN [] ELSE [1] END | CREATE (k)-[:ABOUT]->(cp)))
FOREACH (_ IN {_when("interaction")} |
  MERGE (a)-[r:INTERACTED {{kind: e.props.kind, at: e.props.at}}]->(po)
  SET r.text = e.props.text)
FOREACH (_ IN {_when("tag")} |
  MERGE (cc:Customer {{id: e.customer}})
  MERGE (t:Tag {{id: e.tag}})
  ON CREATE SET t.name = e.tag, t.created_at = $batch.now
  MERGE (cc)-[r:TAGGED]->(t)
  SET r.weight = e.props.weight, r.source = e.props.source, r.at = $batch.now)
FOREACH (_ IN CASE WHEN refusal IS NULL THEN [1] ELSE [] END |
  CREATE (:IdempotencyKey {{id: e.key, request_hash: e.hash, mutation: 'events',
    at: $batch.now, result: e.result, customer_ids: ids}})
  CREATE (:OutboxEvent {{id: e.event.id, kind: e.event.kind, at: $batch.now, seq: e.i,
    payload: e.event.payload, customer_ids: ids}}))
WITH collect({{i: e.i, refusal: refusal}}) AS results,
  collect(CASE WHEN refusal IS NULL THEN ids ELSE [] END) AS written
CREATE (:AuditEntry {{id: $audit.id, at: $audit.at, subject: $audit.subject,
  role: $audit.role, partner_id: $audit.partner_id, purpose: $audit.purpose,
  query_hash: $audit.query_hash, operation: $audit.operation, kinds: $audit.kinds,
  customer_ids: reduce(acc = [], x IN written | acc + [y IN x WHERE NOT y IN acc])}})
RETURN results
"""

# The profiles identify events decide against (resolvers/events.py).
CUSTOMER_PROFILES = """UNWIND $ids AS id
MATCH (c:Customer {id: id})
RETURN c.id AS id, properties(c) AS props
"""
