"""Network queries for data teams: check the input, run graph/network.py, shape records.

Every definition and default here is documented in docs/network.md. Ranked lists are
computed whole (bounded by MAX_RANKED) and paged by schema.base.ranked_connection.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from graph import network as q
from graph.engagement import ENGAGEMENT_KINDS
from graph.store import Record
from resolvers import network_algorithms as algo
from resolvers.clock import now_ms
from resolvers.communities import Community, detect_communities
from resolvers.context import Context
from resolvers.customers import restricted
from resolvers.errors import ApiError, bad_input, forbidden, not_found
from resolvers.ids import NODE_TYPES, from_global_id, key_for
from resolvers.principal import Role

MAX_MATRIX_BRANDS = 50
MAX_RANKED = 1000  # ranked lists (lookalikes, prospects, influencers) keep the best this many
MAX_SIGNALS = 10_000
MAX_GROUPS = 1000
MAX_CELLS = 50_000
MAX_ACCOUNT_EDGES = 200_000  # per edge kind, for community detection
MAX_NEIGHBOURHOOD_NODES = 200
MAX_PATH_HOPS = q.MAX_PATH_HOPS
MAX_ATTRIBUTION_DAYS = 365
ATTRIBUTION_WINDOW_DAYS = 7
MARKETING = "marketing"  # the purpose a prospect's consent to the target brand must hold
# Who may list prospects without that consent: analysts (pseudonymised, for analysis) and
# admins. App keys drive contact tools, so they get the marketing list only.
WITHOUT_CONSENT_ROLES = frozenset({Role.ANALYST, Role.ADMIN})
# influence score = interactors + 2 * shares + 5 * attributed purchases (docs/network.md)
INFLUENCE_WEIGHTS = {"w_interactors": 1.0, "w_shares": 2.0, "w_purchases": 5.0}


Range = tuple[int | None, int | None]


def engagement_kinds(kinds: Iterable[str] | None) -> tuple[str, ...]:
    """The selected kinds in canonical order (all when None); refuses an empty list."""
    if kinds is None:
        return ENGAGEMENT_KINDS
    chosen = set(kinds)
    if not chosen:
        raise bad_input("engagement must name at least one kind", "engagement")
    return tuple(k for k in ENGAGEMENT_KINDS if k in chosen)


def to_ms(value: datetime | None) -> int | None:
    if value is None:
        return None
    if value.tzinfo is None:  # a DateTime without zone is read as UTC
        value = value.replace(tzinfo=UTC)
    return int(value.timestamp() * 1000)


def date_range(start: datetime | None, end: datetime | None, argument: str = "period") -> Range:
    """[start, end) as epoch ms; raise BAD_USER_INPUT when `from` is after `until`."""
    lo, hi = to_ms(start), to_ms(end)
    if lo is not None and hi is not None and lo > hi:
        raise bad_input("`from` is after `until`", argument)
    return lo, hi


def month_of(ms: int) -> int:
    """The UTC month of epoch ms as yyyymm (what graph.network.month_lines computes)."""
    d = datetime.fromtimestamp(ms / 1000, tz=UTC)
    return d.year * 100 + d.month


def month_start(month: int) -> int:
    """Epoch ms at the start of yyyymm, UTC."""
    return int(datetime(month // 100, month % 100, 1, tzinfo=UTC).timestamp() * 1000)


def next_month(month: int) -> int:
    year, m = divmod(month, 100)
    return year * 100 + m + 1 if m < 12 else (year + 1) * 100 + 1


def months_from(first: int, last: int) -> list[int]:
    """Every month from ``first`` to ``last`` (yyyymm), both included."""
    out = []
    month = first
    while month <= last:
        out.append(month)
        month = next_month(month)
    return out


def in_months(months: Iterable[int], period: Range) -> list[int]:
    """The months (sorted) that overlap the period [from, until)."""
    lo, hi = period
    first = month_of(lo) if lo is not None else None
    last = month_of(hi - 1) if hi is not None else None
    return sorted(
        m for m in months if (first is None or m >= first) and (last is None or m <= last)
    )


def overlap_metrics(size_a: int, size_b: int, shared: int, customers: int) -> dict[str, Any]:
    """Union, Jaccard (shared / union) and lift (shared * N / (|A| * |B|)), None when a
    denominator is 0."""
    union = size_a + size_b - shared
    return {
        "audience_a": size_a,
        "audience_b": size_b,
        "shared": shared,
        "union": union,
        "jaccard": shared / union if union else None,
        "lift": shared * customers / (size_a * size_b) if size_a and size_b else None,
        "customers": customers,
    }


async def _read(ctx: Context, query: str, params: dict[str, Any]) -> list[Record]:
    """Run a network statement with the caller's restriction rule (graph/restriction.py):
    restricted customers count and appear only for admins."""
    return await ctx.store.read(
        query, {**params, "include_restricted": ctx.principal.sees_restricted}
    )


# --- brands ---------------------------------------------------------------------------


async def brands_and_customers(ctx: Context, keys: Sequence[str]) -> tuple[dict[str, Record], int]:
    """The brands (key -> record) and the number of customers; NOT_FOUND for an unknown key."""
    rows = await _read(ctx, q.BRANDS_AND_CUSTOMERS, {"ids": list(keys)})
    found = {r["key"]: r["brand"] for r in rows if r["brand"] is not None}
    for key in keys:
        if key not in found:
            raise not_found("brand", key)
    customers = int(rows[0]["customers"]) if rows else 0
    return found, customers


def brand_keys(ids: Sequence[str], argument: str) -> list[str]:
    """Brand keys from global ids or keys, duplicates dropped, order kept."""
    return list(dict.fromkeys(key_for("Brand", i, argument) for i in ids))


async def overlap_matrix(
    ctx: Context, ids: Sequence[str], kinds: tuple[str, ...]
) -> tuple[list[Record], list[dict[str, Any]], int]:
    """(brands in the given order with `audience`, pairs with overlap metrics, N)."""
    keys = brand_keys(ids, "brands")
    if len(keys) > MAX_MATRIX_BRANDS:
        raise bad_input(f"at most {MAX_MATRIX_BRANDS} brands, got {len(keys)}", "brands")
    brands, customers = await brands_and_customers(ctx, keys)
    rows = await _read(
        ctx,
        q.overlap_matrix_query(kinds),
        {"brands": keys, "max_pairs": len(keys) * (len(keys) + 1) // 2},
    )
    shared = {(r["a"], r["b"]): int(r["shared"]) for r in rows}
    size = {k: shared.get((k, k), 0) for k in keys}
    pairs = []
    for i, a in enumerate(keys):
        for b in keys[i + 1 :]:
            both = shared.get((a, b), shared.get((b, a), 0))  # the statement orders them
            pairs.append(
                {
                    "a": brands[a],
                    "b": brands[b],
                    **overlap_metrics(size[a], size[b], both, customers),
                }
            )
    return [{**brands[k], "audience": size[k]} for k in keys], pairs, customers


async def audience_overlap(ctx: Context, a: str, b: str, kinds: tuple[str, ...]) -> dict[str, Any]:
    """One pair's overlap (the matrix statement with two brands)."""
    key_a, key_b = key_for("Brand", a, "a"), key_for("Brand", b, "b")
    if key_a == key_b:
        raise bad_input("`a` and `b` must be different brands", "b")
    _, pairs, _ = await overlap_matrix(ctx, [key_a, key_b], kinds)
    return pairs[0]


