"""Merge protection: contact values that name no one in particular.

A phone or email on several CRM records of people whose names disagree (not the same
name in any script or short form, nor one slip apart) is a household
number or a shared mailbox (or a clerk's filler): as evidence it would link an account,
or merge two customers, on the strength of a number half a family shares. Such values are
dropped from every profile that carries them, on both sides, and recorded in the
profile's ``placeholders`` ('shared phone', 'shared email'), so a decision can say which
rule stopped a link. Test addresses and fake numbers are dropped earlier, as
placeholders (identity/contact.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from itertools import combinations
from typing import TypeVar

from identity.comparisons import one_edit
from identity.names import NameForm
from identity.profiles import NO_EMAIL, NO_PHONE, AccountProfile, CustomerProfile

P = TypeVar("P", AccountProfile, CustomerProfile)
MANY = 4  # holders from which a value is shared whatever the names say


def shared_contacts(customers: Sequence[CustomerProfile]) -> frozenset[str]:
    """Hashes of phones and emails held by several customers who are not one person by
    name (no two of them share a full name in any script or short form), or by MANY."""
    holders: dict[str, list[CustomerProfile]] = defaultdict(list)
    for customer in customers:
        for digest in customer.phone.hashes | customer.email.hashes:
            holders[digest].append(customer)
    shared = set()
    for digest, owners in holders.items():
        if len(owners) < 2:
            continue
        if len(owners) >= MANY or any(
            not _one_name(a.name, b.name) for a, b in combinations(owners, 2)
        ):
            shared.add(digest)
    return frozenset(shared)


def _one_name(a: NameForm, b: NameForm) -> bool:
    """The same name in any script or short form, or one slip apart (Robert / Robret
    Smith): a second record typed with a slip is the same person, not a relative. Two
    different Han names are two names (a slip typing Han gives a homophone, the same
    name in pinyin)."""
    if not a.full.isdisjoint(b.full):
        return True
    return not (a.han and b.han) and one_edit(a.written, b.written)


def without_shared(profile: P, shared: frozenset[str]) -> P:
    """``profile`` with its shared contact values dropped (and recorded)."""
    notes: list[str] = []
    phone, email = profile.phone, profile.email
    if not phone.hashes.isdisjoint(shared):
        phone, notes = NO_PHONE, [*notes, "shared phone"]
    if not email.hashes.isdisjoint(shared):
        email, notes = NO_EMAIL, [*notes, "shared email"]
    if not notes:
        return profile
    return replace(profile, phone=phone, email=email,
                   placeholders=(*profile.placeholders, *notes))  # fmt: skip
