"""The lift and its interval against numbers worked out here from the raw values."""

import math
import statistics

import pytest

from analytics.lift import GroupSums, conversion_lift, purchases_lift, revenue_lift


def sums(values: list[float], converted: int | None = None) -> GroupSums:
    """A group whose customers spent ``values`` (one purchase each spent > 0)."""
    bought = [1.0 if v > 0 else 0.0 for v in values]
    return GroupSums(
        n=len(values),
        converted=sum(1 for v in values if v > 0) if converted is None else converted,
        purchases=sum(bought), purchases_sq=sum(b * b for b in bought),
        revenue=sum(values), revenue_sq=sum(v * v for v in values),
    )  # fmt: skip


def test_conversion_lift_is_the_difference_of_shares_with_a_wald_interval():
    t = GroupSums(100, 30, 30, 30, 0, 0)
    c = GroupSums(100, 20, 20, 20, 0, 0)
    got = conversion_lift(t, c)
    se = math.sqrt(0.3 * 0.7 / 100 + 0.2 * 0.8 / 100)  # 0.06083
    assert got.lift == pytest.approx(0.1)
    assert got.low == pytest.approx(0.1 - 1.959964 * se, abs=1e-6)
    assert got.high == pytest.approx(0.1 + 1.959964 * se, abs=1e-6)
    assert got.relative == pytest.approx(0.5)


def test_revenue_lift_uses_welchs_standard_error():
    treated = [0.0, 50.0, 120.0, 0.0, 80.0]
    control = [0.0, 0.0, 40.0, 0.0]
    got = revenue_lift(sums(treated), sums(control))
    diff = statistics.mean(treated) - statistics.mean(control)
    se = math.sqrt(statistics.variance(treated) / 5 + statistics.variance(control) / 4)
    assert got.lift == pytest.approx(diff)
    assert (got.low, got.high) == pytest.approx((diff - 1.959964 * se, diff + 1.959964 * se))
    assert got.relative == pytest.approx(diff / 10.0)


def test_an_empty_arm_has_no_lift_and_a_zero_control_no_relative_lift():
    empty = GroupSums(0, 0, 0, 0, 0, 0)
    assert conversion_lift(sums([1.0]), empty).lift is None
    none_bought = purchases_lift(sums([1.0, 0.0]), sums([0.0, 0.0]))
    assert none_bought.lift == pytest.approx(0.5)
    assert none_bought.relative is None
    one_each = revenue_lift(sums([5.0]), sums([3.0]))
    assert one_each.lift == pytest.approx(2.0) and one_each.low is None  # no variance


def test_a_count_outside_its_group_is_refused():
    with pytest.raises(ValueError):
        conversion_lift(GroupSums(2, 3, 0, 0, 0, 0), GroupSums(1, 0, 0, 0, 0, 0))
