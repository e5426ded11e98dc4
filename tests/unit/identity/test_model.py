"""The fitted model, its decisions and explanations, on a small generated set plus
hand-built records with known answers."""

from __future__ import annotations

import json
from collections import Counter

import numpy as np
import pytest

from identity.decisions import LinkDecision, Thresholds
from identity.model import link_model_from_dict, score
from identity.pipeline import LinkRun, resolve_accounts, resolve_duplicates
from identity.records import AccountRecord, CustomerRecord
from loaders.synthetic_identity import IdentityBenchConfig, generate

DATA = generate(IdentityBenchConfig(customers=1500, accounts=1900, seed=21))
KNOWN_CUSTOMERS = [
    CustomerRecord(id="k-wang84", name="王伟", birth_year=1984, birth_date="1984-06-12",
                   city="上海", phone="13812345678", email="wei.wang84@163.com"),
    CustomerRecord(id="k-wang71", name="王伟", birth_year=1971, city="成都"),
    CustomerRecord(id="k-zhuge", name="诸葛亮", birth_year=1990, city="杭州"),
]  # fmt: skip
KNOWN_ACCOUNTS = [
    # handle with the full name and the birthday, display in Han, in Shanghai: the 1984 one
    AccountRecord(id="k-a1", platform="weibo", handle="wangwei_840612", display_name="王伟",
                  location="Shanghai"),
    # the name and nothing else: two customers are called that
    AccountRecord(id="k-a2", platform="weibo", display_name="Wei Wang"),
    # a rare name in pinyin, in the right city
    AccountRecord(id="k-a3", platform="douyin", handle="zhugeliang", location="Hangzhou"),
    # a claimed CRM id wins whatever the rest says
    AccountRecord(id="k-a4", platform="wechat", display_name="小太阳", customer_id="k-wang71"),
    # nothing to compare
    AccountRecord(id="k-a5", platform="wechat", handle="wxid_abcdefghij", display_name="🌸🌸"),
    # a masked phone and the given name: the 1984 Wang Wei is the best candidate
    AccountRecord(id="k-a6", platform="weibo", display_name="✨wei✨", handle="ww_sh",
                  phone_masked="138****5678"),
]  # fmt: skip


@pytest.fixture(scope="module")
def run() -> LinkRun:
    customers = [CustomerRecord.from_row(r) for r in DATA.customers] + KNOWN_CUSTOMERS
    accounts = [AccountRecord.from_row(r) for r in DATA.accounts] + KNOWN_ACCOUNTS
    return resolve_accounts(accounts, customers, default_region="CN", u_pairs=30_000)


def known(run: LinkRun, account_id: str) -> LinkDecision:
    return next(d for d in run.decisions if d.account_id == account_id)


def test_the_model_converges_to_a_plausible_share_of_owned_accounts(run: LinkRun) -> None:
    assert run.model.converged
    assert 0.4 < run.model.prior < 0.8  # the set has 60% owned accounts
    names = [c.name for c in run.model.comparisons]
    weights = run.model.level_weights()
    # Agreement weighs for a match, disagreement against it, for every comparison.
    for k in range(len(names)):
        assert weights[k][0] > 0 > weights[k][len(run.model.comparisons[k].levels) - 1]


def test_known_accounts_get_the_known_answers(run: LinkRun) -> None:
    assert (known(run, "k-a1").customer_id, known(run, "k-a1").outcome) == ("k-wang84", "link")
    namesake = known(run, "k-a2")
    assert namesake.outcome != "link"  # two Wang Weis: the name alone cannot choose
    assert known(run, "k-a3").customer_id == "k-zhuge"
    claimed = known(run, "k-a4")
    assert (claimed.customer_id, claimed.method, claimed.probability) == ("k-wang71", "crm_id", 1.0)
    assert known(run, "k-a5").reason == "nothing to compare"
    assert known(run, "k-a6").customer_id == "k-wang84"


def test_one_decision_per_account_and_at_most_one_customer(run: LinkRun) -> None:
    assert len(run.decisions) == len(run.accounts)
    assert Counter(d.account_id for d in run.decisions).most_common(1)[0][1] == 1
    for d in run.decisions:
        assert (d.customer_id is None) == (d.outcome == "none")


def test_explanations_add_up_to_the_probability(run: LinkRun) -> None:
    explained = [d for d in run.decisions if d.explanation and d.method == "probabilistic"]
    assert explained
    for d in explained[:200]:
        e = d.explanation
        assert e is not None
        odds = 2.0**e.score
        assert odds / (1 + odds + e.competing) == pytest.approx(e.probability, rel=1e-6)
        assert [x.comparison for x in e.evidence] == [c.name for c in run.model.comparisons]


