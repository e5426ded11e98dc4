"""The parameters of a FalkorDB query, as the `CYPHER name=value ...` text the engine
parses them from (graph/falkor_store.py).

The client's own encoder (``falkordb.helpers.stringify_param_value``) walks every value
in Python, a call per value: for a batch write of 500 rows it was a third of the server's
time for a `POST /events` batch. Here the whole value is written by the standard library's
C JSON encoder and only the object keys are rewritten (JSON quotes them, Cypher takes them
bare), in one regular-expression pass over the text.

JSON and FalkorDB's Cypher literals agree on numbers, `true`/`false`/`null`, lists, and
strings with the escapes ``\\"``, ``\\\\``, ``\\n``, ``\\t``, ``\\r``, ``\\b``, ``\\f``. They
do not on ``\\uXXXX`` (the engine keeps it as six characters), which the JSON encoder
writes for the other control characters: a value whose text has one, or that JSON cannot
write (NaN, infinities, objects of other types), goes through the client's encoder, as
before.
"""

import json
import re
from collections.abc import Mapping
from typing import Any

from falkordb.helpers import stringify_param_value

_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":"))
# A key that is a plain name, with what precedes it (a key's opening quote follows `{` or
# `,`; inside a string every quote follows a backslash), split out so that joining the
# pieces writes it bare: `{"id":` -> `{id:` (the engine takes keywords as bare keys too).
_NAME_KEY = re.compile(r'([{,])"([A-Za-z_][A-Za-z0-9_]*)"(:)')
# Every JSON string token, in order (each match starts at an opening quote), and the
# colon that makes it a key: the slower way, a Python call per string, keys in backticks.
_STRING = re.compile(r'"([^"\\]*(?:\\.[^"\\]*)*)"(:?)')


def _key(match: re.Match[str]) -> str:
    if not match.group(2):
        return match.group(0)
    key = match.group(1)
    if "\\" in key:
        key = json.loads(f'"{key}"')
    if not key or "`" in key:
        # As the client refuses them: the engine reads no escaped backtick in a name.
        raise ValueError(f"a Cypher map key cannot be empty or hold a backtick: {key!r}")
    return f"`{key}`:"


def param_text(value: Any) -> str:
    """``value`` as a Cypher literal the engine reads back equal to it. Raises ValueError
    for a map key the engine cannot read (empty, or holding a backtick)."""
    try:
        text = _ENCODER.encode(value)
    except (ValueError, TypeError, RecursionError):
        return str(stringify_param_value(value))
    if "\\u" in text:
        return str(stringify_param_value(value))
    if "{" not in text:
        return text
    pieces = _NAME_KEY.split(text)
    # Every key was a plain name when the text has as many keys (`":` that ends no string
    # in it, `\":`, nor opens one) as were split out; the count is exact unless a string
    # holds `\\":` or starts with a colon, and then the slower way decides.
    if '\\\\":' not in text:
        keys = text.count('":') - text.count('\\":')
        if keys == len(pieces) // 4:
            return "".join(pieces)
    return _STRING.sub(_key, text)


def params_header(params: Mapping[str, Any] | None) -> str:
    """The `CYPHER ...` header setting ``params`` (empty without any). Raises ValueError
    for a name or map key the engine cannot read."""
    if not params:
        return ""
    parts = ["CYPHER"]
    for name, value in params.items():
        if not name or "`" in name:
            raise ValueError(f"a parameter name cannot be empty or hold a backtick: {name!r}")
        parts.append(f"`{name}`={param_text(value)}")
    return " ".join(parts) + " "
