"""Data-subject rights: export, erase, restrict processing (docs/privacy.md).

Admin-only (the request guard checks the role); the CLI (`hub subject`) calls the same
functions with a local admin principal. Each act is noted in the request's audit trail;
an erasure notes no customer id (the entry is written after the customer is gone).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import orjson

from graph import subject as q
from graph.model import NODE_LABELS
from graph.store import Record, WriteCounters
from resolvers.clock import now_ms
from resolvers.consent import key_of
from resolvers.context import Context
from resolvers.errors import not_found

# Bookkeeping the hub keeps on every node, of no use to the data subject.
INTERNAL_PROPERTIES = frozenset({"row_hash"})


def customer_key(value: str, argument: str = "customerId") -> str:
    """The customer's key, given as its key or its global id. Raises BAD_USER_INPUT."""
    return key_of("Customer", value, argument)


def _public(value: Any) -> Any:
    """``value`` without the hub's internal properties, at any depth."""
    if isinstance(value, dict):
        return {k: _public(v) for k, v in value.items() if k not in INTERNAL_PROPERTIES}
    if isinstance(value, list):
        return [_public(v) for v in value]
    return value


# --- export -------------------------------------------------------------------------------


async def export_customer(ctx: Context, customer_id: str) -> dict[str, Any]:
    """Everything the hub holds about the customer, as plain JSON-able data (timestamps in
    epoch milliseconds). Three statements. Raises BAD_USER_INPUT or NOT_FOUND."""
    key = customer_key(customer_id)
    rows = await ctx.store.read(q.EXPORT_CUSTOMER, {"id": key})
    if not rows:
        raise not_found("customer", key)
    events = await ctx.store.read(q.EXPORT_CONSENT_EVENTS, {"id": key})
    audit = await ctx.store.read(q.EXPORT_AUDIT_ENTRIES, {"id": key})
    ctx.audit.note("export")
    ctx.audit.customers_read([key])
    return {
        "customer_id": key,
        "exported_at": now_ms(),
        **_nested(_public(rows[0])),
        "consent_history": [e["event"] for e in events],
        "audit_entries": [a["entry"] for a in audit],
    }


def _nested(flat: dict[str, Any]) -> dict[str, Any]:
    """The export's lists, each item with its own parts (the statement returns them flat),
    in a stable order (the engines return them in any order)."""

    def by(items: list[dict[str, Any]], parent: str) -> dict[str, list[dict[str, Any]]]:
        grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for item in sorted(items, key=_order_key):
            grouped[item.pop(parent)].append(item)
        return grouped

    follows = by(flat["follows"], "account_id")
    brands = {b["purchase_id"]: b["brand_id"] for b in flat["purchase_brands"]}
    items = by(flat["items"], "purchase_id")
    tags = by(flat["post_tags"], "post_id")
    subjects = {s["complaint_id"]: s["about_id"] for s in flat["complaint_subjects"]}
    parts = {
        "profile": flat["profile"],
        "identities": [
            {**i, "follows": follows.get(i["account"]["id"], [])} for i in flat["identities"]
        ],
        "link_candidates": flat["link_candidates"],
        "link_decisions": flat["link_decisions"],
        "tags": flat["tags"],
        "segments": flat["segments"],
        "consents": flat["consents"],
        "purchases": [
            {"purchase": p, "brand_id": brands.get(p["id"]), "items": items.get(p["id"], [])}
            for p in flat["purchases"]
        ],
        "posts": [
            {**p, "tag_ids": [t["tag_id"] for t in tags.get(p["post"]["id"], [])]}
            for p in flat["posts"]
        ],
        "interactions": flat["interactions"],
        "complaints": [
            {"complaint": k, "about_id": subjects.get(k["id"])} for k in flat["complaints"]
        ],
        "contacts": flat["contacts"],
    }
    return {
        name: sorted(value, key=_order_key) if isinstance(value, list) else value
        for name, value in parts.items()
    }


def _order_key(item: dict[str, Any]) -> str:
    """A stable order for the export's lists (the engines return them in any order)."""
    return orjson.dumps(item, option=orjson.OPT_SORT_KEYS).decode()


# --- restriction --------------------------------------------------------------------------


async def restrict_processing(
    ctx: Context, customer_id: str, restricted: bool
) -> tuple[str, int | None]:
    """Set (keeping the first time) or clear the customer's ``restricted_at``; return the
    customer's key and ``restricted_at``. Raises BAD_USER_INPUT or NOT_FOUND."""
    key = customer_key(customer_id)
    rows, _ = await ctx.store.write_returning(
        q.RESTRICT, {"id": key, "restricted": restricted, "now": now_ms()}
    )
    if not rows:
        raise not_found("customer", key)
    ctx.audit.customers_read([key], kind="restrict")
    value = rows[0]["restricted_at"]
    return key, None if value is None else int(value)


# --- erasure ------------------------------------------------------------------------------


@dataclass
class Erasure:
    """What an erasure did. ``erasure_id`` is the customer's tombstone (no identifier)."""

    erasure_id: str
    at: int
    already_erased: bool = False
    removed: dict[str, int] = field(default_factory=dict)  # label -> nodes deleted
    records_scrubbed: int = 0  # system nodes whose customer_ids named the customer
    accounts_to_relink: list[str] = field(default_factory=list)


