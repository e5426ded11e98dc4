"""Fraud and anomaly patterns over purchases, each flag with a score and its evidence.

Three patterns, each scored as surprise in bits (``-log2`` of how likely the customer's
record is under the ordinary behaviour), so they add up into one ranking:

- **rings**: customers linked by a shared payment fingerprint, device or delivery address
  (hashed, never raw). Two people sharing an address is a household; a connected group of
  ``min_ring`` or more is a ring. A value held by more than ``max_sharers`` customers (a
  parcel locker, a shop's card reader) links no one.
- **bursts**: the most purchases (or refunds) in any ``window_days`` window, against the
  rate the customer's own history outside that window predicts (Poisson tail).
- **refund abuse**: refunds out of purchases against the population's refund rate
  (binomial tail).

The patterns read a summary of the purchases (analytics/fraud_evidence.py: a ``History``
per customer, the ``Population``'s totals, the ``SharedValue``s), which ``summarise``
computes from plain records and graph/fraud.py's statements compute in the graph, so both
are scored by the same code (``signals``, ``scores_of``). ``features`` gives the same
evidence as plain numbers, for baselines such as an isolation forest. Evaluation and
limits: docs/predictions.md.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from analytics.components import Groups
from analytics.fraud_evidence import (
    FINGERPRINTS,
    MIN_BURST,
    Evidence,
    FraudConfig,
    History,
    Population,
    PurchaseEvent,
    SharedValue,
    densest_window,
    summarise,
)

# The evidence's types come with the patterns, for their callers.
__all__ = [
    "FEATURES", "FINGERPRINTS", "MIN_BURST", "Evidence", "Flag", "FraudConfig", "History",
    "Population", "PurchaseEvent", "SharedValue", "Signal", "densest_window", "features",
    "flag", "scores", "scores_of", "signals", "summarise",
]  # fmt: skip

Array = NDArray[np.float64]

FEATURES = (
    "ring_size",
    "shared_with",
    "purchases",
    "burst_purchases",
    "burst_refunds",
    "refunds",
    "refund_rate",
)
_PRIOR_DAYS = 30.0  # a short history borrows 30 days at the population's rate
_RING_BITS = 10.0  # a ring's base score: the flag threshold
_MAX_BITS = 60.0  # caps one pattern's surprise, so a single extreme cannot drown the rest
_MIN_SIGNAL_BITS = 1.0  # less is no evidence at all


@dataclass(frozen=True, slots=True)
class Flag:
    """A flagged customer: the summed surprise in bits and the evidence in words."""

    customer_id: str
    score: float
    evidence: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Signal:
    """One instance of one pattern, scored in bits: ``kind`` is ``ring``, ``burst``,
    ``refund_burst`` or ``refund_abuse``; ``customers`` sorted; ``details`` the numbers
    behind it (see ``signals``)."""

    kind: str
    score: float
    customers: tuple[str, ...]
    details: dict[str, float] = field(default_factory=dict)
    shared: dict[str, int] = field(default_factory=dict)  # ring: kind -> shared values


@dataclass(frozen=True, slots=True)
class _Ring:
    members: tuple[str, ...]
    kinds: tuple[str, ...]
    values: dict[str, int]  # kind -> values shared inside the ring


@dataclass(frozen=True, slots=True)
class _Profile:
    ring_size: int
    ring_kinds: tuple[str, ...]
    shared_with: int
    purchases: int
    refunds: int
    burst_purchases: int
    burst_purchase_bits: float
    burst_expected: float
    burst_refunds: int
    burst_refund_bits: float
    burst_refund_expected: float
    refund_bits: float


def flag(events: Iterable[PurchaseEvent], config: FraudConfig | None = None) -> list[Flag]:
    """Customers whose patterns add up to ``config.min_bits`` or more, highest score first."""
    config = config or FraudConfig()
    flags = [_flag(c, p) for c, p in _profiles(summarise(events, config), config)[0].items()]
    kept = [f for f in flags if f.score >= config.min_bits]
    return sorted(kept, key=lambda f: (-f.score, f.customer_id))


def scores(events: Iterable[PurchaseEvent], config: FraudConfig | None = None) -> dict[str, float]:
    """Every customer's summed surprise in bits (0 for an ordinary record)."""
    config = config or FraudConfig()
    return scores_of(summarise(events, config), config)


