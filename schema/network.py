"""Network queries for data teams: audiences and their overlap, lookalike brands,
cross-sell prospects, cross-side effects, influence, communities, neighbourhoods, paths
and segment x content preferences. Definitions: docs/network.md.
"""

from collections.abc import Callable
from datetime import datetime
from enum import Enum
from typing import Annotated, Any, TypeVar

import strawberry
from strawberry.types import Info

from resolvers import network as net
from resolvers.communities import Community as FoundCommunity
from resolvers.context import Context, Record
from resolvers.ids import to_global_id
from resolvers.network_algorithms import account_ranking
from schema.base import Connection, ms_to_datetime, ranked_connection
from schema.brand import Brand
from schema.customer import Consent, Customer
from schema.personal import Personal
from schema.social import SocialAccount

T = TypeVar("T")


@strawberry.enum(description="How a customer engages with a brand (docs/network.md).")
class EngagementKind(Enum):
    FOLLOW = strawberry.enum_value("follow", description="One of their accounts follows it.")
    INTERACTION = strawberry.enum_value(
        "interaction", description="One of their accounts interacted with its post."
    )
    PURCHASE = strawberry.enum_value("purchase", description="They bought from it.")


@strawberry.enum(description="What ranks brands similar to another.")
class SimilarityOrder(Enum):
    JACCARD = strawberry.enum_value("jaccard", description="Shared / union of the audiences.")
    SHARED = strawberry.enum_value("shared", description="Number of shared customers.")
    LIFT = strawberry.enum_value("lift", description="Shared * N / (|A| * |B|).")


@strawberry.enum(description="How customers are grouped for preferences.")
class PreferenceGroup(Enum):
    SEGMENT = strawberry.enum_value("segment", description="By marketing segment (IN_SEGMENT).")
    REGION = strawberry.enum_value("region", description="By the customer's region.")


@strawberry.input(description="A time window [from, until); either end may be left open.")
class DateRange:
    from_: datetime | None = strawberry.field(
        default=None, name="from", description="Start, inclusive."
    )
    until: datetime | None = strawberry.field(default=None, description="End, exclusive.")


Kinds = Annotated[
    list[EngagementKind] | None,
    strawberry.argument(description="Engagement kinds that count (default: all three)."),
]
Period = Annotated[
    DateRange | None, strawberry.argument(description="Only activity in this window.")
]
First = Annotated[int, strawberry.argument(description="Page size (at most the server maximum).")]
After = Annotated[str | None, strawberry.argument(description="Cursor to start after.")]
BrandId = Annotated[strawberry.ID, strawberry.argument(description="Brand global id or key.")]


def _kinds(kinds: list[EngagementKind] | None) -> tuple[str, ...]:
    return net.engagement_kinds(None if kinds is None else [_value(k) for k in kinds])


def _period(period: DateRange | None) -> net.Range:
    return net.date_range(period.from_, period.until) if period else (None, None)


def _month(month: int) -> str:
    return f"{month // 100:04d}-{month % 100:02d}"


def _page(
    info: Info[Context, None],
    items: list[T],
    key: Callable[[T], tuple[Any, ...]],
    first: int,
    after: str | None,
    kind: str,
) -> Connection[T]:
    return ranked_connection(items, key, first, after, kind, info.context.max_page_size)


def _value(choice: Enum) -> str:
    """An enum's value (strawberry.enum_value hides the plain string from mypy)."""
    return str(choice.value)


# --- overlap --------------------------------------------------------------------------


@strawberry.type(description="How the audiences of two brands overlap.")
class AudienceOverlap:
    a: Brand = strawberry.field(description="The first brand.")
    b: Brand = strawberry.field(description="The second brand.")
    audience_a: int = strawberry.field(description="|A|: customers engaged with `a`.")
    audience_b: int = strawberry.field(description="|B|: customers engaged with `b`.")
    shared: int = strawberry.field(description="Customers engaged with both.")
    union: int = strawberry.field(description="|A or B|: customers engaged with either.")
    jaccard: float | None = strawberry.field(
        description="shared / union; null when both are empty."
    )
    lift: float | None = strawberry.field(
        description="shared * N / (|A| * |B|), N = customers in the graph; 1 = independent; "
        "null when an audience is empty."
    )
    customers_in_graph: int = strawberry.field(description="N: all customers in the graph.")

    @classmethod
    def from_record(cls, r: Record) -> "AudienceOverlap":
        return cls(
            a=Brand.from_record(r["a"]),
            b=Brand.from_record(r["b"]),
            audience_a=r["audience_a"],
            audience_b=r["audience_b"],
            shared=r["shared"],
            union=r["union"],
            jaccard=r["jaccard"],
            lift=r["lift"],
            customers_in_graph=r["customers"],
        )