SIMILARITY_ORDERS = ("jaccard", "shared", "lift")


async def lookalike_brands(
    ctx: Context, brand: str, kinds: tuple[str, ...], order: str
) -> list[dict[str, Any]]:
    """Other brands sharing customers with ``brand``, best first by ``order`` (jaccard,
    shared or lift), ties by brand key; each with its overlap metrics."""
    key = key_for("Brand", brand, "brand")
    brands, customers = await brands_and_customers(ctx, [key])
    rows = await _read(ctx, q.lookalikes_query(kinds), {"brand": key, "max_brands": MAX_RANKED})
    items = [
        {
            "a": brands[key],
            "b": r["brand"],
            **overlap_metrics(int(r["a_size"]), int(r["b_size"]), int(r["shared"]), customers),
        }
        for r in rows
    ]
    items.sort(key=lambda i: (-(i[order] or 0), i["b"]["id"]))
    return items


# --- audience and growth --------------------------------------------------------------


async def brand_audience(
    ctx: Context, brand: str, kinds: tuple[str, ...], period: Range
) -> dict[str, Any]:
    """Audience sizes by kind within the period, and growth by month of first engagement:
    `months` as {month, start, new_members, running_total} for the months overlapping
    the period, gaps filled."""
    key = key_for("Brand", brand, "brand")
    brands, _ = await brands_and_customers(ctx, [key])
    rows = await _read(
        ctx, q.brand_audience_query(kinds), {"brand": key, "from": period[0], "until": period[1]}
    )
    totals = {name: sum(int(r[name]) for r in rows) for name in
              ("customers", "follows", "interactions", "purchases")}  # fmt: skip
    joined = {int(r["month"]): int(r["joined"]) for r in rows if r["month"] is not None}
    undated = sum(int(r["joined"]) for r in rows if r["month"] is None)
    months: list[dict[str, Any]] = []
    if joined:
        running = 0
        series = months_from(min(joined), max(joined))
        shown = set(in_months(series, period))
        for month in series:
            running += joined.get(month, 0)
            if month in shown:
                months.append(
                    {"month": month, "start": month_start(month),
                     "new_members": joined.get(month, 0), "running_total": running}
                )  # fmt: skip
    return {
        "brand": brands[key],
        "kinds": kinds,
        "customers": totals["customers"],
        "followers": totals["follows"] if "follow" in kinds else None,
        "interactors": totals["interactions"] if "interaction" in kinds else None,
        "purchasers": totals["purchases"] if "purchase" in kinds else None,
        "undated_members": undated,
        "months": months,
    }


