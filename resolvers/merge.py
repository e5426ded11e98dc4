"""Merge a duplicate customer into a survivor, and undo it exactly (admins; audited).

The rules (docs/identity.md, "Duplicates and merges"): the survivor's profile takes, per
field, the value of the most trusted source, then the most recent non-empty one
(identity/survivorship.py); every relationship of the merged customer moves to the
survivor; its id stays an alias of the survivor (`customer`, `node`, loaders); a
withdrawal of consent on either side holds. The `(:Merge)` node records what the merge did
so that the unmerge restores the graph as it was; facts added to the survivor in between
stay with it.
"""

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import orjson

from graph import merge as q
from graph.store import Record
from graph.subject import ERASED_AMONG, erasure_id
from identity.survivorship import Consent, reconcile_consents, surviving_profile
from resolvers.clock import now_ms
from resolvers.context import Context
from resolvers.duplicates import check_reason
from resolvers.subject import customer_key

Rel = dict[str, Any]  # {type, outgoing, other, props}


class MergeRefused(Exception):
    """A merge or unmerge that may not run; nothing was changed. ``code`` is one of the
    schema's MergeErrorCode values."""

    def __init__(self, code: str, message: str, argument: str | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.argument = code, message, argument


@dataclass
class MergeDone:
    """What a merge did: relationships moved and dropped (the survivor had the same one),
    profile fields taken from the merged customer, consents it withdrew."""

    merge_id: str
    survivor_id: str
    merged_id: str
    at: int
    moved: int = 0
    dropped: int = 0
    fields: list[str] = field(default_factory=list)
    consents_withdrawn: int = 0


@dataclass
class UnmergeDone:
    """What an unmerge did. ``consents_kept_withdrawn``: consents the merge withdrew that
    stay withdrawn, because a consent of either customer changed since the merge."""

    merge_id: str
    survivor_id: str
    merged_id: str
    at: int
    moved_back: int = 0
    restored: int = 0
    fields_kept: list[str] = field(default_factory=list)
    consents_kept_withdrawn: int = 0


def _by_side(rels: Iterable[Rel]) -> dict[tuple[str, bool], list[Rel]]:
    grouped: dict[tuple[str, bool], list[Rel]] = defaultdict(list)
    for rel in rels:
        grouped[(rel["type"], rel["outgoing"])].append(rel)
    return grouped


async def _create(ctx: Context, customer: str, rels: list[Rel]) -> int:
    """Create ``rels`` at ``customer``; return how many were created (a gone end: none)."""
    created = 0
    for key, rows in sorted(_by_side(rels).items()):
        params = {"customer": customer, "rows": [{"other": r["other"], "props": r["props"]}
                                                 for r in rows]}  # fmt: skip
        created += (await ctx.store.write(q.CREATE_RELS[key], params)).relationships_created
    return created


async def _refuse_unfit(ctx: Context, ids: dict[str, str]) -> dict[str, Record]:
    """Both customers by argument name, or MergeRefused: unknown, erased, restricted,
    merged away."""
    aliases = await ctx.store.read(q.ACTIVE_MERGES_OF, {"ids": list(ids.values())})
    for argument, key in ids.items():
        if any(a["merged_id"] == key for a in aliases):
            raise MergeRefused("ALREADY_MERGED", f"customer {key!r} is merged already", argument)
    rows = await ctx.store.read(q.MERGE_SIDES, {"ids": list(ids.values())})
    found = {r["id"]: r for r in rows}
    for argument, key in ids.items():
        if key not in found:
            tombstone = erasure_id(ctx.privacy.erasure_key(), key)
            if await ctx.store.read(ERASED_AMONG, {"ids": [tombstone]}):
                raise MergeRefused("ERASED", f"customer {key!r} was erased", argument)
            raise MergeRefused("NOT_FOUND", f"no customer with id {key!r}", argument)
        if found[key]["props"].get("restricted_at") is not None:
            raise MergeRefused(
                "RESTRICTED", f"processing of customer {key!r} is restricted", argument
            )
    return {argument: found[key] for argument, key in ids.items()}


def _plan_moves(survivor: Record, merged: Record, merge_id: str) -> tuple[list[Rel], list[Rel]]:
    """(moved, dropped) relationships of the merged customer. Moved ones carry the merge's
    id; dropped ones duplicate one the survivor has (or are the pair's own SAME_AS)."""
    sid = survivor["id"]
    have = {(r["type"], r["other"]) for r in survivor["rels"]
            if (r["type"], r["outgoing"]) in q.RELS_BY_KEY
            and q.RELS_BY_KEY[(r["type"], r["outgoing"])].unique}  # fmt: skip
    moved: list[Rel] = []
    dropped: list[Rel] = []
    for r in merged["rels"]:
        kind = q.RELS_BY_KEY.get((r["type"], r["outgoing"]))
        if kind is None or kind.label not in r["labels"]:
            raise MergeRefused(
                "UNSUPPORTED_RELATIONSHIP",
                f"customer {merged['id']!r} has a {r['type']} relationship the merge does "
                "not know how to move; nothing was changed",
            )
        rel = {"type": r["type"], "outgoing": r["outgoing"], "other": r["other"],
               "props": r["props"]}  # fmt: skip
        if r["other"] == sid or (kind.unique and (r["type"], r["other"]) in have):
            dropped.append(rel)
            continue
        outgoing = sid < r["other"] if r["type"] == "SAME_AS" else r["outgoing"]
        ids = [*(r["props"].get("merge_ids") or []), merge_id]
        moved.append({**rel, "outgoing": outgoing, "props": {**r["props"], "merge_ids": ids}})
    return moved, dropped


async def merge_customers(ctx: Context, survivor_id: str, merged_id: str, reason: str) -> MergeDone:
    """Merge customer ``merged_id`` into ``survivor_id``. Raises MergeRefused (SAME_CUSTOMER,
    NOT_FOUND, ERASED, RESTRICTED, ALREADY_MERGED, UNSUPPORTED_RELATIONSHIP; nothing
    changed) or ApiError BAD_USER_INPUT."""
    reason = check_reason(reason)
    sid = customer_key(survivor_id, "survivorId")
    mid = customer_key(merged_id, "mergedId")
    if sid == mid:
        raise MergeRefused("SAME_CUSTOMER", "a customer cannot be merged into itself", "mergedId")
    sides = await _refuse_unfit(ctx, {"survivorId": sid, "mergedId": mid})
    survivor, merged = sides["survivorId"], sides["mergedId"]
    merge_id, now = uuid.uuid4().hex, now_ms()
    moved, dropped = _plan_moves(survivor, merged, merge_id)

    # Consents: the survivor's own, and the merged one's as they arrive (moved or dropped).
    own = [r for r in survivor["rels"] if r["type"] == "CONSENTED"]
    arriving = [r for r in moved if r["type"] == "CONSENTED"]
    consents = [Consent("survivor", r["other"], r["props"]) for r in own]
    consents += [Consent("merged", r["other"], r["props"]) for r in arriving]
    plan = reconcile_consents(consents)
    withdrawn_own, withdrawn_moved = [], []
    for index, at in sorted(plan.withdrawn.items()):
        c = consents[index]
        change = {"brand": c.brand, "granted_at": c.props.get("granted_at"),
                  "purposes": c.props.get("purposes"),
                  "from": c.props.get("withdrawn_at"), "to": at}  # fmt: skip
        if index < len(own):
            withdrawn_own.append(change)
        else:
            arriving[index - len(own)]["props"]["withdrawn_at"] = at
            withdrawn_moved.append(change)
    rests = [{"type": "CONSENTED", "outgoing": True, "other": c.brand,
              "props": {**c.props, "merge_rest": merge_id}} for c in plan.added]  # fmt: skip

    changes = surviving_profile(survivor["props"], merged["props"])
    record = {
        "merged": merged["props"],
        "survivor_before": {k: survivor["props"].get(k) for k in changes},
        "survivor_after": changes,
        "moved": moved,
        "dropped": dropped,
        "consents_withdrawn": {"survivor": withdrawn_own, "merged": withdrawn_moved},
    }
    store = ctx.store
    await store.write(q.INSERT_MERGE, {
        "id": merge_id, "survivor": sid, "merged": mid, "reason": reason, "now": now,
        "actor": ctx.principal.subject, "record": orjson.dumps(record).decode(),
    })  # fmt: skip
    if withdrawn_own:  # before the moved ones arrive, which it must not match
        await store.write(q.SET_WITHDRAWN, {"customer": sid, "rows": withdrawn_own})
    await _create(ctx, sid, moved + rests)
    await _set_profile(ctx, sid, changes)
    await store.write(q.DELETE_CUSTOMER, {"id": mid})
    await store.write(q.SET_MERGE_STATUS, {"id": merge_id, "status": "merged"})
    ctx.audit.customers_read([sid, mid], kind="customer_merge")
    return MergeDone(
        merge_id=merge_id, survivor_id=sid, merged_id=mid, at=now, moved=len(moved),
        dropped=len(dropped), fields=sorted(changes),
        consents_withdrawn=len(withdrawn_own) + len(withdrawn_moved),
    )  # fmt: skip


async def _set_profile(ctx: Context, customer: str, values: dict[str, Any]) -> None:
    """Set ``values`` on the customer; a None value removes the property."""
    kept = {k: v for k, v in values.items() if v is not None}
    if kept:
        await ctx.store.write(q.SET_PROFILE, {"id": customer, "props": kept})
    for prop in sorted(k for k, v in values.items() if v is None):
        await ctx.store.write(q.remove_profile_property(prop), {"id": customer})


async def find_merge(ctx: Context, merge_id: str | None, merged_id: str | None) -> Record:
    """The merge with id ``merge_id``, or the active merge of customer ``merged_id`` (one
    of them given). Raises MergeRefused NOT_FOUND or BAD_USER_INPUT."""
    if (merge_id is None) == (merged_id is None):
        raise MergeRefused("BAD_USER_INPUT", "give either mergeId or mergedId", "mergeId")
    if merge_id is not None:
        rows = await ctx.store.read(q.MERGE_BY_ID, {"id": merge_id})
        argument = "mergeId"
    else:
        assert merged_id is not None
        key = customer_key(merged_id, "mergedId")
        rows = await ctx.store.read(q.ACTIVE_MERGE_OF, {"id": key})
        argument = "mergedId"
    if not rows:
        raise MergeRefused("NOT_FOUND", "no such merge (or the customer is not merged)", argument)
    return dict(rows[0]["merge"])


async def unmerge_customers(
    ctx: Context, reason: str, merge_id: str | None = None, merged_id: str | None = None
) -> UnmergeDone:
    """Undo a merge, named by its id or by the merged customer's: the merged customer comes
    back with its relationships and profile, the survivor gets back its prior values (those
    changed since stay). Raises MergeRefused (NOT_FOUND, NOT_MERGED, SURVIVOR_MERGED,
    BAD_USER_INPUT) or ApiError BAD_USER_INPUT."""
    reason = check_reason(reason)
    merge = await find_merge(ctx, merge_id, merged_id)
    merge_id, sid, mid = merge["id"], merge["survivor_id"], merge["merged_id"]
    if merge["status"] == "unmerged":
        raise MergeRefused("NOT_MERGED", f"merge {merge_id!r} was undone already", "mergeId")
    later = await ctx.store.read(q.ACTIVE_MERGES_OF, {"ids": [sid]})
    if later:
        raise MergeRefused(
            "SURVIVOR_MERGED",
            f"the survivor {sid!r} was merged since (merge {later[0]['id']!r}); undo that first",
            "mergeId",
        )
    record = orjson.loads(merge["record"])
    store, now = ctx.store, now_ms()
    done = UnmergeDone(merge_id=merge_id, survivor_id=sid, merged_id=mid, at=now)
    # A merge cut off before the merged customer was deleted still has its originals.
    merged_left = bool(await store.read(q.CUSTOMER_PROPS, {"id": mid}))
    rows = await store.read(q.MOVED_RELS, {"customer": sid, "merge": merge_id})
    moved_now: list[Rel] = rows[0]["rels"] if rows else []
    changed = await store.read(q.CONSENT_CHANGES_SINCE, {"ids": [sid, mid], "since": merge["at"]})
    give_back = changed[0]["changes"] == 0
    if not merged_left:
        await store.write(q.CREATE_CUSTOMER, {"id": mid, "props": record["merged"]})
    for statement in q.DELETE_MOVED:
        await store.write(statement, {"customer": sid, "merge": merge_id})
    if not merged_left:
        back = [_moved_back(r, merge_id, mid, record, give_back) for r in moved_now]
        done.moved_back = await _create(ctx, mid, back)
        done.restored = await _create(ctx, mid, record["dropped"])
    withdrawn = record["consents_withdrawn"]
    if give_back:
        await store.write(q.DELETE_RESTS, {"customer": sid, "merge": merge_id})
        undo = [{**c, "from": c["to"], "to": c["from"]} for c in withdrawn["survivor"]]
        if undo:
            await store.write(q.SET_WITHDRAWN, {"customer": sid, "rows": undo})
    else:
        done.consents_kept_withdrawn = len(withdrawn["survivor"]) + len(withdrawn["merged"])
    current = await store.read(q.CUSTOMER_PROPS, {"id": sid})
    now_props = current[0]["props"] if current else {}
    after, before = record["survivor_after"], record["survivor_before"]
    restore = {k: before.get(k) for k, v in after.items() if now_props.get(k) == v}
    done.fields_kept = sorted(set(after) - set(restore))
    await _set_profile(ctx, sid, restore)
    await store.write(q.FINISH_UNMERGE, {
        "id": merge_id, "now": now, "actor": ctx.principal.subject, "reason": reason,
    })  # fmt: skip
    ctx.audit.customers_read([sid, mid], kind="customer_unmerge")
    return done


def _moved_back(rel: Rel, merge_id: str, merged: str, record: dict[str, Any],
                give_back: bool) -> Rel:  # fmt: skip
    """A relationship the merge moved, as it goes back to the merged customer: its
    current properties without the merge's mark, and the consent the merge withdrew given
    back when ``give_back``."""
    props = dict(rel["props"])
    ids = [m for m in props.pop("merge_ids", None) or [] if m != merge_id]
    if ids:
        props["merge_ids"] = ids
    if give_back and rel["type"] == "CONSENTED":
        for c in record["consents_withdrawn"]["merged"]:
            if (c["brand"], c["granted_at"], c["purposes"], c["to"]) == (
                rel["other"], props.get("granted_at"), props.get("purposes"),
                props.get("withdrawn_at"),
            ):  # fmt: skip
                if c["from"] is None:
                    props.pop("withdrawn_at", None)
                else:
                    props["withdrawn_at"] = c["from"]
                break
    outgoing = merged < rel["other"] if rel["type"] == "SAME_AS" else rel["outgoing"]
    return {**rel, "outgoing": outgoing, "props": props}