@strawberry.type(description="A brand and the size of its audience.")
class BrandAudienceSize:
    brand: Brand = strawberry.field(description="The brand.")
    audience: int = strawberry.field(description="Distinct customers engaged with it.")


@strawberry.type(description="Overlap of every pair of a set of brands, from one statement.")
class AudienceOverlapMatrix:
    customers_in_graph: int = strawberry.field(description="N: all customers in the graph.")
    brands: list[BrandAudienceSize] = strawberry.field(
        description="The brands in the order given (duplicates dropped), with audience sizes."
    )
    pairs: list[AudienceOverlap] = strawberry.field(
        description="Every unordered pair (a before b in the given order): n(n-1)/2 items. "
        "A plain list: it is bounded by the 50-brand limit and computed whole."
    )


# --- audience -------------------------------------------------------------------------


@strawberry.type(description="Audience growth in one calendar month (UTC).")
class AudienceMonth:
    month: str = strawberry.field(description="The month, `YYYY-MM`.")
    start: datetime = strawberry.field(description="Its first instant, UTC.")
    new_members: int = strawberry.field(
        description="Customers whose first engagement (of the selected kinds) is in the month."
    )
    running_total: int = strawberry.field(
        description="Members whose first engagement is in this month or before."
    )


@strawberry.type(description="A brand's audience: its size by engagement kind, and its growth.")
class BrandAudience:
    brand: Brand = strawberry.field(description="The brand.")
    customers: int = strawberry.field(
        description="Distinct customers with an engagement of a selected kind in the period."
    )
    followers: int | None = strawberry.field(
        description="Of those, customers following it (null unless FOLLOW is selected)."
    )
    interactors: int | None = strawberry.field(
        description="Customers who interacted with its posts (null unless INTERACTION is selected)."
    )
    purchasers: int | None = strawberry.field(
        description="Customers who bought from it (null unless PURCHASE is selected)."
    )
    undated_members: int = strawberry.field(
        description="Members (all time) with no dated engagement (a follow without `since`); "
        "they are in no month of the growth."
    )
    _months: strawberry.Private[list[AudienceMonth]]

    @strawberry.field(description="New members per month, for the months the period overlaps.")
    def growth(self, info: Info[Context, None], first: First = 24, after: After = None
               ) -> Connection[AudienceMonth]:  # fmt: skip
        return _page(info, self._months, lambda m: (m.month,), first, after, "audience-growth")


# --- lookalikes and cross-sell --------------------------------------------------------


@strawberry.type(description="A trait over-represented in a brand's audience.")
class AudienceSignal:
    kind: str = strawberry.field(description="`tag` or `category` (a product category).")
    key: str = strawberry.field(description="The tag id or the category name.")
    name: str | None = strawberry.field(description="The tag's name, or the category.")
    audience_share: float = strawberry.field(
        description="Share of the target brand's audience with the trait."
    )
    base_rate: float = strawberry.field(description="Share of all customers with the trait.")
    excess: float = strawberry.field(
        description="audienceShare - baseRate: what the trait adds to a prospect's score."
    )
    members: int = strawberry.field(description="Target-audience members with the trait.")

    @classmethod
    def of(cls, s: net.Signal) -> "AudienceSignal":
        return cls(
            kind=s.kind,
            key=s.key,
            name=s.name,
            audience_share=s.audience_share,
            base_rate=s.base_rate,
            excess=s.excess,
            members=s.members,
        )


