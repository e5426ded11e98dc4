"""Comparison vectors: the level of every comparison for many pairs, as one int8 matrix."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

from identity import parallel
from identity.comparisons import NULL, Comparison

L = TypeVar("L")
R = TypeVar("R")
Levels = npt.NDArray[np.int8]
Indices = npt.NDArray[np.int64]
Mask = npt.NDArray[np.bool_]


# Fewer pairs than this are compared in one process, whatever `identity.parallel` allows:
# a fork costs tens of milliseconds.
PARALLEL_PAIRS = 20_000


def compare_pairs(
    left: Sequence[L],
    right: Sequence[R],
    left_index: Indices,
    right_index: Indices,
    comparisons: Sequence[Comparison[L, R]],
) -> Levels:
    """Row i: the levels of ``left[left_index[i]]`` against ``right[right_index[i]]``, one
    column per comparison (NULL is -1). Same result as calling each comparison on each
    pair; faster, through the comparisons' shortcuts: a side that is not ``present`` makes
    the pair NULL without a call, and ``compare`` runs once per distinct pair of value
    keys (`Comparison.left_key`, `right_key`), not once per pair. With more than one
    worker allowed (`identity.parallel.using`), the pairs are split in order between
    forked children and this process."""
    workers = parallel.workers()
    if workers == 1 or len(left_index) < PARALLEL_PAIRS:
        return _compare(left, right, left_index, right_index, comparisons)
    (a, b), *rest = parallel.split(len(left_index), workers)
    pending = [
        parallel.in_child(_compare, left, right, left_index[s:e], right_index[s:e], comparisons)
        for s, e in rest
    ]
    mine = _compare(left, right, left_index[a:b], right_index[a:b], comparisons)
    return np.concatenate([mine, *(result() for result in pending)])


def _compare(
    left: Sequence[L],
    right: Sequence[R],
    left_index: Indices,
    right_index: Indices,
    comparisons: Sequence[Comparison[L, R]],
) -> Levels:
    out = np.full((len(left_index), len(comparisons)), NULL, dtype=np.int8)
    if len(left_index) == 0:
        return out
    # Per-record work (presence, keys) is done for the records the pairs name, once each.
    lefts, left_of = np.unique(left_index, return_inverse=True)
    rights, right_of = np.unique(right_index, return_inverse=True)
    left_records = [left[i] for i in lefts.tolist()]
    right_records = [right[j] for j in rights.tolist()]
    for k, comparison in enumerate(comparisons):
        keep = _present(left_records, comparison.left_present)[left_of]
        keep &= _present(right_records, comparison.right_present)[right_of]
        rows = np.flatnonzero(keep)
        if len(rows) == 0:
            continue
        left_codes = _codes(left_records, comparison.left_key)[left_of[rows]]
        right_codes = _codes(right_records, comparison.right_key)[right_of[rows]]
        width = int(right_codes.max()) + 1
        distinct, first, which = np.unique(
            left_codes * width + right_codes, return_index=True, return_inverse=True
        )
        compare = comparison.compare
        levels = [
            compare(left_records[i], right_records[j])
            for i, j in zip(left_of[rows[first]].tolist(), right_of[rows[first]].tolist(),
                            strict=True)
        ]  # fmt: skip
        out[rows, k] = np.asarray(levels, dtype=np.int8)[which.reshape(-1)]
        del distinct
    return out


def _present(records: Sequence[Any], present: Callable[[Any], bool] | None) -> Mask:
    if present is None:
        return np.ones(len(records), dtype=np.bool_)
    return np.fromiter((present(r) for r in records), dtype=np.bool_, count=len(records))


def _codes(records: Sequence[Any], key: Callable[[Any], Hashable] | None) -> Indices:
    """A small integer per record, equal for records of equal key (its own without a key)."""
    if key is None:
        return np.arange(len(records), dtype=np.int64)
    seen: dict[Hashable, int] = {}
    return np.fromiter(
        (seen.setdefault(key(r), len(seen)) for r in records), dtype=np.int64, count=len(records)
    )


def random_pairs(
    n_left: int, n_right: int, size: int, seed: int, distinct: bool = False
) -> tuple[Indices, Indices]:
    """``size`` pairs drawn uniformly (with replacement); ``distinct`` drops pairs of a
    record with itself (for pairs within one set)."""
    rng = np.random.default_rng(seed)
    left = rng.integers(0, n_left, size=size, dtype=np.int64)
    right = rng.integers(0, n_right, size=size, dtype=np.int64)
    if distinct:
        keep = left != right
        left, right = left[keep], right[keep]
    return left, right
