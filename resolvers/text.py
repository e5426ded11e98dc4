"""Strings no database statement should carry: NUL (the embedded engine cuts statement
text there) and lone UTF-16 surrogates (not encodable as UTF-8)."""

import re
from collections.abc import Mapping
from typing import Any

_UNSENDABLE = re.compile("[\x00\ud800-\udfff]")


def unsendable(value: Any) -> bool:
    """True when ``value``, or any string inside it (mapping keys and values, list items),
    holds such a character."""
    if isinstance(value, str):
        return _UNSENDABLE.search(value) is not None
    if isinstance(value, Mapping):
        return any(unsendable(k) or unsendable(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(unsendable(v) for v in value)
    return False
