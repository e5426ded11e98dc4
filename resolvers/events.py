"""`POST /events` (docs/operations.md): validate a batch of identify/track events with the
loaders' own models (loaders/kinds.py), write the valid ones in one statement
(graph/events.py) and answer each event: accepted, duplicate or rejected with a code and
reasons.

Event ids are the sender's and scoped to the caller (the receipt's id hashes the caller's
subject and the event id, as resolvers/mutations.py does with idempotency keys): the same
event sent again is a `duplicate` and changes nothing; another event under a used id is
rejected (IDEMPOTENCY_KEY_REUSED).
"""

import hashlib
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
from pydantic import ValidationError

from graph import events as q
from graph.errors import GraphQueryError
from graph.store import GraphStore, Record
from graph.subject import erasure_id
from identity.survivorship import SOURCE_TRUST, surviving_fields
from loaders import kinds
from loaders.json_contacts import contact_props
from resolvers.audit import entry_params
from resolvers.customer_profile import claims_given, current_claims, written
from resolvers.errors import ErrorCode
from resolvers.principal import Principal
from resolvers.privacy import PrivacyConfig

MAX_EVENT_ID = 200
# Unicode's control characters (category Cc) and lone surrogates (Cs), refused in ids.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
TRACKED: dict[str, type[kinds.Record]] = {"purchase": kinds.Purchase, "contact": kinds.Contact,
           "interaction": kinds.Interaction, "tag": kinds.CustomerTag}  # fmt: skip
REFUSALS: dict[str, tuple[ErrorCode, str]] = {
    q.ID_REUSED: (ErrorCode.IDEMPOTENCY_KEY_REUSED,
                  "this event id was used for a different event; use a new id"),
    q.ERASED: (ErrorCode.ERASED, "the customer or account was erased; it cannot be written to"),
    q.RESTRICTED: (ErrorCode.RESTRICTED,
                   "the customer's processing is restricted; only admins may write to it"),
    q.UNKNOWN_CUSTOMER: (ErrorCode.NOT_FOUND, "no customer with this customer_id"),
    q.UNKNOWN_ACCOUNT: (ErrorCode.NOT_FOUND, "no social account with this account_id"),
    q.UNKNOWN_BRAND: (ErrorCode.NOT_FOUND, "no brand with this brand_id"),
    q.UNKNOWN_PRODUCT: (ErrorCode.NOT_FOUND, "a product_id names no product the hub knows"),
    q.UNKNOWN_POST: (ErrorCode.NOT_FOUND, "no post with this post_id"),
    q.UNKNOWN_PURCHASE: (ErrorCode.NOT_FOUND, "no purchase of this customer with this purchase_id"),
    q.PURCHASE_EXISTS: (ErrorCode.CONFLICT, "a purchase with this id is already recorded"),
    q.STALE: (ErrorCode.CONFLICT,
              "the customer's profile kept changing while this event was decided; send it again"),
}  # fmt: skip
PROFILE_ATTEMPTS = 5


@dataclass(frozen=True)
class EventResult:
    """The answer for one event of a batch (``index``: its place in the batch)."""

    index: int
    id: str | None
    status: str  # accepted | duplicate | rejected
    code: str | None = None
    reasons: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"index": self.index, "id": self.id, "status": self.status}
        if self.status == "rejected":
            out |= {"code": self.code, "reasons": list(self.reasons)}
        return out


class Rejected(Exception):
    """An event that is not valid; ``reasons`` say why (one line each, no values echoed
    beyond the loaders' own 60-character excerpts)."""

    def __init__(self, *reasons: str, code: ErrorCode = ErrorCode.BAD_USER_INPUT) -> None:
        super().__init__(reasons[0])
        self.reasons = reasons
        self.code = code


