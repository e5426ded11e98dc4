import pytest
from graphql import GraphQLError

from resolvers.ids import (
    decode_cursor,
    decode_key_cursor,
    encode_cursor,
    encode_key_cursor,
    from_global_id,
    key_for,
    to_global_id,
)


def test_global_id_round_trip():
    gid = to_global_id("Customer", "c:0001")
    assert from_global_id(gid) == ("Customer", "c:0001")


@pytest.mark.parametrize("bad", ["", "!!!", to_global_id("Nope", "x"), "Q3VzdG9tZXI"])
def test_malformed_global_ids_are_user_errors(bad):
    with pytest.raises(GraphQLError) as e:
        from_global_id(bad)
    assert e.value.extensions == {"code": "BAD_USER_INPUT", "argument": "id"}


def test_key_for_accepts_raw_keys_and_own_global_ids_only():
    assert key_for("Customer", "c0000001") == "c0000001"
    assert key_for("Customer", to_global_id("Customer", "c1")) == "c1"
    with pytest.raises(GraphQLError, match="is a Brand id"):
        key_for("Customer", to_global_id("Brand", "b1"))


def test_cursors_belong_to_their_list():
    cursor = encode_key_cursor("purchases", (1700000000000, "o1"))
    assert decode_key_cursor(cursor, "purchases") == [1700000000000, "o1"]
    with pytest.raises(GraphQLError):
        decode_cursor(cursor, "complaints")
    with pytest.raises(GraphQLError):
        decode_key_cursor(encode_cursor("purchases", "not json"), "purchases")
