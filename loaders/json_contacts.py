"""A contact record as an app sends it (JSON: `POST /events`), checked without a pydantic
model per record, as loaders/columns.py checks CSV cells: the properties
``Contact.model_validate(record).props()`` gives (its None values left out) for a record
whose every value is beyond doubt, None for any other, which then goes through the model
so that a rejected record keeps exactly the model's reasons. Conservative by design: a
value it is unsure of costs a model validation, never a different outcome
(tests/unit/loaders/test_json_contacts.py holds the two paths to the same answer).
"""

from collections.abc import Mapping
from typing import Any, get_args

from loaders.kinds import ContactKind, parse_timestamp

_KINDS = frozenset(get_args(ContactKind))
# Text fields and their longest value (None: any length), as loaders.kinds.Contact has them.
_TEXTS: dict[str, int | None] = {
    "channel": None, "summary": 2000, "brand_id": 256, "product_id": 256, "purchase_id": 256,
}  # fmt: skip


def contact_props(record: Mapping[str, Any]) -> dict[str, Any] | None:
    """The contact's properties (kind, channel, at, summary, brand_id, product_id,
    purchase_id; those without a value left out), or None when the model must decide."""
    kind = record.get("kind")
    if type(kind) is not str or kind not in _KINDS:
        return None
    at = record.get("at")
    if type(at) is str:
        if not at.strip():
            return None  # blank: missing, which the model reports
    elif type(at) is not int:
        return None
    try:
        when = parse_timestamp(at)
    except ValueError:
        return None
    props: dict[str, Any] = {"kind": kind}
    for name, longest in _TEXTS.items():
        value = record.get(name)
        if value is None:
            continue
        if type(value) is not str:
            return None
        if not value.strip():
            continue  # a blank value is a missing one (the model's _blank_is_missing)
        # Python's strip leaving it whole means pydantic's trim does too (its whitespace
        # is a subset of Python's); anything to strip goes to the model.
        if value.strip() is not value or (longest is not None and len(value) > longest):
            return None
        props[name] = value
    props["at"] = when
    return {name: props[name] for name in _ORDER if name in props}


# The model's field order, which its props() keeps.
_ORDER = ("kind", "channel", "at", "summary", "brand_id", "product_id", "purchase_id")
