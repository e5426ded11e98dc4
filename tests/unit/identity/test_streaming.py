"""The streaming path (a customer index built once, a model fitted on a sample, accounts
scored a chunk at a time) against the all-in-memory run."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from identity.customer_index import CustomerIndex
from identity.decisions import LinkDecision, Thresholds
from identity.model import link_model_from_dict
from identity.pipeline import fit_account_model, resolve_accounts, sample_in_order, score_accounts
from identity.records import AccountRecord, CustomerRecord
from loaders.synthetic_identity import IdentityBenchConfig, generate

DATA = generate(IdentityBenchConfig(customers=1200, accounts=1500, seed=8))
CUSTOMERS = [CustomerRecord.from_row(r) for r in DATA.customers]
ACCOUNTS = [AccountRecord.from_row(r) for r in DATA.accounts]


def same(a: LinkDecision, b: LinkDecision) -> bool:
    """Equal decisions, probabilities to rounding (sums taken in another order)."""
    close = (a.probability is None) == (b.probability is None) and (
        a.probability is None or abs(a.probability - (b.probability or 0.0)) < 1e-9
    )
    return (a.account_id, a.customer_id, a.outcome, a.method, a.reason) == (
        b.account_id, b.customer_id, b.outcome, b.method, b.reason
    ) and close  # fmt: skip


def test_chunks_decide_as_the_whole_run_does_with_the_same_model() -> None:
    whole = resolve_accounts(ACCOUNTS, CUSTOMERS, default_region="CN")
    index = CustomerIndex.build(CUSTOMERS, default_region="CN")
    streamed = list(score_accounts(whole.model, ACCOUNTS, index, chunk=97))
    assert len(streamed) == len(whole.decisions)
    assert all(same(a, b) for a, b in zip(streamed, whole.decisions, strict=True))
    assert sum(d.outcome == "link" for d in streamed) > 100  # there is something to agree on
    explained = next(d for d in streamed if d.outcome == "link")
    assert explained.explanation is not None
    assert explained.explanation.to_dict()["probability"] == explained.probability


def test_a_model_fitted_on_every_account_is_the_whole_runs() -> None:
    whole = resolve_accounts(ACCOUNTS, CUSTOMERS, default_region="CN")
    index = CustomerIndex.build(CUSTOMERS, default_region="CN")
    fitted = fit_account_model(index, iter(ACCOUNTS), sample=len(ACCOUNTS))
    assert fitted.to_dict() == whole.model.to_dict()


def test_a_model_fitted_on_a_sample_is_close_and_reusable_as_json() -> None:
    index = CustomerIndex.build(CUSTOMERS, default_region="CN")
    full = fit_account_model(index, ACCOUNTS, sample=len(ACCOUNTS))
    half = fit_account_model(index, ACCOUNTS, sample=len(ACCOUNTS) // 2, seed=3)
    assert abs(half.prior - full.prior) < 0.1
    stored = link_model_from_dict(half.to_dict())
    decisions = list(score_accounts(stored, ACCOUNTS[:300], index, Thresholds(0.9, 0.5)))
    assert [d.account_id for d in decisions] == [a.id for a in ACCOUNTS[:300]]


def test_accounts_are_read_a_chunk_at_a_time() -> None:
    index = CustomerIndex.build(CUSTOMERS, default_region="CN")
    model = fit_account_model(index, ACCOUNTS, sample=500)
    read = 0

    def reading() -> Iterator[AccountRecord]:
        nonlocal read
        for account in ACCOUNTS:
            read += 1
            yield account

    decisions = score_accounts(model, reading(), index, chunk=100)
    next(decisions)
    assert read <= 101  # one chunk (and the look past its end), not the whole input
    assert sum(1 for _ in decisions) == len(ACCOUNTS) - 1


def test_the_sample_is_uniform_in_input_order_and_bounded() -> None:
    chosen = sample_in_order(ACCOUNTS, 200, seed=1)
    positions = [ACCOUNTS.index(a) for a in chosen]
    assert len(chosen) == 200 and positions == sorted(positions)
    assert positions[-1] > len(ACCOUNTS) // 2  # not just the first 200
    assert sample_in_order(ACCOUNTS[:50], 200) == ACCOUNTS[:50]


def test_bad_sizes_are_refused() -> None:
    index = CustomerIndex.build(CUSTOMERS[:10])
    model = fit_account_model(index, ACCOUNTS[:20])
    with pytest.raises(ValueError):
        list(score_accounts(model, ACCOUNTS[:5], index, chunk=0))
    with pytest.raises(ValueError):
        fit_account_model(index, ACCOUNTS[:5], sample=0)


def test_a_chunk_in_which_no_account_has_a_candidate_is_decided() -> None:
    index = CustomerIndex.build(CUSTOMERS, default_region="CN")
    model = fit_account_model(index, ACCOUNTS, sample=500)
    lonely = [AccountRecord(id="x1", platform="weibo", handle="qwzxv_77"),
              AccountRecord(id="x2", platform="weibo")]  # fmt: skip
    decisions = list(score_accounts(model, lonely, index))
    assert [(d.account_id, d.reason) for d in decisions] == [
        ("x1", "no candidate"), ("x2", "nothing to compare")
    ]  # fmt: skip
