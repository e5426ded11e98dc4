"""One idempotent schema step per engine: uniqueness constraints and lookup indexes,
run before any load (``hub migrate``, and at start-up of ``hub serve`` / ``hub seed``).

On the embedded engine only what is missing is created, and then the write log is
compacted: FalkorDB logs its DDL commands verbatim, builds constraints in the background,
and replaying those commands from the append-only file failed ('Constraint already
exists') and then hung the engine's start. Folded into the log's RDB base, they are loaded
as data instead; a start that finds everything present logs nothing.
"""

import asyncio
import time
from collections.abc import Awaitable
from dataclasses import dataclass

from graph.dialect import (
    falkor_indexes,
    falkor_unique_constraint_args,
    neo4j_schema_statements,
)
from graph.errors import GraphQueryError
from graph.model import CONSTRAINED_LABELS
from graph.store import GraphStore

_FALKOR_ALREADY = ("already indexed", "already exists")
CONSTRAINT_BUILD_TIMEOUT_S = 600.0
EXISTING_INDEXES = (
    "CALL db.indexes() YIELD label, properties, types RETURN label, properties, types"
)
EXISTING_CONSTRAINTS = (
    "CALL db.constraints() YIELD type, label, properties, status "
    "RETURN type, label, properties, status"
)


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

    # FalkorDB refuses reads of a graph no write has created yet: such a graph has nothing.
    exists = bool(await store.execute_command("EXISTS", GRAPH_NAME))
    indexed = {
        (r["label"], prop, kind)
        for r in (await store.read(EXISTING_INDEXES) if exists else [])
        for prop, kinds in (r["types"] or {}).items()
        for kind in kinds
    }
    for index in falkor_indexes():
        if all((index.label, p, index.kind) in indexed for p in index.properties):
            present += 1
        else:
            await attempt(store.write(index.statement))
    constrained = {
        r["label"]
        for r in (await store.read(EXISTING_CONSTRAINTS) if exists else [])
        if r["properties"] == ["id"]
    }
    for label in CONSTRAINED_LABELS:
        if label in constrained:
            present += 1
        else:
            await attempt(store.execute_command(*falkor_unique_constraint_args(GRAPH_NAME, label)))
    if applied:
        await _constraints_built(store)
        await store.compact()
    return MigrationReport(applied=applied, already_present=present)


async def _constraints_built(store: GraphStore) -> None:
    """Wait until FalkorDB has built every constraint (it does so in the background)."""
    deadline = time.monotonic() + CONSTRAINT_BUILD_TIMEOUT_S
    while time.monotonic() < deadline:
        rows = await store.read(EXISTING_CONSTRAINTS)
        if all(r["status"] == "OPERATIONAL" for r in rows):
            return
        if any(r["status"] == "FAILED" for r in rows):
            failed = sorted(r["label"] for r in rows if r["status"] == "FAILED")
            raise GraphQueryError(f"uniqueness constraints failed to build: {', '.join(failed)}")
        await asyncio.sleep(0.05)
    raise GraphQueryError("uniqueness constraints were still being built after 10 minutes")
