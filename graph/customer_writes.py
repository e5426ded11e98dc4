"""What apps record about a customer: tags, contacts, purchases, interactions
(one statement each, shaped by graph/mutations.py; docs/operations.md).

Every statement locks the customer it writes to (an interaction: the account), and is
refused when the customer is unknown (`missing`), or restricted and the caller not an
admin (`restricted`, from `$mutation.admin`). Nodes the write names (a brand, a product,
a purchase) must exist: the API never creates stubs.
"""

from graph.mutations import MutationShape, mutation_statement

CUSTOMER = "OPTIONAL MATCH (c:Customer {id: $customer})"
CUSTOMER_CHECKS = (
    ("c IS NULL", "missing"),
    ("c.restricted_at IS NOT NULL AND NOT $mutation.admin", "restricted"),
)

# Tag the customer (the tag is created when new); a tag given again is updated.
TAG_CUSTOMER = mutation_statement(
    MutationShape(
        match=CUSTOMER,
        lock="c",
        carried=("c",),
        checks=CUSTOMER_CHECKS,
        body="""  MERGE (t:Tag {id: $tag.id})
  ON CREATE SET t.name = $tag.id, t.created_at = $mutation.now
  MERGE (c)-[r:TAGGED]->(t)
  SET r.weight = $tag.weight, r.source = $tag.source, r.at = $mutation.now""",
    )
)

# Remove a tag; `tagged` says whether the customer had it (untagging twice is no error).
UNTAG_CUSTOMER = mutation_statement(
    MutationShape(
        match=CUSTOMER + "\nOPTIONAL MATCH (c)-[r:TAGGED]->(:Tag {id: $tag})",
        lock="c",
        carried=("c", "r"),
        facts=("r IS NOT NULL AS tagged",),
        checks=CUSTOMER_CHECKS,
        body="  FOREACH (_r IN CASE WHEN r IS NULL THEN [] ELSE [1] END | DELETE r)",
    )
)

# A contact (call, email, visit, promotion...), optionally about a brand, a product, and
# one of the customer's purchases.
RECORD_CONTACT = mutation_statement(
    MutationShape(
        match=CUSTOMER
        + "\nOPTIONAL MATCH (b:Brand {id: $about.brand})"
        + "\nOPTIONAL MATCH (p:Product {id: $about.product})"
        + "\nOPTIONAL MATCH (c)-[:MADE]->(pu:Purchase {id: $about.purchase})",
        lock="c",
        carried=("c", "b", "p", "pu"),
        checks=(
            *CUSTOMER_CHECKS,
            ("$about.brand IS NOT NULL AND b IS NULL", "brand_missing"),
            ("$about.product IS NOT NULL AND p IS NULL", "product_missing"),
            ("$about.purchase IS NOT NULL AND pu IS NULL", "purchase_missing"),
        ),
        body="""  CREATE (k:Contact {id: $contact.id})
  SET k += $contact.props, k.created_at = $mutation.now, k.updated_at = $mutation.now
  CREATE (c)-[:HAD_CONTACT]->(k)
  FOREACH (_b IN CASE WHEN b IS NULL THEN [] ELSE [1] END | CREATE (k)-[:ABOUT]->(b))
  FOREACH (_p IN CASE WHEN p IS NULL THEN [] ELSE [1] END | CREATE (k)-[:ABOUT]->(p))
  FOREACH (_u IN CASE WHEN pu IS NULL THEN [] ELSE [1] END | CREATE (k)-[:ABOUT]->(pu))""",
    )
)

# A purchase with its line items, at a known brand, of known products; its id is the
# selling system's and must be new.
RECORD_PURCHASE = mutation_statement(
    MutationShape(
        match=CUSTOMER
        + "\nOPTIONAL MATCH (b:Brand {id: $purchase.brand_id})"
        + "\nOPTIONAL MATCH (old:Purchase {id: $purchase.id})"
        + "\nOPTIONAL MATCH (pr:Product) WHERE pr.id IN $purchase.product_ids"
        + "\nWITH c, b, old, count(DISTINCT pr) AS products_found",
        lock="c",
        carried=("c", "b", "old", "products_found"),
        checks=(
            *CUSTOMER_CHECKS,
            ("b IS NULL", "brand_missing"),
            ("products_found < size($purchase.product_ids)", "product_missing"),
            ("old IS NOT NULL", "purchase_exists"),
        ),
        body="""  CREATE (n:Purchase {id: $purchase.id})
  SET n += $purchase.props, n.created_at = $mutation.now, n.updated_at = $mutation.now
  CREATE (c)-[:MADE]->(n)
  CREATE (n)-[:AT]->(b)
  FOREACH (i IN $purchase.items |
    MERGE (ip:Product {id: i.id})
    CREATE (n)-[l:CONTAINS]->(ip)
    SET l.quantity = i.quantity, l.unit_price = i.unit_price)""",
    )
)

# A social account's interaction with a post; the customers the account is linked to are
# the ones it is about (none is fine: an unlinked fan).
RECORD_INTERACTION = mutation_statement(
    MutationShape(
        match="OPTIONAL MATCH (a:SocialAccount {id: $interaction.account_id})"
        + "\nOPTIONAL MATCH (p:Post {id: $interaction.post_id})",
        lock="a",
        carried=("a", "p"),
        facts=("[(a)<-[:HAS_ACCOUNT]-(o:Customer) | o.id] AS owners",),
        checks=(
            ("a IS NULL", "account_missing"),
            ("p IS NULL", "post_missing"),
            (
                "NOT $mutation.admin AND "
                "size([(a)<-[:HAS_ACCOUNT]-(ro:Customer) WHERE ro.restricted_at IS NOT NULL"
                " | 1]) > 0",
                "restricted",
            ),
        ),
        body="""  MERGE (a)-[r:INTERACTED {kind: $interaction.kind, at: $interaction.at}]->(p)
  SET r.text = $interaction.text""",
        customer_ids="owners",
    )
)

# A customer's profile as upsertCustomer decides against it (resolvers/customer_profile.py).
CUSTOMER_PROFILE = "MATCH (c:Customer {id: $customer}) RETURN properties(c) AS props"

# Set the profile fields that won (`$profile.props`, with their provenance as JSON in
# `$profile.sources`), creating the customer when unknown. Refused as `stale` when the
# profile changed since it was read (`$profile.version`): the resolver decides again on
# what is there now. A customer created meanwhile by another writer breaks the id's
# uniqueness on Neo4j (CREATE, not MERGE, so as not to write over it); on the embedded
# engine the statement sees it and is `stale`.
UPSERT_CUSTOMER = mutation_statement(
    MutationShape(
        match=CUSTOMER,
        lock="c",
        carried=("c",),
        facts=("c IS NULL AS created",),
        checks=(
            ("c.restricted_at IS NOT NULL AND NOT $mutation.admin", "restricted"),
            ("coalesce(c.profile_version, 0) <> $profile.version", "stale"),
        ),
        body="""  FOREACH (_n IN CASE WHEN c IS NULL THEN [1] ELSE [] END |
    CREATE (n:Customer {id: $customer})
    SET n += $profile.props, n.field_sources = $profile.sources,
      n.profile_version = $profile.version + 1, n.row_hash = $profile.row_hash,
      n.created_at = $mutation.now, n.updated_at = $mutation.now)
  FOREACH (_e IN CASE WHEN c IS NULL THEN [] ELSE [1] END |
    SET c += $profile.props, c.field_sources = $profile.sources,
      c.profile_version = $profile.version + 1, c.row_hash = coalesce(c.row_hash,
      $profile.row_hash), c.updated_at = $mutation.now)""",
    )
)