async def cross_side_effect(
    ctx: Context, kinds: tuple[str, ...], period: Range
) -> list[dict[str, Any]]:
    """Month by month (UTC), both sides: brands created and the customers they drew, and
    customers created and the brands they engaged with. Months from the first to the last
    with a creation, gaps filled."""
    params = {"from": period[0], "until": period[1]}
    brand_rows = await _read(ctx, q.brands_joining_query(kinds), params)
    customer_rows = await _read(ctx, q.customers_joining_query(kinds), params)
    by_month: dict[int, dict[str, int]] = defaultdict(dict)
    for r in brand_rows:
        by_month[int(r["month"])] |= {
            "brands_joined": int(r["brands"]),
            "customers_reached": int(r["customers"]),
            "engagements_with_new_brands": int(r["engagements"]),
        }
    for r in customer_rows:
        by_month[int(r["month"])] |= {
            "customers_joined": int(r["customers"]),
            "brands_reached": int(r["brands"]),
            "engagements_by_new_customers": int(r["engagements"]),
        }
    if not by_month:
        return []
    zero = dict.fromkeys(
        ("brands_joined", "customers_reached", "engagements_with_new_brands",
         "customers_joined", "brands_reached", "engagements_by_new_customers"), 0
    )  # fmt: skip
    return [
        {"month": m, "start": month_start(m), **zero, **by_month.get(m, {})}
        for m in months_from(min(by_month), max(by_month))
    ]


# --- cross-sell -----------------------------------------------------------------------


@dataclass(frozen=True)
class Signal:
    """A trait over-represented in the target brand's audience."""

    kind: str  # "tag" or "category"
    key: str
    name: str | None
    audience_share: float  # share of the target's audience with it
    base_rate: float  # share of all customers with it
    members: int  # target-audience members with it

    @property
    def excess(self) -> float:
        return self.audience_share - self.base_rate


def positive_signals(
    audience_rows: Sequence[Record], base_rows: Sequence[Record], customers: int, min_members: int
) -> dict[str, Signal]:
    """Signals (key `tag:<id>` / `category:<name>`) whose share in the audience exceeds
    the base rate, carried by at least ``min_members`` members."""
    base = {r["signal"]: (int(r["customers"]), r["name"]) for r in base_rows}
    out: dict[str, Signal] = {}
    for r in audience_rows:
        signal, size, members = r["signal"], int(r["size"]), int(r["members"])
        if signal is None or not size or not customers or members < min_members:
            continue
        overall, name = base.get(signal, (0, None))
        kind, _, key = signal.partition(":")
        found = Signal(kind, key, name, members / size, overall / customers, members)
        if found.excess > 0:
            out[signal] = found
    return out


