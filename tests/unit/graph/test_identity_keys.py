import hashlib

from graph.identity_keys import contact_key


def test_a_key_is_plain_sha256_of_the_normalised_value():
    # What sources that share only hashes send, and what partners send (issue 19).
    assert contact_key("+8613812345678") == hashlib.sha256(b"+8613812345678").hexdigest()
    assert contact_key("wang.wei@163.com") == hashlib.sha256(b"wang.wei@163.com").hexdigest()
