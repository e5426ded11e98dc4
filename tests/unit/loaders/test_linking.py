"""Link decisions from evidence alone."""

from loaders.linking import decide


def ev(claimed=None, by_email=(), by_phone=()):
    return {"id": "a1", "claimed": claimed, "by_email": list(by_email), "by_phone": list(by_phone)}


def test_no_evidence_no_link():
    d = decide(ev())
    assert (d.customer_id, d.conflict) == (None, None)


def test_strongest_method_wins_when_all_agree():
    d = decide(ev(claimed="c1", by_email=["c1"], by_phone=["c1"]))
    assert (d.customer_id, d.method, d.confidence) == ("c1", "crm_id", 1.0)
    assert decide(ev(by_phone=["c1"])).method == "phone"
    assert decide(ev(by_email=["c1"], by_phone=["c1"])).confidence == 0.95


def test_one_account_claimed_by_two_customers_is_a_conflict():
    d = decide(ev(claimed="c1", by_email=["c2"]))
    assert d.customer_id is None
    assert d.conflict == "claimed by 2 customers: c1 (crm_id), c2 (email)"
    assert d.candidates == (("c1", "crm_id"), ("c2", "email"))


def test_one_key_on_two_customers_is_a_conflict_even_with_a_claim():
    d = decide(ev(claimed="c1", by_email=["c2", "c1"]))
    assert d.customer_id is None
    assert d.conflict == "one email key on 2 customers (c1, c2)"


def test_decision_does_not_depend_on_order():
    assert decide(ev(by_phone=["c2", "c1"])) == decide(ev(by_phone=["c1", "c2"]))
