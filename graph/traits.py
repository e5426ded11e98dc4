"""Computed traits: definitions stored as `Trait` records, values computed in the graph.

A trait aggregates one kind of a customer's events (purchases, interactions, contacts,
complaints), optionally narrowed by conditions and a time window. Its statement is built
from the fixed fragments of SOURCES and AGGREGATES only: the definition picks which
fragments join, and every value it holds (brand id, channel, window start) is a
parameter. One statement computes a trait for every customer, or for the customers a
load or a write touched (`$customers`). Values live on
`(Customer)-[:HAS_TRAIT {value, computed_at}]->(Trait)`, a derived relationship that
network reads never follow (graph/model.py).
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field as default
from typing import Any

from graph.store import GraphStore, Params

DAY_MS = 86_400_000
MAX_WINDOW_DAYS = 3660
NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


@dataclass(frozen=True)
class Source:
    """One kind of event: the pattern from `c` binding the event `x` (and any other
    variables in ``binds``), its time, the fields a trait may read and the conditions it
    may set (each a predicate over `$<condition>`)."""

    pattern: str
    at: str
    fields: dict[str, str]
    numeric: frozenset[str]
    conditions: dict[str, str]
    binds: tuple[str, ...] = ("x",)


SOURCES: dict[str, Source] = {
    "purchases": Source(
        "(c)-[:MADE]->(x:Purchase)",
        "x.at",
        {"amount": "x.total", "channel": "x.channel", "currency": "x.currency",
         "brand": "[(x)-[:AT]->(fb:Brand) | fb.id][0]"},
        frozenset({"amount"}),
        {"brand": "(x)-[:AT]->(:Brand {id: $brand})",
         "category": "(x)-[:CONTAINS]->(:Product {category: $category})",
         "channel": "x.channel = $channel"},
    ),
    "interactions": Source(
        "(c)-[:HAS_ACCOUNT]->(:SocialAccount)-[x:INTERACTED]->(p:Post)",
        "x.at",
        {"kind": "x.kind", "content_type": "p.content_type", "platform": "p.platform",
         "brand": "[(p)<-[:POSTED]-(fb:Brand) | fb.id][0]"},
        frozenset(),
        {"brand": "(p)<-[:POSTED]-(:Brand {id: $brand})",
         "content_type": "p.content_type = $content_type",
         "channel": "p.platform = $channel", "kind": "x.kind = $kind"},
        binds=("x", "p"),
    ),
    "contacts": Source(
        "(c)-[:HAD_CONTACT]->(x:Contact)",
        "x.at",
        {"kind": "x.kind", "channel": "x.channel",
         "brand": "[(x)-[:ABOUT]->(fb:Brand) | fb.id][0]"},
        frozenset(),
        {"brand": "(x)-[:ABOUT]->(:Brand {id: $brand})", "channel": "x.channel = $channel",
         "kind": "x.kind = $kind"},
    ),
    "complaints": Source(
        "(c)-[:FILED]->(x:Complaint)",
        "x.opened_at",
        {"category": "x.category", "channel": "x.channel", "status": "x.status",
         "about_kind": "x.about_kind"},
        frozenset(),
        {"brand": "(x)-[:ABOUT]->(:Brand {id: $brand})",
         "category": "x.category = $category", "channel": "x.channel = $channel"},
    ),
}  # fmt: skip

# aggregate -> (needs a field, needs a numeric field, the aggregation lines over `v`/`at`)
NUMERIC_AGGREGATES = {"sum": "sum(v)", "avg": "avg(v)", "min": "min(v)", "max": "max(v)"}
AGGREGATES = ("count", "unique_count", *NUMERIC_AGGREGATES, "most_frequent", "first", "last")


class TraitRefused(ValueError):
    """A definition that cannot be computed; the message says why, ``argument`` where."""

    def __init__(self, reason: str, argument: str) -> None:
        super().__init__(reason)
        self.argument = argument


@dataclass(frozen=True)
class TraitSpec:
    """A trait definition: what to aggregate, over which events, narrowed how."""

    name: str
    source: str
    aggregate: str
    field: str | None = None
    conditions: dict[str, str] = default(default_factory=dict)
    window_days: int | None = None
    description: str | None = None

    def check(self) -> None:
        """Raise TraitRefused naming the first reason this definition cannot be computed."""
        if not NAME.match(self.name):
            raise TraitRefused(
                "a trait name is 1-40 lower-case letters, digits or _, starting with a letter",
                "name",
            )
        source = SOURCES.get(self.source)
        if source is None:
            raise TraitRefused(f"unknown source; one of {', '.join(SOURCES)}", "source")
        if self.aggregate not in AGGREGATES:
            raise TraitRefused(f"unknown aggregate; one of {', '.join(AGGREGATES)}", "aggregate")
        if self.aggregate == "count":
            if self.field is not None:
                raise TraitRefused("count counts events: it takes no field", "field")
        elif self.field is None:
            raise TraitRefused(f"{self.aggregate} needs a field of {self.source}", "field")
        elif self.field not in source.fields:
            raise TraitRefused(
                f"{self.source} have no field {self.field!r}; "
                f"they have {', '.join(sorted(source.fields))}",
                "field",
            )
        if self.aggregate in NUMERIC_AGGREGATES and self.field not in source.numeric:
            raise TraitRefused(
                f"{self.aggregate} needs a numeric field; {self.field!r} is not "
                f"(numeric fields of {self.source}: {', '.join(sorted(source.numeric)) or 'none'})",
                "field",
            )
        for name, value in self.conditions.items():
            if name not in source.conditions:
                raise TraitRefused(
                    f"{self.source} cannot be narrowed by {name}; "
                    f"by {', '.join(sorted(source.conditions))}",
                    f"conditions.{name}",
                )
            if not value.strip():
                raise TraitRefused(f"condition {name} is empty", f"conditions.{name}")
        if self.window_days is not None and not 1 <= self.window_days <= MAX_WINDOW_DAYS:
            raise TraitRefused(
                f"windowDays is 1..{MAX_WINDOW_DAYS} (omit it for all time)", "windowDays"
            )

    def record(self) -> dict[str, Any]:
        """The properties of the definition's `Trait` record."""
        return {
            "source": self.source, "aggregate": self.aggregate, "field": self.field,
            "window_days": self.window_days, "description": self.description,
            "condition_names": sorted(self.conditions),
            "condition_values": [self.conditions[k] for k in sorted(self.conditions)],
        }  # fmt: skip

    @classmethod
    def from_record(cls, r: dict[str, Any]) -> "TraitSpec":
        names, values = r.get("condition_names") or [], r.get("condition_values") or []
        return cls(
            name=r["id"], source=r["source"], aggregate=r["aggregate"], field=r.get("field"),
            conditions=dict(zip(names, values, strict=True)),
            window_days=r.get("window_days"), description=r.get("description"),
        )  # fmt: skip


