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
       k.revoked_at AS revoked_at, k.expires_at AS expires_at
"""

LIST_KEYS = """
MATCH (k:ApiKey)
RETURN k.id AS id, k.name AS name, k.role AS role, k.partner_brand_id AS partner_brand_id,
       k.purposes AS purposes, k.created_at AS created_at, k.revoked_at AS revoked_at,
       k.expires_at AS expires_at
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

# The brand, and the purposes its partner was onboarded with (null: not limited).
BRAND_EXISTS = """MATCH (b:Brand {id: $id})
OPTIONAL MATCH (k:PartnerKey {id: $id})
RETURN b.id AS id, k.purposes AS allowed_purposes"""

# A partner key replaced by a new one with the same name, partner and purposes: the old
# key stops working at `$expires_at` (a grace period, possibly none). Setting a property
# first takes the old key's lock (Neo4j; FalkorDB runs writes one at a time), so a key is
# rotated once: no row when it is revoked, expiring, or not this partner's.
ROTATE_KEY = """
MATCH (old:ApiKey {id: $old_id})
WHERE old.role = 'partner' AND old.partner_brand_id = $partner AND old.revoked_at IS NULL
SET old.rotation_checked_at = $now
WITH old WHERE old.expires_at IS NULL
SET old.expires_at = $expires_at, old.replaced_by = $new_id
CREATE (k:ApiKey {id: $new_id, name: old.name, role: old.role,
                  partner_brand_id: old.partner_brand_id, purposes: old.purposes,
                  secret_sha256: $secret_sha256, created_at: $now, replaces: old.id})
RETURN k.id AS id, k.name AS name, k.role AS role, k.partner_brand_id AS partner_brand_id,
       k.purposes AS purposes, k.created_at AS created_at, k.revoked_at AS revoked_at,
       k.expires_at AS expires_at, old.expires_at AS old_expires_at
"""
