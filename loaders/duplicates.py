"""Record a run of the CRM duplicate model in the graph as SAME_AS candidates.

What `hub resolve` calls with the pair decisions of ``identity.pipeline.resolve_duplicates``
(docs/identity.md, "Duplicates and merges"). Every decision, 'link' or 'review', is a
candidate for a person to merge or reject: customers are never merged automatically.
"""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from graph.duplicates import DUPLICATE_SIDES, REMOVE_CANDIDATES, SAME_AS_ALL, UPSERT_CANDIDATES
from graph.store import GraphStore, WriteCounters
from identity.decisions import PairDecision

# Why a proposed pair was not recorded (the keys of DuplicateOutcome.skipped).
SKIP_SAME = "same customer"
SKIP_MISSING = "customer not in the graph (erased, merged away or never loaded)"
SKIP_RESTRICTED = "customer's processing is restricted"
SKIP_MERGED = "customer already merged"
SKIP_REJECTED = "rejected by a person"
SKIP_REPEATED = "pair proposed twice in the run"


@dataclass
class DuplicateOutcome:
    """What a run changed: candidates added, changed (probability, evidence or model
    version), removed (no longer proposed), and the proposals skipped, by reason."""

    added: int = 0
    changed: int = 0
    removed: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    counters: WriteCounters = field(default_factory=WriteCounters)


def evidence_json(decision: PairDecision) -> str:
    """The decision's explanation as the JSON string a SAME_AS keeps (keys sorted, so an
    unchanged explanation is the same string)."""
    return orjson.dumps(decision.explanation.to_dict(), option=orjson.OPT_SORT_KEYS).decode()


async def record_duplicates(
    store: GraphStore, decisions: Sequence[PairDecision], model_version: str, now: int
) -> DuplicateOutcome:
    """Make the graph's SAME_AS candidates those of ``decisions`` (a whole run: candidates
    it does not propose are removed). Writes only what changed, so a re-run with the same
    decisions writes nothing; never touches a pair a person rejected; never proposes a
    pair with a side erased, restricted or merged away. Returns the counts."""
    outcome = DuplicateOutcome()
    skipped: Counter[str] = Counter()
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for d in decisions:
        left, right = sorted((d.left_id, d.right_id))
        if left == right:
            skipped[SKIP_SAME] += 1
            continue
        if (left, right) in rows:
            skipped[SKIP_REPEATED] += 1
            if d.probability <= rows[(left, right)]["probability"]:
                continue
        rows[(left, right)] = {
            # Rounded as account links are: the embedded engine keeps a float as text, and
            # a re-run must find the same value to write nothing.
            "left": left, "right": right, "probability": round(float(d.probability), 6),
            "evidence": evidence_json(d), "model_version": model_version,
        }  # fmt: skip
    ids = sorted({i for pair in rows for i in pair})
    sides = {r["id"]: r for r in await store.read(DUPLICATE_SIDES, {"ids": ids})} if ids else {}
    existing = {(r["left"], r["right"]): r for r in await store.read(SAME_AS_ALL)}
    writes = []
    for pair, row in rows.items():
        reason = _unfit(pair, sides)
        if reason is None and existing.get(pair, {}).get("status") == "rejected":
            reason = SKIP_REJECTED
        if reason is not None:
            skipped[reason] += 1
            rows[pair] = {}
            continue
        have = existing.get(pair)
        if have is None:
            outcome.added += 1
        elif any(have[k] != row[k] for k in ("probability", "evidence", "model_version")):
            outcome.changed += 1
        else:
            continue
        writes.append(row)
    if writes:
        outcome.counters += await store.write(UPSERT_CANDIDATES, {"rows": writes, "now": now})
    stale = [
        {"left": left, "right": right}
        for (left, right), have in existing.items()
        if have["status"] == "candidate" and not rows.get((left, right))
    ]
    if stale:
        counters = await store.write(REMOVE_CANDIDATES, {"pairs": stale})
        outcome.removed = counters.relationships_deleted
        outcome.counters += counters
    outcome.skipped = dict(skipped)
    return outcome


def _unfit(pair: tuple[str, str], sides: dict[str, dict[str, Any]]) -> str | None:
    """Why a pair may not be a candidate, or None."""
    found = [sides.get(i) for i in pair]
    if any(s is not None and s["merged"] for s in found):
        return SKIP_MERGED
    if any(s is None or not s["found"] for s in found):
        return SKIP_MISSING
    if any(s is not None and s["restricted"] for s in found):
        return SKIP_RESTRICTED
    return None
