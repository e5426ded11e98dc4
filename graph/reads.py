"""Read statements: the customer-360 builder, brands, pages, and nodes by id.

The customer-360 is ONE statement whatever the client selected: each selectable part
is a fixed fragment from the allow-list below, so input chooses which fragments join,
never their text. A page of an ordered list goes through OPTIONAL MATCH -> ORDER BY ->
collect -> slice, and only the page is projected; the rest are pattern comprehensions.
`entity_statement` makes the text and its parameters together from the request's
fetches (resolvers/plan.py plans them).
"""

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from graph import projections as proj
from graph.restriction import visible


@dataclass(frozen=True)
class Part:
    """A selectable list on an entity, fetched inside the entity's statement.

    An unordered part is a pattern comprehension. An ordered part is a page of a sorted
    list: ``pattern`` (OPTIONAL MATCH from `e`, binding ``binds``) or ``source`` (a list expression
    of maps over `e`, bound as `x`), filtered by ``where`` (fixed text over the fetch's
    filter parameters), sorted by ``order`` and cut after a keyset cursor.
    """

    pattern: str  # "" for a value part: ``projection`` alone, an expression over `e`
    projection: str  # over the bound variables
    order: tuple[tuple[str, bool], ...] = ()  # (key expression, descending); () = unordered
    binds: tuple[str, ...] = ("x",)
    # For `pattern`: a predicate; for `source`: applied to each item `x`. `$@<filter>` is
    # the fetch's filter parameter (entity_statement names it).
    where: str = ""
    filters: tuple[str, ...] = ()  # the filter parameters ``where`` reads
    source: str = ""  # instead of `pattern`: a list expression over `e`
    lets: tuple[str, ...] = ()  # `expr AS var` bound for the projection, after paging

    @property
    def ordered(self) -> bool:
        return bool(self.order)


def brand_counts(v: str) -> str:
    """Brand counters over the brand bound to ``v``."""
    return (
        f"follower_count: size([({v})<-[:FOLLOWS]-(:SocialAccount) | 1]), "
        f"product_count: size([({v})<-[:OF_BRAND]-(:Product) | 1]), "
        f"post_count: size([({v})-[:POSTED]->(:Post) | 1]), "
        f"purchase_count: size([({v})<-[:AT]-(:Purchase) | 1])"
    )


# Brand counters, computed with the brand's own statement.
BRAND_COUNTS = brand_counts("e")

DESC, ASC = True, False

# The events of a customer's contact history, one list per channel of contact, merged.
CONTACT_EVENTS = (
    "([(e)-[:MADE]->(hp:Purchase) | "
    "{kind: 'purchase', at: hp.at, channel: hp.channel, id: hp.id, n: hp}]"
    " + [(e)-[:HAS_ACCOUNT]->(ha:SocialAccount)-[hi:INTERACTED]->(hpo:Post) | "
    "{kind: 'interaction', at: hi.at, channel: hpo.platform, id: hpo.id + '|' + hi.kind, "
    "n: hpo, r: hi, a: ha}]"
    " + [(e)-[:FILED]->(hc:Complaint) | "
    "{kind: 'complaint', at: hc.opened_at, channel: hc.channel, id: hc.id, n: hc}]"
    " + [(e)-[:HAS_ACCOUNT]->(:SocialAccount)-[:POSTED]->(hps:Post) | "
    "{kind: 'post', at: hps.at, channel: hps.platform, id: hps.id, n: hps}]"
    " + [(e)-[:HAD_CONTACT]->(hk:Contact) | "
    "{kind: hk.kind, at: hk.at, channel: hk.channel, id: hk.id, n: hk, recorded: true}])"
)