def reason_for(tags: Sequence[Signal], categories: Sequence[Signal], target: str) -> str:
    """One readable sentence: which traits, and how far above the base rate."""
    parts = [
        f"tagged {s.name or s.key} ({s.audience_share:.0%} of {target}'s audience vs "
        f"{s.base_rate:.0%} of all customers)"
        for s in tags
    ]
    parts += [
        f"bought {s.key} ({s.audience_share:.0%} of {target}'s audience did vs "
        f"{s.base_rate:.0%} of all customers)"
        for s in categories
    ]
    return "; ".join(parts)


async def cross_sell_prospects(
    ctx: Context,
    source: str,
    target: str,
    kinds: tuple[str, ...],
    min_members: int,
    include_without_consent: bool = False,
) -> list[dict[str, Any]]:
    """Customers of ``source`` not engaged with ``target``, scored by the excess shares of
    the target audience's traits they carry; best first, ties by customer key. Each has
    `consent`: its live marketing consent to ``target`` (None without one). Only those
    with one, unless ``include_without_consent`` (analysts and admins: FORBIDDEN to apps,
    whose lists are for contacting people)."""
    key_a, key_b = key_for("Brand", source, "from"), key_for("Brand", target, "to")
    if key_a == key_b:
        raise bad_input("`from` and `to` must be different brands", "to")
    if min_members < 1:
        raise bad_input("minMembers must be at least 1", "minMembers")
    if include_without_consent and ctx.principal.role not in WITHOUT_CONSENT_ROLES:
        raise forbidden(
            f"the {ctx.principal.role} role may list only prospects who consented to marketing",
            argument="includeWithoutConsent",
        )
    brands, customers = await brands_and_customers(ctx, [key_a, key_b])
    audience_rows = await _read(
        ctx, q.audience_signals_query(kinds), {"to": key_b, "max_signals": MAX_SIGNALS}
    )
    found = [r["signal"] for r in audience_rows if r["signal"] is not None]
    tags = [s.partition(":")[2] for s in found if s.startswith("tag:")]
    categories = [s.partition(":")[2] for s in found if s.startswith("category:")]
    base_rows = await _read(ctx, q.SIGNAL_BASE_RATES, {"tags": tags, "categories": categories})
    signals = positive_signals(audience_rows, base_rows, customers, min_members)
    if not signals:
        return []
    tag_weight = {s.key: s.excess for s in signals.values() if s.kind == "tag"}
    category_weight = {s.key: s.excess for s in signals.values() if s.kind == "category"}
    rows = await _read(
        ctx, q.cross_sell_query(kinds),
        {
            "from": key_a, "to": key_b, "top": MAX_RANKED,
            "tags": sorted(tag_weight), "tag_weight": tag_weight,
            "categories": sorted(category_weight), "category_weight": category_weight,
            "purpose": MARKETING, "now": now_ms(),
            "include_without_consent": include_without_consent,
        },
    )  # fmt: skip
    target_name = brands[key_b].get("name") or key_b
    items = []
    for r in rows:
        matched_tags = sorted((signals[f"tag:{t}"] for t in r["tags"]), key=lambda s: -s.excess)
        matched_categories = sorted(
            (signals[f"category:{c}"] for c in r["categories"]), key=lambda s: -s.excess
        )
        score = round(sum(s.excess for s in matched_tags + matched_categories), 9)
        items.append(
            {
                "customer": r["customer"],
                "score": score,
                "tags": matched_tags,
                "categories": matched_categories,
                "reason": reason_for(matched_tags, matched_categories, target_name),
                # the newest, should loaded data hold several live ones
                "consent": max(r["consents"], key=lambda c: c["granted_at"], default=None),
                "consent_brand": brands[key_b],
            }
        )
    items.sort(key=lambda i: (-i["score"], i["customer"]["id"]))
    return items


# --- influence ------------------------------------------------------------------------