@dataclass
class Batch:
    """What one call writes, and the answers already known (rejections, repeats)."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    answers: dict[int, EventResult] = field(default_factory=dict)
    ids: dict[int, str] = field(default_factory=dict)
    # Outbox ids: one random prefix a batch, the event's place after it (unique as uuid4s are).
    outbox: str = field(default_factory=lambda: f"ev_{uuid.uuid4().hex[:24]}.")


def _json(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


def _text(event: Mapping[str, Any], name: str, *, required: bool = True) -> str | None:
    value = event.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_EVENT_ID:
        raise Rejected(f"{name}: must be a string of 1-{MAX_EVENT_ID} characters")
    if _CONTROL.search(value):
        raise Rejected(f"{name}: must not contain control characters")
    return value.strip()


def _object(event: Mapping[str, Any], name: str) -> dict[str, Any]:
    value = event.get(name, {})
    if not isinstance(value, dict):
        raise Rejected(f"{name}: must be a JSON object")
    return value


def _validated(model: type[kinds.Record], data: dict[str, Any], region: str | None) -> Any:
    try:
        return model.model_validate(data, context={"default_region": region})
    except ValidationError as e:
        raise Rejected(*kinds.reasons_of(e)) from None


def _prepare(event: Any, subject: str, region: str | None) -> dict[str, Any]:
    """The statement row of one event (without its index and receipt). Raises Rejected."""
    if not isinstance(event, dict):
        raise Rejected("event: must be a JSON object")
    kind = event.get("type")
    # A field an event has no value for is left out (graph/events.py reads it as null).
    row: dict[str, Any] = dict.fromkeys(("customer", "account"))
    if kind == "identify":
        customer = _text(event, "customer_id", required=False)
        account = _text(event, "account_id", required=False)
        if (customer is None) == (account is None):
            raise Rejected("identify: give exactly one of customer_id and account_id")
        traits = _object(event, "traits")
        if customer is not None:
            record = _validated(kinds.Customer, {**traits, "id": customer}, region)
            source = event.get("source")
            if source is not None and source not in SOURCE_TRUST:
                raise Rejected(f"source: must be one of {', '.join(SOURCE_TRUST)}")
            row |= {"type": "identify_customer", "customer": customer, "source": source}
        else:
            record = _validated(kinds.SocialAccount, {**traits, "id": account}, region)
            row |= {"type": "identify_account", "account": account}
        prepared = record.prepare()
        row |= {"props": {k: v for k, v in prepared["props"].items() if v is not None},
                "row_hash": prepared["hash"],
                "payload": {"fields": sorted(k for k, v in record.props().items()
                                             if v is not None)}}  # fmt: skip
        return row
    if kind != "track":
        raise Rejected("type: must be 'identify' or 'track'")
    name = event.get("event")
    model = TRACKED.get(name) if isinstance(name, str) else None
    if model is None:
        raise Rejected(f"event: must be one of {', '.join(TRACKED)}")
    props = _object(event, "properties")
    if name == "interaction":
        account = _text(event, "account_id")
        record = _validated(model, {**props, "account_id": account}, region)
        done = {"kind": record.kind, "at": record.at, "text": record.text}
        return row | {"type": name, "account": account, "post": record.post_id, "props": done,
                      "payload": {"account_id": account, "post_id": record.post_id,
                                  "kind": record.kind, "at": record.at}}  # fmt: skip
    customer = _text(event, "customer_id")
    row |= {"type": name, "customer": customer}
    if name == "purchase":
        record = _validated(model, {**props, "customer_id": customer}, region)
        prepared = record.row()
        values = {k: v for k, v in prepared["props"].items() if v is not None}
        return row | {
            "purchase": record.id, "brand": record.brand_id, "props": values,
            "items": prepared["items"], "products": sorted({i["id"] for i in prepared["items"]}),
            "payload": {"purchase_id": record.id, "brand_id": record.brand_id, **values},
        }  # fmt: skip
    if name == "contact":
        contact = "ct_" + hashlib.sha256(f"{subject}\0{event['id']}".encode()).hexdigest()[:32]
        plain = contact_props(props)
        if plain is None:  # not plain enough to decide without the model
            record = _validated(model, {**props, "customer_id": customer, "id": contact}, region)
            plain = {k: v for k, v in record.props().items() if v is not None}
        values = plain
        return row | {
            "contact": contact, "brand": values.get("brand_id"),
            "product": values.get("product_id"), "purchase": values.get("purchase_id"),
            "props": values,
            # The summary is free text: it stays in the graph, out of the outbox.
            "payload": {"contact_id": contact, **{k: v for k, v in values.items()
                                                  if k != "summary"}},
        }  # fmt: skip
    record = _validated(model, {**props, "customer_id": customer}, region)
    done = {"weight": record.weight, "source": record.source}
    return row | {"tag": record.tag_id, "props": done,
                  "payload": {"tag_id": record.tag_id, **done}}  # fmt: skip


def plan_batch(
    events: Sequence[Any], principal: Principal, privacy: PrivacyConfig, now: int,
    region: str | None = None,
) -> Batch:  # fmt: skip
    """The rows to write and the answers known without the graph (invalid events, an id
    given twice in the batch), identify events first."""
    batch = Batch()
    seen: dict[str, str] = {}
    erasure = privacy.erasure_key()
    for index, event in enumerate(events):
        event_id = event.get("id") if isinstance(event, dict) else None
        shown = event_id if isinstance(event_id, str) and len(event_id) <= MAX_EVENT_ID else None
        try:
            _text(event if isinstance(event, dict) else {}, "id")
            assert isinstance(event, dict)
            digest = hashlib.sha256(_json(event).encode()).hexdigest()
            assert isinstance(event_id, str)  # checked by _text
            if event_id in seen:
                if seen[event_id] == digest:
                    batch.answers[index] = EventResult(index, shown, "duplicate")
                    continue
                raise Rejected(REFUSALS[q.ID_REUSED][1], code=ErrorCode.IDEMPOTENCY_KEY_REUSED)
            row = _prepare(event, principal.subject, region)
            seen[event_id] = digest
        except Rejected as e:
            batch.answers[index] = EventResult(index, shown, "rejected", e.code.value, e.reasons)
            continue
        except (ValueError, TypeError, RecursionError) as e:  # a validator's own failure
            reason = f"event: not valid ({type(e).__name__})"
            batch.answers[index] = EventResult(
                index, shown, "rejected", "BAD_USER_INPUT", (reason,)
            )
            continue
        event_key = hashlib.sha256(f"event\0{principal.subject}\0{event_id}".encode()).hexdigest()
        outbox_id = f"{batch.outbox}{index}"  # as graph/events.py writes it
        of, target = ("account", row["account"]) if row["customer"] is None else (
            "customer", row["customer"])  # fmt: skip
        row |= {
            "i": index, "key": event_key, "hash": digest,
            "tombstone": erasure_id(erasure, target, of),
            "payload": _json({
                **row["payload"], "customer_id": row["customer"], "event_id": outbox_id,
                "source_event_id": event_id, "recorded_at": now}),
        }  # fmt: skip
        batch.rows.append(row)
        batch.ids[index] = shown or ""
    identified = {r["customer"] for r in batch.rows if r["type"] == "identify_customer"}
    for row in batch.rows:
        if row["customer"] in identified:
            row["identified"] = True
    batch.rows.sort(key=lambda r: (not r["type"].startswith("identify"), r["i"]))
    return batch


def decide_profiles(
    rows: Sequence[dict[str, Any]], stored: Mapping[str, Mapping[str, Any]], now: int
) -> None:
    """Set each identify event's ``props`` to what it writes: the fields that win over the
    ``stored`` profiles (by id) and the batch's earlier identify events of the customer,
    by the survivorship rules (resolvers/customer_profile.py), with ``sources`` and the
    ``version`` decided against. The event's own fields stay in ``given``."""
    profiles = {cid: current_claims(props) for cid, props in stored.items()}
    for row in rows:
        if row["type"] != "identify_customer":
            continue
        given = row.setdefault("given", row["props"])
        current, version = profiles.get(row["customer"], ({}, 0))
        incoming = claims_given(given, row["source"], now)
        won = surviving_fields(current, incoming)
        props, row["sources"] = written(current, won)
        # What the event gives besides profile fields (a source's created_at) is set as given.
        extra = {k: v for k, v in given.items() if k not in incoming and k != "key_version"}
        row["props"], row["version"] = extra | props, version
        profiles[row["customer"]] = ({**current, **won}, version)


