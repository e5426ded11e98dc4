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

``features`` gives the same evidence as plain numbers, for baselines such as an isolation
forest. Evaluation and limits: docs/predictions.md.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import stats

Array = NDArray[np.float64]

FINGERPRINTS = ("payment_hash", "device_hash", "address_hash")
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
_MIN_BURST = 3  # fewer events in a window are no burst, however quiet the history
_MAX_BITS = 60.0  # caps one pattern's surprise, so a single extreme cannot drown the rest


@dataclass(frozen=True, slots=True)
class PurchaseEvent:
    """One purchase: who, when (days), whether refunded, and its hashed fingerprints."""

    customer_id: str
    at_day: float
    refunded: bool = False
    payment_hash: str | None = None
    device_hash: str | None = None
    address_hash: str | None = None


@dataclass(frozen=True, slots=True)
class Flag:
    """A flagged customer: the summed surprise in bits and the evidence in words."""

    customer_id: str
    score: float
    evidence: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FraudConfig:
    """Thresholds of the patterns (defaults suit daily retail purchases)."""

    min_ring: int = 3
    max_sharers: int = 20
    window_days: float = 7.0
    min_bits: float = 10.0  # flag from about 1 in 1,000 (10 bits) upwards


@dataclass(frozen=True, slots=True)
class _Profile:
    ring_size: int
    ring_kinds: tuple[str, ...]
    shared_with: int
    purchases: int
    refunds: int
    burst_purchases: int
    burst_purchase_bits: float
    burst_refunds: int
    burst_refund_bits: float
    refund_bits: float


def flag(events: Iterable[PurchaseEvent], config: FraudConfig | None = None) -> list[Flag]:
    """Customers whose patterns add up to ``config.min_bits`` or more, highest score first."""
    config = config or FraudConfig()
    flags = [_flag(c, p) for c, p in _profiles(list(events), config).items()]
    kept = [f for f in flags if f.score >= config.min_bits]
    return sorted(kept, key=lambda f: (-f.score, f.customer_id))


def scores(events: Iterable[PurchaseEvent], config: FraudConfig | None = None) -> dict[str, float]:
    """Every customer's summed surprise in bits (0 for an ordinary record)."""
    profiles = _profiles(list(events), config or FraudConfig())
    return {c: _flag(c, p).score for c, p in profiles.items()}


def features(
    events: Iterable[PurchaseEvent], config: FraudConfig | None = None
) -> dict[str, tuple[float, ...]]:
    """Per customer, the patterns' raw evidence as numbers, in ``FEATURES`` order."""
    profiles = _profiles(list(events), config or FraudConfig())
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


def _flag(customer_id: str, p: _Profile) -> Flag:
    evidence: list[str] = []
    score = 0.0
    if p.ring_size:
        # A ring is rare enough among ordinary customers to be flagged on its own; a
        # bigger ring, or one sharing more kinds of fingerprint, is more certain.
        score += _RING_BITS + 4.0 * math.log2(p.ring_size / 3) + 5.0 * (len(p.ring_kinds) - 1)
        evidence.append(
            f"ring of {p.ring_size} customers sharing {' and '.join(p.ring_kinds)}"
            f" ({p.shared_with} directly)"
        )
    for count, bits, what in (
        (p.burst_purchases, p.burst_purchase_bits, "purchases"),
        (p.burst_refunds, p.burst_refund_bits, "refunds"),
    ):
        if bits >= 1.0:
            score += bits
            evidence.append(f"burst of {count} {what} in a week, {bits:.0f} bits above own history")
    if p.refund_bits >= 1.0:
        score += p.refund_bits
        evidence.append(f"{p.refunds} of {p.purchases} purchases refunded")
    return Flag(customer_id, round(score, 2), tuple(evidence))


