"""The plan of an entity read (a customer-360, a brand), made once per request from the
client's selection: which parts of graph/reads.py the one statement fetches, with each
page's arguments parsed here and only here, and which fetch each response alias reads.

A part selected twice with the same arguments (aliases) is fetched once; with different
arguments, each distinct page is its own fetch, all inside the one statement.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from graphql import GraphQLResolveInfo, SelectionSetNode
from strawberry.types.nodes import Selection

from graph.reads import PART_TABLES, PARTS_KEY, TOTALS_KEY, Fetch
from resolvers.selection import (
    FilterReader,
    fields_of,
    names_below,
    own_fields,
    read_contact_filter,
    read_page,
    read_purchase_filter,
    selects_any,
)

EntityKind = Literal["customer", "brand"]


@dataclass(frozen=True)
class PartField:
    """A GraphQL field of an entity read from a part of its statement (graph/reads.py):
    ``part`` names it; ``read_filter`` reads the field's `filter` argument."""

    part: str
    read_filter: FilterReader | None = None


# GraphQL field -> the part it reads. Adding a part to the 360: the Part (graph/reads.py),
# its line here, its field (schema/customer.py); docs/api.md shows an example.
CATALOG: dict[EntityKind, dict[str, PartField]] = {
    "customer": {
        "identities": PartField("identities"), "tags": PartField("tags"),
        "consents": PartField("consents"), "segments": PartField("segments"),
        "traits": PartField("traits"), "brandsEngaged": PartField("brands_engaged"),
        "metrics": PartField("metrics"), "loyaltyTiers": PartField("loyalty_tiers"),
        "purchases": PartField("purchases", read_purchase_filter),
        "interactions": PartField("interactions"), "posts": PartField("posts"),
        "complaints": PartField("complaints"),
        "contactHistory": PartField("contact_history", read_contact_filter),
    },
    "brand": {"products": PartField("products"), "posts": PartField("posts")},
}  # fmt: skip
TYPE_NAMES: dict[EntityKind, str] = {"customer": "Customer", "brand": "Brand"}
# Brand counters anywhere inside a customer selection add the `brand_counts` part, so
# they come with the customer's statement too.
BRAND_COUNT_FIELDS = frozenset({"followerCount", "productCount", "postCount", "purchaseCount"})
BRAND_COUNTS = Fetch("brand_counts")


@dataclass(frozen=True)
class EntityPlan:
    """What one entity's statement fetches (``fetches``: hashable, the batch key of the
    request's loaders) and, for one selection of it, which fetch each response alias reads
    (``fields``: alias -> index into ``fetches``)."""

    kind: EntityKind
    fetches: tuple[Fetch, ...]
    fields: Mapping[str, int] = field(default_factory=dict, compare=False, hash=False)

    def fetch_of(self, alias: str) -> tuple[int, Fetch]:
        """(index, fetch) that field ``alias`` reads. Raises LookupError for a field the
        plan never saw: a planning bug, never a reason to run a second statement."""
        index = self.fields.get(alias)
        if index is None:
            raise LookupError(f"{TYPE_NAMES[self.kind]}.{alias} was not planned")
        return index, self.fetches[index]


def plan_entities(
    kind: EntityKind,
    selection_sets: Sequence[Iterable[Selection]],
    default_first: int,
    max_page: int,
    counters: bool | None = None,
) -> list[EntityPlan]:
    """One plan per selection set of ``kind`` (e.g. `edges { node }` and `nodes` of one
    connection), all sharing one statement's fetches. ``counters``: brand counters are
    selected below (None: look for them in the selections). Raises BAD_USER_INPUT naming
    the argument of a bad page."""
    catalog, type_name = CATALOG[kind], TYPE_NAMES[kind]
    parts = PART_TABLES[kind]
    fetches: dict[Fetch, int] = {}
    aliases: list[dict[str, int]] = []
    found = bool(counters)
    for selections in selection_sets:
        selections = list(selections)
        fields: dict[str, int] = {}
        for selected in fields_of(selections, type_name):
            spec = catalog.get(selected.name)
            if spec is None:
                continue
            page = None
            if parts[spec.part].ordered:
                page = read_page(
                    spec.part, selected.arguments, default_first, max_page, spec.read_filter
                )
            fetch = Fetch(spec.part, page)
            fields[selected.alias or selected.name] = fetches.setdefault(fetch, len(fetches))
        aliases.append(fields)
        if counters is None and not found:
            found = selects_any(selections, BRAND_COUNT_FIELDS)
    if found and kind == "customer":
        fetches.setdefault(BRAND_COUNTS, len(fetches))
    ordered = tuple(fetches)
    return [EntityPlan(kind, ordered, fields) for fields in aliases]


def plan_selected(
    raw: GraphQLResolveInfo[Any],
    kind: EntityKind,
    groups: Sequence[Sequence[SelectionSetNode | None]],
    default_first: int,
    max_page: int,
) -> list[EntityPlan]:
    """``plan_entities`` straight from the document: one plan per group of selection sets
    of ``kind`` (a group: the sets of one field asked several times), reading only the
    entity's own level and looking below it for brand counters alone."""
    type_name = TYPE_NAMES[kind]
    counters = kind == "customer" and any(
        names_below(raw, s, BRAND_COUNT_FIELDS) for group in groups for s in group
    )
    selection_sets = [[f for s in group for f in own_fields(raw, s, type_name)] for group in groups]
    return plan_entities(kind, selection_sets, default_first, max_page, counters)


def plan_entity(
    kind: EntityKind, selections: Iterable[Selection], default_first: int, max_page: int
) -> EntityPlan:
    """The plan of one selection of ``kind`` (see ``plan_entities``)."""
    return plan_entities(kind, [selections], default_first, max_page)[0]


def check_catalog(type_fields: Mapping[str, Iterable[str]]) -> None:
    """Raise ValueError at start-up for a catalog entry that names a GraphQL field the
    type does not have (``type_fields``: type name -> its field names), or a part that
    graph/reads.py does not have, or a filter on a part that takes none: such a field
    would otherwise read nothing, silently."""
    for kind, catalog in CATALOG.items():
        names = set(type_fields.get(TYPE_NAMES[kind], ()))
        for name, spec in catalog.items():
            where = f"{TYPE_NAMES[kind]}.{name}"
            if name not in names:
                raise ValueError(f"the plan catalog names {where}, which the schema lacks")
            part = PART_TABLES[kind].get(spec.part)
            if part is None:
                raise ValueError(f"{where} reads part {spec.part!r}, which graph/ lacks")
            if spec.read_filter is not None and not part.filters:
                raise ValueError(f"{where} reads a filter, but part {spec.part!r} takes none")


def part_result(record: Mapping[str, Any], index: int) -> tuple[list[Any], int]:
    """The items of fetch ``index`` in an entity's record, and the list's total: an
    ordered part's `{node, key}` maps (at most first + 1), a list part's items, or a value
    part's value as the only item."""
    value = (record.get(PARTS_KEY) or [])[index]
    items = list(value or []) if isinstance(value, list | None) else [value]
    total = (record.get(TOTALS_KEY) or [])[index]
    return items, int(total) if total is not None else len(items)