async def _write_batch(
    store: GraphStore, principal: Principal, size: int, rows: list[dict[str, Any]], now: int,
    outbox: str,
) -> dict[int, str]:  # fmt: skip
    """The refusal of each row the statement refused, by its ``i`` (every other row was
    written). Raises GraphError."""
    identified = sorted({r["customer"] for r in rows if r["type"] == "identify_customer"})
    stored = {}
    if identified:
        found = await store.read(q.CUSTOMER_PROFILES, {"ids": identified})
        stored = {r["id"]: r["props"] for r in found}
    decide_profiles(rows, stored, now)
    # A key left out reads as null in Cypher: the engine parses less text per row.
    sent = [{k: v for k, v in r.items() if v is not None and k != "given"} for r in rows]
    audit = entry_params(principal, ["events"], [], f"POST /events {size}", "events")
    audit["at"] = now
    statement, params = q.ingest_events(
        sent, {"now": now, "admin": principal.sees_restricted, "outbox": outbox}, audit
    )
    try:
        done, _ = await store.write_returning(statement, params)
    except GraphQueryError as e:
        # Two first sends of one event at once (Neo4j): the second breaks a uniqueness
        # constraint (the receipt's, a contact's) after the first committed; run again,
        # its events are duplicates now.
        if "already exists" not in str(e):
            raise
        done, _ = await store.write_returning(statement, params)
    refused: list[Record] = done[0]["refused"]
    return {int(r["i"]): r["refusal"] for r in refused}