# Unordered parts share one RETURN expression: FalkorDB returns empty lists when pattern
# comprehensions in one expression reuse a variable name, so each part has its own names.
CUSTOMER_PARTS: dict[str, Part] = {
    "identities": Part(
        "(e)-[ir:HAS_ACCOUNT]->(ix:SocialAccount)",
        "ix "
        + proj.ACCOUNT_CORE[:-1]
        + ", link_method: ir.method, link_confidence: ir.confidence, linked_at: ir.linked_at, "
        "link_model_version: ir.model_version, link_evidence: ir.evidence}",
    ),
    "tags": Part(
        "(e)-[tr:TAGGED]->(tx:Tag)",
        "{tag: tx " + proj.TAG_CORE + ", weight: tr.weight, source: tr.source, at: tr.at}",
    ),
    "consents": Part(
        "(e)-[kr:CONSENTED]->(kx:Brand)",
        "{brand: kx " + proj.BRAND_CORE + ", purposes: kr.purposes, granted_at: kr.granted_at, "
        "withdrawn_at: kr.withdrawn_at, source: kr.source, policy_version: kr.policy_version}",
    ),
    "segments": Part("(e)-[:IN_SEGMENT]->(sx:Segment)", "sx {.id, .name}"),
    # Computed traits (graph/traits.py).
    "traits": Part(
        "(e)-[hx:HAS_TRAIT]->(trx:Trait)",
        "{name: trx.id, value: hx.value, computed_at: hx.computed_at}",
    ),
    # Loyalty tier spells (graph/loyalty.py), current and past.
    "loyalty_tiers": Part(
        "(e)-[ltr:IN_TIER]->(ltp:LoyaltyProgram)",
        "{program: ltp.id, tier: ltr.tier, since: ltr.entered_at, until: ltr.exited_at}",
    ),
    # How the customer engages with each brand (graph/engagement.py), one item per act.
    "brands_engaged": Part(
        "",
        "[(e)-[:HAS_ACCOUNT]->(:SocialAccount)-[gf:FOLLOWS]->(gfb:Brand) | "
        "{kind: 'follow', at: gf.since, brand: gfb " + proj.BRAND_CORE + "}]"
        " + [(e)-[:HAS_ACCOUNT]->(:SocialAccount)-[gi:INTERACTED]->(:Post)<-[:POSTED]-(gib:Brand)"
        " | {kind: 'interaction', at: gi.at, brand: gib " + proj.BRAND_CORE + "}]"
        " + [(e)-[:MADE]->(gp:Purchase)-[:AT]->(gpb:Brand) | "
        "{kind: 'purchase', at: gp.at, amount: gp.total, brand: gpb " + proj.BRAND_CORE + "}]",
    ),
    # The raw facts the metrics are computed from (resolvers/metrics.py).
    "metrics": Part(
        "",
        "{purchases: [(e)-[:MADE]->(mp:Purchase) | [mp.at, mp.total]], "
        "complaints: [(e)-[:FILED]->(mc:Complaint) | mc.status], "
        "content_types: [(e)-[:HAS_ACCOUNT]->(:SocialAccount)-[:INTERACTED]->(mpo:Post) | "
        "mpo.content_type], "
        # and what the prediction models read (resolvers/predictions.py)
        "brand_purchases: [(e)-[:MADE]->(mq:Purchase)-[:AT]->(mqb:Brand) | "
        "[mq.at, mq.total, mqb.id]], "
        "interaction_at: [(e)-[:HAS_ACCOUNT]->(:SocialAccount)-[mi:INTERACTED]->(:Post) | mi.at], "
        "complaint_at: [(e)-[:FILED]->(mk:Complaint) | mk.opened_at]}",
    ),
    "purchases": Part(
        "(e)-[:MADE]->(x:Purchase)",
        proj.PURCHASE,
        order=(("coalesce(x.at, 0)", DESC), ("x.id", ASC)),
        where="($@brand IS NULL OR (x)-[:AT]->(:Brand {id: $@brand}))"
        " AND ($@from IS NULL OR x.at >= $@from)"
        " AND ($@until IS NULL OR x.at < $@until)",
        filters=("brand", "from", "until"),
    ),
    "interactions": Part(
        "(e)-[:HAS_ACCOUNT]->(a:SocialAccount)-[x:INTERACTED]->(p:Post)",
        proj.interaction("x", "a", "p"),
        order=(("coalesce(x.at, 0)", DESC), ("p.id", ASC), ("x.kind", ASC)),
        binds=("x", "a", "p"),
    ),
    "posts": Part(
        "(e)-[:HAS_ACCOUNT]->(:SocialAccount)-[:POSTED]->(x:Post)",
        proj.POST,
        order=(("coalesce(x.at, 0)", DESC), ("x.id", ASC)),
    ),
    "complaints": Part(
        "(e)-[:FILED]->(x:Complaint)",
        proj.COMPLAINT,
        order=(("coalesce(x.opened_at, 0)", DESC), ("x.id", ASC)),
    ),
    # Counters of every brand a customer-360 can show (purchases, consents, engagement),
    # so `brand { followerCount }` anywhere in it needs no statement of its own.
    "brand_counts": Part(
        "",
        "x {.id, " + brand_counts("x") + "}",
        source="reduce(acc = [], b IN [(e)-[:MADE]->(:Purchase)-[:AT]->(cb1:Brand) | cb1]"
        " + [(e)-[:CONSENTED]->(cb2:Brand) | cb2]"
        " + [(e)-[:HAS_ACCOUNT]->(:SocialAccount)-[:FOLLOWS]->(cb3:Brand) | cb3]"
        " + [(e)-[:HAS_ACCOUNT]->(:SocialAccount)-[:INTERACTED]->(:Post)<-[:POSTED]-(cb4:Brand)"
        " | cb4] | CASE WHEN b IN acc THEN acc ELSE acc + [b] END)",
    ),
    "contact_history": Part(
        "",
        "{kind: x.kind, at: x.at, channel: x.channel, "
        "purchase: CASE WHEN x.kind = 'purchase' THEN " + proj.purchase("n") + " END, "
        "interaction: CASE WHEN x.kind = 'interaction' THEN "
        + proj.interaction("r", "a", "n")
        + " END, complaint: CASE WHEN x.kind = 'complaint' THEN "
        + proj.complaint("n")
        + " END, post: CASE WHEN x.kind = 'post' THEN "
        + proj.post("n")
        + " END, contact: CASE WHEN x.recorded THEN "
        + proj.contact("n")
        + " END}",
        order=(("coalesce(x.at, 0)", DESC), ("x.kind", ASC), ("x.id", ASC)),
        source=CONTACT_EVENTS,
        where="$@kinds IS NULL OR x.kind IN $@kinds",
        filters=("kinds",),
        lets=("x.n AS n", "x.r AS r", "x.a AS a"),
    ),
}

