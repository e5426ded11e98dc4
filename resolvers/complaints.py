"""The complaint workflow (docs/operations.md): open, assign, respond, escalate, resolve,
reopen; SLA policies and the flags computed from them against the request's clock; the
queue across customers and handling times per brand and category.
"""

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql import OperationDefinitionNode

from graph import complaints as q
from graph.store import Record
from loaders import kinds
from resolvers.consent import key_of, text_of
from resolvers.context import Context
from resolvers.customer_writes import camel, customer_refusals, restricted, validated
from resolvers.errors import ApiError, ErrorCode, bad_input, not_found
from resolvers.mutations import Outcome, Refusals, Write, new_id, run_write

PRIORITIES = ("low", "normal", "high", "urgent")
ANY_CATEGORY = "*"
# A pending target is at risk once less than this share of its window is left.
AT_RISK_SHARE = 0.25
MAX_TARGET_MINUTES = 366 * 24 * 60
MAX_QUEUE_PAGE = 100

# action -> the statuses it may start from (the state machine, docs/operations.md).
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "assign": ("open", "in_progress", "escalated"),
    "respond": ("open", "in_progress", "escalated"),
    "escalate": ("open", "in_progress"),
    "resolve": ("open", "in_progress", "escalated"),
    "reopen": ("resolved", "closed"),
}


def _policy_id(category: str, priority: str) -> str:
    """The policy's key: a digest, so a category's text is stored once, as given."""
    return hashlib.sha256(f"{category}\0{priority}".encode()).hexdigest()[:32]


async def open_complaint(
    ctx: Context, operation: OperationDefinitionNode, fields: Mapping[str, Any], key: str | None
) -> Outcome:
    """Open a complaint for a customer about a brand, product or one of its purchases,
    validated like a support export row; due times from the SLA policy. Raises ApiError."""
    customer = key_of("Customer", fields["customer_id"], "input.customerId")
    about_kind = fields["about_kind"]
    about_id = key_of(about_kind.capitalize(), fields["about_id"], "input.aboutId")
    priority = fields["priority"]
    now = ctx.clock()
    row = validated(
        kinds.Complaint,
        {**fields, "id": fields.get("id") or new_id("k"), "customer_id": customer,
         "about_id": about_id,
         "opened_at": now, "status": "open"},
        {name: "input." + camel(name) for name in kinds.Complaint.model_fields},
    )  # fmt: skip
    props = {k: v for k, v in row.props().items() if v is not None and k != "status"}
    props["priority"] = priority
    asked = {"customer_id": customer, "about_kind": about_kind, "about_id": about_id,
             "channel": row.channel, "category": row.category, "priority": priority,
             "text": row.text, "id": fields.get("id")}  # fmt: skip
    done = {**{k: v for k, v in asked.items() if k not in ("text", "id")},
            "complaint_id": row.id}  # fmt: skip
    write = Write("openComplaint", "complaint.opened", asked, done, done, (customer,),
                  ("customer", customer))  # fmt: skip
    about = {k: (about_id if k == about_kind else None) for k in ("brand", "product", "purchase")}
    category = row.category or ANY_CATEGORY
    refusals: Refusals = {
        **customer_refusals(customer),
        "about_missing": lambda _: ApiError(
            f"no {about_kind} with id {about_id!r}"
            + (" among the customer's purchases" if about_kind == "purchase" else ""),
            ErrorCode.NOT_FOUND, argument="input.aboutId",
        ),
        "complaint_exists": lambda _: ApiError(
            f"complaint {row.id!r} already exists", ErrorCode.CONFLICT, argument="input.id"
        ),
    }  # fmt: skip
    return await run_write(
        ctx, operation, q.OPEN_COMPLAINT,
        {"customer": customer, "about": about,
         "complaint": {"id": row.id, "props": props},
         "sla": {"exact": _policy_id(category, priority),
                 "fallback": _policy_id(ANY_CATEGORY, priority)}},
        write, key, refusals,
    )  # fmt: skip


