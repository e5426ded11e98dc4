"""Network statements for data teams: audiences, overlap, lookalikes, cross-sell,
cross-side effects, influence, communities, neighbourhoods, paths, segment preferences.

Every statement is fixed text, or built here from fixed fragments chosen by allow-listed
keys (engagement kinds from graph/engagement.py, node labels, hop counts); values arrive
only as $parameters. Definitions and formulas are in docs/network.md.

Audiences are built from the shared engagement paths: for each selected kind an OPTIONAL
MATCH collects the customers (or brands) at the free end, and the union is unwound into
one distinct row per pair. Months are computed in Cypher with integer arithmetic (the
civil-from-days algorithm) so both engines bucket the same way without date functions.

Restricted customers (graph/restriction.py) are left out by every statement here unless
`$include_restricted`: audiences filter the customer where it is bound, and statements
that return accounts or arbitrary nodes test them against the `hidden` list.
"""

from functools import cache

from graph import projections as proj
from graph.consent_rules import live_consent
from graph.engagement import (
    ENGAGEMENT_EVENT,
    ENGAGEMENT_EXISTS,
    ENGAGEMENT_KINDS,
    ENGAGEMENT_PATHS,
)
from graph.model import NODE_LABELS, is_review
from graph.restriction import HIDDEN, visible

DAY_MS = 86_400_000
MAX_MONTH_ROWS = 3000  # 1900..2100 is 2,400 months, plus the undated row


def in_range(expr: str) -> str:
    """`expr` within [$from, $until); either bound may be null (open)."""
    return f"($from IS NULL OR {expr} >= $from) AND ($until IS NULL OR {expr} < $until)"


def month_lines(ms: str, keep: str, out: str) -> list[str]:
    """WITH lines binding ``out`` to the UTC month of epoch-ms ``ms`` as yyyymm (null for
    null), carrying ``keep``. Days from the epoch go to a civil date with Howard Hinnant's
    days_from_civil inverse: integer arithmetic only, which both engines share."""
    k = f"{keep}, " if keep else ""
    return [
        f"WITH {k}{ms} AS ms_",
        f"WITH {k}CASE WHEN ms_ >= 0 THEN ms_ / {DAY_MS} "
        f"ELSE (ms_ - {DAY_MS - 1}) / {DAY_MS} END + 719468 AS z_",
        f"WITH {k}z_, z_ / 146097 AS era_",
        f"WITH {k}era_, z_ - era_ * 146097 AS doe_",
        f"WITH {k}era_, doe_, (doe_ - doe_ / 1460 + doe_ / 36524 - doe_ / 146096) / 365 AS yoe_",
        f"WITH {k}era_, yoe_, (5 * (doe_ - (365 * yoe_ + yoe_ / 4 - yoe_ / 100)) + 2) / 153 AS mp_",
        f"WITH {k}(yoe_ + era_ * 400 + CASE WHEN mp_ >= 10 THEN 1 ELSE 0 END) * 100 + "
        f"CASE WHEN mp_ < 10 THEN mp_ + 3 ELSE mp_ - 9 END AS {out}",
    ]


def _check_kinds(kinds: tuple[str, ...]) -> None:
    unknown = set(kinds) - set(ENGAGEMENT_KINDS)
    if unknown or not kinds:
        raise KeyError(f"engagement kinds must be some of {ENGAGEMENT_KINDS}: {kinds}")


# A brand's customers by interaction, distinct accounts first: an account interacts with
# many of a brand's posts, and Neo4j would otherwise follow HAS_ACCOUNT once per
# interaction (a quarter of the overlap matrix's time at 100k customers).
_AUDIENCE_MATCH = {
    "interaction": "MATCH (b)-[:POSTED]->(:Post)<-[:INTERACTED]-(a:SocialAccount) "
    f"WITH DISTINCT a MATCH (c:Customer)-[:HAS_ACCOUNT]->(a) WHERE {visible('c')}",
}


