"""Granting and withdrawing consent, and the history that proves it (docs/privacy.md).

Admin-only (the request guard checks the role). Input is validated before any statement
runs; each change is two statements: withdraw what it replaces, then record the grant and
its event. Each act is noted in the request's audit trail, naming the customer.
"""

import unicodedata
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from graph.consent import CONSENT_ENDPOINTS, CONSENT_HISTORY, RECORD_CHANGE, WITHDRAW_PURPOSES
from graph.store import Record
from resolvers.clock import now_ms
from resolvers.context import Context
from resolvers.errors import bad_input, not_found
from resolvers.ids import key_for
from resolvers.principal import PURPOSES
from resolvers.selection import to_epoch_ms

MAX_TEXT = 256  # characters of a source or a policy version
MAX_HISTORY = 1000  # events one consentHistory call returns, at most
EARLIEST_GRANT_MS = -2_208_988_800_000  # 1900-01-01


@dataclass(frozen=True)
class ConsentChange:
    """What a grant or withdrawal did: its event, how many relationships it withdrew, and
    every consent of the customer to the brand afterwards (newest grant first)."""

    customer_id: str
    brand_id: str
    event: Record
    withdrawn: int
    consents: list[Record]


def purposes_of(values: Sequence[str] | None, argument: str) -> list[str]:
    """The purposes asked for, de-duplicated in the canonical order; None means all.
    Raises BAD_USER_INPUT for an empty list or an unknown purpose."""
    if values is None:
        return list(PURPOSES)
    unknown = sorted({v for v in values if v not in PURPOSES})
    if unknown:
        shown = ", ".join(repr(v[:40]) for v in unknown[:5])
        raise bad_input(f"unknown purpose(s) {shown}; known: {', '.join(PURPOSES)}", argument)
    if not values:
        raise bad_input("give at least one purpose", argument)
    return [p for p in PURPOSES if p in values]


def _printable(text: str, argument: str) -> str:
    """``text`` unless it holds control characters or is not valid Unicode (a lone
    surrogate): no id or label has them, and the engines refuse some. Raises
    BAD_USER_INPUT."""
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in text):
        raise bad_input("must not contain control characters or invalid Unicode", argument)
    return text


def text_of(value: str | None, argument: str, required: bool = True) -> str | None:
    """A short free-text value, stripped. Raises BAD_USER_INPUT when blank (if required),
    too long, or not printable."""
    text = (value or "").strip()
    if not text:
        if required:
            raise bad_input("must not be blank", argument)
        return None
    if len(text) > MAX_TEXT:
        raise bad_input(f"at most {MAX_TEXT} characters", argument)
    return _printable(text, argument)


def key_of(type_name: str, value: str, argument: str) -> str:
    """The key of a ``type_name`` given as its key or its global id. Raises BAD_USER_INPUT
    when it is blank, too long or not printable, or another type's global id."""
    key = key_for(type_name, value.strip(), argument)
    if not key or len(key) > MAX_TEXT:
        raise bad_input(f"must be an id of 1-{MAX_TEXT} characters", argument)
    return _printable(key, argument)


async def grant_consent(
    ctx: Context,
    customer_id: str,
    brand_id: str,
    purposes: Sequence[str],
    source: str,
    policy_version: str,
    granted_at: datetime | None = None,
) -> ConsentChange:
    """Record a new consent for ``purposes``. Purposes it re-grants are withdrawn from the
    older consents that held them (the rest of those stay granted), so each purpose is
    held by one live consent, the newest. Raises BAD_USER_INPUT or NOT_FOUND."""
    now = now_ms()
    when = now if granted_at is None else to_epoch_ms(granted_at, "input.grantedAt")
    if when > now:
        raise bad_input("a consent cannot be granted in the future", "input.grantedAt")
    if when < EARLIEST_GRANT_MS:
        raise bad_input("a consent cannot be granted before 1900", "input.grantedAt")
    event = {
        "action": "grant",
        "purposes": purposes_of(purposes, "input.purposes"),
        "source": text_of(source, "input.source"),
        "policy_version": text_of(policy_version, "input.policyVersion"),
        "granted_at": when,
        "at": when,
    }
    return await _change(
        ctx, key_of("Customer", customer_id, "input.customerId"),
        key_of("Brand", brand_id, "input.brandId"),
        event, now,
    )  # fmt: skip