async def influencers(ctx: Context, period: Range, window_days: int) -> list[Record]:
    """Accounts ranked by influence score (best first, ties by account key), with evidence."""
    if not 0 <= window_days <= MAX_ATTRIBUTION_DAYS:
        raise bad_input(
            f"attributionWindowDays must be between 0 and {MAX_ATTRIBUTION_DAYS}",
            "attributionWindowDays",
        )
    rows = await _read(
        ctx, q.INFLUENCERS,
        {"from": period[0], "until": period[1], "window": window_days * q.DAY_MS,
         "top": MAX_RANKED, **INFLUENCE_WEIGHTS},
    )  # fmt: skip
    counts = ("posts", "interactions", "interactors", "shares", "purchases", "buyers")
    items = [{**r, **{c: int(r[c]) for c in counts}, "score": float(r["score"])} for r in rows]
    items.sort(key=lambda i: (-i["score"], i["account"]["id"]))
    return items


# --- communities ----------------------------------------------------------------------


async def communities(ctx: Context, seed: int, min_size: int) -> tuple[list[Community], bool, str]:
    """Communities of accounts (largest first), whether the edge cap cut the input, and
    where they were found (resolvers/network_algorithms.py). In the hub, Louvain runs in
    a worker process (resolvers/compute.py), within the time limit (LIMIT_EXCEEDED past
    it); within a request the edges are read once, and each seed's communities found
    once. GDS's Louvain takes no seed: one answer per request."""
    if min_size < 1:
        raise bad_input("minSize must be at least 1", "minSize")
    if await algo.path_for(ctx, "louvain") == "gds":
        found = await ctx.once("gds_communities", lambda: algo.gds_communities(ctx))
        return (
            [c for c in found if c.size >= min_size],
            False,
            algo.ALGORITHM_NAMES[("louvain", "gds")],
        )
    edges, owners, truncated = await ctx.once("account_edges", lambda: _account_edges(ctx))
    found = await ctx.once(
        ("communities", seed), lambda: ctx.compute.run(detect_communities, edges, owners, seed)
    )
    hub = algo.ALGORITHM_NAMES[("louvain", "hub")]
    return [c for c in found if c.size >= min_size], truncated, hub


async def _account_edges(
    ctx: Context,
) -> tuple[list[tuple[str, str, int]], dict[str, str | None], bool]:
    """(edges, account -> linked customer, whether the edge cap cut them)."""
    rows = await _read(ctx, q.ACCOUNT_EDGES, {"max_edges": MAX_ACCOUNT_EDGES})
    truncated = (
        sum(1 for r in rows if r["kind"] == "follow") >= MAX_ACCOUNT_EDGES
        or sum(1 for r in rows if r["kind"] == "interaction") >= MAX_ACCOUNT_EDGES
    )
    owners = {r["a"]: r["a_customer"] for r in rows} | {r["b"]: r["b_customer"] for r in rows}
    return [(r["a"], r["b"], int(r["n"])) for r in rows], owners, truncated


# --- neighbourhood and paths ----------------------------------------------------------


def node_ref(r: Record) -> dict[str, Any]:
    """A node of a neighbourhood or path: type, key, display name."""
    label = r["label"]
    name = r.get("name") or r.get("display_name") or r.get("handle") or r.get("text")
    if name is None and label == "Complaint":
        name = r.get("category")
    return {"type": label, "key": r["id"], "name": name, "global": label in NODE_TYPES}


def start_node(node: str) -> tuple[str, str]:
    """(label, key) of a global id, or a Customer key when ``node`` is not a global id."""
    try:
        return from_global_id(node, "node")
    except ApiError:  # not a global id of ours: a customer key
        return "Customer", node