def engaged_lines(
    kinds: tuple[str, ...],
    keep: str,
    free: str,
    *,
    count_events: bool = False,
    keep_empty: bool = False,
) -> list[str]:
    """Lines that extend each row (carrying ``keep``, which binds the other end, "b" or
    "c") with the distinct ``free`` ends ("c" customers or "b" brands) engaged through any
    of ``kinds``: one row `keep, <free>` per distinct pair.

    With ``count_events`` the rows are `keep, <free>, engagements`, the pair's engagement
    events (each follow, interaction and purchase once). With ``keep_empty`` each input
    row also gets one row with `<free>` null (and 0 engagements), so that ends without
    engagements stay in the result; aggregate with collect()/count(), which skip nulls.
    """
    _check_kinds(kinds)
    bound = "c" if free == "b" else "b"
    # FOLLOWS and POSTED reach accounts too; customers found are filtered where they are
    # bound (a bound `c` was filtered where it was found).
    where = " WHERE b:Brand" if free == "b" else f" WHERE {visible('c')}"
    # One subquery branch per kind, so no kind's list is carried through another's
    # expansion (FalkorDB copies such lists into every row). Without event counts the
    # paths have no variables, which lets FalkorDB traverse by matrix products; counting
    # needs the event bound, and that walks every relationship (ten times slower).
    if count_events:
        branches = [
            f"WITH {bound} MATCH {ENGAGEMENT_PATHS[k][0]}{where} "
            f"RETURN {free}, count({ENGAGEMENT_EVENT[k]}) AS n"
            for k in kinds
        ]
        empty = f"WITH {bound} RETURN null AS {free}, 0 AS n"
        union = "UNION ALL"
    else:
        matches = {k: f"MATCH {ENGAGEMENT_EXISTS[k]}{where}" for k in kinds}
        if free == "c":
            matches |= {k: m for k, m in _AUDIENCE_MATCH.items() if k in kinds}
        branches = [f"WITH {bound} {matches[k]} RETURN DISTINCT {free}" for k in kinds]
        empty = f"WITH {bound} RETURN null AS {free}"
        union = "UNION"
    if keep_empty:
        branches.append(empty)
    lines = ["CALL {", f"\n{union}\n".join(branches), "}"]
    if count_events:
        lines.append(f"WITH {keep}, {free}, sum(n) AS engagements")
    return lines


def not_engaged(kinds: tuple[str, ...]) -> str:
    """A predicate: the bound `c` has no engagement of ``kinds`` with the bound `b`."""
    _check_kinds(kinds)
    return " AND ".join(f"NOT {ENGAGEMENT_EXISTS[k]}" for k in kinds)


# The brands asked for (null where unknown) and the number of customers in the graph.
BRANDS_AND_CUSTOMERS = (
    f"MATCH (c:Customer) WHERE {visible('c')} WITH count(c) AS customers\n"
    "UNWIND $ids AS key\n"
    "OPTIONAL MATCH (b:Brand {id: key})\n"
    f"RETURN key, customers, CASE WHEN b IS NULL THEN null ELSE b {proj.BRAND_CORE} END AS brand"
)


@cache
def overlap_matrix_query(kinds: tuple[str, ...]) -> str:
    """Rows (a, b, shared) for every pair a <= b of `$brands` with a shared customer; the
    diagonal (a = b) is each brand's audience size. One pass: each customer's brands are
    collected, then paired. Rows are bounded by `$max_pairs` (n(n+1)/2 for n brands)."""
    return "\n".join(
        [
            "MATCH (b:Brand) WHERE b.id IN $brands",
            *engaged_lines(kinds, "b", "c"),
            "WITH c, collect(b.id) AS bs",
            "UNWIND bs AS x",
            "UNWIND bs AS y",
            "WITH x, y WHERE x <= y",
            "RETURN x AS a, y AS b, count(*) AS shared",
            "LIMIT $max_pairs",
        ]
    )


