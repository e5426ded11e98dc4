"""`POST /events`: a whole batch of events in ONE statement, so one transaction on both
engines (FalkorDB has no multi-statement transactions), with one outbox event and one
receipt per written event and one audit entry for the batch (docs/operations.md).

Rows arrive validated by loaders/kinds.py (resolvers/events.py), identify events first:
``{i, type, key, hash, tombstone, customer, account, brand, product, post, purchase, tag,
products, props, items, row_hash, identified, sources, version, payload}``. ``type`` is
one of ``TYPES``; ``payload`` the JSON payload of its outbox event, whose id is the batch's
``outbox`` prefix and ``i`` and whose kind the statement writes from ``type``
(``OUTBOX_KINDS``: text the rows need not carry). The fields a type does not use are left out
(null here: the embedded engine reads parameters as query text, so every key a row
leaves out is text it does not parse), ``identified`` when false, ``products`` and
``items`` when empty.

The statement is built for the batch (``ingest_events``): it looks up, refuses and writes
only what the batch's kinds of events and the fields its rows carry need (a batch of
contacts about brands looks up no account, post or product, and does not walk each
customer's purchases for a purchase none of them names); one text per shape, so the
engines' plan caches keep a few.

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

The audit entry names each written customer once: a row per id (a null one for an event
that wrote none), then `collect(DISTINCT ...)`, linear in the batch (folding the rows'
lists into one with `reduce` was quadratic).
"""

import functools
from collections.abc import Mapping, Sequence
from typing import Any

TYPES = ("identify_customer", "identify_account", "purchase", "contact", "interaction", "tag")
# The kind of the outbox event each type of row leaves (docs/operations.md).
OUTBOX_KINDS = {
    "identify_customer": "customer.identified", "identify_account": "account.identified",
    "purchase": "purchase.recorded", "contact": "contact.recorded",
    "interaction": "interaction.recorded", "tag": "customer.tagged",
}  # fmt: skip

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


# What a batch may need looked up, each bound to a variable of the statement: the
# lookups of the fields its rows carry (``made``: a contact's purchase, which must be the
# customer's; ``products``: a purchase's line items), no other.
LOOKUPS = ("account", "brand", "product", "post", "purchase", "made", "products")
_MATCHES = {
    "account": "OPTIONAL MATCH (a:SocialAccount {id: coalesce(e.account, '')})",
    "brand": "OPTIONAL MATCH (b:Brand {id: coalesce(e.brand, '')})",
    "product": "OPTIONAL MATCH (p:Product {id: coalesce(e.product, '')})",
    "post": "OPTIONAL MATCH (po:Post {id: coalesce(e.post, '')})",
    "purchase": "OPTIONAL MATCH (pu:Purchase {id: coalesce(e.purchase, '')})",
    "made": "OPTIONAL MATCH (c)-[:MADE]->(cp:Purchase {id: coalesce(e.purchase, '')})",
}
_BOUND = {"account": "a", "brand": "b", "product": "p", "post": "po", "purchase": "pu",
          "made": "cp"}  # fmt: skip

# The refusal of a row: the first that applies, in this order; each line with the lookup
# it needs (None: always there).
_REFUSALS: tuple[tuple[str | None, str], ...] = (
    (None, f"WHEN seen IS NOT NULL AND seen.request_hash <> e.hash THEN '{ID_REUSED}'"),
    (None, f"WHEN seen IS NOT NULL THEN '{DUPLICATE}'"),
    (None, f"WHEN gone IS NOT NULL THEN '{ERASED}'"),
    (None, "WHEN e.customer IS NOT NULL AND c IS NULL AND e.type <> 'identify_customer'\n"
           f"      AND NOT coalesce(e.identified, false) THEN '{UNKNOWN_CUSTOMER}'"),
    (None, f"WHEN NOT $batch.admin AND c.restricted_at IS NOT NULL THEN '{RESTRICTED}'"),
    (None, "WHEN e.type = 'identify_customer' AND coalesce(c.profile_version, 0) <> e.version\n"
           f"      THEN '{STALE}'"),
    ("account", f"WHEN e.type = 'interaction' AND a IS NULL THEN '{UNKNOWN_ACCOUNT}'"),
    ("account", "WHEN NOT $batch.admin AND size([o IN owners WHERE o.restricted_at IS NOT "
                f"NULL]) > 0\n      THEN '{RESTRICTED}'"),
    ("brand", f"WHEN e.brand IS NOT NULL AND b IS NULL THEN '{UNKNOWN_BRAND}'"),
    ("product", f"WHEN e.product IS NOT NULL AND p IS NULL THEN '{UNKNOWN_PRODUCT}'"),
    ("products", f"WHEN products_found < size(coalesce(e.products, [])) THEN '{UNKNOWN_PRODUCT}'"),
    ("post", f"WHEN e.post IS NOT NULL AND po IS NULL THEN '{UNKNOWN_POST}'"),
    ("purchase", f"WHEN e.type = 'purchase' AND pu IS NOT NULL THEN '{PURCHASE_EXISTS}'"),
    ("made", "WHEN e.type = 'contact' AND e.purchase IS NOT NULL AND cp IS NULL\n"
             f"      THEN '{UNKNOWN_PURCHASE}'"),
)  # fmt: skip


