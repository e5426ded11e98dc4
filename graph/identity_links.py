"""Statements for probabilistic identity links, review candidates and human decisions
(the decisions are made in loaders/resolution.py and loaders/linking.py).

Records (docs/identity.md, "In the graph"):
- `(Customer)-[:HAS_ACCOUNT {method, confidence, linked_at, model_version, evidence}]->
  (SocialAccount)`: method `probabilistic` (the model, at or above the auto-link
  threshold), `accepted` (a human accepted a candidate) or `manual` (a human linked it),
  beside the exact methods of graph/linking.py. Only these links count anywhere.
- `(Customer)-[:LINK_CANDIDATE {confidence, model_version, evidence, found_at, blocked}]->
  (SocialAccount)`: between the thresholds, or stopped by a rule (`blocked` says which);
  waiting for a human. Read by admins only, and by nothing else.
- `(Customer)-[:LINK_DECISION {decision, method, confidence, model_version, evidence, by,
  at, reason}]->(SocialAccount)`: a human's `linked` or `rejected`, which every later run
  of the model and of exact linking respects.
- `(:IdentityModel {id, version, fitted_at, params})`: the fitted model, as JSON.
"""

# Customers identity resolution may link an account to: every one whose processing is
# not restricted, with what the comparisons read.
CUSTOMER_RECORDS_PAGE = """
MATCH (c:Customer) WHERE c.id > $after AND c.restricted_at IS NULL
RETURN c.id AS id, c.name AS name, c.email AS email, c.phone AS phone,
       c.gender AS gender, c.birth_year AS birth_year, c.birth_date AS birth_date,
       c.city AS city, c.region AS region, c.country AS country, c.postcode AS postcode,
       c.address AS address
ORDER BY id LIMIT $limit
"""

# The same, for the customers $ids (those a load wrote).
CUSTOMER_RECORDS = """
UNWIND $ids AS cid
MATCH (c:Customer {id: cid}) WHERE c.restricted_at IS NULL
RETURN c.id AS id, c.name AS name, c.email AS email, c.phone AS phone,
       c.gender AS gender, c.birth_year AS birth_year, c.birth_date AS birth_date,
       c.city AS city, c.region AS region, c.country AS country, c.postcode AS postcode,
       c.address AS address
"""

_ACCOUNT_STATE = """
OPTIONAL MATCH (l:Customer)-[h:HAS_ACCOUNT]->(a)
WITH a, collect(CASE WHEN l IS NULL THEN null ELSE
     {customer_id: l.id, method: h.method, confidence: h.confidence,
      model_version: h.model_version, evidence: h.evidence,
      restricted: l.restricted_at IS NOT NULL} END) AS links
OPTIONAL MATCH (k:Customer)-[q:LINK_CANDIDATE]->(a)
WITH a, links, collect(CASE WHEN k IS NULL THEN null ELSE
     {customer_id: k.id, confidence: q.confidence, model_version: q.model_version,
      evidence: q.evidence, blocked: q.blocked,
      restricted: k.restricted_at IS NOT NULL} END) AS candidates
OPTIONAL MATCH (d:Customer)-[x:LINK_DECISION]->(a)
WITH a, links, candidates, collect(CASE WHEN d IS NULL THEN null ELSE
     {customer_id: d.id, decision: x.decision} END) AS decisions
RETURN a.id AS id, a.platform AS platform, a.handle AS handle,
       a.display_name AS display_name, a.location AS location,
       a.claimed_customer_id AS customer_id, a.email_hash AS email_sha256,
       a.phone_hash AS phone_sha256, a.email_masked AS email_masked,
       a.phone_masked AS phone_masked, a.link_conflict AS conflict,
       a.updated_at AS updated_at,
       links, candidates, decisions
ORDER BY id
"""

# A page of accounts (after $after in id order; written at or after $since when it is
# given), each with its evidence and its current links, candidates and human decisions.
ACCOUNT_RECORDS_PAGE = (
    """
MATCH (a:SocialAccount)
WHERE a.id > $after AND ($since IS NULL OR a.updated_at >= $since)
WITH a ORDER BY a.id LIMIT $limit
"""
    + _ACCOUNT_STATE
)

# The same, for the accounts $ids.
ACCOUNT_RECORDS = (
    """
UNWIND $ids AS aid
MATCH (a:SocialAccount {id: aid})
WITH a
"""
    + _ACCOUNT_STATE
)