@cache
def lookalikes_query(kinds: tuple[str, ...]) -> str:
    """Other brands sharing customers with `$brand`: (brand, a_size, shared, b_size), the
    `$max_brands` with the most shared customers."""
    return "\n".join(
        [
            "MATCH (b:Brand {id: $brand})",
            *engaged_lines(kinds, "b", "c"),
            "WITH collect(c) AS audience",
            "WITH audience, size(audience) AS a_size",
            "UNWIND audience AS c",
            "WITH a_size, c",
            *engaged_lines(kinds, "a_size, c", "b"),
            "WITH a_size, b, count(c) AS shared WHERE b.id <> $brand",
            "WITH a_size, b, shared ORDER BY shared DESC, b.id LIMIT $max_brands",
            *engaged_lines(kinds, "a_size, b, shared", "c"),
            "WITH b, a_size, shared, count(c) AS b_size",
            f"RETURN b {proj.BRAND_CORE} AS brand, a_size, shared, b_size",
        ]
    )


@cache
def brand_audience_query(kinds: tuple[str, ...]) -> str:
    """One row per month of first engagement (yyyymm; null: no dated engagement) with the
    members who joined then (`joined`, over all time) and, of those, how many engaged
    within [$from, $until) by each kind (`follows`, `interactions`, `purchases`) and
    by any (`customers`)."""
    _check_kinds(kinds)
    branches = []
    for kind in kinds:
        pattern, at = ENGAGEMENT_PATHS[kind]
        branches.append(
            f"WITH b MATCH {pattern} WHERE {visible('c')} "
            f"RETURN c, '{kind}' AS kind, min({at}) AS first, "
            f"sum(CASE WHEN {in_range(at)} THEN 1 ELSE 0 END) AS hits"
        )
    counts = ", ".join(
        f"sum(CASE WHEN '{k}' IN kinds THEN 1 ELSE 0 END) AS {k}s" for k in ENGAGEMENT_KINDS
    )
    return "\n".join(
        [
            "MATCH (b:Brand {id: $brand})",
            "CALL {",
            "\nUNION ALL\n".join(branches),
            "}",
            "WITH c, min(first) AS first, "
            "collect(CASE WHEN hits > 0 THEN kind ELSE null END) AS kinds",
            *month_lines("first", "kinds", "month"),
            f"RETURN month, count(*) AS joined, {counts}, "
            "sum(CASE WHEN size(kinds) > 0 THEN 1 ELSE 0 END) AS customers",
            f"LIMIT {MAX_MONTH_ROWS}",
        ]
    )


@cache
def brands_joining_query(kinds: tuple[str, ...]) -> str:
    """Per month of brand creation within [$from, $until): brands created, the distinct
    customers engaged (ever) with those brands, and their engagements with them."""
    return "\n".join(
        [
            "MATCH (b:Brand) WHERE b.created_at IS NOT NULL AND " + in_range("b.created_at"),
            *month_lines("b.created_at", "b", "bm"),
            *engaged_lines(kinds, "bm, b", "c", count_events=True, keep_empty=True),
            "WITH bm, b, sum(engagements) AS engagements, collect(c) AS cs",
            "WITH bm, count(b) AS brands, sum(engagements) AS engagements, collect(cs) AS css",
            "UNWIND css AS cs",
            "UNWIND (CASE WHEN size(cs) = 0 THEN [null] ELSE cs END) AS c",
            "RETURN bm AS month, brands, engagements, count(DISTINCT c) AS customers",
            f"LIMIT {MAX_MONTH_ROWS}",
        ]
    )


@cache
def customers_joining_query(kinds: tuple[str, ...]) -> str:
    """Per month of customer creation within [$from, $until): customers created, the
    distinct brands they engaged with (ever), and their engagements."""
    return "\n".join(
        [
            "MATCH (c:Customer) WHERE c.created_at IS NOT NULL AND "
            + in_range("c.created_at")
            + f" AND {visible('c')}",
            *month_lines("c.created_at", "c", "cm"),
            *engaged_lines(kinds, "cm, c", "b", count_events=True, keep_empty=True),
            "WITH cm, c, sum(engagements) AS engagements, collect(b) AS bs",
            "WITH cm, count(c) AS customers, sum(engagements) AS engagements, collect(bs) AS bss",
            "UNWIND bss AS bs",
            "UNWIND (CASE WHEN size(bs) = 0 THEN [null] ELSE bs END) AS b",
            "RETURN cm AS month, customers, engagements, count(DISTINCT b) AS brands",
            f"LIMIT {MAX_MONTH_ROWS}",
        ]
    )


