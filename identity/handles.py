"""Handles taken apart: the words in them, and their digits read as a birth year or date.

`parse_handle("real_bob_smith84")` has the words real, bob, smith, the windows
``bobsmith``, ``smith`` ... (runs of consecutive words, with decoration words such as
"real", "iam", "official" taken off), and the year 1984. `wangwei_0612` has the window
``wangwei`` and the date 06-12 (June 12; read as month-day, the order Chinese and US
handles use). Generated handles (``wxid_...``, ``user12345``) carry no name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache

from identity.pinyin import canonical_spelling
from identity.text import MAX_INPUT, fold

_DECORATION_WORDS = (
    "real iam im its the official mr mrs ms miss dr x xx xxx xo i am hi hey my "
    "itsme just only ig tv vlog shop studio offical daily"
)
_DECORATION = frozenset(_DECORATION_WORDS.split())
# Decoration glued to a name ('realbobsmith', 'wangweiofficial'): only words too long to be
# the end or start of a name by chance.
_GLUED_BEFORE = ("real", "iam", "its", "itsme", "the", "official", "miss", "just")
_GLUED_AFTER = ("official", "offical", "vlog", "shop", "studio", "daily", "xx", "xo")
_GENERATED = re.compile(r"^(wxid_|user\d{4}|u\d{5}|\d+$)")
_PIECES = re.compile(r"[a-z]+|\d+")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_MAX_WINDOW = 3  # words joined into one window
_MAX_WORD = 24  # letters; a longer run is not a name
_FIRST_YEAR, _LAST_YEAR = 1930, 2012  # years a customer may be born in


@dataclass(frozen=True)
class Handle:
    """What a handle says: ``windows`` to compare with name keys, readings of its digits."""

    words: tuple[str, ...]
    windows: frozenset[str]
    years: frozenset[int]
    dates: frozenset[tuple[int, int]]  # (month, day)
    generated: bool

    @property
    def usable(self) -> bool:
        return bool(self.windows)

    @cached_property
    def longest(self) -> tuple[str, ...]:
        """All the words that are not decoration, run together (what a typo is looked for
        in)."""
        kept = "".join(w for w in self.words if w not in _DECORATION)
        return (kept,) if kept else ()


EMPTY = Handle((), frozenset(), frozenset(), frozenset(), False)


def parse_handle(text: object) -> Handle:
    """Words, windows and birth readings of a handle; EMPTY for nothing usable. Never raises.
    The same text gives the same object (a comparison is computed once per distinct
    handle)."""
    if not isinstance(text, str) or not text.strip():
        return EMPTY
    return _parse_handle(text)


@lru_cache(maxsize=65536)
def _parse_handle(text: str) -> Handle:
    raw = text.strip()[:MAX_INPUT].lstrip("@")
    lowered = fold(raw)
    if _GENERATED.match(lowered):
        return Handle((), frozenset(), frozenset(), frozenset(), True)
    split = fold(_CAMEL.sub(" ", raw))  # BobSmith -> bob smith
    pieces = _PIECES.findall(split)
    words = tuple(p for p in pieces if p.isalpha() and len(p) <= _MAX_WORD)
    digits = [p for p in pieces if p.isdigit()]
    years: set[int] = set()
    dates: set[tuple[int, int]] = set()
    for run in digits:
        _read_digits(run, years, dates)
    return Handle(words, _windows(words), frozenset(years), frozenset(dates), False)


def _windows(words: tuple[str, ...]) -> frozenset[str]:
    out: set[str] = set()
    kept = [w for w in words if w not in _DECORATION] or list(words)
    for sequence in (words, tuple(kept)):
        for start in range(len(sequence)):
            for size in range(1, _MAX_WINDOW + 1):
                window = "".join(sequence[start : start + size])
                if len(window) >= 2 and start + size <= len(sequence):
                    out.add(window)
                    out.add(canonical_spelling(window))  # lyujing -> lujing, as names are
                    out.update(_undecorated(window))
    return frozenset(out)


def _undecorated(window: str) -> list[str]:
    """'realbobsmith' -> ['bobsmith']: a decoration word glued to the name."""
    if not (window.startswith(_GLUED_BEFORE) or window.endswith(_GLUED_AFTER)):
        return []  # the common case, checked at C speed
    before = [window[len(w) :] for w in _GLUED_BEFORE if window.startswith(w)]
    after = [window[: -len(w)] for w in _GLUED_AFTER if window.endswith(w)]
    return [w for w in before + after if len(w) >= 3]


def _year(value: int, digits: int) -> int | None:
    if digits == 2:
        value += 1900 if value >= _FIRST_YEAR % 100 else 2000
    return value if _FIRST_YEAR <= value <= _LAST_YEAR else None


def _date(month: int, day: int) -> tuple[int, int] | None:
    days = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
    if 1 <= month <= 12 and 1 <= day <= days[month - 1]:
        return month, day
    return None


def _read_digits(run: str, years: set[int], dates: set[tuple[int, int]]) -> None:
    """Add what a run of digits can be read as: 84 / 1984 (year), 0612 (date), 840612,
    19840612 (both). Other lengths (520, 888, a phone number) are read as nothing."""
    n = len(run)
    readings: list[tuple[int | None, tuple[int, int] | None]] = []
    if n == 2:
        readings.append((_year(int(run), 2), None))
    elif n == 4:
        readings.append((_year(int(run), 4), None))
        readings.append((None, _date(int(run[:2]), int(run[2:]))))
    elif n == 6:
        readings.append((_year(int(run[:2]), 2), _date(int(run[2:4]), int(run[4:]))))
        readings.append((_year(int(run[4:]), 2), _date(int(run[:2]), int(run[2:4]))))
    elif n == 8:
        readings.append((_year(int(run[:4]), 4), _date(int(run[4:6]), int(run[6:]))))
        readings.append((_year(int(run[4:]), 4), _date(int(run[:2]), int(run[2:4]))))
    for year, date in readings:
        if n >= 6 and (year is None or date is None):
            continue  # a long run is a date only when all of it reads as one
        if year is not None:
            years.add(year)
        if date is not None:
            dates.add(date)