# Make each account's model link and candidate what the model decided ($changes: one per
# account whose state differs): drop a model link or a candidate to anyone else, then
# write the one wanted (`outcome` link: HAS_ACCOUNT; review: LINK_CANDIDATE; none:
# nothing). Links made by exact evidence or by a human are never touched here.
APPLY_MODEL_DECISIONS = """
UNWIND $changes AS d
MATCH (a:SocialAccount {id: d.account_id})
OPTIONAL MATCH (x:Customer)-[h:HAS_ACCOUNT]->(a)
WHERE h.method = 'probabilistic' AND (d.outcome <> 'link' OR x.id <> d.customer_id)
DELETE h
WITH DISTINCT a, d
OPTIONAL MATCH (y:Customer)-[q:LINK_CANDIDATE]->(a)
WHERE d.outcome <> 'review' OR y.id <> d.customer_id
DELETE q
WITH DISTINCT a, d
OPTIONAL MATCH (c:Customer {id: d.customer_id})
WITH a, d, c
FOREACH (_ IN CASE WHEN c IS NOT NULL AND d.outcome = 'link' THEN [1] ELSE [] END |
  MERGE (c)-[h:HAS_ACCOUNT]->(a)
  ON CREATE SET h.linked_at = $now
  SET h.method = 'probabilistic', h.confidence = d.confidence,
      h.model_version = d.model_version, h.evidence = d.evidence)
FOREACH (_ IN CASE WHEN c IS NOT NULL AND d.outcome = 'review' THEN [1] ELSE [] END |
  MERGE (c)-[q:LINK_CANDIDATE]->(a)
  ON CREATE SET q.found_at = $now
  SET q.confidence = d.confidence, q.model_version = d.model_version,
      q.evidence = d.evidence, q.blocked = d.blocked)
"""

# Record a human decision on a pair; a `linked` decision replaces the account's other
# `linked` decisions (an account belongs to one customer). No row: a side is missing.
RECORD_DECISION = """
MATCH (a:SocialAccount {id: $account})
MATCH (c:Customer {id: $customer})
OPTIONAL MATCH (o:Customer)-[old:LINK_DECISION]->(a)
WHERE $decision = 'linked' AND old.decision = 'linked' AND o.id <> $customer
DELETE old
WITH DISTINCT a, c
OPTIONAL MATCH (c)-[q:LINK_CANDIDATE]->(a)
DELETE q
WITH DISTINCT a, c
MERGE (c)-[x:LINK_DECISION]->(a)
SET x.decision = $decision, x.method = $method, x.confidence = $confidence,
    x.model_version = $model_version, x.evidence = $evidence, x.by = $actor, x.at = $now,
    x.reason = $reason
RETURN c.restricted_at IS NOT NULL AS restricted
"""

# Whether the account and the customer exist, and the pair's candidate and link.
PAIR_STATE = """
OPTIONAL MATCH (a:SocialAccount {id: $account})
OPTIONAL MATCH (c:Customer {id: $customer})
OPTIONAL MATCH (c)-[q:LINK_CANDIDATE]->(a)
OPTIONAL MATCH (o:Customer)-[h:HAS_ACCOUNT]->(a)
RETURN a IS NOT NULL AS account, c IS NOT NULL AS customer,
       c.restricted_at IS NOT NULL AS restricted,
       q.confidence AS candidate_confidence, q.model_version AS candidate_model_version,
       q.evidence AS candidate_evidence,
       o.id AS owner, h.method AS owner_method, h.confidence AS owner_confidence
"""

_CANDIDATE_FILTER = """
MATCH (c:Customer)-[q:LINK_CANDIDATE]->(a:SocialAccount)
WHERE ($platform IS NULL OR a.platform = $platform)
  AND ($customer IS NULL OR c.id = $customer)
  AND ($account IS NULL OR a.id = $account)
  AND q.confidence >= $min_confidence AND q.confidence <= $max_confidence
  AND ($blocked IS NULL OR (q.blocked IS NOT NULL) = $blocked)
"""

# Review candidates (admins), most probable first, keyset-paged on (confidence, account).
CANDIDATES_PAGE = (
    _CANDIDATE_FILTER
    + """  AND ($after_confidence IS NULL OR q.confidence < $after_confidence
       OR (q.confidence = $after_confidence AND a.id > $after_account))
RETURN c.id AS customer_id, c.name AS customer_name, a {.id, .platform, .handle,
       .display_name, .created_at} AS account, q.confidence AS confidence,
       q.model_version AS model_version, q.evidence AS evidence, q.found_at AS found_at,
       q.blocked AS blocked
ORDER BY confidence DESC, account.id
LIMIT $limit
"""
)

# How many candidates the same filter finds, and how many of them a rule stopped.
CANDIDATE_COUNTS = (
    _CANDIDATE_FILTER
    + """RETURN count(q) AS total, count(q.blocked) AS blocked
"""
)

# The fitted model of a kind ('accounts', 'duplicates'), or no row.
MODEL = """
MATCH (m:IdentityModel {id: $kind})
RETURN m.version AS version, m.fitted_at AS fitted_at, m.params AS params
"""

SAVE_MODEL = """
MERGE (m:IdentityModel {id: $kind})
SET m.version = $version, m.fitted_at = $now, m.params = $params
"""

# Every link of the customers $ids, with the account's platform (for the per-platform limit).
LINKS_OF_CUSTOMERS = """
UNWIND $ids AS cid
MATCH (c:Customer {id: cid})-[:HAS_ACCOUNT]->(a:SocialAccount)
RETURN c.id AS customer_id, a.id AS account_id, a.platform AS platform
"""