@cache
def audience_signals_query(kinds: tuple[str, ...]) -> str:
    """The target brand `$to`'s audience profile: its size, and for each signal (`tag:<id>`
    a tag its members carry, `category:<name>` a category the brand sells that members
    bought, anywhere) how many members have it. At most `$max_signals` rows."""
    return "\n".join(
        [
            "MATCH (b:Brand {id: $to})",
            "WITH b, [(b)<-[:OF_BRAND]-(pr:Product) | pr.category] AS sold",
            *engaged_lines(kinds, "b, sold", "c"),
            "WITH sold, collect(c) AS audience",
            "WITH sold, audience, size(audience) AS size",
            "UNWIND audience AS c",
            "OPTIONAL MATCH (c)-[:TAGGED]->(t:Tag)",
            "WITH sold, size, c, collect(DISTINCT 'tag:' + t.id) AS tags",
            "OPTIONAL MATCH (c)-[:MADE]->(:Purchase)-[:CONTAINS]->(q:Product) "
            "WHERE q.category IN sold",
            "WITH size, c, tags, collect(DISTINCT 'category:' + q.category) AS categories",
            "UNWIND (CASE WHEN size(tags + categories) = 0 THEN [null] "
            "ELSE tags + categories END) AS signal",
            "RETURN signal, size, count(DISTINCT c) AS members",
            "LIMIT $max_signals",
        ]
    )


# How many customers in the whole graph carry each tag of `$tags` / bought a product of
# each category of `$categories` (the base rates), with the tags' names.
SIGNAL_BASE_RATES = (
    f"MATCH (t:Tag)<-[:TAGGED]-(c:Customer) WHERE t.id IN $tags AND {visible('c')}\n"
    "RETURN 'tag:' + t.id AS signal, t.name AS name, count(DISTINCT c) AS customers\n"
    "UNION ALL\n"
    "MATCH (c:Customer)-[:MADE]->(:Purchase)-[:CONTAINS]->(q:Product) "
    f"WHERE q.category IN $categories AND {visible('c')}\n"
    "RETURN 'category:' + q.category AS signal, q.category AS name, "
    "count(DISTINCT c) AS customers"
)


@cache
def cross_sell_query(kinds: tuple[str, ...]) -> str:
    """Customers engaged with `$from` and not with `$to`, with the matching signals
    (`$tag_weight` / `$category_weight`: signal key -> excess share) they carry, their
    score (the sum of those weights) and `consents`: their consents to `$to` live for
    `$purpose` at `$now` (graph/consent_rules.py). Only customers with one, unless
    `$include_without_consent`; best `$top` first."""
    return "\n".join(
        [
            "MATCH (b:Brand {id: $from})",
            *engaged_lines(kinds, "b", "c"),
            "WITH c",
            "MATCH (b:Brand {id: $to})",
            f"WITH b, c WHERE {not_engaged(kinds)}",
            "OPTIONAL MATCH (c)-[:TAGGED]->(t:Tag) WHERE t.id IN $tags",
            "WITH b, c, collect(DISTINCT t.id) AS tags",
            "OPTIONAL MATCH (c)-[:MADE]->(:Purchase)-[:CONTAINS]->(q:Product) "
            "WHERE q.category IN $categories",
            "WITH b, c, tags, collect(DISTINCT q.category) AS categories",
            "WITH b, c, tags, categories, "
            "reduce(s = 0.0, x IN tags | s + $tag_weight[x]) + "
            "reduce(s = 0.0, x IN categories | s + $category_weight[x]) AS score",
            "WHERE score > 0",
            # A prospect list is a marketing list: the consent is checked here, in the
            # statement that reads, not by the caller afterwards.
            "OPTIONAL MATCH (c)-[mc:CONSENTED]->(b) WHERE " + live_consent("c", "mc", "purpose"),
            # FalkorDB projects a null relationship to a map of nulls: hence the CASE.
            "WITH c, tags, categories, score, collect(CASE WHEN mc IS NULL THEN null ELSE "
            "mc {.purposes, .granted_at, .withdrawn_at, .source, .policy_version} END) "
            "AS consents",
            "WHERE $include_without_consent OR size(consents) > 0",
            "RETURN c {.*} AS customer, tags, categories, score, consents",
            "ORDER BY score DESC, c.id LIMIT $top",
        ]
    )