BRAND_PARTS: dict[str, Part] = {
    "products": Part(
        "(x:Product)-[:OF_BRAND]->(e)",
        proj.PRODUCT,
        order=(("coalesce(x.name, '')", ASC), ("x.id", ASC)),
    ),
    "posts": Part(
        "(e)-[:POSTED]->(x:Post)", proj.POST, order=(("coalesce(x.at, 0)", DESC), ("x.id", ASC))
    ),
}


PART_TABLES: dict[str, dict[str, Part]] = {"customer": CUSTOMER_PARTS, "brand": BRAND_PARTS}

# Reserved keys of an entity's map: the value of each fetched part, in the plan's order,
# and each ordered part's total (null for an unordered one).
PARTS_KEY, TOTALS_KEY = "_parts", "_totals"

Filters = tuple[tuple[str, Any], ...]


@dataclass(frozen=True)
class Page:
    """The page of an ordered part a field asked for: ``first`` items after the keyset
    cursor ``after`` (the sort key of the last item seen), matching ``filters`` (filter
    name -> value; a filter left out is not applied)."""

    first: int
    after: tuple[Any, ...] | None = None
    filters: Filters = ()


@dataclass(frozen=True)
class Fetch:
    """One part fetched by an entity's statement: ``page`` of an ordered part, or the whole
    of an unordered one (``page`` None). Hashable: a tuple of fetches is a batch key."""

    part: str
    page: Page | None = None


def _keyset_predicate(order: Sequence[tuple[str, bool]], item: str, after: str) -> str:
    """``item``'s sort key comes after ``after`` in the part's order (lexicographic, with
    each key's own direction)."""
    clauses = []
    for i, (_, descending) in enumerate(order):
        equal = [f"{item}[{j}] = {after}[{j}]" for j in range(i)]
        beyond = f"{item}[{i}] {'<' if descending else '>'} {after}[{i}]"
        clauses.append("(" + " AND ".join([*equal, beyond]) + ")")
    return f"({after} IS NULL OR " + " OR ".join(clauses) + ")"


