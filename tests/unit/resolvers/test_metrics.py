import random
from datetime import datetime

import pytest

from resolvers.metrics import (
    DAY_MS,
    Activity,
    ChurnRisk,
    ContentTypeShare,
    CostToServe,
    CustomerClass,
    MetricsConfig,
    Rfm,
    compute_metrics,
)

TODAY = 19_900  # UTC day number of 2024-06-26
AS_OF = (TODAY + 1) * DAY_MS - 1  # the last millisecond of TODAY


def ms(day: str, time: str = "12:00") -> int:
    return int(datetime.fromisoformat(f"{day}T{time}+00:00").timestamp() * 1000)


def activity(purchases=(), complaints=(), types=()) -> Activity:
    return Activity(list(purchases), list(complaints), list(types), len(types))


def bought_days_ago(*days_and_totals: tuple[int, float]) -> Activity:
    """Purchases at noon, ``d`` UTC calendar days before TODAY."""
    return activity([((TODAY - d) * DAY_MS + DAY_MS // 2, t) for d, t in days_and_totals])


def test_worked_example_of_the_docs():
    purchases = [
        (ms("2024-03-02", "09:15"), 210.00),
        (ms("2024-01-02"), 180.00),
        (ms("2024-02-01"), 95.50),
        (ms("2024-03-02", "18:40"), 64.50),  # same day: one shopping trip, two orders
        (ms("2024-07-05"), 999.00),  # after as_of: not yet happened
    ]
    types = ["t-video", "t-photo", "t-video", None, "t-live"]
    m = compute_metrics(activity(purchases, ["resolved", "open"], types), ms("2024-06-30", "00:00"))

    # Mar 2 -> Jun 30 = 29 + 30 + 31 + 30 = 120 days (R3: 90 < 120 <= 180);
    # 4 orders (F3: 3 <= 4 < 5); 210 + 180 + 95.5 + 64.5 = 550 (M4: 500 <= 550 < 1000)
    assert m.rfm == Rfm(120, 4, 550.0, 3, 3, 4, "3-3-4")
    assert m.historic_value == pytest.approx(220.0)  # 550 x 0.4
    assert m.average_order_value == pytest.approx(137.5)  # 550 / 4
    # 2 complaints x 25 + 4 orders x 5 + 5 interactions x 0 = 70
    assert m.cost_to_serve == CostToServe(2, 50.0, 4, 20.0, 5, 0.0, 70.0)
    assert m.profitability == pytest.approx(150.0)  # 220 - 70
    # purchase days Jan 2, Feb 1, Mar 2 (2024 is a leap year): gaps 30, 30 -> median 30;
    # ratio 120 / 30 = 4.0; risk 4 / (4 + 1) = 0.8 >= 0.75 -> high
    assert m.churn == ChurnRisk(
        120,
        30.0,
        False,
        4.0,
        pytest.approx(0.8),
        "high",
        "last purchase 120 days ago; usually buys every 30 days; 4.0x the usual gap; "
        "risk 0.80 (high)",
    )
    # 4 known types: video 2/4, then live and photo 1/4 each, tie broken by name
    assert m.preferred_content_types == (
        ContentTypeShare("t-video", 2, 0.5),
        ContentTypeShare("t-live", 1, 0.25),
        ContentTypeShare("t-photo", 1, 0.25),
    )
    assert m.customer_class is CustomerClass.REGULAR
    assert m.class_reason == "monetary score 4 >= 4 but churn risk high"


def test_no_purchases():
    m = compute_metrics(activity(complaints=["open"]), AS_OF)
    assert m.rfm == Rfm(None, 0, 0.0, 1, 1, 1, "1-1-1")
    assert m.historic_value == 0.0
    assert m.average_order_value is None
    assert m.profitability == -25.0  # 0 - 1 complaint x 25
    assert m.churn.risk is None and m.churn.ratio is None and m.churn.typical_gap_days is None
    assert m.churn.level == "unknown"
    assert m.churn.explanation == "no purchases yet: no rhythm to measure churn against"
    assert m.customer_class is CustomerClass.LOW_VALUE
    assert m.class_reason == "profitability -25.00 <= 0; monetary score 1 (spend 0.00)"


def test_no_activity_at_all_is_low_value_at_zero_profit():
    m = compute_metrics(activity(), AS_OF)
    assert m.profitability == 0.0
    assert m.preferred_content_types == ()
    assert m.class_reason.startswith("profitability 0.00 <= 0")


def test_one_purchase_assumes_the_default_gap():
    m = compute_metrics(bought_days_ago((45, 300.0)), AS_OF)
    # ratio 45 / 90 = 0.5; risk 0.5 / (0.5 + 1) = 1/3 < 0.5 -> low
    assert m.churn.gap_is_default
    assert m.churn.typical_gap_days == 90.0
    assert m.churn.ratio == 0.5
    assert m.churn.risk == pytest.approx(1 / 3)
    assert m.churn.level == "low"
    assert m.churn.explanation == (
        "last purchase 45 days ago; one purchase day only, so assuming a purchase every "
        "90 days; 0.5x the usual gap; risk 0.33 (low)"
    )


def test_purchases_on_the_same_day_are_one_trip_for_the_rhythm_but_count_as_orders():
    # days 60, 60, 30 ago: distinct days 60 and 30 -> one gap of 30 (not median(0, 30) = 15)
    m = compute_metrics(bought_days_ago((60, 10.0), (60, 20.0), (30, 30.0)), AS_OF)
    assert m.rfm.frequency == 3 and m.cost_to_serve.orders == 3
    assert m.churn.typical_gap_days == 30.0 and not m.churn.gap_is_default
    assert m.churn.ratio == 1.0  # 30 / 30


def test_all_purchases_on_one_day_use_the_default_gap():
    m = compute_metrics(bought_days_ago((3, 5.0), (3, 6.0), (3, 7.0)), AS_OF)
    assert m.rfm.frequency == 3 and m.rfm.monetary == 18.0
    assert m.churn.gap_is_default and m.churn.ratio == pytest.approx(3 / 90)


def test_purchased_today_has_zero_risk():
    m = compute_metrics(bought_days_ago((0, 50.0), (20, 50.0)), AS_OF)
    assert m.churn.days_since_last_purchase == 0
    assert m.churn.risk == 0.0 and m.churn.level == "low"
    assert m.churn.explanation.startswith("last purchase 0 days ago; usually buys every 20 days")


def test_recency_counts_utc_calendar_days():
    # 23:59 on one day to 00:01 the next is two minutes but "1 day ago"
    m = compute_metrics(activity([(ms("2024-05-01", "23:59"), 1.0)]), ms("2024-05-02", "00:01"))
    assert m.rfm.recency_days == 1
    assert m.churn.explanation.startswith("last purchase 1 day ago;")


def test_input_order_does_not_matter_to_any_metric():
    # 0.1 + 0.2 + 0.3 differs from 0.3 + 0.2 + 0.1 in plain float addition; fsum does not
    purchases = [(AS_OF - 5 * DAY_MS, 0.1), (AS_OF - 50 * DAY_MS, 0.2), (AS_OF - 9 * DAY_MS, 0.3)]
    forward = compute_metrics(activity(purchases, ["open"], ["a", "b", None]), AS_OF)
    backward = compute_metrics(activity(purchases[::-1], ["open"], [None, "b", "a"]), AS_OF)
    assert forward == backward
    assert forward.rfm.monetary == 0.6


def test_purchases_after_as_of_are_left_out():
    future = [(AS_OF + 1, 500.0), (AS_OF - 10 * DAY_MS, 100.0)]
    m = compute_metrics(activity(future), AS_OF)
    assert (m.rfm.frequency, m.rfm.monetary, m.rfm.recency_days) == (1, 100.0, 10)
    on_the_dot = compute_metrics(activity([(AS_OF, 7.0)]), AS_OF)
    assert on_the_dot.rfm.frequency == 1  # at == as_of has happened


@pytest.mark.parametrize(
    ("days", "score"),
    [(0, 5), (30, 5), (31, 4), (90, 4), (91, 3), (180, 3), (181, 2), (365, 2), (366, 1)],
)
def test_recency_score_breakpoints_are_inclusive_upper_bounds(days, score):
    assert compute_metrics(bought_days_ago((days, 1.0)), AS_OF).rfm.recency_score == score


@pytest.mark.parametrize(
    ("orders", "score"), [(1, 1), (2, 2), (3, 3), (4, 3), (5, 4), (9, 4), (10, 5), (40, 5)]
)
def test_frequency_score_counts_from_each_threshold(orders, score):
    m = compute_metrics(bought_days_ago(*[(d, 1.0) for d in range(orders)]), AS_OF)
    assert m.rfm.frequency_score == score


@pytest.mark.parametrize(
    ("spend", "score"),
    [
        (-20.0, 1),
        (99.99, 1),
        (100.0, 2),
        (249.99, 2),
        (250.0, 3),
        (499.99, 3),
        (500.0, 4),
        (999.99, 4),
        (1000.0, 5),
        (1e9, 5),
    ],
)
def test_monetary_score_counts_from_each_threshold(spend, score):
    assert compute_metrics(bought_days_ago((1, spend)), AS_OF).rfm.monetary_score == score


def test_breakpoints_and_costs_come_from_the_config():
    config = MetricsConfig(
        recency_breakpoints_days=(1, 2, 3, 4),
        frequency_breakpoints=(1, 2, 3, 4),
        monetary_breakpoints=(1.0, 2.0, 3.0, 4.0),
        gross_margin=1.0,
        cost_per_complaint=2.0,
        cost_per_order=0.5,
        cost_per_interaction=0.25,
    )
    a = Activity([(AS_OF - 3 * DAY_MS, 3.0)], ["open", "closed"], ["t"], 4)
    m = compute_metrics(a, AS_OF, config)
    assert m.rfm.code == "3-2-4"  # 2 < 3 days <= 3 -> R3; 1 order >= 1 -> F2; 3.0 >= 3 -> M4
    # 2 complaints x 2 + 1 order x 0.5 + 4 interactions x 0.25 = 4 + 0.5 + 1 = 5.5
    assert m.cost_to_serve == CostToServe(2, 4.0, 1, 0.5, 4, 1.0, 5.5)
    assert m.profitability == -2.5  # 3.0 x 1.0 - 5.5


def test_every_complaint_costs_whatever_its_status():
    statuses = ["open", "in_progress", "resolved", "closed", None]
    m = compute_metrics(activity(complaints=statuses), AS_OF)
    assert m.cost_to_serve.complaints == 5
    assert m.cost_to_serve.complaint_cost == 125.0  # 5 x 25


def test_typical_gap_is_the_median_so_one_long_pause_does_not_move_it():
    # purchase days ago 300, 290, 270, 230, 180: gaps 10, 20, 40, 50 -> median (20 + 40) / 2
    m = compute_metrics(bought_days_ago((300, 1), (290, 1), (270, 1), (230, 1), (180, 1)), AS_OF)
    assert m.churn.typical_gap_days == 30.0
    # days ago 100, 90, 80, 10: gaps 10, 10, 70 -> 10, not the mean 30
    m = compute_metrics(bought_days_ago((100, 1), (90, 1), (80, 1), (10, 1)), AS_OF)
    assert m.churn.typical_gap_days == 10.0


@pytest.mark.parametrize(
    ("days_since", "level"),
    # gap 20: ratio 19/20 -> risk 0.487 low; 20/20 -> 0.5 medium; 59/20 -> 0.747 medium;
    # 60/20 = 3 -> 3 / 4 = 0.75 high
    [(19, "low"), (20, "medium"), (59, "medium"), (60, "high")],
)
def test_churn_level_cut_offs(days_since, level):
    m = compute_metrics(bought_days_ago((days_since + 20, 1.0), (days_since, 1.0)), AS_OF)
    assert m.churn.level == level


def test_preferred_content_types_ignore_none_and_break_ties_by_name():
    m = compute_metrics(activity(types=["b", None, "a", "c", "b", None, "a", "c", "c"]), AS_OF)
    # 7 known: c 3/7, then a and b 2/7 each (a before b)
    assert [(s.content_type, s.count) for s in m.preferred_content_types] == [
        ("c", 3),
        ("a", 2),
        ("b", 2),
    ]
    assert m.preferred_content_types[0].share == pytest.approx(3 / 7)
    assert compute_metrics(activity(types=[None, None]), AS_OF).preferred_content_types == ()


def test_class_low_value_when_costs_eat_the_margin():
    a = bought_days_ago((5, 600.0), (35, 600.0))
    m = compute_metrics(Activity(a.purchases, ["open"] * 20, [], 0), AS_OF)
    # margin 1200 x 0.4 = 480; cost 20 x 25 + 2 x 5 = 510; profit -30
    assert m.customer_class is CustomerClass.LOW_VALUE
    assert m.class_reason == "profitability -30.00 <= 0"


def test_class_low_value_on_monetary_score_one_even_if_profitable():
    m = compute_metrics(bought_days_ago((5, 50.0)), AS_OF)  # 50 x 0.4 - 5 = 15 > 0
    assert m.customer_class is CustomerClass.LOW_VALUE
    assert m.class_reason == "monetary score 1 (spend 50.00)"


def test_class_high_potential_on_frequency_with_churn_not_high():
    # 5 orders of 30 every 10 days, last 5 days ago: F4, M2 (150), ratio 0.5 -> low
    m = compute_metrics(bought_days_ago(*[(d, 30.0) for d in (5, 15, 25, 35, 45)]), AS_OF)
    assert m.customer_class is CustomerClass.HIGH_POTENTIAL
    assert m.class_reason == "frequency score 4 >= 4; churn risk low"


def test_class_regular_when_scores_are_middling():
    m = compute_metrics(bought_days_ago((5, 150.0), (35, 150.0)), AS_OF)  # F2, M3
    assert m.customer_class is CustomerClass.REGULAR
    assert m.class_reason == "monetary score 3 and frequency score 2 below 4"


@pytest.mark.parametrize(
    "bad",
    [
        {"recency_breakpoints_days": (30, 30, 180, 365)},
        {"frequency_breakpoints": (1, 2, 3)},
        {"monetary_breakpoints": (500.0, 100.0, 250.0, 1000.0)},
        {"gross_margin": 1.5},
        {"cost_per_order": -1.0},
        {"default_purchase_gap_days": 0.0},
        {"churn_ratio_at_half_risk": 0.0},
        {"churn_medium_risk": 0.8},
        {"high_potential_min_score": 6},
    ],
)
def test_config_refuses_nonsense(bad):
    with pytest.raises(ValueError):
        MetricsConfig(**bad)


def random_activity(rng: random.Random) -> Activity:
    purchases = [
        (AS_OF - rng.randrange(0, 2000 * DAY_MS), rng.uniform(-50, 2000))
        for _ in range(rng.randrange(0, 15))
    ]
    types = [rng.choice(["t-video", "t-photo", None]) for _ in range(rng.randrange(0, 10))]
    complaints = [rng.choice(["open", "closed", None]) for _ in range(rng.randrange(0, 5))]
    return Activity(purchases, complaints, types, len(types))


# Properties over seeded random customers (hypothesis is not installed in this venv).
@pytest.mark.parametrize("seed", range(200))
def test_properties_hold_for_random_customers(seed):
    rng = random.Random(seed)
    a = random_activity(rng)
    m = compute_metrics(a, AS_OF)
    scores = (m.rfm.recency_score, m.rfm.frequency_score, m.rfm.monetary_score)
    assert all(1 <= s <= 5 for s in scores)
    c = m.cost_to_serve
    assert c.total == pytest.approx(c.complaint_cost + c.order_cost + c.interaction_cost)
    if m.preferred_content_types:
        assert sum(s.share for s in m.preferred_content_types) == pytest.approx(1.0)
    # churn risk never falls while the customer does not buy again
    risks = [compute_metrics(a, AS_OF + d * DAY_MS).churn.risk for d in range(0, 400, 7)]
    if a.purchases:
        assert all(r is not None and 0 <= r < 1 for r in risks)
        assert risks == sorted(risks)
    else:
        assert set(risks) == {None}
