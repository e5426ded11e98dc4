"""The whole graph as comparable data, minus the bookkeeping times of the load itself."""

from typing import Any

from graph.store import GraphStore

# When the hub wrote or linked something: differs between two loads of the same data.
LOAD_TIMES = {"updated_at", "linked_at"}


def _clean(props: dict[str, Any]) -> tuple[tuple[str, Any], ...]:
    return tuple(sorted((k, v) for k, v in props.items() if k not in LOAD_TIMES))


async def dump(store: GraphStore) -> tuple[list[Any], list[Any]]:
    nodes = await store.read("MATCH (n) RETURN labels(n) AS labels, properties(n) AS p")
    rels = await store.read(
        "MATCH (s)-[r]->(t) RETURN type(r) AS type, s.id AS s, t.id AS t, properties(r) AS p"
    )
    return (
        sorted((tuple(sorted(n["labels"])), _clean(n["p"])) for n in nodes),
        sorted((r["type"], r["s"], r["t"], _clean(r["p"])) for r in rels),
    )
