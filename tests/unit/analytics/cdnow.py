"""The CDNOW sample summarised as Fader, Hardie and Lee (2005) did: weeks, calibration 1-39."""

from __future__ import annotations

from functools import cache

from analytics.clv import Summary, summarize
from loaders.cdnow import CALIBRATION_END_DAY, read_purchases
from loaders.recipes import cdnow_sample_path

WEEK = 7.0


@cache
def purchases() -> dict[str, list[tuple[int, float]]]:
    return read_purchases(cdnow_sample_path())


@cache
def calibration() -> dict[str, Summary]:
    """Each customer's summary at the end of week 39, in weeks."""
    summaries = {c: summarize(p, CALIBRATION_END_DAY, WEEK) for c, p in purchases().items()}
    return {c: s for c, s in summaries.items() if s is not None}


def holdout_occasions(customer: str) -> int:
    """Purchase days of ``customer`` in weeks 40-78."""
    return len({day for day, _ in purchases()[customer] if day > CALIBRATION_END_DAY})