def _ordered_part(name: str, part: Part, keep: str) -> list[str]:
    """Sort the bare matches, count them, cut the page after the cursor `$<name>_after`
    (`$<name>_first` + 1 items, so the caller knows whether more follow), then project
    only the page. Each item comes back as `{node, key}`; `key` makes its cursor."""
    assert part.ordered
    binds = ", ".join(part.binds)
    keys = "[" + ", ".join(expr for expr, _ in part.order) + "]"
    order_by = ", ".join(f"{expr}{' DESC' if desc else ''}" for expr, desc in part.order)
    where = part.where.replace("$@", f"${name}_")
    if part.source:
        items = f"[x IN {part.source} WHERE {where}]" if where else part.source
        lines = [
            f"WITH {keep}, {items} AS {name}_src",
            f"UNWIND (CASE WHEN size({name}_src) = 0 THEN [null] ELSE {name}_src END) AS x",
        ]
    else:
        lines = [f"OPTIONAL MATCH {part.pattern}" + (f" WHERE {where}" if where else "")]
    bound = ", ".join(f"{v}: {v}" for v in part.binds)
    unpack = ", ".join(f"row.b.{v} AS {v}" for v in part.binds)
    after = _keyset_predicate(part.order, "r.k", f"${name}_after")
    lets = [f"WITH {keep}, {name}_total, {name}_k, {binds}, {', '.join(part.lets)}"]
    return [
        *lines,
        f"WITH {keep}, {binds} ORDER BY {order_by}",
        f"WITH {keep}, collect(CASE WHEN x IS NULL THEN null ELSE {{b: {{{bound}}}, k: {keys}}} "
        f"END) AS {name}_all",
        f"WITH {keep}, size({name}_all) AS {name}_total, "
        f"[r IN {name}_all WHERE {after}][0..${name}_first + 1] AS {name}_page",
        # UNWIND of [] would drop the entity's row, so an empty page unwinds one null.
        f"UNWIND (CASE WHEN size({name}_page) = 0 THEN [null] ELSE {name}_page END) AS row",
        f"WITH {keep}, {name}_total, row.k AS {name}_k, {unpack}",
        *(lets if part.lets else []),
        # FalkorDB projects a null `x` into a map of nulls: keep nulls out explicitly.
        f"WITH {keep}, {name}_total, collect(CASE WHEN x IS NULL THEN null ELSE "
        f"{{node: {part.projection}, key: {name}_k}} END) AS {name}",
    ]


def _unwound_part(name: str, part: Part, keep: str) -> list[str]:
    """Project each item of ``part.source`` as a bound variable `x`. FalkorDB evaluates a
    pattern comprehension over a list comprehension's variable wrongly (uncorrelated), so
    items that need patterns of their own are unwound rather than mapped."""
    return [
        f"WITH {keep}, {part.source} AS {name}_src",
        f"UNWIND (CASE WHEN size({name}_src) = 0 THEN [null] ELSE {name}_src END) AS x",
        f"WITH {keep}, collect(CASE WHEN x IS NULL THEN null ELSE {part.projection} END) AS {name}",
    ]


@functools.cache
def _entity_text(
    head: str, table: str, fetched: tuple[str, ...], extra: str, carry: tuple[str, ...]
) -> str:
    """The statement for the parts ``fetched`` (one name per fetch) of ``table``."""
    parts = PART_TABLES[table]
    lines = [head, "WITH " + ", ".join(["e", *carry])]
    carried: list[str] = list(carry)
    values, totals = [], []
    for i, name in enumerate(fetched):
        part = parts[name]  # KeyError for anything not in the allow-list
        instance = f"p{i}"
        keep = ", ".join(["e", *carried])
        if part.ordered:
            lines += _ordered_part(instance, part, keep)
            carried += [instance, f"{instance}_total"]
            values.append(instance)
            totals.append(f"{instance}_total")
        elif part.source:
            lines += _unwound_part(instance, part, keep)
            carried.append(instance)
            values.append(instance)
            totals.append("null")
        else:
            value = f"[{part.pattern} | {part.projection}]" if part.pattern else part.projection
            values.append(value)
            totals.append("null")
    fields = ["e {.*", *([extra] if extra else [])]
    fields += [f"{PARTS_KEY}: [{', '.join(values)}]", f"{TOTALS_KEY}: [{', '.join(totals)}]"]
    lines.append("RETURN " + ", ".join(fields) + "} AS entity")
    return "\n".join(lines)


