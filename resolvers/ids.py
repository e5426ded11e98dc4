"""Global ids (`Type:key`, base64) and opaque cursors."""

import base64
import binascii
import json
from typing import Any

from resolvers.errors import bad_input
from resolvers.text import unsendable

NODE_TYPES = frozenset(
    {"Customer", "Brand", "SocialAccount", "Purchase", "Post", "Complaint", "Product", "Tag"}
)


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _unb64(token: str) -> str | None:
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    # A NUL never belongs to one of our ids or cursors (resolvers/text.py).
    return None if unsendable(text) else text


def to_global_id(type_name: str, key: str) -> str:
    return _b64(f"{type_name}:{key}")


def from_global_id(global_id: str, argument: str = "id") -> tuple[str, str]:
    """Return (type name, key); raise BAD_USER_INPUT when it is not one of ours."""
    text = _unb64(global_id)
    type_name, sep, key = (text or "").partition(":")
    if not sep or not key or type_name not in NODE_TYPES:
        raise bad_input(f"{global_id!r} is not a valid global id", argument)
    return type_name, key


def key_for(type_name: str, id_or_global: str, argument: str = "id") -> str:
    """Accept a global id of ``type_name`` or the raw key; reject another type's global id."""
    text = _unb64(id_or_global)
    prefix, sep, key = (text or "").partition(":")
    if sep and key and prefix in NODE_TYPES:
        if prefix != type_name:
            raise bad_input(f"{id_or_global!r} is a {prefix} id, not a {type_name} id", argument)
        return key
    return id_or_global


def encode_cursor(kind: str, value: str | int) -> str:
    return _b64(f"{kind}|{value}")


def decode_cursor(cursor: str, kind: str, argument: str = "after") -> str:
    """Return the cursor's value; raise BAD_USER_INPUT if it is malformed or of another list."""
    text = _unb64(cursor)
    found, sep, value = (text or "").partition("|")
    if not sep or found != kind:
        raise bad_input(f"{cursor!r} is not a cursor of this list", argument)
    return value


def encode_key_cursor(kind: str, key: tuple[Any, ...]) -> str:
    """A keyset cursor: the sort key of the item it points at, as JSON."""
    return encode_cursor(kind, json.dumps(list(key), separators=(",", ":")))


def decode_key_cursor(cursor: str, kind: str, argument: str = "after") -> list[Any]:
    """The sort key a keyset cursor holds; raise BAD_USER_INPUT when it is not one."""
    value = decode_cursor(cursor, kind, argument)
    try:
        key = json.loads(value)
    except ValueError:
        key = None
    if not isinstance(key, list) or unsendable(key):
        raise bad_input(f"{cursor!r} is not a cursor of this list", argument)
    return key
