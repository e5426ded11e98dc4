"""The graph model's fixed vocabulary: labels and the keys that are indexed.

Labels and relationship types reach Cypher only from here, never from input.
"""

NODE_LABELS: tuple[str, ...] = (
    "Customer",
    "SocialAccount",
    "Brand",
    "Product",
    "Purchase",
    "Post",
    "Complaint",
    "Tag",
    "Segment",
    "Contact",
)

# The hub's own records. They are never linked to the nodes above by a relationship (they
# name customers and brands by id in properties), so no traversal reaches them; the one
# exception is DERIVED_RELATIONSHIPS below, which network reads never follow.
SYSTEM_LABELS: tuple[str, ...] = (
    "ApiKey",
    "AuditEntry",
    "ConsentEvent",
    "Erasure",
    "Merge",
    "PartnerKey",
    "PartnerRelease",
    "IdempotencyKey",
    "OutboxEvent",
    "SlaPolicy",
    "Trait",
    "Audience",
    "PredictionModel",
    "PartnerList",
    "PartnerListChunk",
    "WebhookEndpoint",
    "WebhookDelivery",
)

# Relationship types that record a proposal for a person to review, or a person's decision
# on one (admins only), not a fact about the world: network reads never traverse them
# (graph/network.py).
REVIEW_RELATIONSHIPS: tuple[str, ...] = ("SAME_AS", "LINK_CANDIDATE", "LINK_DECISION")
# Relationship types the hub derives from other data, from a customer to a system record:
# a computed trait's value (`Trait`) and an audience membership spell (`Audience`).
# Following them would put every customer sharing a trait two hops from each other.
DERIVED_RELATIONSHIPS: tuple[str, ...] = ("HAS_TRAIT", "IN_AUDIENCE")


def is_review(rel: str) -> str:
    """A condition on a bound relationship variable: it is a review record, or a derived
    one (DERIVED_RELATIONSHIPS): not a fact network reads follow."""
    types = (*REVIEW_RELATIONSHIPS, *DERIVED_RELATIONSHIPS)
    return f"type({rel}) IN [{', '.join(repr(t) for t in types)}]"


# Every label whose `id` is unique.
CONSTRAINED_LABELS: tuple[str, ...] = NODE_LABELS + SYSTEM_LABELS

# (label, properties) that lookups go through, besides the unique `id` of every label.
LOOKUP_INDEXES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Customer", ("email_hash",)),
    ("Customer", ("phone_hash",)),
    ("Customer", ("external_id",)),
    ("SocialAccount", ("platform", "handle")),
    ("SocialAccount", ("email_hash",)),
    ("SocialAccount", ("phone_hash",)),
    ("SocialAccount", ("claimed_customer_id",)),
    ("Purchase", ("at",)),
    ("Post", ("at",)),
    ("AuditEntry", ("at",)),
    ("ConsentEvent", ("customer_id",)),
    ("Merge", ("merged_id",)),
    ("PartnerRelease", ("partner_id", "dimension")),
    ("IdempotencyKey", ("at",)),
    # The dispatcher finds undelivered events by `pending_at` (graph/outbox.py); nothing
    # looks them up by `delivered_at` any more (an index made before stays, unused).
    ("OutboxEvent", ("pending_at",)),
    ("OutboxEvent", ("at",)),
    ("WebhookDelivery", ("status",)),
    ("Complaint", ("status",)),
    ("PartnerList", ("partner_id",)),
    ("PartnerListChunk", ("list_id",)),
)

# (label, properties) searchable as text.
FULLTEXT_INDEXES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Customer", ("name",)),
    ("SocialAccount", ("handle", "display_name")),
)
