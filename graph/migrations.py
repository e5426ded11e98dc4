"""One idempotent schema step per engine: uniqueness constraints and lookup indexes,
run before any load (``hub migrate``, and at start-up of ``hub serve`` / ``hub seed``).
"""

from collections.abc import Awaitable
from dataclasses import dataclass

from graph.dialect import (
    falkor_index_statements,
    falkor_unique_constraint_args,
    neo4j_schema_statements,
)
from graph.errors import GraphQueryError
from graph.model import CONSTRAINED_LABELS
from graph.store import GraphStore

_FALKOR_ALREADY = ("already indexed", "already exists")


@dataclass(frozen=True)
class MigrationReport:
    applied: int
    already_present: int


async def migrate(store: GraphStore) -> MigrationReport:
    """Create every constraint and index the model needs; a second run changes nothing."""
    if store.engine == "neo4j":
        statements = neo4j_schema_statements()
        for statement in statements:
            await store.write(statement)
        # IF NOT EXISTS does not say which were new; both numbers are still honest totals.
        return MigrationReport(applied=len(statements), already_present=0)
    return await _migrate_falkor(store)


async def _migrate_falkor(store: GraphStore) -> MigrationReport:
    from graph.falkor_store import GRAPH_NAME, FalkorStore

    assert isinstance(store, FalkorStore)
    applied = present = 0

    async def attempt(step: Awaitable[object]) -> None:
        nonlocal applied, present
        try:
            await step
            applied += 1
        except GraphQueryError as e:
            if not any(marker in str(e) for marker in _FALKOR_ALREADY):
                raise
            present += 1

    for statement in falkor_index_statements():
        await attempt(store.write(statement))
    for label in CONSTRAINED_LABELS:
        await attempt(store.execute_command(*falkor_unique_constraint_args(GRAPH_NAME, label)))
    return MigrationReport(applied=applied, already_present=present)
