"""Refuse rows that would bring an erased customer back (docs/privacy.md).

An erasure leaves `(:Erasure)` tombstones: keyed HMACs of the ids of the customer and of
the accounts, posts, purchases and complaints erased with it (graph/subject.py). Before a
batch is written, the ids each row names are hashed the same way and looked up in one
statement; a row naming a tombstone is rejected with the reason, like an invalid row.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from graph.store import GraphStore
from graph.subject import ANY_ERASURE, ERASED_AMONG, ERASED_KINDS, kind_key, tombstone_under

Row = dict[str, Any]
Named = tuple[str, str, Any]  # (row field, erased kind, id)
# Tombstone ids remembered per guard: a load names the same accounts, posts and customers
# row after row (an account's interactions, a customer's tags), and each id is an HMAC.
_REMEMBERED = 1 << 15


class ErasureKeyMissing(RuntimeError):
    """The graph holds erasures but the loader was given no key to recognise them."""


REASONS = {
    "customer": "customer was erased",
    "account": "the social account was erased with its customer",
    "post": "the post was erased with its customer",
    "purchase": "the purchase was erased with its customer",
    "complaint": "the complaint was erased with its customer",
}


def _customer(r: Row) -> list[Named]:
    return [("customer_id", "customer", r["customer_id"])]


def _account_if(r: Row, kind_field: str, id_field: str) -> list[Named]:
    return [(id_field, "account", r[id_field])] if r[kind_field] == "account" else []


# What each kind's prepared row names that an erasure can have removed.
NAMED: dict[str, Callable[[Row], list[Named]]] = {
    "customers": lambda r: [("id", "customer", r["id"])],
    "social_accounts": lambda r: [
        ("id", "account", r["id"]),
        ("customer_id", "customer", r["props"]["claimed_customer_id"]),
    ],
    "follows": lambda r: [
        ("account_id", "account", r["account_id"]),
        *_account_if(r, "target_kind", "target_id"),
    ],
    "purchases": lambda r: [("id", "purchase", r["id"]), *_customer(r)],
    "posts": lambda r: [("id", "post", r["id"]), *_account_if(r, "author_kind", "author_id")],
    "interactions": lambda r: [
        ("account_id", "account", r["account_id"]),
        ("post_id", "post", r["post_id"]),
    ],
    "complaints": lambda r: [
        ("id", "complaint", r["id"]),
        *_customer(r),
        *([("about_id", "purchase", r["about_id"])] if r["about_kind"] == "purchase" else []),
    ],
    "consents": _customer,
    "customer_tags": _customer,
    "customer_segments": _customer,
}


@dataclass
class ErasureGuard:
    """Finds the rows of a batch that name erased ids: one lookup statement per batch of a
    kind that can name them. Without a key, it only checks (once) that there is nothing to
    recognise, and raises ErasureKeyMissing otherwise."""

    store: GraphStore
    key: bytes | None
    _none_erased: bool = field(default=False, init=False)
    _tombstone: Callable[[str, str], str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        keys = {of: kind_key(self.key, of) for of in ERASED_KINDS} if self.key else {}

        @lru_cache(maxsize=_REMEMBERED)
        def tombstone(of: str, value: str) -> str:
            return tombstone_under(keys[of], value)

        self._tombstone = tombstone

    async def refused(self, kind: str, rows: Sequence[Row]) -> dict[int, list[str]]:
        """Row index -> reasons ('field: reason'), for the rows to reject."""
        named = NAMED.get(kind)
        if named is None or not rows:
            return {}
        if self.key is None:
            await self._nothing_to_recognise()
            return {}
        tombstone = self._tombstone
        wanted: dict[int, list[tuple[str, str, str]]] = {}
        for i, row in enumerate(rows):
            wanted[i] = [
                (f, of, tombstone(of, str(value)))
                for f, of, value in named(row)
                if value is not None
            ]
        ids = sorted({t for checks in wanted.values() for _, _, t in checks})
        erased = {r["id"] for r in await self.store.read(ERASED_AMONG, {"ids": ids})}
        if not erased:
            return {}
        return {
            i: [f"{f}: {REASONS[of]}" for f, of, t in checks if t in erased]
            for i, checks in wanted.items()
            if any(t in erased for _, _, t in checks)
        }

    async def _nothing_to_recognise(self) -> None:
        if self._none_erased:
            return
        if await self.store.read(ANY_ERASURE):
            raise ErasureKeyMissing(
                "the graph holds erased customers, and this load was given no erasure key "
                "to refuse their rows (hub load derives it from HUB_PSEUDONYM_KEY)"
            )
        self._none_erased = True