def _when(kind: str) -> str:
    return f"CASE WHEN refusal IS NULL AND e.type = '{kind}' THEN [1] ELSE [] END"


def _if_bound(variable: str) -> str:
    return f"CASE WHEN {variable} IS NULL THEN [] ELSE [1] END"


# An identify event about a known customer locks it before its profile version is read
# (as graph/mutations.py does), so that two batches at once decide one after the other.
_identified = "CASE WHEN e.type = 'identify_customer' AND c IS NOT NULL THEN [1] ELSE [] END"


def _to_customer(write: str) -> str:
    """``write`` (a clause on ``cc``, the row's customer) run on ``c`` when the statement
    found it, else on the customer an identify event of the batch created (MERGEd by id):
    one index lookup a row fewer for the common case of a known customer."""
    return (f"FOREACH (cc IN CASE WHEN c IS NULL THEN [] ELSE [c] END | {write})\n"
            "  FOREACH (_m IN CASE WHEN c IS NULL THEN [1] ELSE [] END |\n"
            f"    MERGE (cc:Customer {{id: e.customer}}) {write})")  # fmt: skip


def _writes(kind: str, lookups: frozenset[str]) -> str:
    """The FOREACH that writes the accepted rows of ``kind``."""
    if kind == "identify_customer":
        return f"""FOREACH (_ IN {_when(kind)} |
  MERGE (n:Customer {{id: e.customer}})
  ON CREATE SET n.created_at = $batch.now
  SET n += e.props, n.field_sources = e.sources, n.profile_version = e.version + 1,
    n.row_hash = e.row_hash, n.updated_at = $batch.now)
FOREACH (_l IN {_identified} | SET c._lock = null)"""
    if kind == "identify_account":
        return f"""FOREACH (_ IN {_when(kind)} |
  MERGE (n:SocialAccount {{id: e.account}})
  ON CREATE SET n.created_at = $batch.now
  SET n += e.props, n.row_hash = e.row_hash, n.updated_at = $batch.now)"""
    if kind == "purchase":
        return f"""FOREACH (_ IN {_when(kind)} |
  CREATE (n:Purchase {{id: e.purchase}})
  SET n += e.props, n.created_at = $batch.now, n.updated_at = $batch.now
  {_to_customer("CREATE (cc)-[:MADE]->(n)")}
  CREATE (n)-[:AT]->(b)
  FOREACH (i IN coalesce(e.items, []) |
    MERGE (ip:Product {{id: i.id}})
    CREATE (n)-[l:CONTAINS]->(ip)
    SET l.quantity = i.quantity, l.unit_price = i.unit_price))"""
    if kind == "contact":
        about = "".join(
            f"\n  FOREACH (_{v} IN {_if_bound(v)} | CREATE (k)-[:ABOUT]->({v}))"
            for lookup, v in (("brand", "b"), ("product", "p"), ("made", "cp"))
            if lookup in lookups
        )
        return f"""FOREACH (_ IN {_when(kind)} |
  CREATE (k:Contact {{id: e.contact}})
  SET k += e.props, k.created_at = $batch.now, k.updated_at = $batch.now
  {_to_customer("CREATE (cc)-[:HAD_CONTACT]->(k)")}{about})"""
    if kind == "interaction":
        return f"""FOREACH (_ IN {_when(kind)} |
  MERGE (a)-[r:INTERACTED {{kind: e.props.kind, at: e.props.at}}]->(po)
  SET r.text = e.props.text)"""
    assert kind == "tag", kind
    return f"""FOREACH (_ IN {_when(kind)} |
  MERGE (t:Tag {{id: e.tag}})
  ON CREATE SET t.name = e.tag, t.created_at = $batch.now
  {_to_customer(_TAGGED)})"""


_TAGGED = (
    "MERGE (cc)-[r:TAGGED]->(t) "
    "SET r.weight = e.props.weight, r.source = e.props.source, r.at = $batch.now"
)


