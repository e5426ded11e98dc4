"""Who may call what, and how much: the one table the request guard (schema/guard.py)
enforces before anything runs. A root field missing from the table is refused to all."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from graph.network import MAX_HOPS, MAX_MONTH_ROWS
from resolvers import basket
from resolvers import network as net
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
            "crossSideEffect", "influencers", "communities", "accountRank", "neighbourhood",
            "shortestPath", "segmentPreferences", "recommendations",
        )
    },
    ("query", "customerByIdentity"): frozenset({APP, ADMIN}),
    # The federation subgraph's fields (schema/federation.py; only in its schema): a
    # gateway reads customers and brands as `node` does, with the caller's key.
    **{("query", name): READERS for name in ("_entities", "_service")},
    ("query", "partner"): frozenset({PARTNER}),
    ("query", "auditLog"): frozenset({ADMIN}),
    ("query", "partnerUsage"): frozenset({ADMIN}),
    ("query", "apiKeys"): frozenset({ADMIN}),
    ("query", "consentHistory"): frozenset({ADMIN}),
    ("query", "duplicateCandidates"): frozenset({ADMIN}),
    ("query", "identityCandidates"): frozenset({ADMIN}),
    **{("query", name): frozenset({ANALYST, ADMIN})
       for name in ("productsBoughtWith", "basketRules", "churnRates", "fraudSignals")},
    **{
        ("mutation", name): frozenset({ADMIN})
        for name in (
            "createApiKey", "revokeApiKey", "createPartner", "grantConsent", "withdrawConsent",
            "exportCustomer", "eraseCustomer", "restrictProcessing", "acceptLink",
            "rejectLink", "linkAccount", "unlinkAccount", "rejectDuplicate", "mergeCustomers",
            "unmergeCustomers",
        )
    },
    # What apps record (docs/operations.md); admins too, also for restricted customers.
    **{
        ("mutation", name): frozenset({APP, ADMIN})
        for name in (
            "upsertCustomer", "tagCustomer", "untagCustomer", "recordContact", "recordPurchase",
            "recordInteraction", "openComplaint", "assignComplaint", "respondToComplaint",
            "escalateComplaint", "resolveComplaint", "reopenComplaint",
        )
    },
    ("mutation", "setSlaPolicy"): frozenset({ADMIN}),
    # A partner replaces its own key (docs/partner.md, "Onboarding").
    ("mutation", "rotateMyKey"): frozenset({PARTNER}),
    # Traits and audiences (docs/audiences.md): analysts define and save, admins too.
    **{
        ("query", name): READERS
        for name in ("traitDefinitions", "audiencePreview", "audiences", "audience",
                     "loyaltyPrograms", "loyaltyProgram")
    },
    # Campaigns (docs/audiences.md): analysts and admins launch and measure them.
    **{("query", name): frozenset({ANALYST, ADMIN}) for name in ("campaigns", "campaign")},
    **{
        ("mutation", name): frozenset({ANALYST, ADMIN})
        for name in ("defineTrait", "saveAudience", "refreshAudience", "launchCampaign",
                     "saveLoyaltyProgram", "refreshLoyaltyProgram")
    },
    **{("mutation", name): frozenset({ADMIN}) for name in ("deleteTrait", "refreshTraits")},
    # Changes pushed out (docs/operations.md): as the queries reading the same records.
    ("subscription", "complaintChanged"): frozenset({APP, ADMIN}),
    ("subscription", "slaAtRisk"): frozenset({APP, ADMIN}),
    ("subscription", "customerChanged"): frozenset({APP, ADMIN}),
    ("subscription", "audienceChanged"): frozenset({APP, ADMIN}),
    ("subscription", "consentChanged"): frozenset({ADMIN}),
    # Webhooks: admins register endpoints, read and replay deliveries.
    ("mutation", "registerWebhook"): frozenset({ADMIN}),
    ("mutation", "replayWebhookDelivery"): frozenset({ADMIN}),
    ("query", "webhookEndpoints"): frozenset({ADMIN}),
    ("query", "webhookDeliveries"): frozenset({ADMIN}),
    # The complaint queue names customers: apps and admins, not analysts.
    **{
        ("query", name): frozenset({APP, ADMIN})
        for name in ("complaints", "complaintHandling", "slaPolicies")
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


# app and analyst: the standard introspection query (GraphiQL's) of this schema costs about
# 205,000 and must fit (tests/unit/schema/test_guard.py); it grows with the schema.
ROLE_LIMITS: dict[Role, Limits] = {
    APP: Limits(max_depth=12, max_aliases=30, max_tokens=2000, max_cost=250_000,
                introspection=True),
    ANALYST: Limits(max_depth=12, max_aliases=30, max_tokens=2000, max_cost=250_000,
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


# --- work in the hub's own process (docs/security.md, "Limits") ---------------------------
# A root field that reads rows whole and computes over them in Python costs that work as
# well as the items it returns: the rows it may read at its caps (resolvers/network.py).
# Community detection runs Louvain over up to 2 x 200,000 account edges in a worker
# process: it is priced at half an app or analyst request, so such a request holds one
# (an admin's, four), and ten aliased ones are refused before anything runs.
COMMUNITIES_COST = 100_000
FRAUD_COST = 100_000  # as communities: a whole-graph computation, one per request
# PageRank over up to 400,000 follows may run in the hub too (resolvers/network_algorithms.py).
ACCOUNT_RANK_COST = COMMUNITIES_COST
NEIGHBOURHOOD_NODE_COST = 10  # a node read, shaped, and tested against the others' edges


def _int(value: Any, low: int, high: int) -> int:
    """An argument as the field will take it, within its allowed range (an out-of-range
    value is refused by the resolver anyway, with BAD_USER_INPUT); the most it allows
    when the value is not known yet (a variable left out)."""
    number = value if isinstance(value, int) and not isinstance(value, bool) else high
    return min(max(number, low), high)


def _neighbourhood(args: Mapping[str, Any]) -> int:
    hops = _int(args.get("hops"), 1, MAX_HOPS)
    nodes = _int(args.get("maxNodes"), 1, net.MAX_NEIGHBOURHOOD_NODES)
    return hops * nodes * NEIGHBOURHOOD_NODE_COST


def _matrix(args: Mapping[str, Any]) -> int:
    brands = args.get("brands")
    n = min(len(brands) if isinstance(brands, list) else 2, net.MAX_MATRIX_BRANDS)
    return n * (n + 1) // 2  # the pairs, the diagonal included


# root query field -> its work's cost, from its arguments (schema defaults filled in)
WORK_COSTS: dict[str, Callable[[Mapping[str, Any]], int]] = {
    "communities": lambda _: COMMUNITIES_COST,
    "accountRank": lambda _: ACCOUNT_RANK_COST,
    "segmentPreferences": lambda _: net.MAX_GROUPS + net.MAX_CELLS,
    "crossSellProspects": lambda _: net.MAX_SIGNALS + net.MAX_RANKED,
    "lookalikeBrands": lambda _: net.MAX_RANKED,
    "influencers": lambda _: net.MAX_RANKED,
    "brandAudience": lambda _: MAX_MONTH_ROWS,
    "crossSideEffect": lambda _: 2 * MAX_MONTH_ROWS,
    "audienceOverlapMatrix": _matrix,
    "neighbourhood": _neighbourhood,
    # up to three statements of MAX_ITEMSETS sets each, and their rules, in the hub
    "basketRules": lambda _: basket.MAX_SIZE * basket.MAX_ITEMSETS,
    "productsBoughtWith": lambda _: basket.MAX_BOUGHT_WITH,
    # every purchase and young interaction is read in the graph; the few customers and
    # accounts that could score are scored in the hub
    "fraudSignals": lambda _: FRAUD_COST,
}


def work_cost(field: str, arguments: Mapping[str, Any]) -> int:
    """What root query ``field``'s work in the hub costs, on top of its items (0 for a
    field that does none), from its arguments as the request gives them."""
    cost = WORK_COSTS.get(field)
    return cost(arguments) if cost is not None else 0
