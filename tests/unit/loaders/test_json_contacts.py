"""loaders/json_contacts.py gives what the Contact model gives, or leaves the record to it."""

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from loaders.json_contacts import contact_props
from loaders.kinds import Contact

T = 1_714_557_600_000


def by_model(record: dict[str, Any]) -> dict[str, Any] | None:
    """The model's answer: its props without None values, or None when it refuses."""
    try:
        done = Contact.model_validate({**record, "id": "ct_1", "customer_id": "c1"})
    except (ValidationError, ValueError, TypeError):
        return None
    return {k: v for k, v in done.props().items() if v is not None}


CASES: list[dict[str, Any]] = [
    {"kind": "call", "channel": "phone", "at": T, "summary": "asked", "brand_id": "b1"},
    {"kind": "visit", "at": "2024-05-02T09:30:00Z", "purchase_id": "o1", "product_id": "p1"},
    {"kind": "email", "at": "2024-05-02", "channel": "", "summary": "   "},  # blanks: missing
    {"kind": "chat", "at": T, "channel": None, "extra": {"ignored": True}},
    {"kind": "call", "at": T, "summary": " padded "},  # stripped: the model decides
    {"kind": "call", "at": T, "summary": "x" * 2001},  # too long
    {"kind": "call", "at": T, "brand_id": "b" * 257},
    {"kind": "call", "at": 1_700_000},  # epoch seconds
    {"kind": "call", "at": True},
    {"kind": "call", "at": 1.7e12},
    {"kind": "call", "at": "  "},
    {"kind": "call", "at": "yesterday"},
    {"kind": "shout", "at": T},
    {"kind": " call", "at": T},
    {"at": T},
    {"kind": "call", "at": T, "channel": 7},
    {"kind": "call", "at": T, "summary": "line\u2028sep"},
    {"kind": "call", "at": T, "summary": "\u00a0nbsp"},
]


@pytest.mark.parametrize("record", CASES)
def test_a_record_gets_the_models_props_or_goes_to_the_model(record):
    fast = contact_props(record)
    assert fast is None or fast == by_model(record)
    assert fast is None or list(fast) == list(by_model(record) or {})


def test_plain_records_are_decided_without_the_model():
    assert contact_props(CASES[0]) == {"kind": "call", "channel": "phone", "at": T,
                                       "summary": "asked", "brand_id": "b1"}  # fmt: skip
    assert contact_props(CASES[1]) is not None and contact_props(CASES[2]) is not None


_text = st.one_of(
    st.none(),
    st.integers(),
    st.text(alphabet=st.sampled_from(" \t\n\u00a0\u2028\u180e\x1cab1-:"), max_size=6),
)


@settings(max_examples=100, deadline=None)
@given(
    kind=st.one_of(st.sampled_from(["call", "visit", "chat", "x", " call"]), st.none()),
    at=st.one_of(st.integers(min_value=-(10**13), max_value=5 * 10**12), _text,
                 st.sampled_from(["2024-05-02", "2024-05-02T09:30:00Z", " 2024-05-02 "])),
    channel=_text, summary=_text, brand_id=_text,
)  # fmt: skip
def test_any_record_gets_the_models_answer_or_goes_to_the_model(kind, at, channel, summary,
                                                                 brand_id):  # fmt: skip
    record = {"kind": kind, "at": at, "channel": channel, "summary": summary,
              "brand_id": brand_id}  # fmt: skip
    fast = contact_props(record)
    assert fast is None or fast == by_model(record)
