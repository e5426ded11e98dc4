"""Running a write made through the API: one statement (graph/mutations.py) with its
idempotency key, audit entry and outbox event; its refusals as ApiErrors with codes.

The idempotency key is the client's: a retry with the same key and the same input gets
the first result back (``replayed``) and changes nothing; the same key with another input
is refused (IDEMPOTENCY_KEY_REUSED). Keys are per caller: the stored id is a hash of the
caller's subject and the key, so one caller can never replay another's result.
"""

import hashlib
import unicodedata
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from graphql import OperationDefinitionNode, print_ast

from graph.errors import GraphQueryError
from graph.mutations import ERASED, KEY_REUSED, REPLAYED
from graph.subject import erasure_id
from resolvers.audit import entry_params
from resolvers.context import Context
from resolvers.errors import ApiError, ErrorCode, bad_input

MAX_KEY = 200  # characters of an idempotency key

Refusals = Mapping[str, Callable[[dict[str, Any]], ApiError]]


@dataclass(frozen=True)
class Write:
    """One mutation to run. ``input``: the validated input, canonical (its hash decides
    whether a retry is the same request). ``result``: what the client gets back, known
    before the statement runs (ids are made here), stored with the key for replays.
    ``event``: the outbox payload. ``tombstone``: (kind, id) of the target record whose
    erasure refuses the write (None: a write no erasure concerns)."""

    name: str
    kind: str
    input: Mapping[str, Any]
    result: Mapping[str, Any]
    event: Mapping[str, Any]
    customer_ids: tuple[str, ...]
    tombstone: tuple[str, str] | None


@dataclass(frozen=True)
class Outcome:
    """A write done (or replayed): the result, the outbox event id, and the facts the
    statement read (e.g. a complaint's status before)."""

    result: dict[str, Any]
    replayed: bool
    facts: dict[str, Any]


def new_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex}"


def idempotency_key(ctx: Context, key: str | None) -> str | None:
    """The stored id of the caller's ``key``. Raises BAD_USER_INPUT for a blank, long or
    unprintable key."""
    if key is None:
        return None
    if not key.strip() or len(key) > MAX_KEY:
        raise bad_input(f"must be 1-{MAX_KEY} characters", "idempotencyKey")
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in key):
        raise bad_input("must not contain control characters", "idempotencyKey")
    return hashlib.sha256(f"{ctx.principal.subject}\0{key}".encode()).hexdigest()


def _json(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


def operation_text(operation: OperationDefinitionNode) -> tuple[str, str | None]:
    """The operation's text (hashed into the audit entry) and its name."""
    return print_ast(operation), operation.name.value if operation.name else None


STANDARD: dict[str, Callable[[Write], ApiError]] = {
    KEY_REUSED: lambda w: ApiError(
        "this idempotency key was used for a different request; use a new key",
        ErrorCode.IDEMPOTENCY_KEY_REUSED, argument="idempotencyKey",
    ),
    ERASED: lambda w: ApiError(
        f"the {(w.tombstone or ('record',))[0]} was erased; it cannot be written to",
        ErrorCode.ERASED,
    ),
}  # fmt: skip


async def run_write(
    ctx: Context,
    operation: OperationDefinitionNode,
    statement: str,
    params: Mapping[str, Any],
    write: Write,
    key: str | None,
    refusals: Refusals,
) -> Outcome:
    """Run ``statement`` for ``write``; the outcome, or raise the ApiError of the refusal
    (``refusals`` maps the statement's own refusals to errors, given the facts)."""
    now = ctx.clock()
    text, name = operation_text(operation)
    tombstone = (
        None
        if write.tombstone is None
        else erasure_id(ctx.privacy.erasure_key(), write.tombstone[1], write.tombstone[0])
    )
    request_hash = hashlib.sha256(_json({"m": write.name, "i": write.input}).encode()).hexdigest()
    event_id = new_id("ev")
    result = {**write.result, "event_id": event_id, "recorded_at": now}
    audit = entry_params(ctx.principal, [write.name], write.customer_ids, text, name)
    audit["at"] = now
    all_params = {
        **params,
        "mutation": {
            "key": idempotency_key(ctx, key), "request_hash": request_hash,
            "tombstone": tombstone,
            "name": write.name, "now": now, "customer_ids": list(write.customer_ids),
            "result": _json(result), "admin": ctx.principal.sees_restricted,
        },
        "audit": audit,
        "event": {"id": event_id, "kind": write.kind,
                  "payload": _json({**write.event, "event_id": event_id, "recorded_at": now})},
    }  # fmt: skip
    try:
        rows, _ = await ctx.store.write_returning(statement, all_params)
    except GraphQueryError as e:
        # Two first uses of one key at once (Neo4j): the second breaks the key's
        # uniqueness constraint after the first committed; run again, it is a replay now.
        if "IdempotencyKey" not in str(e) or all_params["mutation"]["key"] is None:
            raise
        rows, _ = await ctx.store.write_returning(statement, all_params)
    row = rows[0]
    facts = {k: v for k, v in row.items() if k not in ("refusal", "replay")}
    refusal = row["refusal"]
    if refusal is None:
        return Outcome(result=result, replayed=False, facts=facts)
    if refusal == REPLAYED:
        return Outcome(result=orjson.loads(row["replay"]), replayed=True, facts=facts)
    if refusal in STANDARD:
        raise STANDARD[refusal](write)
    raise refusals[refusal](facts)