# Accounts whose posts draw interactions from other people's accounts (not the author
# itself, nor another account of the author's own customer), with the purchases those
# interacting customers made within `$window` ms after an interaction. Scored with the
# `$w_*` weights, best `$top` first. Accounts of restricted customers are neither ranked
# nor counted among the interactors, and their customers' purchases are not attributed.
_FROM_OTHERS = "y <> x AND NOT (x)<-[:HAS_ACCOUNT]-(:Customer)-[:HAS_ACCOUNT]->(y)"
INFLUENCERS = f"""{HIDDEN}
MATCH (x:SocialAccount)-[:POSTED]->(post:Post)<-[i:INTERACTED]-(y:SocialAccount)
WHERE {_FROM_OTHERS} AND {in_range("i.at")} AND NOT x IN hidden AND NOT y IN hidden
WITH hidden, x, count(i) AS interactions, count(DISTINCT y) AS interactors,
     sum(CASE WHEN i.kind = 'share' THEN 1 ELSE 0 END) AS shares
OPTIONAL MATCH (x)-[:POSTED]->(:Post)<-[j:INTERACTED]-(z:SocialAccount)
      <-[:HAS_ACCOUNT]-(k:Customer)-[:MADE]->(o:Purchase)
WHERE z <> x AND NOT (x)<-[:HAS_ACCOUNT]-(k) AND {in_range("j.at")}
      AND o.at >= j.at AND o.at <= j.at + $window AND NOT k IN hidden
WITH x, interactions, interactors, shares, k,
     CASE WHEN k IS NOT NULL AND NOT k IN hidden AND o.at >= j.at AND o.at <= j.at + $window
          THEN o END AS o
WITH x, interactions, interactors, shares, count(DISTINCT o) AS purchases,
     count(DISTINCT CASE WHEN o IS NULL THEN null ELSE k END) AS buyers
WITH x, interactions, interactors, shares, purchases, buyers,
     $w_interactors * interactors + $w_shares * shares + $w_purchases * purchases AS score
ORDER BY score DESC, x.id LIMIT $top
RETURN x {proj.ACCOUNT_CORE} AS account,
       head([(x)<-[:HAS_ACCOUNT]-(owner:Customer) | owner.id]) AS customer,
       size([(x)-[:POSTED]->(:Post) | 1]) AS posts,
       interactions, interactors, shares, purchases, buyers, score"""

# The account-to-account edges communities are found in: FOLLOWS between accounts, and
# interactions of one account with another's posts, each pair with how many there are.
# Each account comes with the customer it is linked to (null when none). Accounts of
# restricted customers are left out, with their edges.
_EDGE_RETURN = (
    "RETURN x.id AS a, y.id AS b, kind, n, "
    "head([(x)<-[:HAS_ACCOUNT]-(ox:Customer) | ox.id]) AS a_customer, "
    "head([(y)<-[:HAS_ACCOUNT]-(oy:Customer) | oy.id]) AS b_customer"
)
_EDGE_ENDS = "x <> y AND NOT x IN hidden AND NOT y IN hidden"
ACCOUNT_EDGES = f"""{HIDDEN}
MATCH (x:SocialAccount)-[r:FOLLOWS]->(y:SocialAccount) WHERE {_EDGE_ENDS}
WITH x, y, 'follow' AS kind, count(r) AS n ORDER BY x.id, y.id LIMIT $max_edges
{_EDGE_RETURN}
UNION ALL
{HIDDEN}
MATCH (x:SocialAccount)-[r:INTERACTED]->(:Post)<-[:POSTED]-(y:SocialAccount)
WHERE {_EDGE_ENDS}
WITH x, y, 'interaction' AS kind, count(r) AS n ORDER BY x.id, y.id LIMIT $max_edges
{_EDGE_RETURN}"""

# --- k-hop neighbourhoods ------------------------------------------------------------