@strawberry.type(description="A customer of one brand who looks like another's audience.")
class CrossSellProspect:
    customer: Customer = strawberry.field(description="The prospect.")
    score: float = strawberry.field(description="Sum of the excess of the matching traits.")
    reason: str = strawberry.field(description="Why, in words: traits and how far above base.")
    tags: list[AudienceSignal] = strawberry.field(
        description="Over-represented tags the prospect carries, strongest first."
    )
    categories: list[AudienceSignal] = strawberry.field(
        description="Over-represented categories the target sells that the prospect bought."
    )
    marketing_consent: bool = strawberry.field(
        description="True when the prospect's consent to the `to` brand is live for "
        "marketing now (always true unless `includeWithoutConsent`)."
    )
    consent: Consent | None = strawberry.field(
        description="That live consent (its purposes, grant time, source and policy "
        "version), or null without one."
    )


# --- cross-side -----------------------------------------------------------------------


@strawberry.type(description="One month (UTC) of the two-sided network, both directions.")
class CrossSideMonth:
    month: str = strawberry.field(description="The month, `YYYY-MM`.")
    start: datetime = strawberry.field(description="Its first instant, UTC.")
    brands_joined: int = strawberry.field(description="Brands created in the month.")
    customers_reached: int = strawberry.field(
        description="Distinct customers engaged (ever) with the brands created in the month."
    )
    engagements_with_new_brands: int = strawberry.field(
        description="Their engagements (follows, interactions, purchases) with those brands."
    )
    customers_joined: int = strawberry.field(description="Customers created in the month.")
    brands_reached: int = strawberry.field(
        description="Distinct brands the customers created in the month engaged with (ever)."
    )
    engagements_by_new_customers: int = strawberry.field(
        description="Those customers' engagements with brands."
    )


# --- influence ------------------------------------------------------------------------


@strawberry.type(description="An account whose posts draw other people's activity.")
class Influencer:
    account: SocialAccount = strawberry.field(description="The account.")
    customer_id: str | None = strawberry.field(description="The customer it is linked to.")
    posts: int = strawberry.field(description="Posts the account published (all time).")
    interactions_received: int = strawberry.field(
        description="Interactions with its posts by other people's accounts in the period."
    )
    distinct_interactors: int = strawberry.field(description="Distinct accounts behind them.")
    shares_received: int = strawberry.field(description="Of those interactions, shares.")
    attributed_purchases: int = strawberry.field(
        description="Distinct purchases by interacting customers within the attribution "
        "window after an interaction."
    )
    attributed_buyers: int = strawberry.field(description="Distinct customers who made them.")
    score: float = strawberry.field(
        description="distinctInteractors + 2 * sharesReceived + 5 * attributedPurchases."
    )


# --- communities ----------------------------------------------------------------------


@strawberry.type(description="An account in a community, with the customer it is linked to.")
class CommunityMember:
    account_id: str = strawberry.field(description="The account's key.")
    customer_id: str | None = strawberry.field(description="The linked customer's key.")

    @strawberry.field(description="The account.")
    async def account(self, info: Info[Context, None]) -> SocialAccount | None:
        record = await info.context.loaders.nodes.load(("SocialAccount", self.account_id))
        return SocialAccount.from_record(record) if record else None


@strawberry.type(description="Accounts tied by follows and interactions more than to others.")
class Community:
    rank: int = strawberry.field(description="1 for the largest community.")
    size: int = strawberry.field(description="Number of member accounts.")
    internal_weight: int = strawberry.field(description="Follows and interactions between members.")
    _members: strawberry.Private[list[CommunityMember]]

    @strawberry.field(description="The member accounts, by account key.")
    def members(self, info: Info[Context, None], first: First = 20, after: After = None
                ) -> Connection[CommunityMember]:  # fmt: skip
        page = _page(info, self._members, lambda m: (m.account_id,), first, after, "members")
        info.context.audit.customers_read(
            e.node.customer_id for e in page.edges if e.node.customer_id
        )
        return page

    @classmethod
    def of(cls, rank: int, c: FoundCommunity) -> "Community":
        members = [CommunityMember(account_id=a, customer_id=o) for a, o in c.members]
        return cls(rank=rank, size=c.size, internal_weight=c.internal_weight, _members=members)


@strawberry.type(description="Communities of the account graph.")
class Communities:
    truncated: bool = strawberry.field(
        description="True when the edge cap cut the input (the answer covers part of it)."
    )
    algorithm: str = strawberry.field(
        description="Where and how they were found: `hub:networkx.louvain` or "
        "`neo4j:gds.louvain` (docs/network.md)."
    )
    _found: strawberry.Private[list[Community]]

    @strawberry.field(description="The communities, largest first.")
    def communities(self, info: Info[Context, None], first: First = 20, after: After = None
                    ) -> Connection[Community]:  # fmt: skip
        return _page(info, self._found, lambda c: (c.rank,), first, after, "communities")