async def erase_customer(ctx: Context, customer_id: str) -> Erasure:
    """Erase the customer and its personal satellites (docs/privacy.md), leaving
    tombstones. Safe to run again after a failure part-way: a customer already erased
    gets its system records scrubbed again. Raises BAD_USER_INPUT or NOT_FOUND."""
    key = customer_key(customer_id)
    erasure_key = ctx.privacy.erasure_key()
    tombstone = q.erasure_id(erasure_key, key)
    now = now_ms()
    ctx.audit.note("erase")
    plans = await ctx.store.read(q.ERASURE_PLAN, {"id": key})
    if not plans:
        if not await ctx.store.read(q.ERASED_AMONG, {"ids": [tombstone]}):
            raise not_found("customer", key)
        done = Erasure(erasure_id=tombstone, at=now, already_erased=True)
        done.records_scrubbed = await _scrub_system_records(ctx, key)
        return done
    plan = plans[0]
    # An account linked to another customer too is that customer's as well: it stays.
    shared = sorted({o["account"] for o in plan["owners"] if o["owner"] != key})
    accounts = sorted(set(plan["accounts"]) - set(shared))
    erased_accounts = set(accounts)
    posts = sorted({p["post"] for p in plan["posts"] if p["account"] in erased_accounts})
    doomed = {
        "Customer": [key], "SocialAccount": accounts, "Post": posts,
        "Purchase": list(plan["purchases"]), "Complaint": list(plan["complaints"]),
        "Contact": list(plan["contacts"]),
    }  # fmt: skip
    hashes = {"email_hash": plan["email_hash"], "phone_hash": plan["phone_hash"]}
    evidence = {r["id"] for r in await ctx.store.read(q.EVIDENCE_ACCOUNTS, {"id": key, **hashes})}
    relink = sorted((evidence | set(shared)) - set(accounts))
    neighbours = await ctx.store.read(
        q.ERASURE_NEIGHBOURS,
        {"id": key, "accounts": accounts, "posts": posts,
         "purchases": doomed["Purchase"], "complaints": doomed["Complaint"]},
    )  # fmt: skip
    stubs = _stub_candidates(neighbours, doomed)

    of = {"Customer": "customer", "SocialAccount": "account", "Post": "post",
          "Purchase": "purchase", "Complaint": "complaint"}  # fmt: skip
    # The ids merged into the customer are the person's too: loads must not bring them back.
    aliases = [r["id"] for r in await ctx.store.read(q.MERGED_INTO, {"id": key})]
    tombstones = [
        {"id": q.erasure_id(erasure_key, i, of[label]), "of": of[label]}
        for label, ids in {**doomed, "Customer": [key, *aliases]}.items()
        if label in of  # contacts are written by the API only: no loader to refuse
        for i in ids
    ]
    await ctx.store.write(
        q.WRITE_TOMBSTONES, {"tombstones": tombstones, "now": now, "actor": ctx.principal.subject}
    )
    done = Erasure(erasure_id=tombstone, at=now, accounts_to_relink=relink)
    # The customer last: until it is gone, a failed erasure can simply be run again.
    for label in ("Post", "SocialAccount", "Purchase", "Complaint", "Contact"):
        done.removed[label] = await _delete(ctx, label, doomed[label])
    for statement in q.SCRUB_EVIDENCE if relink else ():
        await ctx.store.write(statement, {"ids": relink, "id": key, **hashes})
    done.records_scrubbed = await _scrub_system_records(ctx, key)
    done.removed["Customer"] = await _delete(ctx, "Customer", [key])
    orphans = 0
    for label, ids in stubs.items():
        counters = await ctx.store.write(q.DELETE_ORPHAN_STUBS[label], {"ids": ids})
        orphans += counters.nodes_deleted
    done.removed["stubs"] = orphans
    return done


async def _delete(ctx: Context, label: str, ids: list[str]) -> int:
    if not ids:
        return 0
    counters: WriteCounters = await ctx.store.write(q.DELETE_BY_LABEL[label], {"ids": ids})
    return counters.nodes_deleted


async def _scrub_system_records(ctx: Context, key: str) -> int:
    """Delete the customer's consent events and merge records; drop its id from every
    system node's ``customer_ids``. Returns how many system nodes were changed or deleted."""
    changed = (await ctx.store.write(q.DELETE_CONSENT_EVENTS, {"id": key})).nodes_deleted
    for statement in q.DELETE_WRITE_RECORDS:
        changed += (await ctx.store.write(statement, {"id": key})).nodes_deleted
    changed += (await ctx.store.write(q.DELETE_MERGES, {"id": key})).nodes_deleted
    for statement in q.SCRUB_CUSTOMER_IDS.values():
        changed += (await ctx.store.write(statement, {"id": key})).properties_set
    return changed


def _stub_candidates(
    neighbours: list[Record], doomed: dict[str, list[str]]
) -> dict[str, list[str]]:
    """Neighbours of deleted nodes, by label, that are not deleted themselves: those that
    are stubs and end up with no relationship are deleted too."""
    gone = {(label, i) for label, ids in doomed.items() for i in ids}
    found: dict[str, set[str]] = defaultdict(set)
    for n in neighbours:
        for label in n["labels"]:
            if label in NODE_LABELS and (label, n["id"]) not in gone and n["id"] is not None:
                found[label].add(n["id"])
    return {label: sorted(ids) for label, ids in found.items()}
