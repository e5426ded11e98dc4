"""Survivorship and consents across a merge, on plain records (known answers)."""

from identity.survivorship import Consent, reconcile_consents, surviving_profile

OLD, NEW = 1_600_000_000_000, 1_700_000_000_000


def test_the_most_recent_non_empty_value_wins_per_field():
    survivor = {"id": "c1", "name": "Wang Wei", "city": "Shanghai", "updated_at": NEW,
                "created_at": NEW, "row_hash": "s"}  # fmt: skip
    merged = {"id": "c2", "name": "Wei Wang", "city": "Beijing", "gender": "male",
              "updated_at": OLD, "created_at": OLD, "row_hash": "m"}  # fmt: skip
    # The survivor is newer: its values stand; the merged one fills what it lacks.
    assert surviving_profile(survivor, merged) == {"gender": "male", "created_at": OLD}
    # The merged record is newer: its values win, the survivor's fill its empty fields.
    newer = {**merged, "updated_at": NEW + 1, "city": ""}
    assert surviving_profile(survivor, newer) == {
        "name": "Wei Wang", "gender": "male", "created_at": OLD,
    }  # fmt: skip


def test_a_more_trusted_source_beats_a_newer_record():
    survivor = {"name": "A", "source": "social", "updated_at": NEW}
    merged = {"name": "B", "source": "crm", "updated_at": OLD}
    assert surviving_profile(survivor, merged) == {"name": "B", "source": "crm"}
    assert surviving_profile(survivor, merged, trust=("social", "crm")) == {}


def test_a_hash_goes_with_the_value_it_hashes():
    survivor = {"email": "a@x.com", "email_hash": "ha", "updated_at": OLD}
    merged = {"email": "b@x.com", "email_hash": "hb", "updated_at": NEW}
    assert surviving_profile(survivor, merged) == {"email": "b@x.com", "email_hash": "hb"}
    only_hash = {"email_hash": "hc", "updated_at": NEW}  # a source that sent only a hash
    assert surviving_profile(survivor, only_hash) == {"email": None, "email_hash": "hc"}


def test_a_later_withdrawal_on_the_other_side_withdraws_an_earlier_grant():
    consents = [
        Consent("merged", "b1", {"purposes": ["marketing", "analytics"], "granted_at": 10,
                                 "source": "app"}),
        Consent("survivor", "b1", {"purposes": ["marketing"], "granted_at": 20,
                                   "withdrawn_at": 30}),
        Consent("survivor", "b2", {"purposes": ["marketing"], "granted_at": 5}),
    ]  # fmt: skip
    plan = reconcile_consents(consents)
    assert plan.withdrawn == {0: 30}
    assert [(c.side, c.brand, c.props) for c in plan.added] == [
        ("merged", "b1", {"source": "app", "purposes": ["analytics"], "granted_at": 30})
    ]
    assert "withdrawn_at" not in consents[0].props  # the input is left as it was


def test_a_grant_after_the_withdrawal_or_on_the_same_side_stands():
    consents = [
        Consent("merged", "b1", {"purposes": ["marketing"], "granted_at": 40}),  # later
        Consent("survivor", "b1", {"purposes": ["marketing"], "granted_at": 20,
                                   "withdrawn_at": 30}),
        Consent("survivor", "b1", {"purposes": ["marketing"], "granted_at": 35}),  # same side
        Consent("merged", "b1", {"purposes": ["analytics"], "granted_at": 1}),  # other purpose
        Consent("merged", "b1", {"purposes": ["marketing"], "granted_at": 1,
                                 "withdrawn_at": 15}),  # before any grant of the other side
    ]  # fmt: skip
    plan = reconcile_consents(consents)
    assert plan.withdrawn == {} and plan.added == []


def test_fields_keep_the_most_trusted_source_then_the_most_recent_value() -> None:
    from identity.survivorship import FieldClaim, surviving_fields

    current = {
        "name": FieldClaim("Li Na", "crm", 100),
        "city": FieldClaim("Shanghai", "social", 100),
        "country": FieldClaim("CN", None, 50),  # loaded from a file: no source
        "email": FieldClaim("li@a.example", "support", 100),
        "email_hash": FieldClaim("h-a", "support", 100),
        "region": FieldClaim(None, "crm", 10),
    }
    incoming = {
        name: FieldClaim(value, "support", 200)
        for name, value in [("name", "Na Li"), ("city", "Hangzhou"), ("country", "FR"),
                            ("email", "li@b.example"), ("email_hash", "h-b"),
                            ("region", "Zhejiang"), ("postcode", "310000")]
    }  # fmt: skip
    won = surviving_fields(current, incoming)
    # name: crm outranks support; city: support outranks social; country: any source
    # outranks none; email and its hash: same source, newer; region: empty never wins.
    assert won == {n: incoming[n] for n in
                   ("city", "country", "email", "email_hash", "region", "postcode")}  # fmt: skip
    older = {"email": FieldClaim("li@c.example", "support", 99)}
    assert surviving_fields(current, older) == {}  # same rank, older: the current stays
    tie = {"city": FieldClaim("Suzhou", "social", 100)}
    assert surviving_fields(current, tie) == {}  # a tie keeps the current value
    assert surviving_fields(current, {"name": FieldClaim(None, "crm", 300)}) == {}
