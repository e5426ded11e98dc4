"""compare_pairs, with its shortcuts (presence, value keys), against each comparison called
on each pair."""

from __future__ import annotations

import numpy as np
import pytest

from identity.comparisons import ACCOUNT_COMPARISONS, CUSTOMER_COMPARISONS
from identity.profiles import account_profile, customer_profile
from identity.records import AccountRecord, CustomerRecord
from identity.vectors import compare_pairs, random_pairs
from loaders.synthetic_identity import IdentityBenchConfig, generate

DATA = generate(IdentityBenchConfig(customers=600, accounts=750, seed=5))
CUSTOMERS = [customer_profile(CustomerRecord.from_row(r), "CN") for r in DATA.customers]
ACCOUNTS = [account_profile(AccountRecord.from_row(r), "CN") for r in DATA.accounts]


@pytest.mark.parametrize("within", [False, True])
def test_compare_pairs_is_each_comparison_on_each_pair(within: bool) -> None:
    left = CUSTOMERS if within else ACCOUNTS
    comparisons = CUSTOMER_COMPARISONS if within else ACCOUNT_COMPARISONS
    i, j = random_pairs(len(left), len(CUSTOMERS), 20_000, seed=3)
    # Pairs that agree on something, as candidates do: each record against its namesakes.
    by_name: dict[str, list[int]] = {}
    for n, c in enumerate(CUSTOMERS):
        by_name.setdefault(c.name.canonical, []).append(n)
    extra = [(a, b) for a, r in enumerate(left) for b in by_name.get(r.name.canonical, [])]
    i = np.concatenate([i, np.array([a for a, _ in extra], dtype=np.int64)])
    j = np.concatenate([j, np.array([b for _, b in extra], dtype=np.int64)])
    gamma = compare_pairs(left, CUSTOMERS, i, j, comparisons)  # type: ignore[arg-type]
    expected = np.array(
        [
            [c.compare(left[a], CUSTOMERS[b]) for c in comparisons]  # type: ignore[arg-type]
            for a, b in zip(i.tolist(), j.tolist(), strict=True)
        ],
        dtype=np.int8,
    )
    assert len(extra) > 200
    assert (gamma == expected).all()
    assert len(np.unique(gamma, axis=0)) > 20  # the pairs are not all alike


def test_no_pairs_give_an_empty_matrix() -> None:
    empty = np.zeros(0, dtype=np.int64)
    gamma = compare_pairs(ACCOUNTS, CUSTOMERS, empty, empty, ACCOUNT_COMPARISONS)
    assert gamma.shape == (0, len(ACCOUNT_COMPARISONS))
