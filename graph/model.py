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
# name customers and brands by id in properties), so no traversal reaches them.
SYSTEM_LABELS: tuple[str, ...] = (
    "ApiKey",
    "AuditEntry",
    "ConsentEvent",
    "Erasure",
    "PartnerKey",
    "PartnerRelease",
    "IdempotencyKey",
    "OutboxEvent",
    "SlaPolicy",
    "WebhookEndpoint",
    "WebhookDelivery",
)

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
    ("PartnerRelease", ("partner_id", "dimension")),
    ("OutboxEvent", ("delivered_at",)),
    ("OutboxEvent", ("at",)),
    ("WebhookDelivery", ("status",)),
    ("Complaint", ("status",)),
)

# (label, properties) searchable as text.
FULLTEXT_INDEXES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Customer", ("name",)),
    ("SocialAccount", ("handle", "display_name")),
)
