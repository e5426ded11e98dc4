"""The `POST /events` statement builder (graph/events.py): a batch's statement holds the
lookups, refusals and writes its rows need and no others; the full statement keeps them
all. Run on both engines by tests/integration/test_events.py."""

import pytest

from graph import events as q

CONTACT = {"i": 0, "type": "contact", "customer": "c1", "brand": "b1", "contact": "ct_1"}


def test_a_batch_of_contacts_about_brands_looks_up_only_brands():
    statement, params = q.ingest_events([CONTACT], {"now": 1, "admin": False}, {"id": "a"})
    assert params["events"] == [CONTACT] and params["batch"] == {"now": 1, "admin": False}
    assert "(b:Brand" in statement and "(k)-[:ABOUT]->(b)" in statement
    for absent in ("[:MADE]", "SocialAccount", "(p:Product", "(po:Post", "owners", "pid",
                   "_lock", "Tag", "INTERACTED"):  # fmt: skip
        assert absent not in statement, absent
    assert q.UNKNOWN_BRAND in statement and q.UNKNOWN_PURCHASE not in statement


def test_a_contact_about_a_purchase_checks_it_is_the_customers():
    statement, _ = q.ingest_events([{**CONTACT, "purchase": "o1"}], {}, {})
    assert "(c)-[:MADE]->(cp:Purchase" in statement and q.UNKNOWN_PURCHASE in statement
    assert "(pu:Purchase" not in statement  # only a purchase event may not reuse an id


def test_every_kind_and_lookup_keeps_every_refusal_in_order():
    statement = q.ingest_statement(frozenset(q.TYPES), frozenset(q.LOOKUPS))
    order = [q.ID_REUSED, q.DUPLICATE, q.ERASED, q.UNKNOWN_CUSTOMER, q.STALE,
             q.UNKNOWN_ACCOUNT, q.UNKNOWN_BRAND, q.UNKNOWN_PRODUCT, q.UNKNOWN_POST,
             q.PURCHASE_EXISTS, q.UNKNOWN_PURCHASE]  # fmt: skip
    at = [statement.index(f"THEN '{refusal}'") for refusal in order]
    assert at == sorted(at)
    assert statement.count("FOREACH (_ IN CASE WHEN refusal IS NULL AND e.type") == len(q.TYPES)


def test_a_kind_without_the_lookups_its_writes_need_is_refused():
    with pytest.raises(ValueError, match="interaction events need"):
        q.ingest_statement(frozenset({"interaction"}), frozenset({"account"}))
    with pytest.raises(ValueError, match="unknown"):
        q.ingest_statement(frozenset({"shout"}), frozenset())


def test_the_statement_writes_each_outbox_events_kind_and_id_the_rows_carry_neither():
    statement, _ = q.ingest_events([CONTACT], {"now": 1, "admin": False, "outbox": "ev_1."}, {})
    assert "kind: 'contact.recorded'" in statement and "e.event" not in statement
    assert "id: $batch.outbox + toString(e.i)" in statement
    both = q.ingest_statement(frozenset({"contact", "tag"}), frozenset({"brand"}))
    assert (
        "CASE e.type WHEN 'contact' THEN 'contact.recorded' WHEN 'tag' THEN 'customer.tagged' END"
        in both
    )
