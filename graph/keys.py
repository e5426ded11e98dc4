"""API keys: the statements behind `hub keys` and the authentication lookup.

An `(:ApiKey)` holds a SHA-256 of the key's secret, never the secret itself."""

CREATE_KEY = """
CREATE (k:ApiKey {id: $id, name: $name, role: $role, partner_brand_id: $partner_brand_id,
                  purposes: $purposes, secret_sha256: $secret_sha256, created_at: $now})
RETURN k.id AS id
"""

KEY_BY_ID = """
MATCH (k:ApiKey {id: $id})
RETURN k.id AS id, k.name AS name, k.role AS role, k.partner_brand_id AS partner_brand_id,
       k.purposes AS purposes, k.secret_sha256 AS secret_sha256, k.created_at AS created_at,
       k.revoked_at AS revoked_at
"""

LIST_KEYS = """
MATCH (k:ApiKey)
RETURN k.id AS id, k.name AS name, k.role AS role, k.partner_brand_id AS partner_brand_id,
       k.purposes AS purposes, k.created_at AS created_at, k.revoked_at AS revoked_at
ORDER BY k.created_at, k.id
"""

REVOKE_KEY = """
MATCH (k:ApiKey {id: $id})
SET k.revoked_at = coalesce(k.revoked_at, $now)
RETURN k.id AS id, k.revoked_at AS revoked_at
"""

REVOKE_KEYS_NAMED = """
MATCH (k:ApiKey {name: $name}) WHERE k.revoked_at IS NULL
SET k.revoked_at = $now
RETURN count(k) AS revoked
"""

BRAND_EXISTS = "MATCH (b:Brand {id: $id}) RETURN b.id AS id"
