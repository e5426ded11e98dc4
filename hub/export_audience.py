"""`hub export audience ID --purpose P --brand B`: a saved audience's members for activation
(docs/export.md), through the API's own `customers(where:)` so that the rules are the API's.

Only members whose consent to the brand is live for the purpose are exported (the rule
language's `consent` condition: granted, not withdrawn, processing not restricted), and
the purpose decides how much of the profile leaves: reaching people (marketing,
personalisation) needs their contact data, which callers who may see it get; analytics
needs none, so its file is pseudonymised as the analysts' API is, whoever asks. Partner
sharing goes through the partner API (docs/partner.md), never a file.
"""

from typing import Any

from hub.export_kinds import CUSTOMER_FIELDS
from hub.export_pages import ExportError
from resolvers.principal import PURPOSES, Principal, Role

AUDIENCE_QUERY = f"""query($first: Int!, $after: String, $audience: String!,
                            $where: CustomerRule!) {{
  audience(audienceId: $audience) {{ audienceId }}
  customers(first: $first, after: $after, where: $where) {{
    totalCount pageInfo {{ hasNextPage endCursor }} nodes {{ {CUSTOMER_FIELDS} }} }} }}"""

# The role whose view of a customer a purpose needs at most.
PURPOSE_ROLES: dict[str, Role] = {
    "marketing": Role.APP,
    "personalisation": Role.APP,
    "analytics": Role.ANALYST,
}


def role_for_purpose(purpose: str) -> Role:
    """The most a file for ``purpose`` may show. Raises ExportError for an unknown purpose
    (BAD_USER_INPUT) and for partner sharing (FORBIDDEN)."""
    name = purpose.lower()
    if name == "partner_sharing":
        raise ExportError(
            "partners get shared audiences through the partner API (docs/partner.md), "
            "not as files", "FORBIDDEN",
        )  # fmt: skip
    if name not in PURPOSE_ROLES:
        raise ExportError(f"unknown purpose {purpose!r}; known: {', '.join(PURPOSES)}")
    return PURPOSE_ROLES[name]


def narrower(principal: Principal, most: Role) -> Principal:
    """``principal``, as an analyst when ``most`` is the analyst's view (pseudonymised);
    unchanged otherwise (the caller's own role already limits what it sees)."""
    if most is not Role.ANALYST or principal.role is Role.ANALYST:
        return principal
    return Principal(subject=principal.subject, role=Role.ANALYST, via=principal.via)


def audience_query(audience: str, purpose: str, brand: str | None) -> tuple[str, dict[str, Any]]:
    """The query and its variables for the audience's members with a live consent to
    ``brand`` for ``purpose``. Raises ExportError without a brand or with a purpose that
    is unknown or not for files."""
    role_for_purpose(purpose)
    if not brand:
        raise ExportError("consent is given to a brand: say which with --brand")
    where = {"and": [
        {"audience": audience},
        {"consent": {"brand": brand, "purpose": purpose.upper()}},
    ]}  # fmt: skip
    return AUDIENCE_QUERY, {"audience": audience, "where": where}