@functools.cache
def ingest_statement(kinds: frozenset[str], lookups: frozenset[str]) -> str:
    """The statement writing a batch of rows of ``kinds`` (``TYPES``) with ``lookups``
    (``LOOKUPS``): only those lookups, refusals and writes, so a batch of one kind of event
    pays for no other (a contact's purchase lookup walked every customer's purchases).
    Raises ValueError for a kind or lookup not known, or a kind without the lookups its
    writes need (``interaction``: account and post; ``purchase``: brand, purchase)."""
    if not kinds <= set(TYPES) or not lookups <= set(LOOKUPS):
        raise ValueError(f"unknown kinds or lookups: {sorted(kinds)}, {sorted(lookups)}")
    needs = {"interaction": {"account", "post"}, "identify_account": {"account"},
             "purchase": {"brand", "purchase"}}  # fmt: skip
    for kind in kinds:
        if not needs.get(kind, set()) <= lookups:
            raise ValueError(f"{kind} events need the lookups {sorted(needs[kind])}")
    bound = ["e", "seen", "gone", "c"]
    lines = [
        "UNWIND $events AS e",
        "OPTIONAL MATCH (seen:IdempotencyKey {id: coalesce(e.key, '')})",
        "OPTIONAL MATCH (gone:Erasure {id: coalesce(e.tombstone, '')})",
        "OPTIONAL MATCH (c:Customer {id: coalesce(e.customer, '')})",
    ]
    if "identify_customer" in kinds:
        lines.append(f"FOREACH (_l IN {_identified} | SET c._lock = true)")
    lines.append("WITH e, seen, gone, c")
    for lookup, match in _MATCHES.items():
        if lookup in lookups:
            lines.append(match)
            bound.append(_BOUND[lookup])
    if "products" in lookups:
        lines += [
            "UNWIND CASE WHEN size(coalesce(e.products, [])) = 0 THEN [null] ELSE e.products END"
            " AS pid",
            "OPTIONAL MATCH (pr:Product {id: coalesce(pid, '')})",
            f"WITH {', '.join(bound)}, count(DISTINCT pr) AS products_found",
        ]
        bound.append("products_found")
    ids = "[e.customer]"
    if "account" in lookups:
        lines.append(f"WITH {', '.join(bound)},\n"
                     "  CASE WHEN a IS NULL THEN [] ELSE [(a)<-[:HAS_ACCOUNT]-(o:Customer) | o] END"
                     " AS owners")  # fmt: skip
        bound.append("owners")
        ids = ("CASE WHEN e.type IN ['interaction', 'identify_account']\n"
               "    THEN [o IN owners | o.id] ELSE [e.customer] END")  # fmt: skip
    refusals = "\n    ".join(
        line for lookup, line in _REFUSALS if lookup is None or lookup in lookups
    )
    kept = [v for v in bound if v not in ("seen", "gone", "products_found", "owners")]
    lines.append(f"WITH {', '.join(kept)},\n  {ids} AS ids,\n  CASE\n    {refusals}\n"
                 "    ELSE null END AS refusal")  # fmt: skip
    lines += [_writes(kind, lookups) for kind in TYPES if kind in kinds]
    present = [kind for kind in TYPES if kind in kinds]
    outbox_kind = (
        f"'{OUTBOX_KINDS[present[0]]}'" if len(present) == 1 else
        "CASE e.type " + " ".join(f"WHEN '{k}' THEN '{OUTBOX_KINDS[k]}'" for k in present) + " END"
    )  # fmt: skip
    lines.append(_RECORDS.replace("$outbox_kind", outbox_kind))
    return "\n".join(lines) + "\n"


# Every written event's receipt and outbox event; the batch's audit entry; the refused
# rows `{i, refusal}` (every other row was written: a batch that is all written answers
# an empty list, which the embedded engine's client reads far faster than a row each).
_RECORDS = """FOREACH (_ IN CASE WHEN refusal IS NULL THEN [1] ELSE [] END |
  CREATE (:IdempotencyKey {id: e.key, request_hash: e.hash, mutation: 'events',
    at: $batch.now, customer_ids: ids})
  CREATE (:OutboxEvent {id: $batch.outbox + toString(e.i), kind: $outbox_kind,
    at: $batch.now, pending_at: $batch.now, seq: e.i, payload: e.payload, customer_ids: ids}))
WITH e, refusal, ids
UNWIND CASE WHEN refusal IS NULL AND size(ids) > 0 THEN ids ELSE [null] END AS written_id
WITH collect(DISTINCT CASE WHEN refusal IS NOT NULL THEN {i: e.i, refusal: refusal} END)
    AS refused,
  collect(DISTINCT written_id) AS written
CREATE (:AuditEntry {id: $audit.id, at: $audit.at, subject: $audit.subject,
  role: $audit.role, partner_id: $audit.partner_id, purpose: $audit.purpose,
  query_hash: $audit.query_hash, operation: $audit.operation, kinds: $audit.kinds,
  customer_ids: written})
RETURN refused"""


def ingest_events(
    rows: Sequence[Mapping[str, Any]], batch: Mapping[str, Any], audit: Mapping[str, Any]
) -> tuple[str, dict[str, Any]]:
    """(statement, parameters) writing ``rows`` (the module docstring's rows, identify
    events first) in one statement, with ``batch`` ``{now, admin, outbox}`` (``outbox``:
    the prefix of the batch's outbox event ids) and the audit entry's
    properties ``audit``. Raises ValueError for a row of a type not in ``TYPES``."""
    kinds = frozenset(row["type"] for row in rows)
    lookups = {name for name in ("account", "brand", "product", "post", "products")
               if any(row.get(name) for row in rows)}  # fmt: skip
    if "purchase" in kinds:
        lookups.add("purchase")
    if any(row["type"] == "contact" and row.get("purchase") for row in rows):
        lookups.add("made")
    statement = ingest_statement(kinds, frozenset(lookups))
    return statement, {"events": list(rows), "batch": dict(batch), "audit": dict(audit)}


# The profiles identify events decide against (resolvers/events.py).
CUSTOMER_PROFILES = """UNWIND $ids AS id
MATCH (c:Customer {id: id})
RETURN c.id AS id, properties(c) AS props
"""
