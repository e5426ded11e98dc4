"""Onboarding a partner brand in one step (docs/partner.md, "Onboarding"): its allowed
purposes and dimensions and its quotas go on its `PartnerKey` system node (which holds its
pseudonym salt, graph/partner.py), and its first API key is created, in one statement.

`PartnerKey.purposes` / `.dimensions` null means "not limited" (a partner that was never
onboarded); `onboarded_at` says it was, and a second onboarding is refused.
"""

# One row: whether the brand exists, and when its partner was onboarded (null: never).
ONBOARDING_STATE = """
OPTIONAL MATCH (b:Brand {id: $partner})
OPTIONAL MATCH (k:PartnerKey {id: $partner})
RETURN b IS NOT NULL AS brand_found, k.onboarded_at AS onboarded_at
"""

# No row when there is no such brand, or it was onboarded meanwhile (MERGE locks the key
# node by setting a property first on Neo4j; FalkorDB runs writes one at a time: two
# onboardings cannot both pass).
ONBOARD_PARTNER = """
MATCH (b:Brand {id: $partner})
MERGE (k:PartnerKey {id: $partner})
ON CREATE SET k.salt = $salt, k.rotated_at = $now, k.created_at = $now
SET k.onboarding_checked_at = $now
WITH k WHERE k.onboarded_at IS NULL
SET k.onboarded_at = $now, k.purposes = $purposes, k.dimensions = $dimensions,
    k.requests_per_day = $requests_per_day, k.matches_per_day = $matches_per_day
CREATE (a:ApiKey {id: $key.id, name: $key.name, role: 'partner', partner_brand_id: $partner,
                  purposes: $purposes, secret_sha256: $key.secret_sha256, created_at: $now})
RETURN k.onboarded_at AS onboarded_at, a.id AS key_id
"""

# Change what a partner may pull (a null parameter keeps that list; a partner never
# onboarded gets limited from now on); no row when there is no such brand.
SET_POLICY = """
MATCH (b:Brand {id: $partner})
MERGE (k:PartnerKey {id: $partner})
ON CREATE SET k.salt = $salt, k.rotated_at = $now, k.created_at = $now
SET k.purposes = coalesce($purposes, k.purposes),
    k.dimensions = coalesce($dimensions, k.dimensions)
RETURN k.purposes AS purposes, k.dimensions AS dimensions
"""
