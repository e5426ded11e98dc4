"""Statements for deterministic identity linking (the decisions are in loaders/linking.py).

A SocialAccount keeps its evidence: ``claimed_customer_id`` (a CRM id in the social export),
``email_hash`` and ``phone_hash``. Customers keep ``email_hash`` and ``phone_hash``. The link
of an account is a function of that evidence and of the humans' decisions on it
(graph/identity_links.py), so it does not depend on load order; a link the model made is
kept unless exact evidence or a human says otherwise.
"""

# Evidence and current links of the accounts with ids $ids. A claimed CRM id that was
# merged into another customer claims the survivor (graph/merge.py).
ACCOUNT_EVIDENCE = """
UNWIND $ids AS aid
MATCH (a:SocialAccount {id: aid})
OPTIONAL MATCH (mg:Merge {merged_id: a.claimed_customer_id}) WHERE mg.status <> 'unmerged'
WITH a, coalesce(mg.survivor_id, a.claimed_customer_id) AS claimed
OPTIONAL MATCH (e:Customer {email_hash: a.email_hash})
WITH a, claimed, collect(DISTINCT e.id) AS by_email
OPTIONAL MATCH (p:Customer {phone_hash: a.phone_hash})
WITH a, claimed, by_email, collect(DISTINCT p.id) AS by_phone,
     collect(DISTINCT CASE WHEN p IS NULL THEN null ELSE {id: p.id, name: p.name} END)
     AS phone_names
OPTIONAL MATCH (d:Customer)-[x:LINK_DECISION]->(a)
WITH a, claimed, by_email, by_phone, phone_names,
     collect(CASE WHEN d IS NULL THEN null ELSE
             {customer_id: d.id, decision: x.decision, method: x.method,
              confidence: x.confidence, model_version: x.model_version,
              evidence: x.evidence, at: x.at} END) AS decisions
OPTIONAL MATCH (l:Customer)-[h:HAS_ACCOUNT]->(a)
RETURN a.id AS id, claimed, a.link_conflict AS conflict,
       by_email, by_phone, decisions, phone_names,
       a {.platform, .handle, .display_name, .email_hash, .phone_hash} AS account,
       collect(CASE WHEN l IS NULL THEN null
               ELSE {customer_id: l.id, method: h.method, confidence: h.confidence,
                     model_version: h.model_version, evidence: h.evidence} END) AS links
"""

# Accounts whose link may change when the customers $ids (with keys $email_hashes,
# $phone_hashes) change: those sharing a key, claiming one of them, or linked to one.
ACCOUNTS_TOUCHED_BY_CUSTOMERS = """
UNWIND $email_hashes AS k MATCH (a:SocialAccount {email_hash: k}) RETURN a.id AS id
UNION
UNWIND $phone_hashes AS k MATCH (a:SocialAccount {phone_hash: k}) RETURN a.id AS id
UNION
UNWIND $ids AS cid MATCH (a:SocialAccount {claimed_customer_id: cid}) RETURN a.id AS id
UNION
UNWIND $ids AS cid MATCH (:Customer {id: cid})-[:HAS_ACCOUNT]->(a:SocialAccount)
RETURN a.id AS id
"""

# Every account id after $after, in id order (for `hub relink`).
ACCOUNT_IDS_PAGE = """
MATCH (a:SocialAccount) WHERE a.id > $after
RETURN a.id AS id ORDER BY id LIMIT $limit
"""

# Make each account's links what the decision says: drop the others, MERGE the one (a stub
# customer if the claimed one is not loaded yet), record or clear the conflict. A linked
# account waits for no review: its candidates go.
APPLY_LINKS = """
UNWIND $changes AS d
MATCH (a:SocialAccount {id: d.account_id})
FOREACH (_ IN CASE WHEN coalesce(a.link_conflict, '') <> coalesce(d.conflict, '') THEN [1]
               ELSE [] END | SET a.link_conflict = d.conflict)
WITH a, d
OPTIONAL MATCH (x:Customer)-[old:HAS_ACCOUNT]->(a)
WHERE d.customer_id IS NULL OR x.id <> d.customer_id
DELETE old
WITH DISTINCT a, d
WHERE d.customer_id IS NOT NULL
OPTIONAL MATCH (:Customer)-[q:LINK_CANDIDATE]->(a)
DELETE q
WITH DISTINCT a, d
MERGE (c:Customer {id: d.customer_id})
MERGE (c)-[h:HAS_ACCOUNT]->(a)
ON CREATE SET h.linked_at = $now
WITH h, d
WHERE h.method IS NULL OR h.method <> d.method OR h.confidence <> d.confidence
   OR coalesce(h.evidence, '') <> coalesce(d.evidence, '')
SET h.method = d.method, h.confidence = d.confidence, h.model_version = d.model_version,
    h.evidence = d.evidence
"""