async def withdraw_consent(
    ctx: Context,
    customer_id: str,
    brand_id: str,
    purposes: Sequence[str] | None,
    source: str,
) -> ConsentChange:
    """Withdraw ``purposes`` (None: all) now from every consent of the customer to the
    brand that holds them; a consent that held others too is withdrawn and its other
    purposes granted anew. The request is recorded even when nothing was live.
    Raises BAD_USER_INPUT or NOT_FOUND."""
    now = now_ms()
    event = {
        "action": "withdraw",
        "purposes": purposes_of(purposes, "input.purposes"),
        "source": text_of(source, "input.source"),
        "policy_version": None,
        "granted_at": None,
        "at": now,
    }
    return await _change(
        ctx, key_of("Customer", customer_id, "input.customerId"),
        key_of("Brand", brand_id, "input.brandId"),
        event, now,
    )  # fmt: skip


async def _change(
    ctx: Context, customer: str, brand: str, event: dict[str, Any], now: int
) -> ConsentChange:
    event["id"] = "ce_" + uuid.uuid4().hex
    event["actor"] = ctx.principal.subject
    keys = {"customer": customer, "brand": brand}
    # Withdrawing first is harmless when an endpoint is missing: nothing matches.
    withdrawn, _ = await ctx.store.write_returning(
        WITHDRAW_PURPOSES, {**keys, "purposes": event["purposes"], "now": now}
    )
    # Pushed out to subscriptions and webhooks (resolvers/outbox.py), without the free text.
    outbox = {
        "id": "ev_" + uuid.uuid4().hex,
        "at": now,
        "kind": "consent.granted" if event["action"] == "grant" else "consent.withdrawn",
    }
    outbox["payload"] = orjson.dumps({
        "event_id": outbox["id"], "consent_event_id": event["id"], "customer_id": customer,
        "brand_id": brand, "purposes": event["purposes"], "at": event["at"],
        "recorded_at": now}).decode()  # fmt: skip
    rows, _ = await ctx.store.write_returning(
        RECORD_CHANGE, {**keys, "event": event, "outbox": outbox}
    )
    if not rows:
        found = (await ctx.store.read(CONSENT_ENDPOINTS, keys))[0]
        if not found["customer"]:
            raise not_found("customer", customer)
        raise not_found("brand", brand)
    consents = sorted(rows[0]["consents"], key=lambda k: -(k.get("granted_at") or 0))
    count = withdrawn[0]["withdrawn"] if withdrawn else 0
    ctx.audit.customers_read([customer], kind=f"consent_{event['action']}")
    stored = {k: event[k] for k in event if k != "granted_at"}
    return ConsentChange(
        customer_id=customer,
        brand_id=brand,
        event={**stored, "customer_id": customer, "brand_id": brand},
        withdrawn=int(count),
        consents=consents,
    )


async def consent_history(
    ctx: Context, customer_id: str, brand_id: str | None, limit: int
) -> list[Record]:
    """The customer's consent events (to ``brand_id``, or to every brand), newest first,
    at most ``limit``. Raises BAD_USER_INPUT or NOT_FOUND."""
    if not 1 <= limit <= MAX_HISTORY:
        raise bad_input(f"limit must be between 1 and {MAX_HISTORY}", "limit")
    customer = key_of("Customer", customer_id, "customerId")
    brand = None if brand_id is None else key_of("Brand", brand_id, "brandId")
    rows = await ctx.store.read(
        CONSENT_HISTORY, {"customer": customer, "brand": brand, "limit": limit}
    )
    if not rows or not rows[0]["found"]:
        raise not_found("customer", customer)
    ctx.audit.customers_read([customer])
    return list(rows[0]["events"])
