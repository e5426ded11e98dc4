"""Partner list statements: upload, delete and expiry of a partner's hashed customer list,
and the matching of it against the customers' contact keys (docs/partner.md, "Lists").

`PartnerList {id, partner_id, created_at, expires_at, entries, bad_entries, lines,
chunks}` and `PartnerListChunk {id, list_id, partner_id, hashes}` are system nodes, never
linked to the domain graph. A chunk holds the valid SHA-256 hex digests of one upload
(lower-cased), nothing else: a list is kept hashed.

Matching looks each hash up in the `Customer` email and phone key indexes, a chunk a
statement. Restricted customers are never matched. The live-consent rule (graph/consent_rules.py)
filters, in the same statement, which matched customers may be handed out as pseudonyms
or aggregated.
"""

from graph.consent_rules import live_consent
from graph.partner import DIMENSIONS, aggregate_statement

CREATE_LIST = """CREATE (l:PartnerList {id: $list, partner_id: $partner, created_at: $now,
    expires_at: $expires_at, entries: 0, bad_entries: 0, lines: 0, chunks: 0})
RETURN l.id AS id, l.expires_at AS expires_at"""

# One upload's valid hashes as chunk nodes, and the list's running counts; no row when the
# list is not the partner's, or has expired.
APPEND_CHUNK = """MATCH (l:PartnerList {id: $list, partner_id: $partner})
WHERE l.expires_at > $now
SET l.entries = l.entries + $entries, l.bad_entries = l.bad_entries + $bad_entries,
    l.lines = l.lines + $lines, l.chunks = l.chunks + 1
WITH l
FOREACH (row IN $chunks | CREATE (:PartnerListChunk {id: row.id, list_id: $list,
    partner_id: $partner, hashes: row.hashes}))
RETURN l.entries AS entries, l.bad_entries AS bad_entries, l.lines AS lines,
       l.lines - $lines AS before, l.expires_at AS expires_at"""

KEY_SALT = "MATCH (k:PartnerKey {id: $partner}) RETURN k.salt AS salt"

LIST_HEAD = """MATCH (l:PartnerList {id: $list, partner_id: $partner})
WHERE l.expires_at > $now
RETURN l.id AS id, l.created_at AS created_at, l.expires_at AS expires_at,
       l.entries AS entries, l.bad_entries AS bad_entries, l.lines AS lines,
       l.chunks AS chunks"""

# The list and its chunks; the number of chunks deleted, no row when there is no such list.
DELETE_LIST = """MATCH (l:PartnerList {id: $list, partner_id: $partner})
OPTIONAL MATCH (ch:PartnerListChunk {list_id: $list})
WITH l, collect(ch) AS chunks
FOREACH (ch IN chunks | DELETE ch)
DELETE l
RETURN size(chunks) AS chunks"""

# Every expired list (any partner) and its chunks: run before each upload starts.
PURGE_EXPIRED = """MATCH (l:PartnerList)
WHERE l.expires_at <= $now
OPTIONAL MATCH (ch:PartnerListChunk {list_id: l.id})
WITH l, collect(ch) AS chunks
FOREACH (ch IN chunks | DELETE ch)
DELETE l
RETURN count(l) AS lists"""

# The list's chunks, with how many hashes each holds.
LIST_CHUNKS = """MATCH (ch:PartnerListChunk {list_id: $list, partner_id: $partner})
RETURN ch.id AS id, size(ch.hashes) AS size
ORDER BY id"""

# One chunk matched: a row per (hash, customer) for the unrestricted customers whose email
# or phone key a hash of the chunk is, with whether the customer's consent to the partner
# for `$purpose` is live at `$now` (the rule of graph/consent_rules.py, in this statement).
# A list is matched a chunk (at most 10,000 hashes) a statement, so that one statement's
# work and memory stay bounded however long the list.
MATCH_CHUNK = (
    "MATCH (ch:PartnerListChunk {id: $chunk, list_id: $list, partner_id: $partner})\n"
    "UNWIND ch.hashes AS h\n"
    "OPTIONAL MATCH (ce:Customer {email_hash: h})\n"
    "WITH h, collect(ce) AS by_email\n"
    "OPTIONAL MATCH (cp:Customer {phone_hash: h})\n"
    "WITH h, by_email, collect(cp) AS by_phone\n"
    "WITH h, [x IN by_email + by_phone WHERE x.restricted_at IS NULL] AS found\n"
    "WHERE size(found) > 0\n"
    "UNWIND found AS c\n"
    "WITH DISTINCT h, c\n"
    "OPTIONAL MATCH (:Brand {id: $partner})<-[lc:CONSENTED]-(c)\n"
    "WHERE " + live_consent("c", "lc", "purpose") + "\n"
    "WITH h, c, count(lc) AS live\n"
    "RETURN h, c.id AS customer_id, live > 0 AS consented"
)

# The partner's ledger entries of `$dimension` (here: the match counts released before).
LEDGER = """MATCH (r:PartnerRelease {partner_id: $partner, dimension: $dimension})
RETURN {id: r.id, value: r.value, customer_ids: r.customer_ids, at: r.at} AS entry"""

# Customers `$ids` (a list's consenting matches) whose consent to the partner for
# `$purpose` is still live at `$now`: binds `c`, one row each (the head of a matched list's
# aggregates: the consent is checked again in the statement that reads them).
MATCHED_AUDIENCE_MATCH = (
    "UNWIND $ids AS id\n"
    "MATCH (:Brand {id: $partner})<-[lc:CONSENTED]-(c:Customer {id: id})\n"
    "WHERE " + live_consent("c", "lc", "purpose") + "\n"
    "WITH DISTINCT c"
)

# The matched set's aggregates, one statement per dimension, read as the audience's are.
LIST_AGGREGATES: dict[str, str] = {
    d: aggregate_statement(d, MATCHED_AUDIENCE_MATCH) for d in DIMENSIONS
}