async def ingest(
    store: GraphStore, principal: Principal, privacy: PrivacyConfig, now: int,
    events: Sequence[Any], region: str | None = None,
) -> list[EventResult]:  # fmt: skip
    """Write ``events`` (one statement; again for identify events whose customer's profile
    changed meanwhile) and answer each, in the batch's order. Raises GraphError when the
    graph cannot take it (nothing of that statement was written then)."""
    batch = plan_batch(events, principal, privacy, now, region)
    pending = batch.rows
    for _ in range(PROFILE_ATTEMPTS + len(pending)):
        if not pending:
            break
        rows, later = _one_identify_each(pending)
        stale = set()
        refused = await _write_batch(store, principal, len(events), rows, now, batch.outbox)
        for row in rows:
            index = row["i"]
            refusal = refused.get(index)
            shown = batch.ids[index] or None
            if refusal is None:
                batch.answers[index] = EventResult(index, shown, "accepted")
            elif refusal == q.DUPLICATE:
                batch.answers[index] = EventResult(index, shown, "duplicate")
            else:
                if refusal == q.STALE:
                    stale.add(index)  # decided again below, on the profile as it is now
                code, reason = REFUSALS[refusal]
                batch.answers[index] = EventResult(index, shown, "rejected", code.value, (reason,))
        pending = [r for r in rows if r["i"] in stale] + later
    return [batch.answers[i] for i in range(len(events))]


def _one_identify_each(
    rows: list[dict[str, Any]],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(the rows to write now, those to write after): a customer's second identify event
    in a batch waits for the first one's statement, as its fields are decided on the first
    one's result (one statement setting one customer's fields twice is not applied in
    order on the embedded engine)."""
    now: list[dict[str, Any]] = []
    later: list[dict[str, Any]] = []
    seen: set[str] = set()
    for row in rows:
        if row["type"] == "identify_customer" and row["customer"] in seen:
            later.append(row)
            continue
        if row["type"] == "identify_customer":
            seen.add(row["customer"])
        now.append(row)
    return now, later