def _profiles(events: Sequence[PurchaseEvent], config: FraudConfig) -> dict[str, _Profile]:
    by_customer: dict[str, list[PurchaseEvent]] = defaultdict(list)
    for event in events:
        by_customer[event.customer_id].append(event)
    if not by_customer:
        return {}
    rings, kinds, neighbours = _rings(by_customer, config)
    all_days = [e.at_day for e in events]
    span = max(max(all_days) - min(all_days), config.window_days)
    purchase_rate = len(events) / span / len(by_customer)
    refunds_total = sum(e.refunded for e in events)
    refund_share = min(max(refunds_total / len(events), 1e-3), 0.5)
    refund_rate = refunds_total / span / len(by_customer)
    customers = list(by_customer)
    counts = []
    for customer in customers:
        days = sorted(e.at_day for e in by_customer[customer])
        refund_days = sorted(e.at_day for e in by_customer[customer] if e.refunded)
        counts.append(
            (
                len(days),
                len(refund_days),
                *_burst(days, purchase_rate, config.window_days),
                *_burst(refund_days, refund_rate, config.window_days),
            )
        )
    # One vectorised tail per pattern: scipy's per-call overhead dominates otherwise.
    n, refunds, burst, burst_expected, refund_burst, refund_expected = np.array(counts).T
    # The densest of a year's ~52 windows is picked after the fact: subtract log2 of the
    # number of windows looked at (Bonferroni), so ordinary busy weeks stay quiet.
    windows = np.log2(max(span / config.window_days, 1.0))
    burst_bits = np.where(
        burst >= _MIN_BURST, _bits(stats.poisson.sf(burst - 1, burst_expected)) - windows, 0.0
    )
    refund_burst_bits = np.where(
        refund_burst >= _MIN_BURST,
        _bits(stats.poisson.sf(refund_burst - 1, refund_expected)) - windows,
        0.0,
    )
    refund_bits = _bits(stats.binom.sf(refunds - 1, n, refund_share))
    profiles = {}
    for i, customer in enumerate(customers):
        profiles[customer] = _Profile(
            ring_size=rings.get(customer, 0),
            ring_kinds=kinds.get(customer, ()),
            shared_with=len(neighbours.get(customer, ())),
            purchases=int(n[i]),
            refunds=int(refunds[i]),
            burst_purchases=int(burst[i]),
            burst_purchase_bits=float(burst_bits[i]),
            burst_refunds=int(refund_burst[i]),
            burst_refund_bits=float(refund_burst_bits[i]),
            refund_bits=float(refund_bits[i]),
        )
    return profiles


def _rings(
    by_customer: Mapping[str, Sequence[PurchaseEvent]], config: FraudConfig
) -> tuple[dict[str, int], dict[str, tuple[str, ...]], dict[str, set[str]]]:
    """Ring size and shared kinds per customer in a ring; direct neighbours of everyone."""
    holders: dict[tuple[str, str], set[str]] = defaultdict(set)
    for customer, own in by_customer.items():
        for event in own:
            for kind in FINGERPRINTS:
                value = getattr(event, kind)
                if value:
                    holders[(kind, value)].add(customer)
    parent = {c: c for c in by_customer}

    def root(c: str) -> str:
        while parent[c] != c:
            parent[c] = parent[parent[c]]
            c = parent[c]
        return c

    neighbours: dict[str, set[str]] = defaultdict(set)
    shared_kinds: dict[str, set[str]] = defaultdict(set)
    for (kind, _), customers in holders.items():
        if not 2 <= len(customers) <= config.max_sharers:
            continue
        first, *rest = sorted(customers)
        for c in customers:
            neighbours[c] |= customers - {c}
            shared_kinds[c].add(kind.removesuffix("_hash"))
        for c in rest:
            parent[root(c)] = root(first)
    members: dict[str, list[str]] = defaultdict(list)
    for c in by_customer:
        members[root(c)].append(c)
    sizes: dict[str, int] = {}
    kinds: dict[str, tuple[str, ...]] = {}
    for group in members.values():
        if len(group) < config.min_ring:
            continue
        group_kinds = tuple(sorted(set().union(*(shared_kinds[c] for c in group))))
        for c in group:
            sizes[c], kinds[c] = len(group), group_kinds
    return sizes, kinds, neighbours


def _burst(days: Sequence[float], population_rate: float, window: float) -> tuple[int, float]:
    """The densest window's count and the count the rest of the own history expects there.

    ``days`` must be sorted. The expected count comes from the events outside the densest
    window over the time outside it, with ``_PRIOR_DAYS`` at the population's rate added,
    so a customer with little history is compared with everyone.
    """
    if not days:
        return 0, 1.0
    best, start = 0, 0
    for end in range(len(days)):
        while days[end] - days[start] > window:
            start += 1
        best = max(best, end - start + 1)
    span = days[-1] - days[0]
    outside_days = max(span - window, 0.0) + _PRIOR_DAYS
    outside_events = len(days) - best + population_rate * _PRIOR_DAYS
    return best, outside_events / outside_days * window


def _bits(probabilities: Array) -> Array:
    """Surprise of tail probabilities in bits, within 0 and ``_MAX_BITS``."""
    with np.errstate(divide="ignore"):
        return np.clip(-np.log2(probabilities), 0.0, _MAX_BITS)