def scores_of(evidence: Evidence, config: FraudConfig | None = None) -> dict[str, float]:
    """The summed surprise in bits of every customer ``evidence`` holds."""
    profiles, _ = _profiles(evidence, config or FraudConfig())
    return {c: _flag(c, p).score for c, p in profiles.items()}


def features(
    events: Iterable[PurchaseEvent], config: FraudConfig | None = None
) -> dict[str, tuple[float, ...]]:
    """Per customer, the patterns' raw evidence as numbers, in ``FEATURES`` order."""
    config = config or FraudConfig()
    profiles, _ = _profiles(summarise(events, config), config)
    return {
        c: (
            float(p.ring_size),
            float(p.shared_with),
            float(p.purchases),
            float(p.burst_purchases),
            float(p.burst_refunds),
            float(p.refunds),
            p.refunds / p.purchases,
        )
        for c, p in profiles.items()
    }


def signals(evidence: Evidence, config: FraudConfig | None = None) -> list[Signal]:
    """Every pattern instance of at least 1 bit, highest score first. ``details``: for a
    ring ``size``; for a burst (of purchases or of refunds) ``count``, ``expected``,
    ``start_day`` and ``end_day``; for refund abuse ``refunds``, ``purchases``,
    ``refund_share`` and ``population_share``. ``shared`` (rings): per kind, the hashed
    values shared inside the ring."""
    config = config or FraudConfig()
    profiles, rings = _profiles(evidence, config)
    found = [
        Signal("ring", _ring_bits(len(r.members), r.kinds), r.members,
               {"size": float(len(r.members))}, dict(r.values))
        for r in rings
    ]  # fmt: skip
    share = _refund_share(evidence.population)
    for h in evidence.histories:
        p = profiles[h.customer_id]
        who = (h.customer_id,)
        for kind, count, bits, expected, start in (
            ("burst", p.burst_purchases, p.burst_purchase_bits, p.burst_expected, h.burst_day),
            ("refund_burst", p.burst_refunds, p.burst_refund_bits, p.burst_refund_expected,
             h.refund_burst_day),
        ):  # fmt: skip
            if bits >= _MIN_SIGNAL_BITS:
                details = {"count": float(count), "expected": round(expected, 4),
                           "start_day": start, "end_day": start + config.window_days}  # fmt: skip
                found.append(Signal(kind, round(bits, 2), who, details))
        if p.refund_bits >= _MIN_SIGNAL_BITS:
            details = {
                "refunds": float(h.refunds),
                "purchases": float(h.purchases),
                "refund_share": h.refunds / h.purchases,
                "population_share": share,
            }
            found.append(Signal("refund_abuse", round(p.refund_bits, 2), who, details))
    return sorted(found, key=lambda s: (-s.score, s.kind, s.customers))


def _ring_bits(size: int, kinds: Sequence[str]) -> float:
    # A ring is rare enough among ordinary customers to be flagged on its own; a bigger
    # ring, or one sharing more kinds of fingerprint, is more certain.
    return _RING_BITS + 4.0 * math.log2(size / 3) + 5.0 * (len(kinds) - 1)


def _flag(customer_id: str, p: _Profile) -> Flag:
    evidence: list[str] = []
    score = 0.0
    if p.ring_size:
        score += _ring_bits(p.ring_size, p.ring_kinds)
        evidence.append(
            f"ring of {p.ring_size} customers sharing {' and '.join(p.ring_kinds)}"
            f" ({p.shared_with} directly)"
        )
    for count, bits, what in (
        (p.burst_purchases, p.burst_purchase_bits, "purchases"),
        (p.burst_refunds, p.burst_refund_bits, "refunds"),
    ):
        if bits >= _MIN_SIGNAL_BITS:
            score += bits
            evidence.append(f"burst of {count} {what} in a week, {bits:.0f} bits above own history")
    if p.refund_bits >= _MIN_SIGNAL_BITS:
        score += p.refund_bits
        evidence.append(f"{p.refunds} of {p.purchases} purchases refunded")
    return Flag(customer_id, round(score, 2), tuple(evidence))


def _refund_share(population: Population) -> float:
    return min(max(population.refunds / max(population.purchases, 1), 1e-3), 0.5)