def entity_statement(
    head: str, table: str, fetches: Sequence[Fetch], extra: str = "", carry: tuple[str, ...] = ()
) -> tuple[str, dict[str, Any]]:
    """One statement and its parameters for the entities ``head`` binds as `e` (one row
    each; ``carry``: more variables it binds, returned in the map, e.g. a page's sort key
    `sk`) with ``fetches`` of the part table ``table`` (`customer` or `brand`).

    Each row's `entity` map holds the entity's properties, ``extra``, and under PARTS_KEY
    the value of each fetch in order (an ordered part's `{node, key}` items, at most
    first + 1; a list, or a value part's value), under TOTALS_KEY each ordered part's
    total. Raises KeyError for a part that is not in the table: input chooses which fixed
    parts join, never their text; values go in parameters only."""
    text = _entity_text(head, table, tuple(f.part for f in fetches), extra, carry)
    params: dict[str, Any] = {}
    for i, fetch in enumerate(fetches):
        part, page = PART_TABLES[table][fetch.part], fetch.page
        if not part.ordered:
            continue
        if page is None:
            raise ValueError(f"{fetch.part} is ordered: a fetch of it needs a page")
        params[f"p{i}_first"] = page.first
        params[f"p{i}_after"] = list(page.after) if page.after is not None else None
        given = dict(page.filters)
        for f in part.filters:
            value = given.get(f)
            params[f"p{i}_{f}"] = list(value) if isinstance(value, tuple) else value
    return text, params


CUSTOMERS_BY_IDS_HEAD = "UNWIND $ids AS key\nMATCH (e:Customer {id: key})"
# The customer-360 found by one identity (a linked account, or a hashed email or phone,
# or the CRM's id). Several customers may share an email or phone: the caller decides.
CUSTOMER_BY_ACCOUNT_HEAD = (
    "MATCH (:SocialAccount {platform: $platform, handle: $handle})<-[:HAS_ACCOUNT]-(e:Customer)"
    "\nWITH DISTINCT e LIMIT 2"
)
CUSTOMER_BY_EMAIL_HEAD = "MATCH (e:Customer {email_hash: $hash})\nWITH e LIMIT 2"
CUSTOMER_BY_PHONE_HEAD = "MATCH (e:Customer {phone_hash: $hash})\nWITH e LIMIT 2"
CUSTOMER_BY_EXTERNAL_ID_HEAD = "MATCH (e:Customer {external_id: $external_id})\nWITH e LIMIT 2"
BRANDS_BY_IDS_HEAD = "UNWIND $ids AS key\nMATCH (e:Brand {id: key})"

# Filters on a page of customers: each is fixed text guarded by its own parameter.
# Pattern predicates, not size([...]) > 0: FalkorDB cannot filter inside a WHERE on a
# pattern comprehension ("Unable to resolve filtered alias").
CUSTOMER_FILTERS = (
    visible("e"),  # restricted customers: admins only (graph/restriction.py)
    "($ids IS NULL OR e.id IN $ids)",
    "($country IS NULL OR e.country = $country)",
    "($region IS NULL OR e.region = $region)",
    "($platform IS NULL OR (e)-[:HAS_ACCOUNT]->(:SocialAccount {platform: $platform}))",
    "($tag IS NULL OR (e)-[:TAGGED]->(:Tag {id: $tag}))",
    "($segment IS NULL OR (e)-[:IN_SEGMENT]->(:Segment {id: $segment}))",
    "($profile_loaded IS NULL OR (e.row_hash IS NOT NULL) = $profile_loaded)",
    # engaged with the brand (graph/engagement.py): purchased, follows, or interacted
    "($brand IS NULL OR (e)-[:MADE]->(:Purchase)-[:AT]->(:Brand {id: $brand})"
    " OR (e)-[:HAS_ACCOUNT]->(:SocialAccount)-[:FOLLOWS]->(:Brand {id: $brand})"
    " OR (e)-[:HAS_ACCOUNT]->(:SocialAccount)-[:INTERACTED]->(:Post)<-[:POSTED]-"
    "(:Brand {id: $brand}))",
)

SPEND = "reduce(s = 0.0, t IN [(e)-[:MADE]->(sp:Purchase) | coalesce(sp.total, 0)] | s + t)"
LAST_ACTIVITY = (
    "reduce(m = -1, t IN [(e)-[:MADE]->(lp:Purchase) | lp.at]"
    " + [(e)-[:HAS_ACCOUNT]->(:SocialAccount)-[li:INTERACTED]->(:Post) | li.at]"
    " + [(e)-[:FILED]->(lc:Complaint) | lc.opened_at]"
    " + [(e)-[:HAS_ACCOUNT]->(:SocialAccount)-[:POSTED]->(lpo:Post) | lpo.at]"
    " | CASE WHEN t IS NOT NULL AND t > m THEN t ELSE m END)"
)
ACTIVE_CONSENT_PURPOSES = (
    "[(e)-[kc:CONSENTED]->(kb:Brand) WHERE kb.id = $consent_brand AND kc.withdrawn_at IS NULL"
    " | kc.purposes]"
)
# Filters on computed values, after they are computed (`spend`, `last_activity`, `purposes`).
COMPUTED_FILTERS = (
    "($spend_min IS NULL OR spend >= $spend_min)",
    "($spend_max IS NULL OR spend <= $spend_max)",
    "($active_from IS NULL OR last_activity >= $active_from)",
    "($active_until IS NULL OR (last_activity >= 0 AND last_activity < $active_until))",
    "($consent_brand IS NULL OR any(ps IN purposes WHERE $consent_purpose IS NULL"
    " OR $consent_purpose IN ps))",
)