async def transition(
    ctx: Context,
    operation: OperationDefinitionNode,
    action: str,
    complaint_id: str,
    key: str | None,
    *,
    assignee: str | None = None,
    note: str | None = None,
    expected_version: int | None = None,
) -> Outcome:
    """Move a complaint by ``action`` (a TRANSITIONS key). Raises ApiError: NOT_FOUND,
    ERASED, RESTRICTED, CONFLICT (``expected_version`` is not the complaint's), or
    INVALID_TRANSITION (the action is not allowed from its status)."""
    complaint = key_of("Complaint", complaint_id, "complaintId")
    name = f"{action}Complaint"
    if action == "assign":
        assignee = text_of(assignee, "assignee")
    note = text_of(note, "note", required=False)
    if expected_version is not None and expected_version < 1:
        raise bad_input("versions start at 1", "expectedVersion")
    asked = {"complaint_id": complaint, "action": action, "assignee": assignee, "note": note,
             "expected_version": expected_version}  # fmt: skip
    done = {k: v for k, v in asked.items() if k != "note"}
    write = Write(name, f"complaint.{action}", asked, done, done, (), ("complaint", complaint))
    allowed = TRANSITIONS[action]
    refusals: Refusals = {
        "missing": lambda _: _with_argument(not_found("complaint", complaint), "complaintId"),
        "restricted": restricted,
        "version_conflict": lambda f: ApiError(
            f"the complaint is at version {f['version_before']}, not {expected_version}: "
            "someone changed it; read it again", ErrorCode.CONFLICT,
            argument="expectedVersion",
        ),
        "invalid": lambda f: ApiError(
            f"cannot {action} a complaint that is {f['status_before'] or 'open'} "
            f"(allowed from: {', '.join(allowed)})", ErrorCode.INVALID_TRANSITION,
        ),
    }  # fmt: skip
    outcome = await run_write(
        ctx, operation, q.TRANSITION,
        {"complaint": complaint,
         "transition": {"action": action, "from": list(allowed), "assignee": assignee,
                        "note": note, "expected_version": expected_version}},
        write, key, refusals,
    )  # fmt: skip
    if not outcome.replayed:
        outcome.result.update(
            status_before=outcome.facts["status_before"] or "open",
            status_after=outcome.facts["status_after"],
        )
    return outcome


def _with_argument(error: ApiError, argument: str) -> ApiError:
    error.extensions = {**(error.extensions or {}), "argument": argument}
    return error


async def complaint(ctx: Context, complaint_id: str) -> Record:
    """One complaint as the workflow shows it. Raises NOT_FOUND (also when the customer
    is restricted and the caller not an admin)."""
    key = key_of("Complaint", complaint_id, "complaintId")
    rows = await ctx.store.read(
        q.COMPLAINT_BY_ID, {"id": key, "include_restricted": ctx.principal.sees_restricted}
    )
    if not rows:
        raise not_found("complaint", key)
    record: Record = rows[0]["complaint"]
    if record.get("customer_id"):
        ctx.audit.customers_read([record["customer_id"]])
    return record


# --- SLA ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SlaState:
    """Where a complaint stands against its targets at ``now``."""

    first_response_breached: bool
    resolution_breached: bool
    at_risk: bool

    @property
    def breached(self) -> bool:
        return self.first_response_breached or self.resolution_breached


def _target(
    start: int | None, due: int | None, met: int | None, now: int, pending: bool
) -> tuple[bool, bool]:
    """(breached, at risk) of one target: missed when met late, or when still pending
    past its due time; at risk when pending with less than AT_RISK_SHARE of it left."""
    if due is None:
        return False, False
    if met is not None:
        return met > due, False
    if not pending:
        return False, False
    if now > due:
        return True, False
    window = due - (start if start is not None else due)
    return False, window > 0 and due - now < AT_RISK_SHARE * window


def sla_state(r: Mapping[str, Any], now: int) -> SlaState:
    """The complaint ``r``'s SLA flags at ``now`` (epoch ms)."""
    open_ = r.get("status") not in ("resolved", "closed")
    start = r.get("reopened_at") or r.get("opened_at")
    first = _target(
        r.get("opened_at"), r.get("first_response_due_at"), r.get("first_response_at"), now,
        open_,
    )  # fmt: skip
    resolution = _target(start, r.get("resolution_due_at"), r.get("resolved_at"), now, open_)
    return SlaState(
        first_response_breached=first[0],
        resolution_breached=resolution[0],
        at_risk=(first[1] or resolution[1]) and not (first[0] or resolution[0]),
    )


