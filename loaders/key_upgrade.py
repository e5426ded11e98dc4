"""The one-off upgrade of email and phone keys to the plain-SHA-256 scheme (key version 2).

Keys written before key versions were SHA-256 of "email:" / "phone:" + a looser
normalisation (a phone kept its digits: 13812345678 and +86 138 1234 5678 never met).
Customers keep their raw email and phone, so their keys are recomputed. Accounts keep only
keys; an account whose old key equals a customer's old key carried that customer's value,
so its new key is computed from the customer's value (a phone read in the account's
platform's country). Accounts whose old keys match no customer cannot be recomputed: they
are marked ``key_version`` 1 and counted; loading their rows again refreshes them.

Idempotent and resumable: only nodes without ``key_version`` are read, a page of customers
at a time, and a customer gets its version last. Run at start-up (``hub serve``, every
``hub`` command that opens the graph) after graph.migrations.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from graph.identity_keys import (
    ACCOUNTS_WITH_OLD_KEYS,
    COUNT_OLD_ACCOUNTS,
    COUNT_UNVERSIONED_ACCOUNTS,
    KEY_VERSION,
    MARK_OLD_ACCOUNTS,
    SET_KEY_PROPERTY,
    UNVERSIONED_CUSTOMERS,
)
from graph.store import GraphStore
from loaders.contact_keys import account_region, email_key, phone_key
from loaders.linking import relink

PAGE = 1000
_NOT_PHONE = re.compile(r"[^\d+]")


def legacy_email_key(email: str) -> str:
    """The key the loaders wrote for ``email`` before key versions."""
    return hashlib.sha256(f"email:{email.strip().lower()}".encode()).hexdigest()


def legacy_phone_key(phone: str) -> str:
    """The key the loaders wrote for ``phone`` before key versions ('+' and digits)."""
    digits = _NOT_PHONE.sub("", phone.strip())
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    return hashlib.sha256(f"phone:{digits}".encode()).hexdigest()


@dataclass
class KeyUpgradeReport:
    customers: int = 0  # customers whose keys were recomputed
    accounts: int = 0  # accounts whose keys were recomputed from a customer's values
    accounts_left: int = 0  # accounts on old keys (key_version 1), from this run or before
    relinked: int = 0  # accounts whose link changed with their new keys
    # Per account, the keys recomputed so far (an account's email and phone may be those of
    # customers in different pages).
    _partial: dict[str, set[str]] = field(default_factory=dict, repr=False)
    _upgraded: set[str] = field(default_factory=set, repr=False)


async def upgrade_contact_keys(
    store: GraphStore, default_region: str | None, page: int = PAGE
) -> KeyUpgradeReport:
    """Recompute every key older than KEY_VERSION that can be; return the counts. A graph
    already upgraded costs three reads."""
    report = KeyUpgradeReport()
    after = ""
    while rows := await store.read(UNVERSIONED_CUSTOMERS, {"after": after, "limit": page}):
        after = rows[-1]["id"]
        await _upgrade_page(store, rows, default_region, report)
    if (await store.read(COUNT_UNVERSIONED_ACCOUNTS))[0]["accounts"]:
        await store.write(MARK_OLD_ACCOUNTS)
    report.accounts_left = (await store.read(COUNT_OLD_ACCOUNTS))[0]["accounts"]
    return report


async def _upgrade_page(
    store: GraphStore,
    customers: Sequence[dict[str, Any]],
    default_region: str | None,
    report: KeyUpgradeReport,
) -> None:
    emails = {legacy_email_key(c["email"]): c["email"] for c in customers if c["email"]}
    phones = {legacy_phone_key(c["phone"]): c["phone"] for c in customers if c["phone"]}
    accounts = await store.read(
        ACCOUNTS_WITH_OLD_KEYS, {"email_keys": sorted(emails), "phone_keys": sorted(phones)}
    )
    new: dict[str, list[dict[str, Any]]] = {"email_hash": [], "phone_hash": []}
    settled = []
    for a in accounts:
        done = report._partial.setdefault(a["id"], set())
        region = account_region(a["platform"], default_region)
        if a["email_hash"] in emails:
            new["email_hash"].append({"id": a["id"], "value": email_key(emails[a["email_hash"]])})
            done.add("email_hash")
        if a["phone_hash"] in phones:
            value = phone_key(phones[a["phone_hash"]], region)
            new["phone_hash"].append({"id": a["id"], "value": value})
            done.add("phone_hash")
        if all(a[k] is None or k in done for k in ("email_hash", "phone_hash")):
            settled.append({"id": a["id"], "value": KEY_VERSION})
            del report._partial[a["id"]]
    for prop, rows in new.items():
        if rows:
            await store.write(SET_KEY_PROPERTY["SocialAccount", prop], {"rows": rows})
    if settled:
        await store.write(SET_KEY_PROPERTY["SocialAccount", "key_version"], {"rows": settled})
    # The customers last: until a customer has its version, a run cut off here redoes it.
    customer_keys = {
        "email_hash": [{"id": c["id"], "value": email_key(c["email"])} for c in customers],
        "phone_hash": [
            {"id": c["id"], "value": phone_key(c["phone"], c["country"] or default_region)}
            for c in customers
        ],
        "key_version": [{"id": c["id"], "value": KEY_VERSION} for c in customers],
    }
    for prop, rows in customer_keys.items():
        await store.write(SET_KEY_PROPERTY["Customer", prop], {"rows": rows})
    report.customers += len(customers)
    upgraded = sorted({r["id"] for rows in new.values() for r in rows})
    report._upgraded.update(upgraded)
    report.accounts = len(report._upgraded)
    # Keys normalised alike now meet where the old ones did not: decide those accounts again.
    outcome = await relink(store, upgraded, int(time.time() * 1000))
    report.relinked += outcome.linked + outcome.unlinked
