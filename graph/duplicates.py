"""CRM duplicates in the graph: `(a:Customer)-[:SAME_AS]->(b:Customer)` with ``a.id < b.id``.

A SAME_AS holds ``probability``, ``evidence`` (the explanation as a JSON string),
``model_version``, ``found_at`` and ``status``: 'candidate' (proposed by a run of the
duplicate model, waiting for a person) or 'rejected' (a person said no; ``rejected_at``,
``rejected_by``, ``reason``). Runs never touch a rejected pair; the merge of a candidate
pair is recorded by a `(:Merge)` node (graph/merge.py).
"""

# What the ids of a run name: whether each is a customer, restricted, or merged away.
DUPLICATE_SIDES = """
UNWIND $ids AS i
OPTIONAL MATCH (c:Customer {id: i})
OPTIONAL MATCH (m:Merge {merged_id: i}) WHERE m.status <> 'unmerged'
RETURN i AS id, c IS NOT NULL AS found, c.restricted_at IS NOT NULL AS restricted,
       count(m) > 0 AS merged
"""

# Every SAME_AS in the graph (candidates are few: one per pair a run proposes).
SAME_AS_ALL = """
MATCH (a:Customer)-[r:SAME_AS]->(b:Customer)
RETURN a.id AS left, b.id AS right, r.status AS status, r.probability AS probability,
       r.evidence AS evidence, r.model_version AS model_version
"""

# Add or update candidates. The statement itself keeps its promises: a pair a person
# rejected (perhaps since the run read the graph) and a restricted side are left alone.
UPSERT_CANDIDATES = """
UNWIND $rows AS row
MATCH (a:Customer {id: row.left}), (b:Customer {id: row.right})
WHERE a.restricted_at IS NULL AND b.restricted_at IS NULL
MERGE (a)-[r:SAME_AS]->(b)
ON CREATE SET r.status = 'candidate', r.found_at = $now
WITH r, row WHERE r.status = 'candidate'
SET r.probability = row.probability, r.evidence = row.evidence,
    r.model_version = row.model_version
RETURN count(r) AS written
"""

# Remove candidates (never a rejection) of the pairs `$pairs`.
REMOVE_CANDIDATES = """
UNWIND $pairs AS p
MATCH (:Customer {id: p.left})-[r:SAME_AS]->(:Customer {id: p.right})
WHERE r.status = 'candidate'
DELETE r
"""

# A person's rejection of a pair: the SAME_AS becomes (or is created as) 'rejected'.
# No row when either customer is missing.
REJECT_PAIR = """
MATCH (a:Customer {id: $left}), (b:Customer {id: $right})
MERGE (a)-[r:SAME_AS]->(b)
ON CREATE SET r.found_at = $now
SET r.status = 'rejected', r.rejected_at = $now, r.rejected_by = $actor, r.reason = $reason
RETURN a.id AS left, b.id AS right
"""

# Candidates at or above `$min_probability`, most probable first, keyset on
# (probability, left, right); both customers' ids and names.
CANDIDATE_PAGE = """
MATCH (a:Customer)-[r:SAME_AS]->(b:Customer)
WHERE r.status = 'candidate' AND r.probability >= $min_probability
  AND ($after_p IS NULL OR r.probability < $after_p
       OR (r.probability = $after_p AND (a.id > $after_left
           OR (a.id = $after_left AND b.id > $after_right))))
RETURN a.id AS left_id, a.name AS left_name, b.id AS right_id, b.name AS right_name,
       r.probability AS probability, r.evidence AS evidence,
       r.model_version AS model_version, r.found_at AS found_at
ORDER BY probability DESC, left_id, right_id
LIMIT $limit
"""
