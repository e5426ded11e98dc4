"""Deterministic identity linking: which customer (if any) owns each social account.

In order of precedence:
1. A human's decision (graph/identity_links.py): an account a human linked (`manual`) or
   whose candidate a human accepted (`accepted`) stays with that customer, whatever the
   evidence says, through every later load and run.
2. Exact evidence names candidate customers: the CRM id it claims (method ``crm_id``,
   confidence 1.0), the customers whose email hash equals its own (``email``, 0.95) and
   those whose phone hash does (``phone``, 0.9); customers a human rejected for this
   account are left out. A phone is a household's as often as a person's: a customer
   named by the phone alone whose name disagrees with the account's (another given name
   under the same surname, or another name altogether) is not named by it; the match
   model weighs that account instead (merge protection, docs/identity.md). A key that is
   a known placeholder's (a test address, 13800138000, one digit repeated: the values
   identity/contact.py lists) names no one. Exactly one
   candidate in all: link it, with the strongest method that names it. More than one
   (one account claimed by two customers, or one key on two customers): no link, and a
   conflict reported.
3. Otherwise the link the model made (`probabilistic`, loaders/resolution.py) is kept,
   unless a human rejected it.
Nothing is ever merged; the outcome depends only on the evidence and the decisions, never
on the order rows arrived in.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from graph.linking import (
    ACCOUNT_EVIDENCE,
    ACCOUNTS_TOUCHED_BY_CUSTOMERS,
    APPLY_LINKS,
)
from graph.store import GraphStore, WriteCounters
from identity.comparisons import ACCOUNT_COMPARISONS, compare_account
from identity.contact import placeholder_hash
from identity.profiles import account_profile, customer_profile
from identity.records import AccountRecord, CustomerRecord

METHODS: tuple[tuple[str, float], ...] = (("crm_id", 1.0), ("email", 0.95), ("phone", 0.9))
HUMAN_METHODS = ("manual", "accepted")
NAME = next(i for i, c in enumerate(ACCOUNT_COMPARISONS) if c.name == "name")
MODEL_METHOD = "probabilistic"


@dataclass(frozen=True)
class Decision:
    account_id: str
    customer_id: str | None
    method: str | None
    confidence: float | None
    conflict: str | None
    candidates: tuple[tuple[str, str], ...]  # (customer id, method) pairs behind a conflict
    model_version: str | None = None
    evidence: str | None = None  # JSON: the model's explanation, kept from a model link


def _rejected(evidence: dict[str, Any]) -> set[str]:
    return {d["customer_id"] for d in evidence.get("decisions") or []
            if d.get("decision") == "rejected"}  # fmt: skip


def _human_link(evidence: dict[str, Any]) -> dict[str, Any] | None:
    linked = [d for d in evidence.get("decisions") or [] if d.get("decision") == "linked"]
    return max(linked, key=lambda d: (d.get("at") or 0, d["customer_id"])) if linked else None


def decide(evidence: dict[str, Any]) -> Decision:
    """The link an account should have, from one ACCOUNT_EVIDENCE row."""
    account = evidence["id"]
    human = _human_link(evidence)
    if human is not None:
        return Decision(
            account, human["customer_id"], human.get("method") or "manual",
            human.get("confidence"), None, (), human.get("model_version"),
            human.get("evidence"),
        )  # fmt: skip
    rejected = _rejected(evidence)
    placeholders = _placeholders(evidence)
    named: dict[str, list[str]] = {
        "crm_id": [evidence["claimed"]] if evidence.get("claimed") else [],
        "email": [] if "email" in placeholders else sorted(evidence.get("by_email") or []),
        "phone": [] if "phone" in placeholders else sorted(evidence.get("by_phone") or []),
    }
    named = {m: [c for c in ids if c not in rejected] for m, ids in named.items()}
    named["phone"] = [
        c for c in named["phone"]
        if c in named["email"] or c in named["crm_id"] or not _names_disagree(evidence, c)
    ]  # fmt: skip
    candidates = sorted({c for ids in named.values() for c in ids})
    pairs = tuple((c, m) for m, _ in METHODS for c in named[m])
    if not candidates:
        return _model_link(evidence, rejected)
    if len(candidates) == 1:
        method, confidence = next((m, p) for m, p in METHODS if named[m])
        return Decision(account, candidates[0], method, confidence, None, ())
    shared = [m for m in ("email", "phone") if len(named[m]) > 1]
    if shared:
        reason = "; ".join(
            f"one {m} key on {len(named[m])} customers ({', '.join(named[m])})" for m in shared
        )
    else:
        reason = f"claimed by {len(candidates)} customers: " + ", ".join(
            f"{c} ({m})" for c, m in pairs
        )
    return Decision(account, None, None, None, reason, pairs)


def _placeholders(evidence: dict[str, Any]) -> set[str]:
    """The account's keys that are a known placeholder's ('email', 'phone'): a test
    address or a fake number names nobody, so it is no evidence (merge protection)."""
    account = evidence.get("account") or {}
    return {kind for key in (account.get("email_hash"), account.get("phone_hash"))
            if key and (kind := placeholder_hash(key))}  # fmt: skip


DISAGREE = frozenset({"family", "none"})  # name levels that say "someone else"


def _names_disagree(evidence: dict[str, Any], customer_id: str) -> bool:
    """Whether the account's display name and handle and the customer's name both say
    something and disagree: the same surname with another given name, or nothing alike."""
    account = evidence.get("account") or {}
    name = next((p.get("name") for p in evidence.get("phone_names") or []
                 if p.get("id") == customer_id), None)  # fmt: skip
    if not name or not (account.get("display_name") or account.get("handle")):
        return False
    levels = compare_account(
        account_profile(AccountRecord.from_row({**account, "id": evidence["id"]})),
        customer_profile(CustomerRecord(id=customer_id, name=name)),
    )
    level = levels[NAME]
    return level >= 0 and ACCOUNT_COMPARISONS[NAME].levels[level] in DISAGREE


def _model_link(evidence: dict[str, Any], rejected: set[str]) -> Decision:
    """No exact evidence: the model's link stays (if a human has not rejected it)."""
    for link in evidence.get("links") or []:
        if link.get("method") == MODEL_METHOD and link["customer_id"] not in rejected:
            return Decision(
                evidence["id"], link["customer_id"], MODEL_METHOD, link.get("confidence"),
                None, (), link.get("model_version"), link.get("evidence"),
            )  # fmt: skip
    return Decision(evidence["id"], None, None, None, None, ())


