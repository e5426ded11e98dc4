"""Identity work on several processes (identity/parallel.py) gives the one-process run."""

from __future__ import annotations

import os

import numpy as np
import pytest

from identity import parallel, vectors
from identity.pipeline import resolve_accounts, resolve_duplicates
from identity.records import AccountRecord, CustomerRecord
from loaders.synthetic_identity import IdentityBenchConfig, generate

DATA = generate(IdentityBenchConfig(customers=900, accounts=1100, seed=21))
CUSTOMERS = [CustomerRecord.from_row(r) for r in DATA.customers]
ACCOUNTS = [AccountRecord.from_row(r) for r in DATA.accounts]


@pytest.fixture
def small_splits(monkeypatch: pytest.MonkeyPatch) -> None:
    """Split even this small set's pairs, so the forked path runs."""
    monkeypatch.setattr(vectors, "PARALLEL_PAIRS", 100)


def test_links_on_three_processes_are_the_one_process_run(small_splits: None) -> None:
    one = resolve_accounts(ACCOUNTS, CUSTOMERS, default_region="CN")
    three = resolve_accounts(ACCOUNTS, CUSTOMERS, default_region="CN", workers=3)
    assert len(one.candidates) > 3 * 100  # split into three, each above the minimum
    assert one.accounts == three.accounts
    assert np.array_equal(one.gamma, three.gamma)
    assert one.model.to_dict() == three.model.to_dict()
    assert one.decisions == three.decisions
    assert sum(d.outcome == "link" for d in one.decisions) > 50
    assert parallel.workers() == 1  # back to one process after the run


def test_duplicates_on_two_processes_are_the_one_process_run(small_splits: None) -> None:
    one = resolve_duplicates(CUSTOMERS, default_region="CN")
    two = resolve_duplicates(CUSTOMERS, default_region="CN", workers=2)
    assert np.array_equal(one.gamma, two.gamma)
    assert one.decisions == two.decisions and len(one.decisions) > 10


def _fails(code: int) -> None:
    if code:
        os._exit(code)  # a child that dies without a word
    raise LookupError("no such thing")


def test_a_childs_error_or_death_is_raised_in_the_parent() -> None:
    with pytest.raises(LookupError, match="no such thing"):
        parallel.in_child(_fails, 0)()
    with pytest.raises(parallel.ChildFailed, match="code 3"):
        parallel.in_child(_fails, 3)()


def test_work_is_split_in_order_and_whole() -> None:
    assert parallel.split(10, 3) == [(0, 4), (4, 7), (7, 10)]
    assert parallel.split(2, 3) == [(0, 1), (1, 2), (2, 2)]
    with pytest.raises(ValueError, match="at least 1"), parallel.using(0):
        pass
