"""Request-scoped DataLoaders: one batch statement per plan of fetches, never per key."""

from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from strawberry.dataloader import DataLoader

from graph import reads
from graph.reads import Fetch
from graph.store import GraphStore, Record
from resolvers.plan import BRAND_COUNTS

# (entity key, the fetches of its statement)
EntityKey = tuple[str, tuple[Fetch, ...]]
Build = Callable[[Sequence[Fetch]], tuple[str, dict[str, Any]]]


def _entity_loader(
    store: GraphStore, build: Build, on_record: Callable[[Record, tuple[Fetch, ...]], None]
) -> DataLoader[EntityKey, Record | None]:
    async def load(keys: Sequence[EntityKey]) -> list[Record | None]:
        by_fetches: dict[tuple[Fetch, ...], list[str]] = defaultdict(list)
        for key, fetches in keys:
            by_fetches[fetches].append(key)
        found: dict[EntityKey, Record] = {}
        for fetches, ids in by_fetches.items():
            query, params = build(fetches)
            rows = await store.read(query, {"ids": sorted(set(ids)), **params})
            for row in rows:
                entity = row["entity"]
                on_record(entity, fetches)
                found[(entity["id"], fetches)] = entity
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
            lambda fetches: reads.customers_statement(reads.CUSTOMERS_BY_IDS_HEAD, fetches),
            self.customer_fetched,
        )
        self.brands = _entity_loader(store, reads.brands_statement, lambda record, fetches: None)
        self.nodes = _node_loader(store)

    def customer_fetched(self, record: Record, fetches: tuple[Fetch, ...]) -> None:
        """Share what a customer's statement (made with ``fetches``) brought for others:
        brand counters."""
        if BRAND_COUNTS not in fetches:
            return
        index = fetches.index(BRAND_COUNTS)
        for counts in (record.get(reads.PARTS_KEY) or [])[index] or []:
            self.brands.prime((counts["id"], ()), counts)
