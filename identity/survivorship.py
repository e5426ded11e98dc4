"""How two CRM records of one person become one: the survivor's profile (survivorship) and
the consents of both (a withdrawal on either side holds). Plain data in, plain data out;
resolvers/merge.py applies the result to the graph (docs/identity.md, "Duplicates and
merges"). The same rules decide which of a profile's fields a write changes
(``surviving_fields``: upsertCustomer and identify events, docs/operations.md).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

# Sources from the most trusted to the least, as a customer's `source` property names
# them. The loaders do not set `source` yet, so today every record ranks the same and the
# most recent one decides.
SOURCE_TRUST: tuple[str, ...] = ("crm", "commerce", "support", "social")

# Kept as they are (the survivor's), never taken from the merged record. (`field_sources`
# and `profile_version` are the per-field provenance and version of surviving_fields.)
BOOKKEEPING = frozenset({"id", "row_hash", "updated_at", "restricted_at", "created_at",
                         "field_sources", "profile_version", "key_version"})  # fmt: skip

# Properties that go together: the one chosen record gives all of them (a hash with the
# value it hashes).
GROUPS: tuple[tuple[str, ...], ...] = (("email", "email_hash"), ("phone", "phone_hash"))


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str | list) and len(value) == 0)


def _rank(record: Mapping[str, Any], trust: Sequence[str]) -> tuple[int, int]:
    """Sort key, best first: the source's place in ``trust`` (unknown last), then the
    newest record (the time its row was loaded, ``updated_at``, else ``created_at``)."""
    source = record.get("source")
    place = trust.index(source) if source in trust else len(trust)
    recency = record.get("updated_at") or record.get("created_at") or 0
    return place, -int(recency)


def _field_groups(fields: set[str]) -> list[tuple[str, ...]]:
    """``fields`` as the groups chosen together (GROUPS), then one group per other field."""
    grouped = {name for group in GROUPS for name in group}
    groups = [g for g in GROUPS if fields & set(g)]
    return groups + [(name,) for name in sorted(fields - grouped)]


def surviving_profile(
    survivor: Mapping[str, Any], merged: Mapping[str, Any], trust: Sequence[str] = SOURCE_TRUST
) -> dict[str, Any]:
    """The survivor's properties that change when ``merged`` is merged into it, as
    {name: new value}: per field (or group of fields), the value of the record from the
    most trusted source, then the most recent, among those where it is not empty; the
    survivor on a tie. ``created_at`` becomes the earlier of the two. Returns {} when
    nothing changes."""
    ranked = sorted([survivor, merged], key=lambda r: _rank(r, trust))  # stable: survivor first
    fields = (set(survivor) | set(merged)) - BOOKKEEPING
    chosen: dict[str, Any] = {}
    for group in _field_groups(fields):
        source = next(
            (r for r in ranked if any(not _empty(r.get(name)) for name in group)), survivor
        )
        chosen.update({name: source.get(name) for name in group})
    created = [r["created_at"] for r in (survivor, merged) if r.get("created_at") is not None]
    if created:
        chosen["created_at"] = min(created)
    return {k: v for k, v in chosen.items() if survivor.get(k) != v}


@dataclass(frozen=True)
class FieldClaim:
    """One field's value as a source gave it, and when (epoch ms)."""

    value: Any
    source: str | None
    at: int


def surviving_fields(
    current: Mapping[str, FieldClaim], incoming: Mapping[str, FieldClaim],
    trust: Sequence[str] = SOURCE_TRUST,
) -> dict[str, FieldClaim]:  # fmt: skip
    """The claims of ``incoming`` that win over ``current``'s, field by field (a group of
    GROUPS as one), by the rule of ``surviving_profile``: among the non-empty values, the
    most trusted source's, then the most recent; the current value on a tie. A field
    without a current claim takes any non-empty incoming value. Returns {} when nothing
    changes."""
    won: dict[str, FieldClaim] = {}
    for group in _field_groups(set(incoming) - BOOKKEEPING):
        kept = {n: current[n] for n in group if n in current}
        given = {n: incoming[n] for n in group if n in incoming}
        sides = [side for side in (kept, given) if side]
        # As surviving_profile ranks records: each side as one, by its source and time.
        ranked = sorted(sides, key=lambda side: _rank(_as_record(side), trust))  # stable
        winner = next((s for s in ranked if any(not _empty(c.value) for c in s.values())), None)
        if winner is given and any(kept.get(n) != c for n, c in given.items()):
            won.update(given)
    return won


def _as_record(claims: Mapping[str, FieldClaim]) -> dict[str, Any]:
    """A group's claims (one source, one time) as the record ``_rank`` ranks."""
    first = next(iter(claims.values()))
    return {"source": first.source, "updated_at": max(c.at for c in claims.values())}


@dataclass
class Consent:
    """One CONSENTED relationship: its side ('survivor' or 'merged'), brand, properties."""

    side: str
    brand: str
    props: dict[str, Any]


@dataclass
class ConsentPlan:
    """What the merge changes in consents: ``withdrawn`` (index into the input, new
    ``withdrawn_at``) and ``added`` (the rest of a partly withdrawn grant, granted anew)."""

    withdrawn: dict[int, int] = field(default_factory=dict)
    added: list[Consent] = field(default_factory=list)


def reconcile_consents(consents: Sequence[Consent]) -> ConsentPlan:
    """A withdrawal on either side holds for the person: every grant of the other side to
    the same brand, given before the withdrawal and still open then, is withdrawn at its
    time for the purposes withdrawn. As graph/consent.py does, the grant is withdrawn whole
    and what it held besides is granted anew (same source and policy version), so each
    relationship keeps one meaning. Grants given after a withdrawal stand."""
    plan = ConsentPlan()
    live: list[tuple[int | None, Consent]] = [
        (i, Consent(c.side, c.brand, dict(c.props))) for i, c in enumerate(consents)
    ]
    withdrawals = sorted(
        (c.props["withdrawn_at"], c.side, c.brand, set(c.props.get("purposes") or []))
        for c in consents
        if c.props.get("withdrawn_at") is not None
    )
    for at, side, brand, purposes in withdrawals:
        for index, grant in list(live):  # a rest granted here may be withdrawn later
            props = grant.props
            until = props.get("withdrawn_at")
            held = list(props.get("purposes") or [])
            if (
                grant.side == side
                or grant.brand != brand
                or not purposes.intersection(held)
                or props.get("granted_at") is None
                or props["granted_at"] >= at
                or (until is not None and until <= at)
            ):
                continue
            props["withdrawn_at"] = at
            if index is not None:
                plan.withdrawn[index] = at
            rest = [p for p in held if p not in purposes]
            if rest:
                kept: dict[str, Any] = {
                    k: props[k] for k in ("source", "policy_version") if k in props
                }
                added = Consent(grant.side, brand, {**kept, "purposes": rest, "granted_at": at})
                if until is not None:
                    added.props["withdrawn_at"] = until
                plan.added.append(added)
                live.append((None, added))
    return plan
