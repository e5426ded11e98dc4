"""Map projections shared by every read: one shape per entity, so a Purchase read
through a customer, a brand or node(id) has the same fields.

Each is a Cypher expression over a variable named in its docstring-free constant name.
"""

BRAND_CORE = "{.id, .name, .category, .country, .created_at, .updated_at}"
PRODUCT_CORE = "{.id, .name, .category, .price, .created_at}"
TAG_CORE = "{.id, .name, .category}"
ACCOUNT_CORE = "{.id, .platform, .handle, .display_name, .created_at}"

# over `x`: a Purchase
PURCHASE = (
    "x {.id, .at, .channel, .currency, .total, "
    "brand: head([(x)-[:AT]->(b:Brand) | b " + BRAND_CORE + "]), "
    "items: [(x)-[l:CONTAINS]->(pr:Product) | "
    "{product: pr " + PRODUCT_CORE + ", quantity: l.quantity, unit_price: l.unit_price}]}"
)

# over `x`: a Post
POST = (
    "x {.id, .at, .platform, .content_type, .text, "
    "tags: [(x)-[:ABOUT]->(t:Tag) | t " + TAG_CORE + "], "
    "author_brand: head([(x)<-[:POSTED]-(ab:Brand) | ab " + BRAND_CORE + "]), "
    "author_account: head([(x)<-[:POSTED]-(aa:SocialAccount) | aa " + ACCOUNT_CORE + "])}"
)

# over `x`: a Complaint
COMPLAINT = (
    "x {.id, .channel, .category, .status, .opened_at, .first_response_at, .resolved_at, "
    ".text, about: head([(x)-[:ABOUT]->(t) | {kind: x.about_kind, id: t.id}])}"
)

# over `x`: a SocialAccount
ACCOUNT = "x " + ACCOUNT_CORE
PRODUCT = (
    "x {.id, .name, .category, .price, .created_at, brand: head([(x)-[:OF_BRAND]->(b:Brand) | b "
    + BRAND_CORE
    + "])}"
)
TAG = "x " + TAG_CORE
