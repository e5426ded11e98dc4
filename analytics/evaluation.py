"""How good a score is: ranking (AUC, precision and recall at k) and calibration (Brier)."""

from __future__ import annotations

from collections.abc import Collection, Mapping

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from analytics.fitting import as_array


def auc(outcomes: ArrayLike, scores: ArrayLike) -> float:
    """Area under the ROC curve: P(a random positive scores above a random negative).

    Ties count one half (the Mann-Whitney statistic on mid-ranks). Raises ValueError
    unless both classes are present and the arrays have the same length.
    """
    y, s = as_array(outcomes), as_array(scores)
    if len(y) != len(s):
        raise ValueError("outcomes and scores must have the same length")
    positives = int((y == 1).sum())
    negatives = int((y == 0).sum())
    if positives + negatives != len(y) or not positives or not negatives:
        raise ValueError("outcomes must be 0 or 1, with both present")
    ranks = stats.rankdata(s)
    return float((ranks[y == 1].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def brier(outcomes: ArrayLike, probabilities: ArrayLike) -> float:
    """Mean squared difference between outcomes (0/1) and probabilities; lower is better.

    Raises ValueError for probabilities outside 0..1 or arrays of different lengths.
    """
    y, p = as_array(outcomes), as_array(probabilities)
    if len(y) != len(p):
        raise ValueError("outcomes and probabilities must have the same length")
    if (p < 0).any() or (p > 1).any():
        raise ValueError("probabilities must be within 0..1")
    return float(np.mean((p - y) ** 2))


def precision_recall_at_k(
    positives: Collection[str], scores: Mapping[str, float], k: int
) -> tuple[float, float]:
    """Precision and recall of the ``k`` highest scores (ties by id) at finding ``positives``.

    Raises ValueError unless ``k`` is positive and there is at least one positive.
    """
    if k <= 0 or not positives:
        raise ValueError("k must be positive and positives must not be empty")
    top = sorted(scores, key=lambda item: (-scores[item], item))[:k]
    found = sum(item in positives for item in top)
    return found / k, found / len(positives)
