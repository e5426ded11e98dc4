from graph.identity_keys import email_hash, normalise_email, normalise_phone, phone_hash


def test_email_normalised_before_hashing():
    assert normalise_email("  Wang.Fang@Example.COM ") == "wang.fang@example.com"
    assert email_hash("Wang.Fang@Example.com") == email_hash(" wang.fang@example.com")
    assert email_hash(None) is None and email_hash("  ") is None


def test_phone_normalised_before_hashing():
    assert normalise_phone("+86 138-0013.8000") == "+8613800138000"
    assert normalise_phone("0033 6 12 34 56 78") == "+33612345678"
    assert phone_hash("+86 138 0013 8000") == phone_hash("+8613800138000")
    assert phone_hash("12") is None


def test_kinds_are_namespaced():
    assert email_hash("1234567") != phone_hash("1234567")
