"""Complaint abuse: more complaints than a customer's purchases make likely.

A customer's complaints are compared with what everyone's complaints per purchase predict
for their purchases (at least one: a complaint may come before any purchase): the
Poisson tail, in bits like analytics/fraud.py's patterns. Only graph/fraud.py's
`FRAUD_COMPLAINTS` feeds it (the synthetic data has no complaints).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

_MAX_BITS = 60.0
_MIN_BITS = 1.0
_MIN_RATE = 1e-3  # a population without complaints still expects a few


@dataclass(frozen=True, slots=True)
class Complaints:
    """A customer's complaints and purchases."""

    customer_id: str
    complaints: int
    purchases: int


@dataclass(frozen=True, slots=True)
class ComplaintAbuse:
    """A customer complaining improbably often: ``expected`` at everyone's rate."""

    customer_id: str
    complaints: int
    purchases: int
    expected: float
    score: float


def complaint_abuse(rows: Sequence[Complaints], purchases: int) -> list[ComplaintAbuse]:
    """The customers of ``rows`` (every customer with a complaint) scoring 1 bit or more,
    against everyone's complaints per purchase (``purchases``: everyone's purchases)."""
    if not rows:
        return []
    rate = max(sum(r.complaints for r in rows) / max(purchases, 1), _MIN_RATE)
    expected = np.array([max(r.purchases, 1) * rate for r in rows])
    counts = np.array([r.complaints for r in rows], dtype=np.float64)
    with np.errstate(divide="ignore"):
        bits = np.clip(-np.log2(stats.poisson.sf(counts - 1, expected)), 0.0, _MAX_BITS)
    return [
        ComplaintAbuse(r.customer_id, r.complaints, r.purchases, round(float(e), 4),
                       round(float(b), 2))
        for r, e, b in zip(rows, expected, bits, strict=True)
        if b >= _MIN_BITS
    ]  # fmt: skip