MAX_HOPS = 3
_LABEL = "CASE WHEN n IS NULL THEN '' ELSE labels(n)[0] END"
_NODE = (
    "{label: labels(n)[0], id: n.id, name: n.name, display_name: n.display_name, "
    "handle: n.handle, text: n.text, category: n.category}"
)


def _hop(level: int) -> list[str]:
    """Expand level ``level`` from the previous one: distinct new nodes that are not
    hidden (graph/restriction.py), the first `$cap` in (label, id) order. Nothing
    around a hidden start node is read."""
    previous = [f"l{i}" for i in range(1, level)]
    keep = ", ".join(["hidden", "hidden_start", "s", *previous])
    if previous:
        source = previous[-1]
        lines = [f"UNWIND (CASE WHEN size({source}) = 0 THEN [null] ELSE {source} END) AS m"]
        seen = " AND ".join(f"NOT n IN {p}" for p in previous)
        lines.append(
            f"OPTIONAL MATCH (m)-[hr]-(n) WHERE n <> s AND {seen} AND NOT n IN hidden "
            f"AND NOT {is_review('hr')}"
        )
    else:
        lines = [
            "OPTIONAL MATCH (s)-[hr]-(n) WHERE n <> s AND NOT hidden_start AND NOT n IN hidden "
            f"AND NOT {is_review('hr')}"
        ]
    return [
        *lines,
        f"WITH DISTINCT {keep}, n",
        f"WITH {keep}, n ORDER BY {_LABEL}, n.id",
        f"WITH {keep}, collect(n)[..$cap] AS l{level}",
    ]


@cache
def neighbourhood_query(label: str, hops: int) -> str:
    """The nodes within ``hops`` of the ``label`` node with id `$key`, level by level
    (`level1`..`level<hops>`, each at most `$cap` nodes), and the relationships among
    them; `restricted` is true (and nothing else is returned) when the start node is
    hidden from the caller. ``label`` must be one of the model's labels; ``hops``
    1..MAX_HOPS."""
    if label not in NODE_LABELS or not 1 <= hops <= MAX_HOPS:
        raise KeyError(f"no neighbourhood statement for {label!r} at {hops} hops")
    levels = [f"l{i}" for i in range(1, hops + 1)]
    lines = [
        HIDDEN + f"MATCH (s:{label} {{id: $key}})",
        "WITH hidden, s, s IN hidden AS hidden_start",
    ]
    for level in range(1, hops + 1):
        lines += _hop(level)
    lines += [
        f"WITH hidden_start, s, {', '.join(levels)}, [s] + {' + '.join(levels)} AS ns",
        "UNWIND ns AS x",
        f"OPTIONAL MATCH (x)-[r]->(y) WHERE y IN ns AND NOT hidden_start AND NOT {is_review('r')}",
        f"WITH hidden_start, s, {', '.join(levels)}, x, y, type(r) AS type, count(r) AS n",
        f"WITH hidden_start, s, {', '.join(levels)}, collect(CASE WHEN y IS NULL THEN null "
        "ELSE {from_label: labels(x)[0], from_id: x.id, type: type, to_label: labels(y)[0], "
        "to_id: y.id, count: n} END) AS edges",
        "RETURN "
        + ", ".join(
            [
                "hidden_start AS restricted",
                "[n IN [s] WHERE NOT hidden_start | " + _NODE + "] AS level0",
                *(f"[n IN {lv} | {_NODE}] AS level{lv[1:]}" for lv in levels),
                "edges",
            ]
        ),
    ]
    return "\n".join(lines)


# --- shortest path -------------------------------------------------------------------

MAX_PATH_HOPS = 6
_PATH_RETURN = (
    "RETURN [n IN nodes(path) | " + _NODE + "] AS nodes, "
    "[r IN relationships(path) | {type: type(r), from_id: startNode(r).id, "
    "from_label: labels(startNode(r))[0]}] AS relationships"
)

