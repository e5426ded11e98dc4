"""The identity review queue and the human decisions on links (admins).

A decision is recorded as a LINK_DECISION on the pair (graph/identity_links.py), then the
account's link is re-decided at once by the same rule every load applies
(loaders/linking.py), so what the API answers is what the graph holds, and every later
run of the model and of exact linking keeps it. Each decision is noted in the request's
audit entry, naming the customer; its reason, author and time stay on the decision.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from graph.identity_links import CANDIDATE_COUNTS, CANDIDATES_PAGE, PAIR_STATE, RECORD_DECISION
from graph.store import Record
from loaders.linking import relink
from resolvers.clock import now_ms
from resolvers.consent import key_of, text_of
from resolvers.context import Context
from resolvers.errors import ApiError, ErrorCode, bad_input
from resolvers.ids import decode_key_cursor, encode_key_cursor

MAX_PAGE = 200
CURSOR_KIND = "linkCandidates"


class IdentityRefused(ApiError):
    """A decision that cannot be taken; nothing was changed. ``reason`` is the schema's
    code: NOT_FOUND, BAD_USER_INPUT, CUSTOMER_RESTRICTED, NO_CANDIDATE, NOT_LINKED."""

    def __init__(self, reason: str, message: str, argument: str | None = None) -> None:
        code = ErrorCode.NOT_FOUND if reason == "NOT_FOUND" else ErrorCode.BAD_USER_INPUT
        super().__init__(message, code, argument=argument, reason=reason)
        self.reason = reason
        self.argument = argument


@dataclass(frozen=True)
class CandidatePage:
    items: list[Record]
    cursors: list[str]
    has_next: bool
    total: int
    blocked: int


@dataclass(frozen=True)
class LinkState:
    """An account after a decision: who owns it now, and how."""

    account_id: str
    customer_id: str | None
    method: str | None
    confidence: float | None
    decision: str


def _confidence(value: float | None, argument: str, default: float) -> float:
    if value is None:
        return default
    if not 0.0 <= value <= 1.0:
        raise bad_input("must be between 0 and 1", argument)
    return float(value)


async def identity_candidates(
    ctx: Context,
    *,
    platform: str | None = None,
    customer_id: str | None = None,
    account_id: str | None = None,
    min_confidence: float | None = None,
    max_confidence: float | None = None,
    blocked: bool | None = None,
    first: int = 50,
    after: str | None = None,
) -> CandidatePage:
    """A page of review candidates, most probable first. Raises BAD_USER_INPUT."""
    if not 1 <= first <= MAX_PAGE:
        raise bad_input(f"first must be between 1 and {MAX_PAGE}", "first")
    after_confidence, after_account = None, ""
    if after is not None:
        key = decode_key_cursor(after, CURSOR_KIND)
        if len(key) != 2 or not isinstance(key[0], int | float) or not isinstance(key[1], str):
            raise bad_input(f"{after!r} is not a cursor of this list", "after")
        after_confidence, after_account = float(key[0]), key[1]
    params: dict[str, Any] = {
        "platform": text_of(platform, "filter.platform", required=False),
        "customer": _key("Customer", customer_id, "filter.customerId"),
        "account": _key("SocialAccount", account_id, "filter.accountId"),
        "min_confidence": _confidence(min_confidence, "filter.minConfidence", 0.0),
        "max_confidence": _confidence(max_confidence, "filter.maxConfidence", 1.0),
        "blocked": blocked,
        "after_confidence": after_confidence,
        "after_account": after_account,
        "limit": first + 1,
    }
    rows = await ctx.store.read(CANDIDATES_PAGE, params)
    filters = {k: v for k, v in params.items() if not k.startswith(("after_", "limit"))}
    counts = (await ctx.store.read(CANDIDATE_COUNTS, filters))[0]
    items = rows[:first]
    ctx.audit.customers_read([r["customer_id"] for r in items], kind="identity_review")
    return CandidatePage(
        items=items,
        cursors=[
            encode_key_cursor(CURSOR_KIND, (r["confidence"], r["account"]["id"])) for r in items
        ],
        has_next=len(rows) > first,
        total=int(counts["total"]),
        blocked=int(counts["blocked"]),
    )


def _key(type_name: str, value: str | None, argument: str) -> str | None:
    return None if value is None else key_of(type_name, value, argument)


def evidence_of(text: str | None) -> dict[str, Any] | None:
    """A stored explanation (JSON) as a dict, or None."""
    if not text:
        return None
    value = json.loads(text)
    return value if isinstance(value, dict) else None


async def _pair(ctx: Context, account: str, customer: str | None) -> Record:
    """The pair's state (see PAIR_STATE); the customer is not looked for when None.
    Raises IdentityRefused NOT_FOUND."""
    params = {"account": account, "customer": customer or ""}
    state = (await ctx.store.read(PAIR_STATE, params))[0]
    if not state["account"]:
        raise IdentityRefused("NOT_FOUND", f"no social account with id {account!r}", "accountId")
    if customer is not None and not state["customer"]:
        raise IdentityRefused("NOT_FOUND", f"no customer with id {customer!r}", "customerId")
    return state


async def _decide(
    ctx: Context,
    account: str,
    customer: str,
    decision: str,
    method: str | None,
    reason: str,
    candidate: Record | None = None,
) -> LinkState:
    now = now_ms()
    explanation = evidence_of(candidate.get("candidate_evidence")) if candidate else None
    recorded: dict[str, Any] = {**(explanation or {}),
                                "decision": {"by": ctx.principal.subject, "at": now,
                                             "reason": reason, "decision": decision}}  # fmt: skip
    rows, _ = await ctx.store.write_returning(
        RECORD_DECISION,
        {"account": account, "customer": customer, "decision": decision, "method": method,
         "confidence": (candidate or {}).get("candidate_confidence") if method == "accepted"
         else (1.0 if method == "manual" else None),
         "model_version": (candidate or {}).get("candidate_model_version"),
         "evidence": json.dumps(recorded, sort_keys=True, ensure_ascii=False),
         "actor": ctx.principal.subject, "now": now, "reason": reason},
    )  # fmt: skip
    if not rows:  # deleted between the check and the write
        raise IdentityRefused("NOT_FOUND", "the account or the customer no longer exists")
    await relink(ctx.store, [account], now)
    ctx.audit.customers_read([customer], kind=f"identity_{decision}")
    after = (await ctx.store.read(PAIR_STATE, {"account": account, "customer": customer}))[0]
    return LinkState(account, after["owner"], after["owner_method"],
                     after["owner_confidence"], decision)  # fmt: skip


def _keys(account_id: str, customer_id: str | None, reason: str) -> tuple[str, str, str]:
    account = key_of("SocialAccount", account_id, "accountId")
    customer = "" if customer_id is None else key_of("Customer", customer_id, "customerId")
    text = text_of(reason, "reason")
    assert text is not None
    return account, customer, text


async def accept_link(ctx: Context, account_id: str, customer_id: str, reason: str) -> LinkState:
    """Accept the review candidate (customer, account): the account is linked to the
    customer (method `accepted`, the model's confidence and evidence kept)."""
    account, customer, text = _keys(account_id, customer_id, reason)
    state = await _pair(ctx, account, customer)
    if state["candidate_confidence"] is None:
        raise IdentityRefused(
            "NO_CANDIDATE", f"account {account!r} is not a review candidate of customer "
            f"{customer!r}; use linkAccount to link it by hand", "customerId",
        )  # fmt: skip
    _refuse_restricted(state, customer)
    return await _decide(ctx, account, customer, "linked", "accepted", text, state)


async def reject_link(ctx: Context, account_id: str, customer_id: str, reason: str) -> LinkState:
    """Reject the pair (customer, account): its candidate or link goes, and neither the
    model nor exact evidence will link them again."""
    account, customer, text = _keys(account_id, customer_id, reason)
    await _pair(ctx, account, customer)
    return await _decide(ctx, account, customer, "rejected", None, text)


async def link_account(ctx: Context, account_id: str, customer_id: str, reason: str) -> LinkState:
    """Link the account to the customer by hand (method `manual`, confidence 1), whatever
    the evidence says; any other link of the account goes."""
    account, customer, text = _keys(account_id, customer_id, reason)
    state = await _pair(ctx, account, customer)
    _refuse_restricted(state, customer)
    return await _decide(ctx, account, customer, "linked", "manual", text, state)


async def unlink_account(ctx: Context, account_id: str, reason: str) -> LinkState:
    """Take the account from the customer it is linked to, and keep it from being linked
    to that customer again (a rejection of the pair)."""
    account, _, text = _keys(account_id, None, reason)
    state = await _pair(ctx, account, None)
    owner = state["owner"]
    if owner is None:
        raise IdentityRefused("NOT_LINKED", f"account {account!r} is not linked to anyone",
                              "accountId")  # fmt: skip
    return await _decide(ctx, account, owner, "rejected", None, text)


def _refuse_restricted(state: Record, customer: str) -> None:
    if state["restricted"]:
        raise IdentityRefused(
            "CUSTOMER_RESTRICTED",
            f"customer {customer!r} has restricted processing: lift the restriction first",
            "customerId",
        )