def _differs(decision: Decision, evidence: dict[str, Any]) -> bool:
    links = evidence.get("links") or []
    wanted = (
        [(decision.customer_id, decision.method, decision.confidence, decision.evidence)]
        if decision.customer_id
        else []
    )
    have = [(x["customer_id"], x["method"], x["confidence"], x.get("evidence")) for x in links]
    return have != wanted or evidence.get("conflict") != decision.conflict


@dataclass
class LinkOutcome:
    linked: int = 0  # accounts whose link was made or moved
    unlinked: int = 0  # accounts whose link was removed (conflict or evidence gone)
    conflicts: list[Decision] | None = None
    counters: WriteCounters = field(default_factory=WriteCounters)


async def relink(store: GraphStore, account_ids: Iterable[str], now: int) -> LinkOutcome:
    """Bring the links of ``account_ids`` in line with their evidence; return what changed
    and every conflict found (reported each time, whether or not it is new)."""
    ids = sorted(set(account_ids))
    outcome = LinkOutcome(conflicts=[])
    if not ids:
        return outcome
    evidence = await store.read(ACCOUNT_EVIDENCE, {"ids": ids})
    changes = []
    # In id order: the engines' row order after the statement's optional matches is theirs.
    for row in sorted(evidence, key=lambda r: str(r["id"])):
        decision = decide(row)
        if decision.conflict:
            assert outcome.conflicts is not None
            outcome.conflicts.append(decision)
        if _differs(decision, row):
            changes.append(
                {"account_id": decision.account_id, "customer_id": decision.customer_id,
                 "method": decision.method, "confidence": decision.confidence,
                 "model_version": decision.model_version, "evidence": decision.evidence,
                 "conflict": decision.conflict}
            )  # fmt: skip
            if decision.customer_id:
                outcome.linked += 1
            elif row.get("links"):
                outcome.unlinked += 1
    if changes:
        outcome.counters = await store.write(APPLY_LINKS, {"changes": changes, "now": now})
    return outcome


async def accounts_touched(
    store: GraphStore, customers: Sequence[dict[str, Any]], old_keys: Sequence[dict[str, Any]]
) -> list[str]:
    """Accounts whose link may change because these prepared customer rows were written:
    accounts sharing a key the customers have now or had before, claiming them, or linked
    to them."""
    if not customers:
        return []
    keys = [c["props"] for c in customers] + list(old_keys)
    params = {
        "ids": [c["id"] for c in customers],
        "email_hashes": sorted({k["email_hash"] for k in keys if k["email_hash"]}),
        "phone_hashes": sorted({k["phone_hash"] for k in keys if k["phone_hash"]}),
    }
    return [r["id"] for r in await store.read(ACCOUNTS_TOUCHED_BY_CUSTOMERS, params)]
