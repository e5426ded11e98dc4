"""CDNOW purchase files as plain per-customer histories, for the prediction models.

``CDNOW_master.txt`` and ``CDNOW_sample.txt`` (shipped by ``lifetimes``, see
loaders/recipes.py) hold one purchase a line: customer id (the sample adds its own id),
date ``YYYYMMDD``, number of CDs, dollars. Days are counted from 1 January 1997, the
start of the cohort's first quarter; the studies' weeks 1-39 (the calibration period)
are days 0-272 and weeks 40-78 (the holdout) days 273-545.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from pathlib import Path

COHORT_START = date(1997, 1, 1)
CALIBRATION_END_DAY = 272  # 30 September 1997, the end of week 39
HOLDOUT_END_DAY = 545  # 30 June 1998, the end of week 78


def read_purchases(path: Path) -> dict[str, list[tuple[int, float]]]:
    """Customer id -> [(day since 1 January 1997, dollars)] in file order.

    The sample's own id (1..2,357) is used when the line has one. Raises ValueError
    naming the line when a line does not have 4 or 5 fields or a field does not parse.
    """
    history: dict[str, list[tuple[int, float]]] = defaultdict(list)
    with path.open(encoding="ascii") as lines:
        for number, line in enumerate(lines, start=1):
            fields = line.split()
            if not fields or (number == 1 and fields[0] == "customer_id"):
                continue  # the master file has a header line, the sample none
            if len(fields) not in (4, 5):
                raise ValueError(f"{path.name}:{number}: expected 4 or 5 fields")
            customer, day, dollars = fields[-4], fields[-3], fields[-1]
            try:
                bought = date(int(day[:4]), int(day[4:6]), int(day[6:8]))
                history[customer].append(((bought - COHORT_START).days, float(dollars)))
            except ValueError as e:
                raise ValueError(f"{path.name}:{number}: {e}") from None
    return dict(history)
