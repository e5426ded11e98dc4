"""graph/falkor_params.py: parameters written as the engine's Cypher literals (the
engine's reading of them: tests/integration/test_falkor_params.py)."""

import pytest

from graph.falkor_params import param_text, params_header


def test_map_keys_are_bare_names_and_strings_left_as_json_writes_them():
    value = {"id": "c1", "props": {"summary": 'said "a": b', "end": 2}, "l": [1.5, None, True]}
    assert param_text(value) == (
        '{id:"c1",props:{summary:"said \\"a\\": b",end:2},l:[1.5,null,true]}'
    )


def test_a_string_that_looks_like_a_key_stays_a_string():
    # JSON text inside a string (an outbox payload), a string ending in a backslash.
    assert param_text({"p": '{"a":"b\\"}', "q": ['x":', "y\\"]}) == (
        '{p:"{\\"a\\":\\"b\\\\\\"}",q:["x\\":","y\\\\"]}'
    )


def test_keys_not_plain_names_go_in_backticks():
    assert param_text({"a-b": 1, "é": {"c d": "x"}, "ok": 'e":'}) == (
        '{`a-b`:1,`é`:{`c d`:"x"},`ok`:"e\\":"}'
    )


def test_values_json_cannot_write_for_the_engine_go_through_the_clients_encoder():
    # \uXXXX escapes (other control characters) the engine would keep as text;
    # NaN JSON has no literal for: as the client writes them.
    assert param_text({"s": "a\x01b"}) == '{`s`:"a\x01b"}'  # the client's backticks
    assert param_text(float("nan")) == "nan"


def test_names_and_keys_the_engine_cannot_read_are_refused():
    with pytest.raises(ValueError, match="backtick"):
        param_text({"a`b": 1})
    with pytest.raises(ValueError, match="empty"):
        params_header({"": 1})


def test_the_header_sets_each_parameter():
    assert params_header({"rows": [{"id": "a"}], "now": 5}) == 'CYPHER `rows`=[{id:"a"}] `now`=5 '
    assert params_header({}) == params_header(None) == ""
