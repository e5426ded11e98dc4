"""A campaign's lift: treated against control, with a normal (Wald) confidence interval.

Pure functions over per-group sums (no graph, no clock). Method (docs/audiences.md):

- conversion: shares x_t/n_t and x_c/n_c; lift = x_t/n_t - x_c/n_c; unpooled standard
  error sqrt(p_t (1 - p_t)/n_t + p_c (1 - p_c)/n_c);
- a per-customer amount (purchases, revenue): means s/n; lift = mean_t - mean_c; Welch's
  standard error sqrt(var_t/n_t + var_c/n_c), each variance the sample one (n - 1) from
  the sum and the sum of squares;
- interval: lift -/+ z * se with z = 1.959964 (95 %); relative lift = lift / control's.
"""

import math
from dataclasses import dataclass

Z_95 = 1.959963984540054


@dataclass(frozen=True)
class GroupSums:
    """One group's customers (`n`), those who converted, and the sum and sum of squares
    of each per-customer amount."""

    n: int
    converted: int
    purchases: float
    purchases_sq: float
    revenue: float
    revenue_sq: float


@dataclass(frozen=True)
class Lift:
    """Treated minus control for one measure: the two values, the difference, its 95 %
    interval (None when a group is empty or too small for a variance), and the relative
    lift (None when the control's value is 0 or missing)."""

    treated: float | None
    control: float | None
    lift: float | None
    low: float | None
    high: float | None
    relative: float | None


def _lift(treated: float | None, control: float | None, se: float | None) -> Lift:
    if treated is None or control is None:
        return Lift(treated, control, None, None, None, None)
    diff = treated - control
    relative = diff / control if control else None
    if se is None:
        return Lift(treated, control, diff, None, None, relative)
    return Lift(treated, control, diff, diff - Z_95 * se, diff + Z_95 * se, relative)


def conversion_lift(t: GroupSums, c: GroupSums) -> Lift:
    """Difference of conversion shares with its unpooled Wald interval. Raises ValueError
    for a count outside its group."""
    for g in (t, c):
        if g.n < 0 or not 0 <= g.converted <= max(g.n, 0):
            raise ValueError(f"{g.converted} of {g.n} is not a proportion")
    if not t.n or not c.n:
        return _lift(t.converted / t.n if t.n else None, c.converted / c.n if c.n else None, None)
    p_t, p_c = t.converted / t.n, c.converted / c.n
    se = math.sqrt(p_t * (1 - p_t) / t.n + p_c * (1 - p_c) / c.n)
    return _lift(p_t, p_c, se)


def _mean_var(n: int, total: float, squares: float) -> tuple[float | None, float | None]:
    if n == 0:
        return None, None
    mean = total / n
    if n < 2:
        return mean, None
    # max(0, ...): rounding can leave a tiny negative for equal values
    return mean, max(0.0, (squares - n * mean * mean) / (n - 1))


def mean_lift(n_t: int, sum_t: float, sq_t: float, n_c: int, sum_c: float, sq_c: float) -> Lift:
    """Difference of per-customer means with Welch's standard error and a normal interval."""
    mean_t, var_t = _mean_var(n_t, sum_t, sq_t)
    mean_c, var_c = _mean_var(n_c, sum_c, sq_c)
    se = None
    if var_t is not None and var_c is not None:
        se = math.sqrt(var_t / n_t + var_c / n_c)
    return _lift(mean_t, mean_c, se)


def purchases_lift(t: GroupSums, c: GroupSums) -> Lift:
    """Purchases per customer, treated against control."""
    return mean_lift(t.n, t.purchases, t.purchases_sq, c.n, c.purchases, c.purchases_sq)


def revenue_lift(t: GroupSums, c: GroupSums) -> Lift:
    """Revenue per customer, treated against control."""
    return mean_lift(t.n, t.revenue, t.revenue_sq, c.n, c.revenue, c.revenue_sq)
