"""Map projections shared by every read: one shape per entity, so a Purchase read
through a customer, a brand, a contact-history event or node(id) has the same fields.

Each builder returns a Cypher expression over the variable it is given (`x` by default).
Pattern comprehensions inside use names of their own per entity, because FalkorDB returns
`[]` for a comprehension that reuses another's variable names in one expression.
"""

BRAND_CORE = "{.id, .name, .category, .country, .created_at, .updated_at}"
PRODUCT_CORE = "{.id, .name, .category, .price, .created_at}"
TAG_CORE = "{.id, .name, .category}"
ACCOUNT_CORE = "{.id, .platform, .handle, .display_name, .created_at}"
POST_CORE = "{.id, .at, .platform, .content_type, .text}"


def purchase(v: str = "x") -> str:
    return (
        f"{v} {{.id, .at, .channel, .currency, .total, "
        f"brand: head([({v})-[:AT]->(pb:Brand) | pb {BRAND_CORE}]), "
        f"items: [({v})-[pl:CONTAINS]->(pr:Product) | "
        f"{{product: pr {PRODUCT_CORE}, quantity: pl.quantity, unit_price: pl.unit_price}}]}}"
    )


def post(v: str = "x") -> str:
    return (
        f"{v} {{.id, .at, .platform, .content_type, .text, "
        f"tags: [({v})-[:ABOUT]->(pt:Tag) | pt {TAG_CORE}], "
        f"author_brand: head([({v})<-[:POSTED]-(ab:Brand) | ab {BRAND_CORE}]), "
        f"author_account: head([({v})<-[:POSTED]-(aa:SocialAccount) | aa {ACCOUNT_CORE}])}}"
    )


def complaint(v: str = "x") -> str:
    return (
        f"{v} {{.id, .channel, .category, .status, .opened_at, .first_response_at, "
        f".resolved_at, .text, .priority, .assignee, .escalated_at, .reopened_at, "
        f".first_response_due_at, .resolution_due_at, .version, .history_action, "
        f".history_status, .history_at, .history_actor, about: head([({v})-[:ABOUT]->(ct) | "
        f"{{kind: {v}.about_kind, id: ct.id}}])}}"
    )


def contact(v: str = "x") -> str:
    return f"{v} {{.id, .kind, .channel, .at, .summary, .brand_id, .product_id, .purchase_id}}"


def interaction(rel: str, account: str, post_var: str) -> str:
    """An INTERACTED relationship with its account and post (the post without its tags)."""
    return (
        f"{{kind: {rel}.kind, at: {rel}.at, text: {rel}.text, "
        f"account: {account} {ACCOUNT_CORE}, post: {post_var} {POST_CORE}}}"
    )


PURCHASE = purchase()
POST = post()
COMPLAINT = complaint()
ACCOUNT = "x " + ACCOUNT_CORE
PRODUCT = (
    "x {.id, .name, .category, .price, .created_at, "
    "brand: head([(x)-[:OF_BRAND]->(b:Brand) | b " + BRAND_CORE + "])}"
)
TAG = "x " + TAG_CORE