# Both ends, the customer visible to the caller; then the shortest paths are filtered so
# that none passes through a hidden node (graph/restriction.py), and the first is kept.
_PATH_ENDS = (
    HIDDEN + "MATCH (c:Customer {id: $customer}), (b:Brand {id: $brand}) WHERE NOT c IN hidden\n"
)
_PATH_FILTER = (
    "WITH path WHERE none(n IN nodes(path) WHERE n IN hidden) "
    f"AND none(pr IN relationships(path) WHERE {is_review('pr')})\n"
)

# FalkorDB runs shortestPath() only in WITH/RETURN and only along directed relationships,
# while customer-to-brand paths go both ways (a brand POSTED what an account INTERACTED
# with), so the embedded engine uses its own shortest-path procedure, undirected. It
# lists every shortest path (pathCount 0) only when some node is hidden.
_EMBEDDED_PATH = (
    _PATH_ENDS + "CALL algo.SPpaths({sourceNode: c, targetNode: b, maxLen: $max_hops, "
    "relDirection: 'both', pathCount: CASE WHEN size(hidden) = 0 THEN 1 ELSE 0 END}) "
    "YIELD path\n" + _PATH_FILTER + _PATH_RETURN + "\nLIMIT 1"
)


def shortest_path_query(engine: str, max_hops: int) -> str:
    """One shortest path (any relationship type, either direction) from customer
    `$customer` to brand `$brand` of at most ``max_hops`` relationships, through no
    hidden node; no row if none. Neo4j takes the bound as text (it cannot be a
    parameter): 1..MAX_PATH_HOPS only."""
    if not 1 <= max_hops <= MAX_PATH_HOPS:
        raise KeyError(f"max_hops must be 1..{MAX_PATH_HOPS}")
    if engine == "embedded":
        return _EMBEDDED_PATH
    # allShortestPaths, filtered after (WITH), is what the embedded engine does; Neo4j
    # streams the paths, so LIMIT 1 stops at the first that passes.
    return (
        _PATH_ENDS
        + f"MATCH path = allShortestPaths((c)-[*..{max_hops}]-(b))\n"
        + _PATH_FILTER
        + _PATH_RETURN
        + "\nLIMIT 1"
    )


# Which of the two ends exist, and whether the customer is restricted for this caller.
CUSTOMER_AND_BRAND_EXIST = (
    "OPTIONAL MATCH (c:Customer {id: $customer})\n"
    "OPTIONAL MATCH (b:Brand {id: $brand})\n"
    "RETURN c IS NOT NULL AS customer, b IS NOT NULL AS brand, "
    f"c IS NOT NULL AND NOT {visible('c')} AS restricted"
)

# --- segment x content-type preferences ----------------------------------------------

# group -> (group sizes, cells); the group's key and display name, then counts.
_INTERACTED = (
    "-[:HAS_ACCOUNT]->(:SocialAccount)-[i:INTERACTED]->(p:Post)\n"
    f"WHERE p.content_type IS NOT NULL AND {in_range('i.at')} AND {visible('c')}\n"
)
SEGMENT_PREFERENCES: dict[str, tuple[str, str]] = {
    "segment": (
        f"MATCH (s:Segment) OPTIONAL MATCH (s)<-[:IN_SEGMENT]-(c:Customer) WHERE {visible('c')}\n"
        "RETURN s.id AS key, s.name AS name, count(DISTINCT c) AS size\n"
        "ORDER BY key LIMIT $max_groups",
        "MATCH (s:Segment)<-[:IN_SEGMENT]-(c:Customer)" + _INTERACTED + "RETURN s.id AS key, "
        "p.content_type AS content_type, count(DISTINCT c) AS customers, count(i) AS interactions\n"
        "LIMIT $max_cells",
    ),
    "region": (
        f"MATCH (c:Customer) WHERE c.region IS NOT NULL AND {visible('c')}\n"
        "RETURN c.region AS key, c.region AS name, count(c) AS size\n"
        "ORDER BY key LIMIT $max_groups",
        "MATCH (c:Customer)" + _INTERACTED + "WITH c.region AS key, p.content_type AS "
        "content_type, c, i WHERE key IS NOT NULL\n"
        "RETURN key, content_type, count(DISTINCT c) AS customers, count(i) AS interactions\n"
        "LIMIT $max_cells",
    ),
}
