"""The entity lists `hub export KIND` knows: each is a GraphQL query of the public schema
(paged by `$first` and `$after`), so a kind's file holds exactly what the API answers the
same caller. Anything else is exported by passing a query of one's own (a `.graphql` file)."""

from dataclasses import dataclass

from hub.export_pages import Nested

CUSTOMER_FIELDS = """id customerId externalId name email phone gender birthYear city region
country createdAt updatedAt profileLoaded"""

# A customer's own connection, read on from `$after` when its first page was not all of it.
_FOLLOW_UP = """query($id: ID!, $first: Int!, $after: String) {
  customer(id: $id) { %s(first: $first, after: $after) {
    pageInfo { hasNextPage endCursor } nodes { %s } } } }"""

PURCHASE_FIELDS = "purchaseId at channel currency total brand { brandId name }"
INTERACTION_FIELDS = """kind at text account { accountId platform handle }
post { postId platform contentType authorBrand { brandId } }"""


@dataclass(frozen=True)
class Kind:
    """A named export: its query, and for rows inside each customer, how to page them."""

    query: str
    nested: Nested | None = None
    description: str = ""


def _per_customer(field: str, fields: str, description: str) -> Kind:
    query = f"""query($first: Int!, $after: String) {{
  customers(first: $first, after: $after) {{
    totalCount pageInfo {{ hasNextPage endCursor }}
    nodes {{ id customerId {field}(first: $first) {{
      pageInfo {{ hasNextPage endCursor }} nodes {{ {fields} }} }} }} }} }}"""
    follow_up = _FOLLOW_UP % (field, fields)
    return Kind(query, Nested(field, "customer", follow_up), description)


KINDS: dict[str, Kind] = {
    "customers": Kind(
        f"""query($first: Int!, $after: String) {{
  customers(first: $first, after: $after) {{
    totalCount pageInfo {{ hasNextPage endCursor }} nodes {{ {CUSTOMER_FIELDS} }} }} }}""",
        description="every customer's profile (pseudonymised for analysts)",
    ),
    "purchases": _per_customer("purchases", PURCHASE_FIELDS, "every purchase, by customer"),
    "interactions": _per_customer(
        "interactions", INTERACTION_FIELDS, "every interaction of a linked account, by customer"
    ),
    "complaints": Kind(
        """query($first: Int!, $after: String) {
  complaints(first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { complaintId customerId brandId channel category status priority assignee
            openedAt firstResponseAt resolvedAt escalatedAt hoursToFirstResponse
            hoursToResolution text } } }""",
        description="the complaint queue (apps and admins)",
    ),
}
