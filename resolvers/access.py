"""Who may call what, and how much: the one table the request guard (schema/guard.py)
enforces before anything runs. A root field missing from the table is refused to all."""

from dataclasses import dataclass

from resolvers.principal import Role

APP, ANALYST, PARTNER, ADMIN = Role.APP, Role.ANALYST, Role.PARTNER, Role.ADMIN
READERS = frozenset({APP, ANALYST, ADMIN})

# (operation type, root field) -> roles allowed. Analysts read everything, pseudonymised;
# looking a customer up by a personal identifier would undo that, so they cannot.
ROOT_ACCESS: dict[tuple[str, str], frozenset[Role]] = {
    **{
        ("query", name): READERS
        for name in (
            "customer", "customers", "brand", "node", "brandAudience", "audienceOverlap",
            "audienceOverlapMatrix", "lookalikeBrands", "crossSellProspects",
            "crossSideEffect", "influencers", "communities", "neighbourhood", "shortestPath",
            "segmentPreferences",
        )
    },
    ("query", "customerByIdentity"): frozenset({APP, ADMIN}),
    ("query", "partner"): frozenset({PARTNER}),
    ("query", "auditLog"): frozenset({ADMIN}),
    ("query", "apiKeys"): frozenset({ADMIN}),
    ("query", "consentHistory"): frozenset({ADMIN}),
    **{
        ("mutation", name): frozenset({ADMIN})
        for name in (
            "createApiKey", "revokeApiKey", "grantConsent", "withdrawConsent",
            "exportCustomer", "eraseCustomer", "restrictProcessing",
        )
    },
}  # fmt: skip


@dataclass(frozen=True)
class Limits:
    """What one request may ask for. ``cost``: fields selected, each list field's count
    multiplied by its page size (first, or the default) down the tree."""

    max_depth: int
    max_aliases: int
    max_tokens: int
    max_cost: int
    introspection: bool


ROLE_LIMITS: dict[Role, Limits] = {
    APP: Limits(max_depth=12, max_aliases=30, max_tokens=2000, max_cost=200_000,
                introspection=True),
    ANALYST: Limits(max_depth=12, max_aliases=30, max_tokens=2000, max_cost=200_000,
                    introspection=True),
    PARTNER: Limits(max_depth=6, max_aliases=5, max_tokens=400, max_cost=5_000,
                    introspection=False),
    ADMIN: Limits(max_depth=15, max_aliases=50, max_tokens=4000, max_cost=500_000,
                  introspection=True),
}  # fmt: skip
# The most any document may hold before it is even parsed (the largest of the above).
MAX_TOKENS_ANY_ROLE = max(limits.max_tokens for limits in ROLE_LIMITS.values())


def may_call(role: Role, operation: str, field: str) -> bool:
    return role in ROOT_ACCESS.get((operation, field), frozenset())