def _aggregation(spec: TraitSpec) -> list[str]:
    """Lines from `WITH t, c, v, at, x` (one row per event, or one null row) to `t, c, value`."""
    if spec.aggregate == "count":
        return ["WITH t, c, count(x) AS value"]
    if spec.aggregate == "unique_count":
        return ["WITH t, c, count(DISTINCT v) AS value"]
    if spec.aggregate in NUMERIC_AGGREGATES:
        return [f"WITH t, c, {NUMERIC_AGGREGATES[spec.aggregate]} AS value"]
    if spec.aggregate == "most_frequent":
        # Ties go to the smallest value, so the answer does not depend on storage order.
        return [
            "WITH t, c, v, count(x) AS n ORDER BY n DESC, v",
            "WITH t, c, collect(v)[0] AS value",
        ]
    # first / last: an event without a time cannot be placed, so it never counts.
    direction = "" if spec.aggregate == "first" else " DESC"
    return [
        f"WITH t, c, CASE WHEN at IS NULL THEN null ELSE v END AS v, at ORDER BY at{direction}, v",
        "WITH t, c, collect(v)[0] AS value",
    ]


def refresh_statement(
    spec: TraitSpec, now: int, customers: list[str] | None
) -> tuple[str, dict[str, Any]]:
    """The one statement (text, parameters) that recomputes ``spec`` for every customer
    (``customers`` None) or for those ids; a customer the trait has no value for (no
    events for avg/min/max/most_frequent/first/last) loses any value it had. Raises
    TraitRefused for a definition that cannot be computed."""
    spec.check()
    source = SOURCES[spec.source]
    params: dict[str, Any] = {"trait": spec.name, "now": now, "customers": customers}
    where = []
    for name in sorted(spec.conditions):
        where.append(source.conditions[name])
        params[name] = spec.conditions[name]
    if spec.window_days is not None:
        where.append(f"{source.at} >= $since")
        params["since"] = now - spec.window_days * DAY_MS
    value = source.fields[spec.field] if spec.field is not None else "null"
    lines = [
        "MATCH (t:Trait {id: $trait})",
        "MATCH (c:Customer) WHERE $customers IS NULL OR c.id IN $customers",
        f"OPTIONAL MATCH {source.pattern}" + (f" WHERE {' AND '.join(where)}" if where else ""),
        f"WITH DISTINCT t, c, {', '.join(source.binds)}",
        f"WITH t, c, x, {value} AS v, {source.at} AS at",
        *_aggregation(spec),
        "MERGE (c)-[h:HAS_TRAIT]->(t)",
        "SET h.value = value, h.computed_at = $now",
        "WITH h, value WHERE value IS NULL",
        "DELETE h",
    ]
    return "\n".join(lines), params


