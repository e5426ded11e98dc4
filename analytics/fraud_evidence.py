"""The evidence the fraud patterns read (analytics/fraud.py): per customer a ``History``,
the ``Population``'s totals and the ``SharedValue``s of fingerprints, computed from plain
purchase records by ``summarise``, or in the graph by graph/fraud.py's statements (whose
rows resolvers/fraud.py turns into these types)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

FINGERPRINTS = ("payment_hash", "device_hash", "address_hash")
MIN_BURST = 3  # fewer events in a window are no burst, however quiet the history


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
class FraudConfig:
    """Thresholds of the patterns (defaults suit daily retail purchases)."""

    min_ring: int = 3
    max_sharers: int = 20
    window_days: float = 7.0
    min_bits: float = 10.0  # flag from about 1 in 1,000 (10 bits) upwards


@dataclass(frozen=True, slots=True)
class History:
    """One customer's purchases as the patterns read them (days on any fixed origin).

    ``burst`` is the most purchases in any window of ``window_days`` (both ends
    included), starting at ``burst_day``, the earliest such window; ``refund_burst`` and
    ``refund_burst_day`` the same for refunds, counted at their refund days.
    """

    customer_id: str
    purchases: int
    first_day: float
    last_day: float
    burst: int
    burst_day: float
    refunds: int = 0
    first_refund_day: float = 0.0
    last_refund_day: float = 0.0
    refund_burst: int = 0
    refund_burst_day: float = 0.0


@dataclass(frozen=True, slots=True)
class Population:
    """Every customer with a purchase: how many, their purchases and refunds, and the
    days of the first and last purchase."""

    customers: int
    purchases: int
    refunds: int
    first_day: float
    last_day: float


@dataclass(frozen=True, slots=True)
class SharedValue:
    """A hashed value of one kind (``payment``, ``device``, ``address``) held by 2 to
    ``max_sharers`` customers (the value itself is not needed)."""

    kind: str
    customers: frozenset[str]


@dataclass(frozen=True, slots=True)
class Evidence:
    """What the patterns read. ``histories`` may leave out customers who can score
    nothing but a ring (fewer than ``MIN_BURST`` purchases in any window, no refund):
    graph/fraud.py does, so that ordinary customers never leave the graph."""

    histories: Sequence[History]
    population: Population
    shared: Sequence[SharedValue] = ()


def summarise(events: Iterable[PurchaseEvent], config: FraudConfig | None = None) -> Evidence:
    """The patterns' evidence from plain purchase records (what graph/fraud.py's
    statements compute in the graph); refunds count at their purchase's day."""
    config = config or FraudConfig()
    by_customer: dict[str, list[PurchaseEvent]] = defaultdict(list)
    for event in events:
        by_customer[event.customer_id].append(event)
    everything = [e for own in by_customer.values() for e in own]
    if not everything:
        return Evidence((), Population(0, 0, 0, 0.0, 0.0))
    histories = []
    for customer, own in by_customer.items():
        days = sorted(e.at_day for e in own)
        refund_days = sorted(e.at_day for e in own if e.refunded)
        burst, burst_day = densest_window(days, config.window_days)
        refund_burst, refund_day = densest_window(refund_days, config.window_days)
        histories.append(
            History(
                customer, len(days), days[0], days[-1], burst, burst_day, len(refund_days),
                refund_days[0] if refund_days else 0.0, refund_days[-1] if refund_days else 0.0,
                refund_burst, refund_day,
            )
        )  # fmt: skip
    holders: dict[tuple[str, str], set[str]] = defaultdict(set)
    for event in everything:
        for name in FINGERPRINTS:
            value = getattr(event, name)
            if value:
                holders[(name.removesuffix("_hash"), value)].add(event.customer_id)
    shared = [
        SharedValue(kind, frozenset(customers))
        for (kind, _), customers in holders.items()
        if 2 <= len(customers) <= config.max_sharers
    ]
    all_days = [e.at_day for e in everything]
    population = Population(
        len(by_customer), len(everything), sum(e.refunded for e in everything),
        min(all_days), max(all_days),
    )  # fmt: skip
    return Evidence(histories, population, shared)


def densest_window(days: Sequence[float], window: float) -> tuple[int, float]:
    """(the most of ``days``, sorted, in any window of ``window`` days, both ends
    included; the day the earliest such window starts). (0, 0.0) for no days."""
    best, best_day, start = 0, 0.0, 0
    for end in range(len(days)):
        while days[end] - days[start] > window:
            start += 1
        if end - start + 1 > best:
            best, best_day = end - start + 1, days[start]
    return best, best_day
