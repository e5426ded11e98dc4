"""Read statements: the customer-360 builder, brands, pages, and nodes by id.

The customer-360 is ONE statement whatever the client selected: each selectable part
is a fixed fragment from the allow-list below, so input chooses which fragments join,
never their text. Lists that need an order go through OPTIONAL MATCH -> ORDER BY ->
collect -> slice; the rest are pattern comprehensions.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from graph import projections as proj


@dataclass(frozen=True)
class Part:
    """A selectable list on an entity, fetched inside the entity's statement."""

    pattern: str  # from `e`; an ordered part binds `x` (and any other `binds`)
    projection: str  # over the bound variables
    order_by: str | None = None  # None: a pattern comprehension, unordered
    binds: tuple[str, ...] = ("x",)


# Unordered parts share one RETURN expression: FalkorDB returns empty lists when pattern
# comprehensions in one expression reuse a variable name, so each part has its own names.
CUSTOMER_PARTS: dict[str, Part] = {
    "identities": Part(
        "(e)-[ir:HAS_ACCOUNT]->(ix:SocialAccount)",
        "ix "
        + proj.ACCOUNT_CORE[:-1]
        + ", link_method: ir.method, link_confidence: ir.confidence, linked_at: ir.linked_at}",
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
    "purchases": Part("(e)-[:MADE]->(x:Purchase)", proj.PURCHASE, order_by="x.at DESC, x.id"),
    "interactions": Part(
        "(e)-[:HAS_ACCOUNT]->(a:SocialAccount)-[x:INTERACTED]->(p:Post)",
        "{kind: x.kind, at: x.at, text: x.text, account: a "
        + proj.ACCOUNT_CORE
        + ", post: p {.id, .at, .platform, .content_type, .text}}",
        order_by="x.at DESC, p.id, x.kind",
        binds=("x", "a", "p"),
    ),
    "posts": Part(
        "(e)-[:HAS_ACCOUNT]->(:SocialAccount)-[:POSTED]->(x:Post)",
        proj.POST,
        order_by="x.at DESC, x.id",
    ),
    "complaints": Part(
        "(e)-[:FILED]->(x:Complaint)", proj.COMPLAINT, order_by="x.opened_at DESC, x.id"
    ),
}

BRAND_PARTS: dict[str, Part] = {
    "products": Part("(x:Product)-[:OF_BRAND]->(e)", proj.PRODUCT, order_by="x.name, x.id"),
    "posts": Part("(e)-[:POSTED]->(x:Post)", proj.POST, order_by="x.at DESC, x.id"),
}

# Brand counters, computed with the brand's own statement.
BRAND_COUNTS = (
    "follower_count: size([(e)<-[:FOLLOWS]-(:SocialAccount) | 1]), "
    "product_count: size([(e)<-[:OF_BRAND]-(:Product) | 1]), "
    "post_count: size([(e)-[:POSTED]->(:Post) | 1]), "
    "purchase_count: size([(e)<-[:AT]-(:Purchase) | 1])"
)


def _ordered_part(name: str, part: Part, keep: str) -> list[str]:
    """Order and slice the bare matches first, then project only the page."""
    assert part.order_by is not None
    if part.binds == ("x",):
        gathered, unpack = "collect(x)", "row AS x"
    else:
        bound = ", ".join(f"{v}: {v}" for v in part.binds)
        gathered = f"collect(CASE WHEN x IS NULL THEN null ELSE {{{bound}}} END)"
        unpack = ", ".join(f"row.{v} AS {v}" for v in part.binds)
    return [
        f"OPTIONAL MATCH {part.pattern}",
        f"WITH {keep}, {', '.join(part.binds)} ORDER BY {part.order_by}",
        f"WITH {keep}, {gathered} AS {name}_all",
        f"WITH {keep}, {name}_all[${name}_skip..${name}_skip + ${name}_first] AS {name}_page, "
        f"size({name}_all) AS {name}_total",
        # UNWIND of [] would drop the entity's row, so an empty page unwinds one null.
        f"UNWIND (CASE WHEN size({name}_page) = 0 THEN [null] ELSE {name}_page END) AS row",
        f"WITH {keep}, {name}_total, {unpack}",
        # FalkorDB projects a null `x` into a map of nulls: keep nulls out explicitly.
        f"WITH {keep}, {name}_total, "
        f"collect(CASE WHEN x IS NULL THEN null ELSE {part.projection} END) AS {name}",
    ]


def entity_query(
    head: str, parts: dict[str, Part], selected: Iterable[str], extra: str = ""
) -> str:
    """Build one statement: ``head`` binds `e` (one row per entity), then each selected
    part in a fixed order, returning `entity` maps with `<part>` and `<part>_total`.

    ``selected`` must name keys of ``parts``; anything else raises KeyError, which is
    how an unknown field can never reach the text. Each ordered part's window is
    `$<part>_skip` and `$<part>_first`.
    """
    wanted = set(selected)
    unknown = wanted - parts.keys()
    if unknown:
        raise KeyError(f"unknown parts: {sorted(unknown)}")
    lines = [head, "WITH e"]
    carried: list[str] = []
    fields = ["e {.*"]
    if extra:
        fields.append(extra)
    for name, part in parts.items():
        if name not in wanted:
            continue
        if part.order_by is None:
            fields.append(f"{name}: [{part.pattern} | {part.projection}]")
            continue
        lines += _ordered_part(name, part, ", ".join(["e", *carried]))
        carried += [name, f"{name}_total"]
        fields += [f"{name}: {name}", f"{name}_total: {name}_total"]
    lines.append("RETURN " + ", ".join(fields) + "} AS entity")
    return "\n".join(lines)


CUSTOMERS_BY_IDS_HEAD = "UNWIND $ids AS key\nMATCH (e:Customer {id: key})"
BRANDS_BY_IDS_HEAD = "UNWIND $ids AS key\nMATCH (e:Brand {id: key})"

# Filters on a page of customers: each is fixed text guarded by its own parameter.
# Pattern predicates, not size([...]) > 0: FalkorDB cannot filter inside a WHERE on a
# pattern comprehension ("Unable to resolve filtered alias").
CUSTOMER_FILTERS = (
    "($country IS NULL OR e.country = $country)",
    "($region IS NULL OR e.region = $region)",
    "($platform IS NULL OR (e)-[:HAS_ACCOUNT]->(:SocialAccount {platform: $platform}))",
    "($tag IS NULL OR (e)-[:TAGGED]->(:Tag {id: $tag}))",
    "($segment IS NULL OR (e)-[:IN_SEGMENT]->(:Segment {id: $segment}))",
)
_WHERE = " AND ".join(CUSTOMER_FILTERS)

CUSTOMERS_PAGE_HEAD = (
    "MATCH (e:Customer)\n"
    f"WHERE ($after IS NULL OR e.id > $after) AND {_WHERE}\n"
    "WITH e ORDER BY e.id LIMIT $limit"
)

CUSTOMERS_COUNT = f"MATCH (e:Customer) WHERE {_WHERE} RETURN count(e) AS total"


def customers_query(head: str, selected: Sequence[str]) -> str:
    """The customer-360 statement for the customers bound by ``head``."""
    return entity_query(head, CUSTOMER_PARTS, selected)


def brands_query(selected: Sequence[str]) -> str:
    return entity_query(BRANDS_BY_IDS_HEAD, BRAND_PARTS, selected, extra=BRAND_COUNTS)


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
