"""Computed customer metrics (RFM, value, cost to serve, churn risk, class): pure functions.

Every definition, default and worked example is in docs/metrics.md. Nothing here reads
the clock, the settings or the graph: the same activity and ``as_of`` give the same answer.
"""

import math
import statistics
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass
from enum import StrEnum
from itertools import pairwise

DAY_MS = 86_400_000


@dataclass(frozen=True)
class MetricsConfig:
    """The knobs of the metrics; the hub fills them from HUB_METRICS_<FIELD> settings."""

    # Four ascending thresholds each. Fixed, not population quantiles: one customer's
    # metrics must come from that customer's rows alone, in one statement.
    recency_breakpoints_days: tuple[int, int, int, int] = (30, 90, 180, 365)
    frequency_breakpoints: tuple[int, int, int, int] = (2, 3, 5, 10)
    monetary_breakpoints: tuple[float, float, float, float] = (100.0, 250.0, 500.0, 1000.0)
    gross_margin: float = 0.4
    cost_per_complaint: float = 25.0
    cost_per_order: float = 5.0
    cost_per_interaction: float = 0.0
    default_purchase_gap_days: float = 90.0
    churn_ratio_at_half_risk: float = 1.0
    churn_medium_risk: float = 0.5
    churn_high_risk: float = 0.75
    high_potential_min_score: int = 4

    def __post_init__(self) -> None:
        # The hub builds this from environment values; refuse nonsense at startup rather
        # than answer with quietly wrong scores.
        for name in ("recency_breakpoints_days", "frequency_breakpoints", "monetary_breakpoints"):
            points = getattr(self, name)
            if len(points) != 4 or any(a >= b for a, b in pairwise(points)):
                raise ValueError(f"{name} must be 4 strictly ascending numbers, not {points!r}")
        if not 0 <= self.gross_margin <= 1:
            raise ValueError(f"gross_margin must be within 0..1, not {self.gross_margin}")
        for name in ("cost_per_complaint", "cost_per_order", "cost_per_interaction"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")
        if self.default_purchase_gap_days <= 0 or self.churn_ratio_at_half_risk <= 0:
            raise ValueError("default_purchase_gap_days and churn_ratio_at_half_risk must be > 0")
        if not 0 < self.churn_medium_risk < self.churn_high_risk < 1:
            raise ValueError("need 0 < churn_medium_risk < churn_high_risk < 1")
        if not 1 <= self.high_potential_min_score <= 5:
            raise ValueError("high_potential_min_score must be within 1..5")


@dataclass(frozen=True)
class Activity:
    """What the graph holds about one customer, as plain values."""

    purchases: list[tuple[int, float]]  # (at epoch-ms, order total), any order
    complaints: list[str | None]  # status of every complaint filed
    interaction_content_types: list[str | None]  # post content type of each interaction
    interactions: int  # how many interactions (== len(interaction_content_types))


@dataclass(frozen=True)
class Rfm:
    recency_days: int | None  # UTC calendar days since the last purchase; None: never bought
    frequency: int
    monetary: float
    recency_score: int
    frequency_score: int
    monetary_score: int
    code: str  # "R-F-M", e.g. "5-3-4"


@dataclass(frozen=True)
class CostToServe:
    complaints: int
    complaint_cost: float
    orders: int
    order_cost: float
    interactions: int
    interaction_cost: float
    total: float


@dataclass(frozen=True)
class ChurnRisk:
    days_since_last_purchase: int | None
    typical_gap_days: float | None
    gap_is_default: bool  # True: fewer than 2 purchase days, the configured gap was assumed
    ratio: float | None  # days since last purchase / typical gap
    risk: float | None  # 0..1, None with no purchases
    level: str  # "low", "medium", "high" or "unknown"
    explanation: str


@dataclass(frozen=True)
class ContentTypeShare:
    content_type: str
    count: int
    share: float  # of the interactions whose post has a content type


class CustomerClass(StrEnum):
    HIGH_POTENTIAL = "HIGH_POTENTIAL"
    REGULAR = "REGULAR"
    LOW_VALUE = "LOW_VALUE"


@dataclass(frozen=True)
class CustomerMetrics:
    as_of_ms: int
    rfm: Rfm
    historic_value: float  # gross margin earned: monetary x gross_margin
    average_order_value: float | None
    cost_to_serve: CostToServe
    profitability: float  # historic_value - cost_to_serve.total
    churn: ChurnRisk
    preferred_content_types: tuple[ContentTypeShare, ...]
    customer_class: CustomerClass
    class_reason: str


def _days(n: float) -> str:
    return f"{n:g} day" if n == 1 else f"{n:g} days"


def _rfm(purchase_days: list[int], totals: list[float], as_of_day: int, c: MetricsConfig) -> Rfm:
    recency = as_of_day - max(purchase_days) if purchase_days else None
    # Never bought scores as the worst recency; "within 30 days" includes the 30th day.
    r = 1 if recency is None else 5 - bisect_left(c.recency_breakpoints_days, recency)
    frequency = len(purchase_days)
    monetary = math.fsum(totals)  # fsum: the same total whatever the input order
    f = 1 + bisect_right(c.frequency_breakpoints, frequency)  # reaching a threshold counts
    m = 1 + bisect_right(c.monetary_breakpoints, monetary)
    return Rfm(recency, frequency, monetary, r, f, m, f"{r}-{f}-{m}")


def churn_risk(purchase_days: list[int], as_of_day: int, config: MetricsConfig) -> ChurnRisk:
    """Churn risk from the days (UTC day numbers) of past purchases; see docs/metrics.md."""
    if not purchase_days:
        explanation = "no purchases yet: no rhythm to measure churn against"
        return ChurnRisk(None, None, False, None, None, "unknown", explanation)
    # Several orders on one day are one shopping trip: counting them as 0-day gaps would
    # make the rhythm look faster than it is (and a median of 0 would divide by zero).
    days = sorted(set(purchase_days))
    since = as_of_day - days[-1]
    if len(days) >= 2:
        # Median, not mean: one long pause should not redefine a customer's habit.
        gap = float(statistics.median(b - a for a, b in pairwise(days)))
        rhythm = f"usually buys every {_days(gap)}"
    else:
        gap = config.default_purchase_gap_days
        rhythm = f"one purchase day only, so assuming a purchase every {_days(gap)}"
    ratio = since / gap
    risk = ratio / (ratio + config.churn_ratio_at_half_risk)
    if risk >= config.churn_high_risk:
        level = "high"
    elif risk >= config.churn_medium_risk:
        level = "medium"
    else:
        level = "low"
    explanation = (
        f"last purchase {_days(since)} ago; {rhythm}; {ratio:.1f}x the usual gap; "
        f"risk {risk:.2f} ({level})"
    )
    return ChurnRisk(since, gap, len(days) < 2, ratio, risk, level, explanation)


def preferred_content_types(content_types: list[str | None]) -> tuple[ContentTypeShare, ...]:
    """Content types by interaction count (desc), ties by name; None types are ignored."""
    counts = Counter(t for t in content_types if t is not None)
    known = sum(counts.values())
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return tuple(ContentTypeShare(t, n, n / known) for t, n in ranked)


def _classify(
    rfm: Rfm, profitability: float, churn: ChurnRisk, c: MetricsConfig
) -> tuple[CustomerClass, str]:
    low = []
    if profitability <= 0:
        low.append(f"profitability {profitability:.2f} <= 0")
    if rfm.monetary_score == 1:
        low.append(f"monetary score 1 (spend {rfm.monetary:.2f})")
    if low:
        return CustomerClass.LOW_VALUE, "; ".join(low)
    strong = [
        f"{name} score {score} >= {c.high_potential_min_score}"
        for name, score in (("monetary", rfm.monetary_score), ("frequency", rfm.frequency_score))
        if score >= c.high_potential_min_score
    ]
    if not strong:
        return CustomerClass.REGULAR, (
            f"monetary score {rfm.monetary_score} and frequency score {rfm.frequency_score} "
            f"below {c.high_potential_min_score}"
        )
    if churn.level == "high":
        return CustomerClass.REGULAR, f"{' and '.join(strong)} but churn risk high"
    return CustomerClass.HIGH_POTENTIAL, f"{' and '.join(strong)}; churn risk {churn.level}"


def compute_metrics(
    activity: Activity, as_of_ms: int, config: MetricsConfig = MetricsConfig()
) -> CustomerMetrics:
    """Every computed metric of one customer as of ``as_of_ms`` (epoch-ms).

    Purchases after ``as_of_ms`` are left out (they had not happened yet); complaints and
    interactions carry no time and count in full. Amounts are summed as given, whatever
    their currency. Raises nothing for finite amounts.
    """
    seen = [(at, total) for at, total in activity.purchases if at <= as_of_ms]
    purchase_days = [at // DAY_MS for at, _ in seen]
    as_of_day = as_of_ms // DAY_MS
    rfm = _rfm(purchase_days, [total for _, total in seen], as_of_day, config)
    historic_value = rfm.monetary * config.gross_margin
    complaints, orders = len(activity.complaints), rfm.frequency
    complaint_cost = complaints * config.cost_per_complaint
    order_cost = orders * config.cost_per_order
    interaction_cost = activity.interactions * config.cost_per_interaction
    cost = CostToServe(
        complaints,
        complaint_cost,
        orders,
        order_cost,
        activity.interactions,
        interaction_cost,
        complaint_cost + order_cost + interaction_cost,
    )
    profitability = historic_value - cost.total
    churn = churn_risk(purchase_days, as_of_day, config)
    customer_class, reason = _classify(rfm, profitability, churn, config)
    return CustomerMetrics(
        as_of_ms=as_of_ms,
        rfm=rfm,
        historic_value=historic_value,
        average_order_value=rfm.monetary / orders if orders else None,
        cost_to_serve=cost,
        profitability=profitability,
        churn=churn,
        preferred_content_types=preferred_content_types(activity.interaction_content_types),
        customer_class=customer_class,
        class_reason=reason,
    )
