"""Database hits and statements per GraphQL operation, PROFILEd on Neo4j over a fixed graph,
against the committed baseline `bench/baseline/plans.json` (issue 14, part 5).

Timings are noise on a shared machine; database hits are not. Every operation below runs
once, in-process (`schema.execute`, as its role, at a fixed clock), over the graph
`loaders.seed` makes for 200 customers (seed 42, the docs' graph), and every statement it
sends goes to Neo4j as `PROFILE <statement>`, whose plan gives the statement's database
hits. The operations are

* the **published** ones: every GraphQL example of README.md and docs/ (tests/doc_examples.py
  reads them, with their roles and variables), in the order the pages give them;
* a few **representative** ones the docs do not show (REPRESENTATIVE below): the full
  customer-360, the customer list, a brand.

Per operation the baseline keeps the statements sent, their database hits (in all and per
statement, by catalog name: graph/catalog.py) and the error codes. A change fails the check
when an operation sends more statements, makes more than 10% more database hits, answers
with other error codes, or is not in the baseline yet. Fewer hits pass (re-baseline to keep
the gain). Nothing here is timed, and the graph and parameters are fixed, so a run gives the
same figures every time.

    python -m bench.plans            # compare with the baseline, print the changes
    python -m bench.plans --update   # write the baseline (make plans-baseline)

tests/integration/test_plans.py runs the comparison inside `make test` (Neo4j only).
Neo4j: HUB_TEST_NEO4J_URI (wiped) or a scripts/neo4j-dev started here.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, LiteralString, cast

import neo4j
from graphql import FieldNode, OperationDefinitionNode, parse

from bench.common import ROOT, WIPE_NODES, WIPE_RELATIONSHIPS, engine_at
from graph.catalog import statement_name
from graph.partner_lists import CREATE_LIST
from graph.store import EngineHealth, GraphStore, Params, Record, WriteCounters
from loaders.seed import seed
from loaders.synthetic import SyntheticConfig
from resolvers.context import Context
from resolvers.partner_lists import append_chunk
from resolvers.predictions import fit_models
from resolvers.principal import PURPOSES, Principal, Role
from schema import build_schema

BASELINE = ROOT / "bench" / "baseline" / "plans.json"
GRAPH = SyntheticConfig(customers=200, brands=20, seed=42)
NOW = GRAPH.end_ms  # the clock every operation runs at
MAX_HITS_GROWTH = 1.10  # more than 10% more database hits fails
UPDATE_COMMAND = "python -m bench.plans --update (or make plans-baseline)"

# Operations the docs do not show, which the hub's clients send all the time.
REPRESENTATIVE: list[tuple[str, str, dict[str, Any]]] = [
    ("app", """query Customer360($id: ID!) { customer(id: $id) {
      customerId name email phone gender birthYear city region country
      identities { linkMethod linkConfidence linkedAt account { id platform handle } }
      tags { weight source at tag { id name category } }
      consents { active purposes grantedAt withdrawnAt source brand { id name } }
      segments { segmentId name }
      purchases(first: 10) { totalCount pageInfo { hasNextPage endCursor } nodes {
        id at channel currency total brand { id name }
        items { quantity unitPrice product { id name } } } }
      interactions(first: 10) { totalCount pageInfo { hasNextPage endCursor } nodes {
        kind at text account { handle platform } post { id at contentType } } }
      posts(first: 10) { totalCount nodes { id at platform contentType text } }
      complaints(first: 10) { totalCount pageInfo { hasNextPage endCursor } nodes {
        id status category channel openedAt resolvedAt about { kind subjectId } } } } }""",
     {"id": "c0000001"}),
    ("app", """query CustomerList { customers(first: 20) { totalCount
      nodes { customerId name country purchases(first: 1) { totalCount } } } }""", {}),
    ("analyst", """query Brand($id: ID!) { brand(id: $id) { brandId name category
      followerCount productCount products(first: 10) { nodes { id name } } } }""",
     {"id": "b0001"}),
]  # fmt: skip


# --- PROFILE every statement -----------------------------------------------------------


def db_hits(plan: dict[str, Any]) -> int:
    """The database hits of a profiled plan: its operator's and all its children's."""
    children = plan.get("children") or []
    return int(plan.get("dbHits", 0)) + sum(db_hits(child) for child in children)


class ProfilingStore:
    """A GraphStore on Neo4j that sends each statement as `PROFILE <statement>` (once: the
    rows are the statement's own) and keeps, in ``profiled``, its catalog name and
    database hits. Reads go in read transactions, writes in write transactions, as in
    graph/neo4j_store.py."""

    engine = "neo4j"

    def __init__(self, uri: str, auth: tuple[str, str] | None = None) -> None:
        self._driver = neo4j.AsyncGraphDatabase.driver(
            uri, auth=auth, notifications_min_severity="OFF"
        )
        self.profiled: list[tuple[str, int]] = []

    async def _run(
        self, access: str, query: str, params: Params | None
    ) -> tuple[list[Record], WriteCounters]:
        async def work(tx: neo4j.AsyncManagedTransaction) -> tuple[list[Record], Any]:
            # A transaction function the driver could retry: it returns what it saw.
            result = await tx.run(cast(LiteralString, "PROFILE " + query), dict(params or {}))
            rows = [dict(record) async for record in result]
            return rows, await result.consume()

        async with self._driver.session(database="neo4j", default_access_mode=access) as s:
            if access == neo4j.READ_ACCESS:
                rows, summary = await s.execute_read(work)
            else:
                rows, summary = await s.execute_write(work)
        self.profiled.append((statement_name(query), db_hits(summary.profile or {})))
        c = summary.counters
        return rows, WriteCounters(
            c.nodes_created, c.nodes_deleted, c.relationships_created,
            c.relationships_deleted, c.properties_set, c.labels_added,
        )  # fmt: skip

    async def read(self, query: str, params: Params | None = None) -> list[Record]:
        return (await self._run(neo4j.READ_ACCESS, query, params))[0]

    async def write(self, query: str, params: Params | None = None) -> WriteCounters:
        return (await self._run(neo4j.WRITE_ACCESS, query, params))[1]

    async def write_returning(
        self, query: str, params: Params | None = None
    ) -> tuple[list[Record], WriteCounters]:
        return await self._run(neo4j.WRITE_ACCESS, query, params)

    async def ping(self) -> None:
        await self._driver.verify_connectivity()

    def health(self) -> EngineHealth:
        return EngineHealth.UP

    def retry_after_s(self) -> int:
        return 1

    async def compact(self) -> None:
        pass

    async def close(self) -> None:
        await self._driver.close()


# --- the fixed graph and the operations ------------------------------------------------

# The partner whose principal runs the partner examples, as tests/integration/test_docs.py
# picks it: the brand with the largest live audience for partner sharing.
LARGEST_SHARING_AUDIENCE = """
MATCH (:Customer)-[r:CONSENTED]->(b:Brand)
WHERE 'partner_sharing' IN r.purposes AND r.withdrawn_at IS NULL
RETURN b.id AS brand, count(*) AS members ORDER BY members DESC, brand LIMIT 1
"""
DOCS_LIST_ID = "pl_" + "d0c5" * 8  # the list docs/partner.md's examples name
SEEDED_EMAIL_KEYS = "MATCH (c:Customer) WHERE c.email_hash IS NOT NULL RETURN c.email_hash AS h"
# Index statistics and cached plans as a fresh database has them: the planner's choices
# (and so the hits) must not depend on what ran on this server before.
REPLAN = "CALL db.prepareForReplanning()"


async def prepare(store: GraphStore) -> dict[str, Principal]:
    """Wipe ``store`` and write the fixed graph: the seeded customers, the stored fit the
    prediction examples read, the partner list of docs/partner.md. Returns a principal per
    role."""
    # In batches: a graph left by a benchmark is too large to delete in one transaction.
    while (await store.write(WIPE_RELATIONSHIPS)).relationships_deleted:
        pass
    while (await store.write(WIPE_NODES)).nodes_deleted:
        pass
    await seed(store, GRAPH)
    await fit_models(store, "global", NOW, 90.0)
    [largest] = await store.read(LARGEST_SHARING_AUDIENCE)
    partner = str(largest["brand"])
    # The list's expiry is checked against the wall clock: a day from now, whatever NOW is.
    from resolvers.clock import now_ms

    await store.write(
        CREATE_LIST,
        {"list": DOCS_LIST_ID, "partner": partner, "now": NOW, "expires_at": now_ms() + 86_400_000},
    )
    keys = sorted(r["h"] for r in await store.read(SEEDED_EMAIL_KEYS))[::2]
    await append_chunk(store, partner, DOCS_LIST_ID, "\n".join(keys).encode())
    return {
        role.value: Principal(f"plans-{role.value}", role, partner, frozenset(PURPOSES))
        if role is Role.PARTNER
        else Principal(f"plans-{role.value}", role)
        for role in Role
    }


@dataclass(frozen=True)
class Operation:
    key: str  # how the baseline names it: the page and the operation, or the query's name
    role: str
    document: str
    name: str | None
    variables: dict[str, Any]


def operations() -> list[Operation]:
    """The representative operations, then every published one (README.md, docs/). An
    operation is named by its page (or "representative") and its name, or for an unnamed
    one its root fields."""
    from tests.doc_examples import blocks  # the docs' examples, as their tests read them

    out = []
    for role, document, variables in REPRESENTATIVE:
        [(name, label)] = _operations(document)
        out.append(Operation(f"representative {label}", role, document, name, variables))
    for block in blocks("graphql"):
        directive = block.directive or {}
        found = _operations(block.text)
        given = directive.get("variables", {})
        for name, label in found:
            variables = given if len(found) == 1 else given.get(name, {})
            out.append(Operation(f"{block.path} {label}", directive["role"], block.text, name,
                                 variables))  # fmt: skip
    seen: dict[str, int] = {}
    unique = []
    for op in out:  # the same label twice on one page: #2, #3...
        seen[op.key] = seen.get(op.key, 0) + 1
        key = op.key if seen[op.key] == 1 else f"{op.key} #{seen[op.key]}"
        unique.append(Operation(key, op.role, op.document, op.name, op.variables))
    return unique


def _operations(document: str) -> list[tuple[str | None, str]]:
    """(name, label) of each operation of ``document``: the label is its name, or its
    type and root fields when it has none."""
    out = []
    for d in parse(document).definitions:
        if isinstance(d, OperationDefinitionNode):
            fields = [s.name.value for s in d.selection_set.selections if isinstance(s, FieldNode)]
            name = d.name.value if d.name else None
            out.append((name, name or f"{d.operation.value} {'+'.join(fields)}"))
    return out


async def measure(store: GraphStore, profiling: ProfilingStore) -> dict[str, dict[str, Any]]:
    """Prepare the fixed graph on ``store``, then run every operation once through
    ``profiling`` (the same database). Returns, per operation key, its statements, database
    hits (total and by statement name) and error codes."""
    principals = await prepare(store)
    schema = build_schema()
    measured: dict[str, dict[str, Any]] = {}
    for op in operations():
        # The writes of the operations before may have left index statistics stale, and
        # Neo4j resamples them in the background, when it gets to it: resample them now,
        # so that the planner sees the same statistics at this point of every run.
        await store.read(REPLAN)
        profiling.profiled = []
        # The docs register webhooks on the local host, which their hub allows (as here).
        context = Context(
            profiling, principals[op.role], clock=lambda: NOW, webhook_allow_internal=True
        )
        result = await schema.execute(
            op.document, variable_values=op.variables, context_value=context,
            operation_name=op.name,
        )  # fmt: skip
        by_statement: dict[str, int] = {}
        for name, hits in profiling.profiled:
            by_statement[name] = by_statement.get(name, 0) + hits
        measured[op.key] = {
            "statements": len(profiling.profiled),
            "db_hits": sum(hits for _, hits in profiling.profiled),
            "by_statement": dict(sorted(by_statement.items())),
            "errors": sorted(str((e.extensions or {}).get("code", "INTERNAL"))
                             for e in result.errors or ()),
        }  # fmt: skip
    return measured


# --- against the baseline --------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    operation: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    failure: str | None  # why this change fails the check; None: it passes


def compare(
    baseline: dict[str, dict[str, Any]], measured: dict[str, dict[str, Any]]
) -> list[Change]:
    """Every operation whose figures differ from the baseline (or that is new, or gone),
    with why it fails, if it does."""
    changes = []
    for key in sorted(baseline.keys() | measured.keys()):
        before, after = baseline.get(key), measured.get(key)
        if before is not None and after is not None and before == after:
            continue
        failure = None
        if before is None:
            failure = "not in the baseline"
        elif after is None:
            failure = None  # an example that left the docs: nothing to hold it to
        elif after["errors"] != before["errors"]:
            failure = f"errors {before['errors']} -> {after['errors']}"
        elif after["statements"] > before["statements"]:
            failure = "more statements"
        elif after["db_hits"] > before["db_hits"] * MAX_HITS_GROWTH:
            failure = f"more than {MAX_HITS_GROWTH - 1:.0%} more database hits"
        changes.append(Change(key, before, after, failure))
    return changes


def table(changes: Sequence[Change]) -> str:
    """The changes as a plain-text table (for the test's output and the note), then, for
    each changed operation, its statements' hits before and after."""
    if not changes:
        return "database hits and statements per operation: as in the baseline"
    head = ("operation", "statements", "db hits", "ratio", "verdict")
    rows = [head]
    details = []
    for c in changes:
        b, a = c.before or {}, c.after or {}
        ratio = (
            f"{a['db_hits'] / b['db_hits']:.2f}" if b.get("db_hits") and a.get("db_hits") else "-"
        )
        rows.append((
            c.operation,
            f"{b.get('statements', '-')} -> {a.get('statements', '-')}",
            f"{b.get('db_hits', '-')} -> {a.get('db_hits', '-')}",
            ratio,
            f"FAIL: {c.failure}" if c.failure else "ok",
        ))  # fmt: skip
        names = sorted(b.get("by_statement", {}).keys() | a.get("by_statement", {}).keys())
        for name in names:
            hb, ha = b.get("by_statement", {}).get(name), a.get("by_statement", {}).get(name)
            if hb != ha:
                details.append(f"  {c.operation}: {name} {hb if hb is not None else '-'} -> "
                               f"{ha if ha is not None else '-'}")  # fmt: skip
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(head))]
    lines = ["  ".join(str(v).ljust(w) for v, w in zip(r, widths, strict=True)) for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    if details:
        lines += ["", "by statement (catalog name: db hits before -> after):", *details]
    if any(c.failure for c in changes):
        lines += ["", f"if the changes are meant, update the baseline: {UPDATE_COMMAND}"]
    return "\n".join(lines)


def load_baseline(path: Path = BASELINE) -> dict[str, dict[str, Any]]:
    operations: dict[str, dict[str, Any]] = json.loads(path.read_text())["operations"]
    return operations


def write_baseline(measured: dict[str, dict[str, Any]], path: Path = BASELINE) -> None:
    """One operation a line, so that a re-baseline's diff shows which ones changed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    body = ",\n".join(
        f"  {json.dumps(key)}: {json.dumps(value, sort_keys=True)}"
        for key, value in sorted(measured.items())
    )
    header = json.dumps({
        "graph": f"loaders.seed: {GRAPH.customers} customers, {GRAPH.brands} brands, "
                 f"seed {GRAPH.seed}", "clock": NOW, "update": UPDATE_COMMAND,
    })[1:-1]  # fmt: skip
    path.write_text("{" + header + ',\n"operations": {\n' + body + "\n}}\n")


async def run(update: bool) -> int:
    async with engine_at("neo4j") as opened:
        profiling = ProfilingStore(opened.address)
        try:
            measured = await measure(opened.store, profiling)
        finally:
            await profiling.close()
    if update:
        write_baseline(measured)
        print(f"wrote {BASELINE.relative_to(ROOT)}: {len(measured)} operations, "
              f"{sum(m['statements'] for m in measured.values())} statements, "
              f"{sum(m['db_hits'] for m in measured.values()):,} database hits")  # fmt: skip
        return 0
    changes = compare(load_baseline(), measured)
    print(table(changes))
    return 1 if any(c.failure for c in changes) else 0


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--update", action="store_true", help="write the baseline instead")
    args = parser.parse_args(argv)
    sys.exit(asyncio.run(run(args.update)))


if __name__ == "__main__":
    main()