# --- account PageRank -----------------------------------------------------------------


@strawberry.type(description="An account ranked by PageRank over follows between accounts.")
class RankedAccount:
    rank: int = strawberry.field(description="1 for the highest score.")
    account: SocialAccount = strawberry.field(description="The account.")
    customer_id: str | None = strawberry.field(description="The customer it is linked to.")
    score: float = strawberry.field(
        description="Its PageRank (damping 0.85). Compare ranks, not scores, across "
        "algorithms: each normalises over the accounts it ranks."
    )


@strawberry.type(description="Accounts by PageRank over the follows between accounts.")
class AccountRanking:
    algorithm: str = strawberry.field(
        description="Where it ran: `hub:networkx.pagerank`, `embedded:algo.pageRank` or "
        "`neo4j:gds.pageRank` (docs/network.md)."
    )
    truncated: bool = strawberry.field(
        description="True when the hub's edge cap cut the input (the answer covers part of it)."
    )
    _ranked: strawberry.Private[list[RankedAccount]]

    @strawberry.field(description="The accounts, highest score first (the best 1,000).")
    def accounts(self, info: Info[Context, None], first: First = 20, after: After = None
                 ) -> Connection[RankedAccount]:  # fmt: skip
        page = _page(info, self._ranked, lambda a: (a.rank,), first, after, "ranked-accounts")
        info.context.audit.customers_read(
            e.node.customer_id for e in page.edges if e.node.customer_id
        )
        return page


# --- neighbourhood and paths ----------------------------------------------------------


@strawberry.type(description="A node of a neighbourhood or a path.")
class NetworkNode:
    type: str = strawberry.field(description="Its label: Customer, Brand, SocialAccount...")
    key: str = strawberry.field(description="Its key (the `id` property).")
    global_id: strawberry.ID | None = strawberry.field(
        description="Its global id for `node(id:)` (null for types without one, e.g. Segment)."
    )
    display_name: str | None = strawberry.field(
        description="Name, display name, handle or text, whichever it has.",
        extensions=[Personal()],
    )
    distance: int | None = strawberry.field(
        description="Hops from the start (neighbourhoods; null on a path)."
    )

    @classmethod
    def from_record(cls, r: Record) -> "NetworkNode":
        gid = to_global_id(r["type"], r["key"]) if r["global"] else None
        return cls(
            type=r["type"],
            key=r["key"],
            global_id=strawberry.ID(gid) if gid else None,
            display_name=r["name"],
            distance=r.get("distance"),
        )


@strawberry.type(description="Relationships of one type from one node to another.")
class NetworkEdge:
    from_type: str = strawberry.field(description="Start node's type.")
    from_key: str = strawberry.field(description="Start node's key.")
    type: str = strawberry.field(description="Relationship type, e.g. FOLLOWS.")
    to_type: str = strawberry.field(description="End node's type.")
    to_key: str = strawberry.field(description="End node's key.")
    count: int = strawberry.field(description="Parallel relationships (e.g. several likes).")


@strawberry.type(description="The nodes within some hops of one node, and their relationships.")
class Neighbourhood:
    truncated: bool = strawberry.field(
        description="True when the node limit cut the neighbourhood short."
    )
    _nodes: strawberry.Private[list[NetworkNode]]
    _edges: strawberry.Private[list[NetworkEdge]]

    @strawberry.field(description="Nodes by distance, then type, then key (the start first).")
    def nodes(self, info: Info[Context, None], first: First = 20, after: After = None
              ) -> Connection[NetworkNode]:  # fmt: skip
        return _page(
            info, self._nodes, lambda n: (n.distance, n.type, n.key), first, after, "hood-nodes"
        )

    @strawberry.field(description="Relationships between the listed nodes.")
    def edges(self, info: Info[Context, None], first: First = 20, after: After = None
              ) -> Connection[NetworkEdge]:  # fmt: skip
        return _page(
            info,
            self._edges,
            lambda e: (e.from_type, e.from_key, e.type, e.to_type, e.to_key),
            first,
            after,
            "hood-edges",
        )