async def set_sla_policy(
    ctx: Context,
    operation: OperationDefinitionNode,
    category: str | None,
    priority: str,
    first_response_minutes: int,
    resolution_minutes: int,
    key: str | None,
) -> Outcome:
    """Create or change the SLA policy of ``category`` (None: every category without its
    own) and ``priority`` (admins). Applies to complaints opened afterwards."""
    cat = text_of(category, "input.category", required=False) or ANY_CATEGORY
    for value, argument in ((first_response_minutes, "input.firstResponseMinutes"),
                            (resolution_minutes, "input.resolutionMinutes")):  # fmt: skip
        if not 1 <= value <= MAX_TARGET_MINUTES:
            raise bad_input(f"must be 1-{MAX_TARGET_MINUTES} minutes", argument)
    if resolution_minutes < first_response_minutes:
        raise bad_input("a resolution cannot be due before the first response",
                        "input.resolutionMinutes")  # fmt: skip
    policy = {"id": _policy_id(cat, priority), "category": cat, "priority": priority,
              "first_response_minutes": first_response_minutes,
              "resolution_minutes": resolution_minutes}  # fmt: skip
    write = Write("setSlaPolicy", "sla_policy.changed", policy, policy, policy, (), None)
    return await run_write(ctx, operation, q.SET_SLA_POLICY, {"policy": policy}, write, key, {})


async def sla_policies(ctx: Context) -> list[Record]:
    return [r["policy"] for r in await ctx.store.read(q.SLA_POLICIES)]


# --- the queue and handling times ----------------------------------------------------------


@dataclass(frozen=True)
class QueueFilter:
    statuses: list[str] | None = None
    assignee: str | None = None
    brand: str | None = None
    category: str | None = None
    breaching: bool | None = None


async def queue(
    ctx: Context, f: QueueFilter, order: str, first: int, skip: int
) -> tuple[list[Record], bool, dict[str, int]]:
    """A page of complaints across customers (at most ``first``, after ``skip``), whether
    more follow, and the counts per status of the whole filtered queue. Raises
    BAD_USER_INPUT."""
    if not 0 <= first <= MAX_QUEUE_PAGE:
        raise bad_input(f"first must be 0-{MAX_QUEUE_PAGE}", "first")
    params = {
        "status": f.statuses, "assignee": f.assignee, "category": f.category,
        "breaching": f.breaching, "now": ctx.clock(),
        "brand": None if f.brand is None else key_of("Brand", f.brand, "filter.brand"),
        "include_restricted": ctx.principal.sees_restricted,
    }  # fmt: skip
    rows = await ctx.store.read(q.queue_page(order), {**params, "skip": skip, "limit": first + 1})
    counts = await ctx.store.read(q.QUEUE_COUNTS, params)
    page = [r["complaint"] for r in rows[:first]]
    ctx.audit.customers_read(r["customer_id"] for r in page if r.get("customer_id"))
    return page, len(rows) > first, {r["status"]: r["n"] for r in counts}


async def handling_stats(
    ctx: Context, from_ms: int, until_ms: int, brand: str | None
) -> list[Record]:
    """Per brand and category, complaints opened in [from, until): counts and handling
    times (ms). Raises BAD_USER_INPUT."""
    if from_ms >= until_ms:
        raise bad_input("from must be before until", "from")
    return await ctx.store.read(
        q.HANDLING_STATS,
        {"from": from_ms, "until": until_ms, "now": ctx.clock(),
         "brand": None if brand is None else key_of("Brand", brand, "brand"),
         "include_restricted": ctx.principal.sees_restricted},
    )  # fmt: skip


def history(r: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The complaint's status history, oldest first: the transitions recorded (a loaded
    complaint's steps from its timestamps have no action), or, for a loaded complaint
    never moved since, the steps its timestamps give."""
    recorded = [
        {"action": None if a == "loaded" else a, "status": s, "at": t, "actor": who or None}
        for a, s, t, who in zip(
            r.get("history_action") or [], r.get("history_status") or [],
            r.get("history_at") or [], r.get("history_actor") or [], strict=False,
        )
    ]  # fmt: skip
    if recorded:
        return recorded
    loaded = [
        {"action": None, "status": status, "at": at, "actor": None}
        for status, at in (("open", r.get("opened_at")),
                           ("in_progress", r.get("first_response_at")),
                           ("resolved", r.get("resolved_at")))
        if at is not None or status == "open"
    ]  # fmt: skip
    if r.get("status") == "closed":
        loaded.append({"action": None, "status": "closed", "at": None, "actor": None})
    return loaded
