"""Partner metering (docs/partner.md, "Metering and quotas"): a partner pull's usage is
kept on its audit entry (`released_rows`, `released_cells`, `lists_matched`), so that
there is one record per pull, written in one statement; usage and quotas read them back.

Quotas are per partner and per UTC day: `PartnerKey.requests_per_day` and
`PartnerKey.matches_per_day` when set, else the hub's defaults.
"""

# An audit entry with the pull's usage (resolvers/audit.py entry_params, and `$usage`).
INSERT_METERED_AUDIT_ENTRY = """
CREATE (:AuditEntry {id: $id, at: $at, subject: $subject, role: $role,
                     partner_id: $partner_id, purpose: $purpose, query_hash: $query_hash,
                     operation: $operation, kinds: $kinds, customer_ids: $customer_ids,
                     released_rows: $usage.rows, released_cells: $usage.cells,
                     lists_matched: $usage.lists})
"""

# The partner's pulls in [$from, $until), per operation.
PARTNER_USAGE = """
MATCH (a:AuditEntry)
WHERE a.at >= $from AND a.at < $until AND a.partner_id = $partner
  AND 'partner_pull' IN a.kinds
RETURN coalesce(a.operation, '') AS operation, count(a) AS requests,
       sum(coalesce(a.released_rows, 0)) AS rows, sum(coalesce(a.released_cells, 0)) AS cells,
       sum(coalesce(a.lists_matched, 0)) AS lists
ORDER BY operation
"""

# The partner's pulls and list matches since `$since`, its own quotas (null: default), and
# what it was onboarded with (null: not limited; graph/partner_onboarding.py).
QUOTA_STATE = """
OPTIONAL MATCH (k:PartnerKey {id: $partner})
WITH k
OPTIONAL MATCH (a:AuditEntry)
WHERE a.at >= $since AND a.partner_id = $partner AND 'partner_pull' IN a.kinds
RETURN k.requests_per_day AS requests_per_day, k.matches_per_day AS matches_per_day,
       k.purposes AS purposes, k.dimensions AS dimensions,
       count(a) AS requests, sum(coalesce(a.lists_matched, 0)) AS matches
"""

# Set a partner's quotas (null leaves the hub's default); no row when no such brand.
SET_QUOTA = """
MATCH (b:Brand {id: $partner})
MERGE (k:PartnerKey {id: $partner})
ON CREATE SET k.salt = $salt, k.rotated_at = $now, k.created_at = $now
SET k.requests_per_day = $requests_per_day, k.matches_per_day = $matches_per_day
RETURN k.requests_per_day AS requests_per_day, k.matches_per_day AS matches_per_day
"""
