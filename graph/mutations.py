"""The one-statement shape of every write made through the API (docs/operations.md).

A mutation is ONE statement, so it is one transaction on both engines (FalkorDB has no
multi-statement transactions): it locks the record it writes, checks the client's
idempotency key, the erasure tombstone and the mutation's own refusals, and only when
none applies does the write, its `(:AuditEntry)`, its `(:OutboxEvent)` and its
`(:IdempotencyKey)`, all or nothing. It returns the refusal (null when it wrote) and, for
a replay, the first result.

**No lost update.** Neo4j reads committed data without locks: two transactions could both
read a complaint as `open` and both move it on. The statement therefore writes the record
first (`SET x._lock = true`, Neo4j's documented way to take the write lock before a read;
cleared again before the end, so it changes nothing) and reads it only after; a second
writer waits for the first to commit and then sees its result. The embedded engine runs
one write statement at a time, so the same text is safe there too.

Conditional writes are `FOREACH (_ IN CASE WHEN ... THEN [1] ELSE [] END | ...)`: the
portable openCypher both engines run (no CALL subqueries), and a refused statement keeps
its row, so the refusal comes back. Rows are not read back in the statement (the embedded
engine's projections may show values from before a write in the same statement): the
resolver reads the record afterwards.
"""

from collections.abc import Sequence
from dataclasses import dataclass

# Refusals every mutation makes, checked before its own (in this order).
REPLAYED = "replayed"
KEY_REUSED = "key_reused"
ERASED = "erased"


@dataclass(frozen=True)
class MutationShape:
    """The parts of one mutation's statement.

    ``match``: OPTIONAL MATCH clauses binding the target record as ``lock`` (and whatever
    else the checks need; one row, or none matched). ``facts``: `expr AS name` read after
    the lock (returned too). ``checks``: (condition, refusal) in order: the first that
    holds refuses. ``body``: update clauses (FOREACH-legal: CREATE, MERGE, SET, DELETE,
    FOREACH) run only when nothing refused. ``customer_ids``: the expression of the ids
    the audit entry, outbox event and key name (`$mutation.customer_ids` by default).
    """

    match: str
    lock: str
    carried: tuple[str, ...]
    facts: tuple[str, ...] = ()
    checks: tuple[tuple[str, str], ...] = ()
    body: str = ""
    customer_ids: str = "$mutation.customer_ids"


def _names(facts: Sequence[str]) -> list[str]:
    return [f.rsplit(" AS ", 1)[1].strip() for f in facts]


def mutation_statement(shape: MutationShape) -> str:
    """The statement of ``shape``. It reads `$mutation` {key, request_hash, tombstone,
    name, now, customer_ids, result}, `$audit` (resolvers/audit.py entry_params) and
    `$event` {id, kind, payload}, plus the shape's own parameters. Returns one row:
    `refusal` (null when written), `replay` (the first result's JSON, for a replay) and
    the facts."""
    lock = shape.lock
    carried = ", ".join(shape.carried)
    facts = _names(shape.facts)
    when_lock = f"CASE WHEN {lock} IS NULL THEN [] ELSE [1] END"
    checks = "\n".join(f"  WHEN {cond} THEN '{refusal}'" for cond, refusal in shape.checks)
    fact_list = "".join(f", {f}" for f in shape.facts)
    fact_names = "".join(f", {n}" for n in facts)
    return f"""{shape.match}
FOREACH (_ IN {when_lock} | SET {lock}._lock = true)
WITH {carried}
OPTIONAL MATCH (prev:IdempotencyKey {{id: $mutation.key}})
OPTIONAL MATCH (gone:Erasure {{id: $mutation.tombstone}})
WITH {carried}, prev, gone{fact_list}
WITH {carried}, prev{fact_names}, CASE
  WHEN prev IS NOT NULL AND prev.request_hash <> $mutation.request_hash THEN '{KEY_REUSED}'
  WHEN prev IS NOT NULL THEN '{REPLAYED}'
  WHEN gone IS NOT NULL THEN '{ERASED}'
{checks}
  ELSE null END AS refusal
FOREACH (_ IN CASE WHEN refusal IS NULL THEN [1] ELSE [] END |
{shape.body}
  CREATE (:AuditEntry {{id: $audit.id, at: $audit.at, subject: $audit.subject,
    role: $audit.role, partner_id: $audit.partner_id, purpose: $audit.purpose,
    query_hash: $audit.query_hash, operation: $audit.operation, kinds: $audit.kinds,
    customer_ids: {shape.customer_ids}}})
  CREATE (:OutboxEvent {{id: $event.id, kind: $event.kind, at: $mutation.now,
    pending_at: $mutation.now, payload: $event.payload, customer_ids: {shape.customer_ids}}})
  FOREACH (_k IN CASE WHEN $mutation.key IS NULL THEN [] ELSE [1] END |
    CREATE (:IdempotencyKey {{id: $mutation.key, request_hash: $mutation.request_hash,
      mutation: $mutation.name, at: $mutation.now, result: $mutation.result,
      customer_ids: {shape.customer_ids}}}))
)
FOREACH (_ IN {when_lock} | SET {lock}._lock = null)
RETURN refusal, prev.result AS replay{fact_names}
"""
