"""The whole graph as comparable data, minus the bookkeeping times of the load itself."""

from collections.abc import Collection
from typing import Any

from graph.store import GraphStore

# When the hub wrote or linked something: differs between two loads of the same data.
LOAD_TIMES = {"updated_at", "linked_at"}


def _clean(props: dict[str, Any], dropped: Collection[str]) -> tuple[tuple[str, Any], ...]:
    return tuple(sorted((k, v) for k, v in props.items() if k not in dropped))


async def dump(
    store: GraphStore, *, keep_times: bool = False, skip_labels: Collection[str] = ()
) -> tuple[list[Any], list[Any]]:
    """Every node (labels, properties) and relationship (type, ends' ids, properties),
    sorted; without the load times unless ``keep_times``, and without nodes that carry
    one of ``skip_labels`` (system records a test expects to change)."""
    dropped = set() if keep_times else LOAD_TIMES
    nodes = await store.read("MATCH (n) RETURN labels(n) AS labels, properties(n) AS p")
    rels = await store.read(
        "MATCH (s)-[r]->(t) RETURN type(r) AS type, s.id AS s, t.id AS t, properties(r) AS p"
    )
    return (
        sorted(
            (tuple(sorted(n["labels"])), _clean(n["p"], dropped))
            for n in nodes
            if not set(n["labels"]) & set(skip_labels)
        ),
        sorted((r["type"], r["s"], r["t"], _clean(r["p"], dropped)) for r in rels),
    )