@strawberry.type(description="One relationship along a path.")
class PathStep:
    type: str = strawberry.field(description="Relationship type.")
    forward: bool = strawberry.field(
        description="True when it points from the previous node to the next one."
    )


@strawberry.type(description="A shortest path from a customer to a brand.")
class NetworkPath:
    length: int = strawberry.field(description="Number of relationships.")
    nodes: list[NetworkNode] = strawberry.field(
        description="From the customer to the brand (length + 1 nodes)."
    )
    steps: list[PathStep] = strawberry.field(description="The relationships between them.")


# --- preferences ----------------------------------------------------------------------


@strawberry.type(description="How much one group of customers engages with one content type.")
class SegmentPreference:
    group: str = strawberry.field(description="The segment id or the region.")
    group_name: str | None = strawberry.field(description="The segment's name or the region.")
    group_size: int = strawberry.field(description="Customers in the group.")
    content_type: str = strawberry.field(description="The posts' content type.")
    interacting_customers: int = strawberry.field(
        description="Customers in the group whose accounts interacted with it in the period."
    )
    interactions: int = strawberry.field(description="Their interactions with it.")
    rate: float | None = strawberry.field(
        description="interactingCustomers / groupSize (null for an empty group)."
    )


# --- root fields ----------------------------------------------------------------------