def _profiles(evidence: Evidence, config: FraudConfig) -> tuple[dict[str, _Profile], list[_Ring]]:
    """Per customer of the evidence (histories, and ring members without one), the
    patterns' numbers; and the rings."""
    rings, neighbours = _rings(evidence.shared, config)
    in_ring = {c: r for r in rings for c in r.members}
    histories = list(evidence.histories)
    known = {h.customer_id for h in histories}
    # A ring member left out of the histories bought too little to score anything else.
    histories += [History(c, 0, 0.0, 0.0, 0, 0.0) for c in sorted(set(in_ring) - known)]
    if not histories:
        return {}, rings
    pop = evidence.population
    span = max(pop.last_day - pop.first_day, config.window_days)
    customers = max(pop.customers, 1)
    purchase_rate = pop.purchases / span / customers
    refund_rate = pop.refunds / span / customers
    w = config.window_days
    counts = [
        (
            h.purchases,
            h.refunds,
            h.burst,
            _expected(h.purchases, h.burst, h.last_day - h.first_day, purchase_rate, w),
            h.refund_burst,
            _expected(
                h.refunds, h.refund_burst, h.last_refund_day - h.first_refund_day, refund_rate, w
            ),
        )
        for h in histories
    ]
    # One vectorised tail per pattern: scipy's per-call overhead dominates otherwise.
    n, refunds, burst, burst_expected, refund_burst, refund_expected = np.array(
        counts, dtype=np.float64
    ).T
    # The densest of a year's ~52 windows is picked after the fact: subtract log2 of the
    # number of windows looked at (Bonferroni), so ordinary busy weeks stay quiet.
    windows = np.log2(max(span / w, 1.0))
    burst_bits = np.where(
        burst >= MIN_BURST, _bits(stats.poisson.sf(burst - 1, burst_expected)) - windows, 0.0
    )
    refund_burst_bits = np.where(
        refund_burst >= MIN_BURST,
        _bits(stats.poisson.sf(refund_burst - 1, refund_expected)) - windows,
        0.0,
    )
    refund_bits = _bits(stats.binom.sf(refunds - 1, n, _refund_share(pop)))
    profiles = {}
    for i, h in enumerate(histories):
        ring = in_ring.get(h.customer_id)
        profiles[h.customer_id] = _Profile(
            ring_size=len(ring.members) if ring else 0,
            ring_kinds=ring.kinds if ring else (),
            shared_with=len(neighbours.get(h.customer_id, ())),
            purchases=h.purchases,
            refunds=h.refunds,
            burst_purchases=h.burst,
            burst_purchase_bits=float(burst_bits[i]),
            burst_expected=float(burst_expected[i]),
            burst_refunds=h.refund_burst,
            burst_refund_bits=float(refund_burst_bits[i]),
            burst_refund_expected=float(refund_expected[i]),
            refund_bits=float(refund_bits[i]),
        )
    return profiles, rings


def _rings(
    shared: Sequence[SharedValue], config: FraudConfig
) -> tuple[list[_Ring], dict[str, set[str]]]:
    """The rings (connected groups of ``min_ring`` or more customers), and the direct
    neighbours of everyone sharing a value."""
    joined = Groups()
    neighbours: dict[str, set[str]] = defaultdict(set)
    kept = [s for s in shared if 2 <= len(s.customers) <= config.max_sharers]
    for value in kept:
        first, *rest = sorted(value.customers)
        for c in value.customers:
            neighbours[c] |= value.customers - {c}
        for c in rest:
            joined.join(first, c)
    groups = joined.members()
    values: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for value in kept:
        values[joined.root(next(iter(value.customers)))][value.kind] += 1
    rings = [
        _Ring(
            tuple(sorted(members)), tuple(sorted(values[head])), dict(sorted(values[head].items()))
        )
        for head, members in groups.items()
        if len(members) >= config.min_ring
    ]
    return sorted(rings, key=lambda r: r.members), neighbours


def _expected(events: int, best: int, span: float, population_rate: float, window: float) -> float:
    """The count the rest of the own history expects in a window: the events outside the
    densest window over the time outside it, with ``_PRIOR_DAYS`` at the population's
    rate added, so a customer with little history is compared with everyone."""
    if not events:
        return 1.0
    outside_days = max(span - window, 0.0) + _PRIOR_DAYS
    outside_events = events - best + population_rate * _PRIOR_DAYS
    return outside_events / outside_days * window


def _bits(probabilities: Array) -> Array:
    """Surprise of tail probabilities in bits, within 0 and ``_MAX_BITS``."""
    with np.errstate(divide="ignore"):
        return np.clip(-np.log2(probabilities), 0.0, _MAX_BITS)