# Sort keys of a page of customers: (expression, needs the computed values).
CUSTOMER_SORTS: dict[str, str] = {
    "id": "e.id",
    "name": "coalesce(e.name, '')",
    "created_at": "coalesce(e.created_at, -1)",
    "spend": "spend",
    "last_activity": "last_activity",
}


def customers_match(computed: bool, rule: Sequence[str] = ()) -> list[str]:
    """Lines binding `e` to each customer of the page filters (and ``rule`` lines)."""
    lines = ["MATCH (e:Customer)", "WHERE " + " AND ".join(CUSTOMER_FILTERS), *rule]
    if computed:
        lines += [
            f"WITH e, {SPEND} AS spend, {LAST_ACTIVITY} AS last_activity, "
            f"CASE WHEN $consent_brand IS NULL THEN [] ELSE {ACTIVE_CONSENT_PURPOSES} END "
            "AS purposes",
            "WHERE " + " AND ".join(COMPUTED_FILTERS),
        ]
    return lines


def customers_page_head(
    sort: str, descending: bool, computed: bool, rule: Sequence[str] = ()
) -> str:
    """Bind `e` and its sort key `sk` for one page of customers: filtered, sorted by
    ``sort`` then id (both ascending or both descending), after the keyset cursor
    `$after` ([sort key, id]), at most `$limit`. ``computed``: a filter or the sort needs
    spend / last activity / consents, which are then computed per customer. ``rule``:
    the lines of a compiled `where` rule (graph/rules.py), applied after the filters."""
    key = CUSTOMER_SORTS[sort]  # KeyError for anything not allow-listed
    cmp = "<" if descending else ">"
    direction = " DESC" if descending else ""
    return "\n".join(
        [
            *customers_match(computed or sort in ("spend", "last_activity"), rule),
            f"WITH e, {key} AS sk",
            f"WHERE $after IS NULL OR sk {cmp} $after[0]"
            f" OR (sk = $after[0] AND e.id {cmp} $after[1])",
            f"WITH e, sk ORDER BY sk{direction}, e.id{direction} LIMIT $limit",
        ]
    )


def customers_count(computed: bool, rule: Sequence[str] = ()) -> str:
    return "\n".join([*customers_match(computed, rule), "RETURN count(e) AS total"])


def customers_statement(
    head: str, fetches: Sequence[Fetch], carry: tuple[str, ...] = ()
) -> tuple[str, dict[str, Any]]:
    """The customer-360 statement and its parameters for the customers bound by ``head``
    (which may bind more variables to return: ``carry``, e.g. a page's sort key `sk`)."""
    extra = ", ".join(f"{v}: {v}" for v in carry)
    return entity_statement(head, "customer", fetches, extra=extra, carry=carry)


def brands_statement(fetches: Sequence[Fetch]) -> tuple[str, dict[str, Any]]:
    """The brands of `$ids` with their counters and ``fetches``."""
    return entity_statement(BRANDS_BY_IDS_HEAD, "brand", fetches, extra=BRAND_COUNTS)


# node(id) for the types that have no builder of their own: label -> one statement for
# a batch of keys (`$ids`).
NODES_BY_IDS: dict[str, str] = {
    label: f"UNWIND $ids AS key\nMATCH (x:{label} {{id: key}})\nRETURN {projection} AS entity"
    for label, projection in (
        ("SocialAccount", proj.ACCOUNT),
        ("Purchase", proj.PURCHASE),
        ("Post", proj.POST),
        ("Complaint", proj.COMPLAINT),
        ("Product", proj.PRODUCT),
        ("Tag", proj.TAG),
    )
}
