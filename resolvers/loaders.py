"""Request-scoped DataLoaders: one batch statement per key shape, never per key."""

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence

from strawberry.dataloader import DataLoader

from graph import reads
from graph.reads import Part
from graph.store import GraphStore, Record
from resolvers.selection import Shape, selected_parts, shape_params

EntityKey = tuple[str, Shape]


def _entity_loader(
    store: GraphStore,
    build: Callable[[Sequence[tuple[str, str]]], str],
    parts: Mapping[str, Part],
    on_record: Callable[[Record], None],
) -> DataLoader[EntityKey, Record | None]:
    async def load(keys: Sequence[EntityKey]) -> list[Record | None]:
        by_shape: dict[Shape, list[str]] = defaultdict(list)
        for key, shape in keys:
            by_shape[shape].append(key)
        found: dict[EntityKey, Record] = {}
        for shape, ids in by_shape.items():
            query = build(selected_parts(shape))
            params = {"ids": sorted(set(ids)), **shape_params(shape, parts)}
            rows = await store.read(query, params)
            for row in rows:
                entity = row["entity"]
                entity["_shape"] = shape
                on_record(entity)
                found[(entity["id"], shape)] = entity
        return [found.get(k) for k in keys]

    return DataLoader(load_fn=load)


def _node_loader(store: GraphStore) -> DataLoader[tuple[str, str], Record | None]:
    async def load(keys: Sequence[tuple[str, str]]) -> list[Record | None]:
        by_label: dict[str, list[str]] = defaultdict(list)
        for label, key in keys:
            by_label[label].append(key)
        found: dict[tuple[str, str], Record] = {}
        for label, ids in by_label.items():
            rows = await store.read(reads.NODES_BY_IDS[label], {"ids": sorted(set(ids))})
            found |= {(label, row["entity"]["id"]): row["entity"] for row in rows}
        return [found.get(k) for k in keys]

    return DataLoader(load_fn=load)


class Loaders:
    """Created fresh for every request, so nothing is cached across users."""

    def __init__(self, store: GraphStore) -> None:
        self.customers = _entity_loader(
            store,
            lambda parts: reads.customers_query(reads.CUSTOMERS_BY_IDS_HEAD, parts),
            reads.CUSTOMER_PARTS,
            self.customer_fetched,
        )
        self.brands = _entity_loader(
            store, reads.brands_query, reads.BRAND_PARTS, lambda record: None
        )
        self.nodes = _node_loader(store)

    def customer_fetched(self, record: Record) -> None:
        """Share what a customer's statement brought for others: brand counters."""
        for counts in record.get("brand_counts") or []:
            self.brands.prime((counts["id"], ()), counts)
