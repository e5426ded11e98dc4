"""The audit log: one `(:AuditEntry)` per request that read customer-level data or acted
on it (schema/guard.py writes it), and the admin's view of it."""

INSERT_AUDIT_ENTRY = """
CREATE (:AuditEntry {id: $id, at: $at, subject: $subject, role: $role,
                     partner_id: $partner_id, purpose: $purpose, query_hash: $query_hash,
                     operation: $operation, kinds: $kinds, customer_ids: $customer_ids})
"""

# The entries of concurrent requests, committed together (resolvers/audit.py's AuditBatcher).
INSERT_AUDIT_ENTRIES = """
UNWIND $entries AS e
CREATE (:AuditEntry {id: e.id, at: e.at, subject: e.subject, role: e.role,
                     partner_id: e.partner_id, purpose: e.purpose, query_hash: e.query_hash,
                     operation: e.operation, kinds: e.kinds, customer_ids: e.customer_ids})
"""

# Newest first, keyset on (at, id); every filter is optional.
AUDIT_PAGE = """
MATCH (a:AuditEntry)
WHERE ($subject IS NULL OR a.subject = $subject)
  AND ($role IS NULL OR a.role = $role)
  AND ($partner_id IS NULL OR a.partner_id = $partner_id)
  AND ($customer_id IS NULL OR $customer_id IN a.customer_ids)
  AND ($kind IS NULL OR $kind IN a.kinds)
  AND ($from IS NULL OR a.at >= $from)
  AND ($until IS NULL OR a.at < $until)
  AND ($after_at IS NULL OR a.at < $after_at OR (a.at = $after_at AND a.id < $after_id))
RETURN a {.*} AS entry
ORDER BY a.at DESC, a.id DESC
LIMIT $limit
"""
