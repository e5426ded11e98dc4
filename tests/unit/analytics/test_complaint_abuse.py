"""Complaint abuse: complaints against everyone's complaints per purchase."""

from analytics.complaint_abuse import Complaints, complaint_abuse


def test_many_complaints_on_few_purchases_are_flagged_and_one_is_not() -> None:
    rows = [Complaints("k", 8, 12), Complaints("o", 1, 200), Complaints("new", 2, 0)]
    found = {a.customer_id: a for a in complaint_abuse(rows, purchases=1000)}
    assert set(found) == {"k", "new"}
    assert found["k"].expected == 12 * 11 / 1000 and found["k"].score > 30
    # no purchase yet: compared as one purchase
    assert found["new"].expected == 11 / 1000


def test_no_complainers_no_signal() -> None:
    assert complaint_abuse([], purchases=100) == []