async def neighbourhood(ctx: Context, node: str, hops: int, max_nodes: int) -> dict[str, Any]:
    """Nodes within ``hops`` (breadth first, (type, key) order within a level, at most
    ``max_nodes``) with their distance, and the relationships among them."""
    if not 1 <= hops <= q.MAX_HOPS:
        raise bad_input(f"hops must be between 1 and {q.MAX_HOPS}", "hops")
    if not 1 <= max_nodes <= MAX_NEIGHBOURHOOD_NODES:
        raise bad_input(f"maxNodes must be between 1 and {MAX_NEIGHBOURHOOD_NODES}", "maxNodes")
    label, key = start_node(node)
    rows = await _read(ctx, q.neighbourhood_query(label, hops), {"key": key, "cap": max_nodes})
    if not rows:
        raise not_found(label, key)
    row = rows[0]
    if row["restricted"]:  # a restricted customer, or a node of theirs
        raise restricted()
    nodes: dict[tuple[str, str], dict[str, Any]] = {}
    # A level that filled its cap may have had more nodes; later levels may be cut too.
    truncated = any(len(row[f"level{d}"]) >= max_nodes for d in range(1, hops + 1))
    for distance in range(hops + 1):
        for r in row[f"level{distance}"]:
            ref = node_ref(r)
            if (ref["type"], ref["key"]) in nodes:
                continue
            if len(nodes) > max_nodes:  # the start node is not counted
                truncated = True
                break
            nodes[(ref["type"], ref["key"])] = {**ref, "distance": distance}
    edges = sorted(
        (
            {
                "from_type": e["from_label"], "from_key": e["from_id"], "type": e["type"],
                "to_type": e["to_label"], "to_key": e["to_id"], "count": int(e["count"]),
            }
            for e in row["edges"]
            if (e["from_label"], e["from_id"]) in nodes and (e["to_label"], e["to_id"]) in nodes
        ),
        key=lambda e: (e["from_type"], e["from_key"], e["type"], e["to_type"], e["to_key"]),
    )  # fmt: skip
    ordered = sorted(nodes.values(), key=lambda n: (n["distance"], n["type"], n["key"]))
    return {"nodes": ordered, "edges": edges, "truncated": truncated}


async def shortest_path(
    ctx: Context, customer: str, brand: str, max_hops: int
) -> dict[str, Any] | None:
    """One shortest path from the customer to the brand (None when there is none within
    ``max_hops``): its nodes and, between them, each relationship's type and direction."""
    if not 1 <= max_hops <= MAX_PATH_HOPS:
        raise bad_input(f"maxHops must be between 1 and {MAX_PATH_HOPS}", "maxHops")
    customer_key = key_for("Customer", customer, "customer")
    brand_key = key_for("Brand", brand, "brand")
    params = {"customer": customer_key, "brand": brand_key, "max_hops": max_hops}
    exists = (await _read(ctx, q.CUSTOMER_AND_BRAND_EXIST, params))[0]
    if not exists["customer"]:
        raise not_found("customer", customer_key)
    if not exists["brand"]:
        raise not_found("brand", brand_key)
    if exists["restricted"]:
        raise restricted()
    rows = await _read(ctx, q.shortest_path_query(ctx.store.engine, max_hops), params)
    if not rows:
        return None
    nodes = [node_ref(n) for n in rows[0]["nodes"]]
    steps = [
        {"type": r["type"], "forward": (r["from_label"], r["from_id"]) == (a["type"], a["key"])}
        for r, a in zip(rows[0]["relationships"], nodes, strict=False)
    ]
    return {"nodes": nodes, "steps": steps, "length": len(steps)}


# --- segment x content type -----------------------------------------------------------

GROUPINGS = tuple(q.SEGMENT_PREFERENCES)


async def segment_preferences(ctx: Context, group_by: str, period: Range) -> list[dict[str, Any]]:
    """Every group x content type cell (zeros included), by group key then rate (highest
    first) then content type."""
    sizes_query, cells_query = q.SEGMENT_PREFERENCES[group_by]
    groups = await _read(ctx, sizes_query, {"max_groups": MAX_GROUPS})
    cells = await _read(
        ctx, cells_query, {"from": period[0], "until": period[1], "max_cells": MAX_CELLS}
    )
    found = {(r["key"], r["content_type"]): r for r in cells}
    content_types = sorted({r["content_type"] for r in cells})
    items = []
    for g in groups:
        size = int(g["size"])
        for content_type in content_types:
            cell = found.get((g["key"], content_type))
            customers = int(cell["customers"]) if cell else 0
            items.append(
                {
                    "group": g["key"], "group_name": g["name"], "group_size": size,
                    "content_type": content_type, "customers": customers,
                    "interactions": int(cell["interactions"]) if cell else 0,
                    "rate": customers / size if size else None,
                }
            )  # fmt: skip
    items.sort(key=lambda i: (i["group"], -(i["rate"] or 0), i["content_type"]))
    return items
