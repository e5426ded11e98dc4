"""Handles: words, separators, decoration, and digits read as a birth year or date."""

from __future__ import annotations

import pytest

from identity.handles import parse_handle


@pytest.mark.parametrize(
    ("handle", "window"),
    [("bob_smith84", "bobsmith"), ("bob.smith", "bobsmith"), ("BobSmith", "bobsmith"),
     ("real_bob_smith84", "bobsmith"), ("realbobsmith", "bobsmith"), ("@wangwei", "wangwei"),
     ("wangwei_0612", "wangwei"), ("wang-wei-1990", "wangwei"), ("Its_Rwang03", "rwang")],
)  # fmt: skip
def test_name_words_are_found_whatever_the_separators(handle: str, window: str) -> None:
    assert window in parse_handle(handle).windows


@pytest.mark.parametrize(
    ("handle", "years", "dates"),
    [("bob_smith84", {1984}, set()), ("bob1984", {1984}, set()),
     ("wangwei_0612", set(), {(6, 12)}), ("ww840612", {1984}, {(6, 12)}),
     ("li_19840612", {1984}, {(6, 12)}), ("cat520", set(), set()),
     ("star_2077", set(), set()), ("mia_1399", set(), {(13, 99)} - {(13, 99)})],
)  # fmt: skip
def test_digits_read_as_birth_year_or_date(
    handle: str, years: set[int], dates: set[tuple[int, int]]
) -> None:
    parsed = parse_handle(handle)
    assert parsed.years == years
    assert parsed.dates == dates


def test_generated_handles_carry_no_name() -> None:
    for handle in ("wxid_2h92nyznkh", "user123456", "1234567890"):
        parsed = parse_handle(handle)
        assert parsed.generated and not parsed.windows


@pytest.mark.parametrize("junk", [None, "", "🌸🌸", "____", "x" * 100_000, 7, "\ud800"])
def test_junk_never_raises(junk: object) -> None:
    assert not parse_handle(junk).usable