@strawberry.type
class NetworkQueries:
    @strawberry.field(description="A brand's audience by engagement kind, and its monthly growth.")
    async def brand_audience(
        self, info: Info[Context, None], brand: BrandId, engagement: Kinds = None,
        period: Period = None,
    ) -> BrandAudience:  # fmt: skip
        r = await net.brand_audience(info.context, brand, _kinds(engagement), _period(period))
        months = [
            AudienceMonth(
                month=_month(m["month"]),
                start=ms_to_datetime(m["start"]),  # type: ignore[arg-type]  # never None here
                new_members=m["new_members"],
                running_total=m["running_total"],
            )
            for m in r["months"]
        ]
        return BrandAudience(
            brand=Brand.from_record(r["brand"]),
            customers=r["customers"],
            followers=r["followers"],
            interactors=r["interactors"],
            purchasers=r["purchasers"],
            undated_members=r["undated_members"],
            _months=months,
        )

    @strawberry.field(description="How two brands' audiences overlap: sizes, Jaccard, lift.")
    async def audience_overlap(
        self, info: Info[Context, None],
        a: Annotated[strawberry.ID, strawberry.argument(description="First brand (id or key).")],
        b: Annotated[strawberry.ID, strawberry.argument(description="Second brand (id or key).")],
        engagement: Kinds = None,
    ) -> AudienceOverlap:  # fmt: skip
        r = await net.audience_overlap(info.context, a, b, _kinds(engagement))
        return AudienceOverlap.from_record(r)

    @strawberry.field(description="Overlap of every pair of up to 50 brands, in one statement.")
    async def audience_overlap_matrix(
        self, info: Info[Context, None],
        brands: Annotated[list[strawberry.ID], strawberry.argument(
            description="The brands (ids or keys), at most 50.")],
        engagement: Kinds = None,
    ) -> AudienceOverlapMatrix:  # fmt: skip
        sizes, pairs, customers = await net.overlap_matrix(info.context, brands, _kinds(engagement))
        return AudienceOverlapMatrix(
            customers_in_graph=customers,
            brands=[
                BrandAudienceSize(brand=Brand.from_record(s), audience=s["audience"]) for s in sizes
            ],
            pairs=[AudienceOverlap.from_record(p) for p in pairs],
        )

    @strawberry.field(
        description="Brands whose audiences share customers with this one, most similar first "
        "(by Jaccard, shared customers or lift); `a` is always this brand. With SHARED it is "
        "the brand's view of the two-sided network: customers it shares with each other brand."
    )
    async def lookalike_brands(
        self, info: Info[Context, None], brand: BrandId, engagement: Kinds = None,
        order_by: Annotated[SimilarityOrder, strawberry.argument(
            description="What ranks them.")] = SimilarityOrder.JACCARD,
        first: First = 20, after: After = None,
    ) -> Connection[AudienceOverlap]:  # fmt: skip
        order = _value(order_by)
        items = await net.lookalike_brands(info.context, brand, _kinds(engagement), order)
        nodes = [AudienceOverlap.from_record(i) for i in items]
        return _page(
            info, nodes, lambda o: (-(getattr(o, order) or 0), o.b.brand_id), first, after,
            f"lookalikes-{order}",
        )  # fmt: skip

    @strawberry.field(
        description="Customers engaged with `from` and not with `to` who carry the traits "
        "over-represented in `to`'s audience, best first, each with the reason. A marketing "
        "list: only customers whose consent to `to` is live for marketing, unless "
        "`includeWithoutConsent`."
    )
    async def cross_sell_prospects(
        self, info: Info[Context, None],
        from_: Annotated[strawberry.ID, strawberry.argument(
            name="from", description="The brand whose customers are candidates.")],
        to: Annotated[strawberry.ID, strawberry.argument(
            description="The brand to sell to them.")],
        engagement: Kinds = None,
        min_members: Annotated[int, strawberry.argument(
            description="A trait counts only when at least this many of `to`'s audience "
            "carry it.")] = 2,
        include_without_consent: Annotated[bool, strawberry.argument(
            description="Also list customers without a live marketing consent to `to`, "
            "for analysis (analysts and admins; refused to app keys).")] = False,
        first: First = 20, after: After = None,
    ) -> Connection[CrossSellProspect]:  # fmt: skip
        items = await net.cross_sell_prospects(
            info.context, from_, to, _kinds(engagement), min_members, include_without_consent
        )
        info.context.audit.customers_read(i["customer"]["id"] for i in items)
        nodes = [
            CrossSellProspect(
                customer=Customer.from_record(i["customer"]),
                score=i["score"],
                reason=i["reason"],
                tags=[AudienceSignal.of(s) for s in i["tags"]],
                categories=[AudienceSignal.of(s) for s in i["categories"]],
                marketing_consent=i["consent"] is not None,
                consent=Consent.from_record({**i["consent"], "brand": i["consent_brand"]})
                if i["consent"]
                else None,
            )
            for i in items
        ]
        return _page(
            info, nodes, lambda p: (-p.score, p.customer.customer_id), first, after, "prospects"
        )

    @strawberry.field(
        description="Month by month: brands created and the customers they drew; customers "
        "created and the brands they engaged with."
    )
    async def cross_side_effect(
        self, info: Info[Context, None], engagement: Kinds = None,
        period: Annotated[DateRange | None, strawberry.argument(
            description="Only brands and customers created in this window.")] = None,
        first: First = 24, after: After = None,
    ) -> Connection[CrossSideMonth]:  # fmt: skip
        rows = await net.cross_side_effect(info.context, _kinds(engagement), _period(period))
        nodes = [
            CrossSideMonth(
                **{**r, "month": _month(r["month"]), "start": ms_to_datetime(r["start"])}
            )
            for r in rows
        ]
        return _page(info, nodes, lambda m: (m.month,), first, after, "cross-side")

    @strawberry.field(
        description="Accounts whose posts draw other people's interactions, shares and "
        "purchases, most influential first, with the evidence."
    )
    async def influencers(
        self, info: Info[Context, None],
        period: Annotated[DateRange | None, strawberry.argument(
            description="Only interactions in this window.")] = None,
        attribution_window_days: Annotated[int, strawberry.argument(
            description="A purchase counts when made this many days or less after the "
            "buyer's interaction.")] = net.ATTRIBUTION_WINDOW_DAYS,
        first: First = 20, after: After = None,
    ) -> Connection[Influencer]:  # fmt: skip
        rows = await net.influencers(info.context, _period(period), attribution_window_days)
        info.context.audit.customers_read(r["customer"] for r in rows if r["customer"])
        nodes = [
            Influencer(
                account=SocialAccount.from_record(r["account"]),
                customer_id=r["customer"],
                posts=r["posts"],
                interactions_received=r["interactions"],
                distinct_interactors=r["interactors"],
                shares_received=r["shares"],
                attributed_purchases=r["purchases"],
                attributed_buyers=r["buyers"],
                score=r["score"],
            )
            for r in rows
        ]
        return _page(
            info, nodes, lambda i: (-i.score, i.account.account_id), first, after, "influencers"
        )

    @strawberry.field(
        description="Communities of accounts tied by follows and interactions (Louvain, "
        "seeded), largest first."
    )
    async def communities(
        self, info: Info[Context, None],
        seed: Annotated[int, strawberry.argument(
            description="Seed of the algorithm: the same graph and seed, the same answer.")] = 42,
        min_size: Annotated[int, strawberry.argument(
            description="Leave out communities smaller than this.")] = 2,
    ) -> Communities:  # fmt: skip
        found, truncated, algorithm = await net.communities(info.context, seed, min_size)
        return Communities(
            truncated=truncated,
            algorithm=algorithm,
            _found=[Community.of(i + 1, c) for i, c in enumerate(found)],
        )

    @strawberry.field(
        description="Accounts ranked by PageRank over the follows between accounts (who is "
        "followed by the followed), run in the engine where it can (docs/network.md)."
    )
    async def account_rank(self, info: Info[Context, None]) -> AccountRanking:
        found = await account_ranking(info.context, net.MAX_RANKED)
        return AccountRanking(
            algorithm=found.algorithm,
            truncated=found.truncated,
            _ranked=[
                RankedAccount(
                    rank=i + 1,
                    account=SocialAccount.from_record(r["account"]),
                    customer_id=r["customer"],
                    score=r["score"],
                )
                for i, r in enumerate(found.accounts)
            ],
        )

    @strawberry.field(
        description="The nodes within 1 to 3 hops of a node, and the edges among them."
    )
    async def neighbourhood(
        self, info: Info[Context, None],
        node: Annotated[strawberry.ID, strawberry.argument(
            description="A global id, or a customer key.")],
        hops: Annotated[int, strawberry.argument(description="1, 2 or 3.")] = 1,
        max_nodes: Annotated[int, strawberry.argument(
            description="At most this many nodes besides the start (1..200).")] = 50,
    ) -> Neighbourhood:  # fmt: skip
        r = await net.neighbourhood(info.context, node, hops, max_nodes)
        _audit_nodes(info, r["nodes"])
        return Neighbourhood(
            truncated=r["truncated"],
            _nodes=[NetworkNode.from_record(n) for n in r["nodes"]],
            _edges=[NetworkEdge(**e) for e in r["edges"]],
        )

    @strawberry.field(
        description="A shortest path between a customer and a brand over any relationships, "
        "either direction; null when there is none within maxHops."
    )
    async def shortest_path(
        self, info: Info[Context, None],
        customer: Annotated[strawberry.ID, strawberry.argument(
            description="Customer global id or key.")],
        brand: BrandId,
        max_hops: Annotated[int, strawberry.argument(
            description="Longest path considered, 1..6.")] = net.MAX_PATH_HOPS,
    ) -> NetworkPath | None:  # fmt: skip
        r = await net.shortest_path(info.context, customer, brand, max_hops)
        if r is None:
            return None
        _audit_nodes(info, r["nodes"])
        return NetworkPath(
            length=r["length"],
            nodes=[NetworkNode.from_record(n) for n in r["nodes"]],
            steps=[PathStep(**s) for s in r["steps"]],
        )

    @strawberry.field(
        description="For each group (segment or region) x post content type: group size, "
        "customers who interacted, interactions and their rate; zero cells included."
    )
    async def segment_preferences(
        self, info: Info[Context, None],
        group_by: Annotated[PreferenceGroup, strawberry.argument(
            description="Segments or regions.")],
        period: Period = None, first: First = 20, after: After = None,
    ) -> Connection[SegmentPreference]:  # fmt: skip
        rows = await net.segment_preferences(info.context, _value(group_by), _period(period))
        nodes = [
            SegmentPreference(
                group=r["group"], group_name=r["group_name"], group_size=r["group_size"],
                content_type=r["content_type"], interacting_customers=r["customers"],
                interactions=r["interactions"], rate=r["rate"],
            )
            for r in rows
        ]  # fmt: skip
        return _page(
            info, nodes, lambda p: (p.group, -(p.rate or 0), p.content_type), first, after,
            f"preferences-{_value(group_by)}",
        )  # fmt: skip


def _audit_nodes(info: Info[Context, None], nodes: list[Record]) -> None:
    """Customers among a neighbourhood's or a path's nodes are customer-level reads."""
    info.context.audit.customers_read(n["key"] for n in nodes if n.get("type") == "Customer")
