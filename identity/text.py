"""Text as people type it in profiles, cleaned for comparison.

Emoji, symbols and decorative brackets go; full-width forms become ASCII (NFKC); Latin
letters lose their accents and case. Nothing here raises: empty, emoji-only or absurdly
long input gives empty or truncated output.
"""

from __future__ import annotations

import re
import unicodedata

MAX_INPUT = 256  # characters looked at; a profile field longer than this is not a name
_KEEP_PUNCTUATION = frozenset("'.-_·")
_SPACES = re.compile(r"\s+")
_ASCII_JUNK = re.compile(r"[^A-Za-z0-9'.\-_]")


def is_han(ch: str) -> bool:
    """A CJK unified ideograph (the basic block and extension A)."""
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


def clean(text: object) -> str:
    """NFKC, then every character that is not a letter, a digit, a space or one of ' . - _ ·
    becomes a space; spaces collapse. ``None`` and non-strings give ''."""
    if not isinstance(text, str) or not text:
        return ""
    text = text[:MAX_INPUT]
    if text.isascii():
        return _SPACES.sub(" ", _ASCII_JUNK.sub(" ", text)).strip()
    text = unicodedata.normalize("NFKC", text)
    out: list[str] = []
    for ch in text:
        category = unicodedata.category(ch)
        # a combining accent (M) stays on its letter
        if category[0] in "LN" or ch in _KEEP_PUNCTUATION or (category[0] == "M" and out):
            out.append(ch)
        else:
            out.append(" ")
    return _SPACES.sub(" ", "".join(out)).strip()


def fold(text: str) -> str:
    """Lower-case ASCII for Latin text: 'Léa' -> 'lea', 'Ø' -> 'o'; Han and other scripts
    are kept as they are (they have no case or accents to lose)."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    out = []
    for ch in decomposed:
        if unicodedata.combining(ch):
            continue
        out.append(_LATIN_EXTRA.get(ch, ch))
    return "".join(out)


_LATIN_EXTRA = {"ø": "o", "ł": "l", "đ": "d", "ß": "ss", "æ": "ae", "œ": "oe", "\u0131": "i"}


def han_runs(text: str) -> list[str]:
    """The runs of Han characters in cleaned text: '王伟 摄影' -> ['王伟', '摄影']."""
    runs, current = [], []
    for ch in text:
        if is_han(ch):
            current.append(ch)
        elif current:
            runs.append("".join(current))
            current = []
    if current:
        runs.append("".join(current))
    return runs


def latin_words(text: str) -> list[str]:
    """Folded Latin words of cleaned text, apostrophes and dots dropped inside a word:
    "O'Brien J." -> ['obrien', 'j']; digits and Han are not words."""
    words = []
    for raw in re.split(r"[\s_·\-]+", fold(text)):
        word = "".join(ch for ch in raw if "a" <= ch <= "z")
        if word:
            words.append(word)
    return words


def address_words(text: str) -> list[str]:
    """Folded words of a street address, digits and Han kept ('6 Tullaroop St.' -> ['6',
    'tullaroop', 'st']; '南京西路1266号' as it is): the house number is what tells two
    addresses on a street apart."""
    words = []
    for raw in re.split(r"[\s_·\-,/]+", fold(text)):
        word = "".join(ch for ch in raw if "a" <= ch <= "z" or "0" <= ch <= "9" or is_han(ch))
        if word:
            words.append(word)
    return words
