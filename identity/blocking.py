"""Blocking: which pairs are worth comparing at all.

A rule gives each record a few keys; two records sharing a key under any rule are a
candidate pair. The rules are several and loose on purpose (recall first: a pair not
proposed here can never be linked); the comparisons and the model then decide.
`block()` returns every candidate pair once, with a bit per rule that proposed it, so
the recall of each rule can be measured (bench/identity.py).

A key held by more than `max_block` records on the indexed side is too common to block
on (say, a surname with a given initial held by a thousand customers): it is skipped and
counted, never silently truncated.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain
from typing import Generic, TypeVar

import numpy as np
import numpy.typing as npt

from identity import pinyin
from identity.contact import national_digits
from identity.handles import Handle
from identity.names import NameForm
from identity.places import Place
from identity.profiles import AccountProfile, CustomerProfile, Email, Phone

L = TypeVar("L")
R = TypeVar("R")
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class BlockingRule(Generic[L, R]):
    """Pairs whose ``left_keys`` and ``right_keys`` share a key."""

    name: str
    left_keys: Callable[[L], Iterable[str]]
    right_keys: Callable[[R], Iterable[str]]
    description: str = ""


@dataclass
class Candidates:
    """Candidate pairs as parallel arrays (sorted by left, then right), with a bitmask of
    the rules (by index) that proposed each pair."""

    left: IntArray
    right: IntArray
    rules: IntArray
    rule_names: tuple[str, ...]
    skipped_keys: dict[str, int] = field(default_factory=dict)  # rule -> keys over the cap

    def __len__(self) -> int:
        return len(self.left)


# -- keys -------------------------------------------------------------------------------


def _surname_initial(name: NameForm) -> frozenset[str]:
    return name.surname_initials


def _handle_surname_initial(handle: Handle) -> frozenset[str]:
    """Run-together pinyin in a handle, either order: wangwei / weiwang -> 'wang|w'."""
    return _windows_surname_initial(handle.windows)


@lru_cache(maxsize=65536)
def _windows_surname_initial(windows: frozenset[str]) -> frozenset[str]:
    keys = set()
    for window in windows:
        syllables = pinyin.split_syllables(window)
        if not syllables or not 2 <= len(syllables) <= 4:
            continue
        surnames = pinyin.pinyin_surnames()
        if syllables[0] in surnames:
            keys.add(f"{syllables[0]}|{syllables[1][0]}")
        if syllables[-1] in surnames:
            keys.add(f"{syllables[-1]}|{syllables[0][0]}")
    return frozenset(keys)


def _account_surname_initial(a: AccountProfile) -> set[str]:
    """Surname+initial, narrowed by a birth year read in the handle or by the place (on
    its own, 'wang|w' would pair an account with every Wang W. in the CRM)."""
    names = _surname_initial(a.name) | _handle_surname_initial(a.handle)
    narrowing = [str(y) for y in a.handle.years] + _places(a.place)
    return {f"{n}|{x}" for n in names for x in narrowing}


def _customer_surname_initial(c: CustomerProfile) -> set[str]:
    narrowing = ([str(c.birth_year)] if c.birth_year else []) + _places(c.place)
    return {f"{n}|{x}" for n in _surname_initial(c.name) for x in narrowing}


def _customer_name_keys(c: CustomerProfile) -> frozenset[str]:
    return c.name.keys


def _display_keys(a: AccountProfile) -> frozenset[str]:
    return a.name.initials if a.name.abbreviated else a.name.full


def _places(place: Place) -> list[str]:
    return [k for k in (place.city, place.region) if k]


def _phone_keys(phone: Phone) -> set[str]:
    keys = {f"h:{h}" for h in phone.hashes}
    if phone.mask is not None and len(phone.mask.prefix) >= 3 and len(phone.mask.suffix) >= 4:
        keys.add(f"m:{phone.mask.prefix[:3]}{phone.mask.suffix[-4:]}")
    if phone.e164:
        # What a mask of this number would show: the national number's first three and
        # last four digits.
        national = national_digits(phone.e164)
        if len(national) >= 8:
            keys.add(f"m:{national[:3]}{national[-4:]}")
    return keys


def _email_keys(email: Email) -> set[str]:
    keys = {f"h:{h}" for h in email.hashes}
    if email.mask is not None and len(email.mask.prefix) >= 2:
        keys.add(f"m:{email.mask.prefix[:2]}@{email.mask.domain}")
    if email.address:
        local, _, domain = email.address.partition("@")
        keys.add(f"m:{local[:2]}@{domain}")
    return keys


ACCOUNT_RULES: tuple[BlockingRule[AccountProfile, CustomerProfile], ...] = (
    BlockingRule(
        "surname_initial",
        _account_surname_initial,
        _customer_surname_initial,
        "pinyin or Latin surname with the given name's initial (from the display name or "
        "run-together pinyin in the handle), and a birth year in the handle or the place",
    ),
    BlockingRule(
        "handle_name",
        lambda a: a.handle.windows,
        _customer_name_keys,
        "a run of words in the handle is the customer's full name or surname+initial",
    ),
    BlockingRule(
        "display_name",
        _display_keys,
        _customer_name_keys,
        "the display name is the customer's full name (any script, short forms) or initials",
    ),
    BlockingRule(
        "phone",
        lambda a: _phone_keys(a.phone),
        lambda c: _phone_keys(c.phone),
        "phone hash, or the first 3 and last 4 digits a mask shows",
    ),
    BlockingRule(
        "email",
        lambda a: _email_keys(a.email),
        lambda c: _email_keys(c.email),
        "email hash, or the first 2 letters and the domain a mask shows",
    ),
    BlockingRule(
        "claimed",
        lambda a: [a.claimed] if a.claimed else [],
        lambda c: [c.id],
        "the CRM id the account claims",
    ),
)


def _customer_contact(c: CustomerProfile) -> set[str]:
    return {f"h:{h}" for h in c.email.hashes | c.phone.hashes}


def _email_typo(c: CustomerProfile) -> list[str]:
    """Domain and the first three letters, with the birth year: one slip later in the
    address still meets. (Without the year, 'wan@163.com' alone paired every Wang with a
    163.com address: 124,000 pairs for 5 duplicates, none of them within reach of the
    review threshold.)"""
    local, _, domain = c.email.address.partition("@")
    if len(local) < 3:
        return []
    return [f"{local[:3]}@{domain}|{c.birth_year or ''}"]


def _duplicate_surname_initial(c: CustomerProfile) -> set[str]:
    """Surname+initial narrowed by the birth year *and* the place when both are known
    (either alone when only one is): two records of one person that share neither a full
    name nor a contact value rarely differ in both. (With either one, 'wang|w|上海' paired
    105,000 records that met on nothing else, for 13 duplicates, all below 0.01.)"""
    places = _places(c.place) or [""]
    year = str(c.birth_year) if c.birth_year else ""
    if not year and places == [""]:
        return set()
    return {f"{n}|{year}|{p}" for n in _surname_initial(c.name) for p in places}


def _identifier(c: CustomerProfile) -> list[str]:
    return [c.national_id] if c.national_id else []


def _birth_date(c: CustomerProfile) -> list[str]:
    if c.birthday is None or c.birth_year is None:
        return []
    return [f"{c.birth_year}-{c.birthday[0]:02d}-{c.birthday[1]:02d}"]


def _street(c: CustomerProfile) -> list[str]:
    """Postcode with the first word of the street address (the house number, usually)."""
    first = c.address.split(" ", 1)[0] if c.address else ""
    return [f"{c.postcode}|{first}"] if c.postcode and first else []


def _surname_postcode(c: CustomerProfile) -> list[str]:
    """A surname (either end of a Latin name, the only word of a one-word name) with the
    postcode: a second record with its given name left out or retyped past one slip."""
    if not c.postcode:
        return []
    name = c.name
    surnames = name.family or (frozenset(name.tokens) if len(name.tokens) == 1 else ())
    return [f"{s}|{c.postcode}" for s in surnames]


CUSTOMER_RULES: tuple[BlockingRule[CustomerProfile, CustomerProfile], ...] = (
    BlockingRule(
        "full_name",
        lambda c: c.name.full,
        lambda c: c.name.full,
        "the same full name in any script or short form",
    ),
    BlockingRule(
        "surname_initial",
        _duplicate_surname_initial,
        _duplicate_surname_initial,
        "surname with the given name's initial, the birth year and the place",
    ),
    BlockingRule("contact", _customer_contact, _customer_contact, "the same email or phone"),
    BlockingRule(
        "email_typo", _email_typo, _email_typo, "email domain and first letters, birth year"
    ),
    BlockingRule("identifier", _identifier, _identifier, "the same national id"),
    BlockingRule("birth_date", _birth_date, _birth_date, "the same date of birth"),
    BlockingRule("street", _street, _street, "postcode and house number"),
    BlockingRule(
        "surname_postcode", _surname_postcode, _surname_postcode, "a surname and the postcode"
    ),
)


# -- blocking ---------------------------------------------------------------------------


@dataclass
class _RuleIndex:
    """One rule's keys of the indexed side: key -> number, and each key's records as a
    run of ``members`` (records of key number k: members[starts[k]:starts[k + 1]])."""

    numbers: dict[str, int]
    starts: IntArray
    members: IntArray


class BlockIndex(Generic[L, R]):
    """The indexed (right) side's blocking keys, built once: `candidates` looks up any
    number of left records in it, a chunk at a time if need be (the index is what stays
    in memory, not the pairs). Keys held by more than ``max_block`` records are left out
    and counted in ``skipped_keys``."""

    def __init__(
        self, right: Sequence[R], rules: Sequence[BlockingRule[L, R]], max_block: int = 2000
    ) -> None:
        self.rules = tuple(rules)
        self.size = len(right)
        self.skipped_keys: dict[str, int] = {}
        self._indexes = []
        for rule in self.rules:
            groups = _index(right, rule.right_keys)
            too_common = sum(1 for members in groups.values() if len(members) > max_block)
            if too_common:
                self.skipped_keys[rule.name] = too_common
            kept = {k: v for k, v in groups.items() if len(v) <= max_block}
            self._indexes.append(_csr(kept))

    def candidates(self, left: Sequence[L]) -> Candidates:
        """Every (left, right) pair sharing a key under some rule, once, sorted."""
        lefts, rights, bits = [], [], []
        for bit, (rule, index) in enumerate(zip(self.rules, self._indexes, strict=True)):
            records, numbers = [], []
            get = index.numbers.get
            for i, record in enumerate(left):
                for key in rule.left_keys(record):
                    number = get(key)
                    if number is not None:
                        records.append(i)
                        numbers.append(number)
            found_left, found_right = _expand(index, records, numbers)
            lefts.append(found_left)
            rights.append(found_right)
            bits.append(np.full(len(found_left), 1 << bit, dtype=np.int64))
        return _merge(lefts, rights, bits, self.size, self.rules, dict(self.skipped_keys))


def block(
    left: Sequence[L],
    right: Sequence[R],
    rules: Sequence[BlockingRule[L, R]],
    max_block: int = 2000,
) -> Candidates:
    """Every (left, right) pair sharing a key under some rule, once."""
    return BlockIndex(right, rules, max_block).candidates(left)


def block_within(
    records: Sequence[R], rules: Sequence[BlockingRule[R, R]], max_block: int = 2000
) -> Candidates:
    """Every pair (i < j) of ``records`` sharing a key under some rule, once."""
    lefts, rights, bits = [], [], []
    skipped: dict[str, int] = {}
    for bit, rule in enumerate(rules):
        groups = _index(records, rule.right_keys)
        too_common = sum(1 for members in groups.values() if len(members) > max_block)
        if too_common:
            skipped[rule.name] = too_common
        index = _csr({k: v for k, v in groups.items() if 1 < len(v) <= max_block})
        # Each record against every member of each of its keys, the later ones only.
        sizes = np.diff(index.starts)
        numbers = np.repeat(np.arange(len(sizes), dtype=np.int64), sizes)
        found_left, found_right = _expand(index, index.members, numbers)
        later = found_right > found_left
        lefts.append(found_left[later])
        rights.append(found_right[later])
        bits.append(np.full(int(later.sum()), 1 << bit, dtype=np.int64))
    return _merge(lefts, rights, bits, len(records), rules, skipped)


def _index(records: Sequence[R], keys: Callable[[R], Iterable[str]]) -> dict[str, list[int]]:
    index: dict[str, list[int]] = {}
    for i, record in enumerate(records):
        for key in keys(record):
            members = index.get(key)
            if members is None:
                index[key] = [i]
            elif members[-1] != i:  # a record's keys may repeat: each record once
                members.append(i)
    return index


def _csr(groups: dict[str, list[int]]) -> _RuleIndex:
    numbers = {key: n for n, key in enumerate(groups)}
    sizes = np.fromiter(map(len, groups.values()), dtype=np.int64, count=len(groups))
    starts = np.zeros(len(groups) + 1, dtype=np.int64)
    np.cumsum(sizes, out=starts[1:])
    members = np.fromiter(chain.from_iterable(groups.values()), dtype=np.int64,
                          count=int(starts[-1]))  # fmt: skip
    return _RuleIndex(numbers, starts, members)


def _expand(
    index: _RuleIndex, records: Sequence[int] | IntArray, numbers: Sequence[int] | IntArray
) -> tuple[IntArray, IntArray]:
    """Each (record, key number) against every member of that key: (records, members)."""
    record = np.asarray(records, dtype=np.int64)
    number = np.asarray(numbers, dtype=np.int64)
    first, sizes = index.starts[number], np.diff(index.starts)[number]
    total = int(sizes.sum())
    # Positions first[n], first[n]+1, ... for each lookup n, without a Python loop.
    offsets = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    return np.repeat(record, sizes), index.members[np.repeat(first, sizes) + offsets]


def _merge(
    lefts: list[IntArray],
    rights: list[IntArray],
    bits: list[IntArray],
    n_right: int,
    rules: Sequence[BlockingRule[L, R]],
    skipped: dict[str, int],
) -> Candidates:
    names = tuple(r.name for r in rules)
    width = max(n_right, 1)
    pair = np.concatenate([np.zeros(0, dtype=np.int64), *lefts]) * width + np.concatenate(
        [np.zeros(0, dtype=np.int64), *rights]
    )
    if len(pair) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return Candidates(empty, empty.copy(), empty.copy(), names, skipped)
    mask = np.concatenate(bits)
    order = np.argsort(pair, kind="stable")
    pair, mask = pair[order], mask[order]
    starts = np.flatnonzero(np.r_[True, pair[1:] != pair[:-1]])
    unique = pair[starts]
    merged = np.bitwise_or.reduceat(mask, starts)
    return Candidates(unique // width, unique % width, merged, names, skipped)
