"""Parameters reach each engine as given (graph/falkor_params.py writes the embedded
engine's as text): strings with quotes, backslashes, control characters and non-ASCII
text, nested maps and lists, the scalars."""

from typing import Any

VALUES: list[Any] = [
    'said "hi": \\ back\\slash \\n not a newline',
    "line\nbreak\ttab\rcr\bbs\fff \x01\x1f\x7f é 漢 😀",
    {"summary": '":{', "end": 1, "order": [{"count": None, "type": False}], "a-b": 2.5e20},
    [1, -0.5, True, None, "", [], {}],
    {"payload": '{"a":"b\\","c":[1]}', "é": {"c d": 'e":'}, "_k9": "y\\"},
]


async def test_parameters_are_read_back_as_given(store):
    for value in VALUES:
        assert await store.read("RETURN $v AS v", {"v": value}) == [{"v": value}]