def test_common_names_weigh_less_than_rare_ones(run: LinkRun) -> None:
    name = run.model.comparisons[0]
    level = name.levels.index("full")
    common = max(run.model.name_frequency, key=run.model.name_frequency.__getitem__)
    assert run.model.tf_adjustment(common, level) < 0
    assert run.model.tf_adjustment("liang|zhuge", level) > 0
    assert run.model.tf_adjustment("never seen", level) == 0


def test_a_fitted_model_round_trips_through_json_and_scores_the_same(run: LinkRun) -> None:
    again = link_model_from_dict(json.loads(json.dumps(run.model.to_dict())))
    rescored = score(again, run.candidates, run.gamma, run.customers)
    np.testing.assert_allclose(rescored.probability, run.scores.probability)
    changed = run.model.to_dict()
    changed["comparisons"][0]["levels"] = ["other"]
    with pytest.raises(ValueError, match="other comparisons"):
        link_model_from_dict(changed)


def test_thresholds_are_checked() -> None:
    with pytest.raises(ValueError):
        Thresholds(auto_link=0.5, review=0.9)
    assert Thresholds().outcome(0.99) == "link"
    assert Thresholds().outcome(0.6) == "review"
    assert Thresholds().outcome(0.1) == "none"


def test_crm_duplicates_are_found_with_their_evidence() -> None:
    customers = [CustomerRecord.from_row(r) for r in DATA.customers] + [
        CustomerRecord(id="k-dup1", name="诸葛亮", birth_year=1990, email="zgl@163.com",
                       city="杭州"),
        CustomerRecord(id="k-dup2", name="Zhuge Liang", birth_year=1990, email="zgl@163.com",
                       city="Hangzhou"),
    ]  # fmt: skip
    run = resolve_duplicates(customers, default_region="CN", u_pairs=30_000)
    pair = next(d for d in run.decisions if {d.left_id, d.right_id} == {"k-dup1", "k-dup2"})
    assert pair.outcome == "link"
    levels = {e.comparison: e.level for e in pair.explanation.evidence}
    assert levels["name"] == "full" and levels["email"] == "exact"


def test_a_person_with_three_records_gets_all_three_pairs() -> None:
    # Duplicates within one set are scored pair by pair: a third record does not take
    # probability away from the other two.
    person = [
        CustomerRecord(id=f"k-tri{i}", name=name, birth_date="1988-03-04", city="杭州",
                       email="zhuge.liang88@163.com")
        for i, name in enumerate(("诸葛亮", "Zhuge Liang", "Liang Zhuge"))
    ]  # fmt: skip
    customers = [CustomerRecord.from_row(r) for r in DATA.customers] + person
    run = resolve_duplicates(customers, default_region="CN", u_pairs=30_000)
    found = {frozenset((d.left_id, d.right_id)) for d in run.decisions if d.outcome == "link"}
    assert {frozenset(("k-tri0", "k-tri1")), frozenset(("k-tri0", "k-tri2")),
            frozenset(("k-tri1", "k-tri2"))} <= found  # fmt: skip


def test_a_household_phone_links_nobody_and_says_so() -> None:
    household = [
        CustomerRecord(id="k-h1", name="林建华", phone="13912340000", city="厦门"),
        CustomerRecord(id="k-h2", name="林晓燕", phone="+86 139 1234 0000", city="厦门"),
    ]
    relative = AccountRecord(id="k-h3", platform="wechat", display_name="林阿姨",
                             phone="139-1234-0000")  # fmt: skip
    customers = [CustomerRecord.from_row(r) for r in DATA.customers] + household
    run = resolve_accounts([*(AccountRecord.from_row(r) for r in DATA.accounts), relative],
                           customers, default_region="CN", u_pairs=30_000)  # fmt: skip
    decision = next(d for d in run.decisions if d.account_id == "k-h3")
    assert decision.outcome != "link"
    assert "shared phone" in run.accounts[-1].placeholders
    assert "shared phone" in next(c for c in run.customers if c.id == "k-h1").placeholders


def test_an_account_with_no_candidate_is_decided_with_a_stored_model(run: LinkRun) -> None:
    # One account alone, whom blocking pairs with no one (the shape of `hub resolve
    # --explain` on an unlinked account): a decision, not an error.
    lonely = AccountRecord(id="a-lonely", platform="weibo", handle="qwzxv_77")
    alone = resolve_accounts([lonely], [CustomerRecord(id="c1", name="王伟")], model=run.model)
    [decision] = alone.decisions
    assert (decision.account_id, decision.outcome, decision.reason) == (
        "a-lonely", "none", "no candidate"
    )  # fmt: skip