SAVE_TRAIT = """
MERGE (t:Trait {id: $name})
ON CREATE SET t.created_at = $now, t.owner = $owner
SET t += $props, t.updated_at = $now
"""
LIST_TRAITS = "MATCH (t:Trait) RETURN t {.*} AS trait ORDER BY t.id"
GET_TRAIT = "MATCH (t:Trait {id: $name}) RETURN t {.*} AS trait"
DELETE_TRAIT = "MATCH (t:Trait {id: $name}) DETACH DELETE t"

# Customers whose traits a written row can change, by the kind of row: a load names the
# customer, or an account whose customer it is.
TOUCHED_BY_ACCOUNTS = (
    "UNWIND $ids AS aid MATCH (c:Customer)-[:HAS_ACCOUNT]->(:SocialAccount {id: aid}) "
    "RETURN DISTINCT c.id AS id"
)


async def save_trait(store: GraphStore, spec: TraitSpec, owner: str, now: int) -> None:
    """Store (or replace) ``spec``'s definition. Raises TraitRefused."""
    spec.check()
    await store.write(
        SAVE_TRAIT, {"name": spec.name, "props": spec.record(), "owner": owner, "now": now}
    )


async def trait_specs(store: GraphStore) -> list[tuple[TraitSpec, dict[str, Any]]]:
    """Every stored definition, by name, with its record (owner, times)."""
    rows = await store.read(LIST_TRAITS)
    return [(TraitSpec.from_record(r["trait"]), r["trait"]) for r in rows]


# A full refresh goes over the customers in chunks of this many ids, one statement (one
# transaction) each: over 1M customers at once, one statement needed more than the 2.5 GiB
# of transaction memory a 4 GB Neo4j heap allows (MemoryPoolOutOfMemoryError).
REFRESH_CHUNK = 50_000
CUSTOMER_IDS_AFTER = (
    "MATCH (c:Customer) WHERE c.id > $after RETURN c.id AS id ORDER BY c.id LIMIT $n"
)


async def refresh_traits(
    store: GraphStore, now: int, customers: list[str] | None = None, names: list[str] | None = None
) -> int:
    """Recompute the stored traits (those in ``names``, or all) for ``customers`` (None:
    all, REFRESH_CHUNK customers a statement; []: nothing to do), one statement per trait
    and chunk. Returns how many traits were recomputed."""
    if customers is not None and not customers:
        return 0
    specs = [spec for spec, _ in await trait_specs(store)
             if names is None or spec.name in names]  # fmt: skip
    if not specs:
        return 0
    for chunk in [customers] if customers is not None else await _chunks(store):
        for spec in specs:
            query, params = refresh_statement(spec, now, chunk)
            await store.write(query, params)
    return len(specs)


async def _chunks(store: GraphStore) -> list[list[str] | None]:
    """Every customer id in chunks of REFRESH_CHUNK, in id order; [None] (every customer
    in one statement) when they fit in one chunk."""
    chunks: list[list[str]] = []
    after = ""
    while True:
        rows = await store.read(CUSTOMER_IDS_AFTER, {"after": after, "n": REFRESH_CHUNK})
        if rows:
            chunks.append([str(row["id"]) for row in rows])
        if len(rows) < REFRESH_CHUNK:
            break
        after = chunks[-1][-1]
    return [None] if len(chunks) <= 1 else list(chunks)


# Kinds whose rows can change a customer's traits (customers_touched gives [] for others).
TRAIT_KINDS = frozenset(
    {"customers", "purchases", "complaints", "contacts", "interactions", "social_accounts"}
)


async def trait_names(store: GraphStore) -> frozenset[str]:
    """The names of the stored traits."""
    return frozenset(spec.name for spec, _ in await trait_specs(store))


async def customers_touched(store: GraphStore, kind: str, rows: Sequence[Params]) -> list[str]:
    """Ids of the customers whose traits rows of ``kind`` may change ([] for kinds no
    trait reads)."""
    if kind == "customers":
        return sorted({str(r["id"]) for r in rows})
    if kind in ("purchases", "complaints", "contacts"):
        return sorted({str(r["customer_id"]) for r in rows})
    accounts = {
        "interactions": "account_id",
        "social_accounts": "id",
    }.get(kind)
    if accounts is None:
        return []
    ids = sorted({str(r[accounts]) for r in rows})
    found = await store.read(TOUCHED_BY_ACCOUNTS, {"ids": ids})
    return sorted(str(r["id"]) for r in found)
