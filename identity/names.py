"""A person's name in every form it may be written in, for comparing across scripts.

`parse_name("王伟")`, `parse_name("Wang Wei")`, `parse_name("wei WANG")` and
`parse_name("wangwei")` share the key ``wangwei``; `parse_name("Bob Smith")` and
`parse_name("Robert Smith")` share ``bobsmith`` and ``robertsmith``. Keys are run-together
lower-case Latin letters (pinyin for Han), in both orders, since which token is the
surname is often unknown in Latin script.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from itertools import product

from identity import nicknames, pinyin
from identity.text import clean, han_runs, latin_words

# Spellings of one pinyin syllable (ü as v, yu, or u), made one.
# Han pet-name prefixes: 小明, 阿伟, 老王 name a person by one character of the name (so
# does the character said twice, 明明).
_PET_PREFIXES = frozenset("小阿老")
_MAX_TOKENS = 4  # more words than this is a sentence or a bio, not a name
_MAX_WORD = 24  # letters; a longer "word" is not part of a name


@dataclass(frozen=True)
class NameForm:
    """The comparable forms of one name. ``full`` keys need every part of the name;
    ``initials`` keys are a surname with a given initial (``smithb``, ``bsmith``)."""

    han: str  # the Han full name ('王伟'), or ''
    family: frozenset[str]  # readings of the surname, if it could be told apart
    given: frozenset[str]  # given name and its variants (nicknames, pinyin)
    tokens: tuple[str, ...]  # the Latin (or pinyin) words, as written
    full: frozenset[str]
    initials: frozenset[str]
    pet: str  # the Han character a pet name names (阿伟 -> 伟), or ''
    abbreviated: bool  # written with an initial ('Bob S.'): no full key can match
    canonical: str  # one key per name, for counting how common it is

    @cached_property
    def usable(self) -> bool:
        return bool(self.full or self.initials or self.given or self.pet)

    @cached_property
    def written(self) -> tuple[str, ...]:
        """The name run together as written, in both orders (no short-form variants): what
        a typo is looked for in."""
        if self.abbreviated or len(self.tokens) < 2:
            return ()
        joined = "".join(self.tokens)
        return (joined, "".join(reversed(self.tokens)))

    @cached_property
    def given_only(self) -> frozenset[str]:
        """Given-name forms that are not also a reading of the surname."""
        return self.given - self.family

    @cached_property
    def keys(self) -> frozenset[str]:
        """Every full-name and initials key."""
        return self.full | self.initials

    @cached_property
    def pet_syllables(self) -> frozenset[str]:
        """The pinyin a pet name of this person is made of: the reading of the Han
        character a pet name names (小浩, 浩浩 -> hao), else, for a name in pinyin with a
        Chinese surname ('Wang Xiaoming', 'Chen Hao'), the given name's last syllable (of
        both words when either could be the surname)."""
        if self.pet:
            reading = _canonical_token(pinyin.given_pinyin(self.pet))
            return frozenset((reading,)) if reading else frozenset()
        if self.family.isdisjoint(pinyin.pinyin_surnames()):
            return frozenset()
        out = set()
        # Both ends may read as a surname ('Chen Hao': 郝 is one): either may be the given.
        for given in self.given_only or self.given:
            syllables = pinyin.split_syllables(given)
            if syllables:
                out.add(_canonical_token(syllables[-1]))
        return frozenset(out)

    @cached_property
    def pet_keys(self) -> frozenset[str]:
        """Pet names in pinyin, as handles write them: haohao, xiaohao, ahao."""
        return frozenset(k for s in self.pet_syllables if len(s) >= 2
                         for k in (s + s, "xiao" + s, "a" + s))  # fmt: skip

    @cached_property
    def surname_initials(self) -> frozenset[str]:
        """Surname with the given name's initial ('wang|w'), what blocking narrows."""
        return frozenset(f"{f}|{g[0]}" for f in self.family for g in self.given_only if g)


EMPTY = NameForm("", frozenset(), frozenset(), (), frozenset(), frozenset(), "", False, "")


_canonical_token = pinyin.canonical_syllable


def parse_name(text: object) -> NameForm:
    """The forms of a name written in ``text`` (Han, pinyin, Latin, decorated or not);
    EMPTY when there is no name-like part. Never raises. The same text gives the same
    object (names repeat: a comparison is computed once per distinct name)."""
    return _parse_name(text) if isinstance(text, str) else EMPTY


@lru_cache(maxsize=65536)
def _parse_name(text: str) -> NameForm:
    cleaned = clean(text)
    if not cleaned:
        return EMPTY
    runs = han_runs(cleaned)
    for run in [*runs, "".join(runs)] if len(runs) > 1 else runs:  # '王 伟' is 王伟
        form = _han_name(run)
        if form is not None:
            return form
    return _latin_name(latin_words(cleaned))


def _han_name(run: str) -> NameForm | None:
    reduplicated = len(run) == 2 and run[0] == run[1]  # 浩浩: a pet name too
    if reduplicated or (len(run) == 2 and run[0] in _PET_PREFIXES and run[1] not in _PET_PREFIXES):
        return NameForm("", frozenset(), frozenset(), (), frozenset(), frozenset(),
                        run[1], False, "")  # fmt: skip
    parts = pinyin.split_han_name(run)
    if parts is None:
        return None
    family_han, given_han = parts
    families = [_canonical_token(r) for r in pinyin.surname_readings(family_han)]
    given = pinyin.given_pinyin(given_han)
    syllables = [_canonical_token(s) for s in pinyin.split_syllables(given) or (given,)]
    given = "".join(syllables)
    return NameForm(
        han=run,
        family=frozenset(families),
        given=frozenset((given,)),
        tokens=(families[0], given),
        full=frozenset(k for f in families for k in (f + given, given + f)),
        initials=_initials(families, [given]),
        pet=given_han[-1],
        abbreviated=False,
        canonical=_canonical((families[0], given)),
    )


def _latin_name(words: list[str]) -> NameForm:
    words = [_canonical_token(w) for w in words[: _MAX_TOKENS + 1]]
    if not words or len(words) > _MAX_TOKENS or max(map(len, words)) > _MAX_WORD:
        return EMPTY
    if len(words) == 1:
        return _one_word(words[0])
    abbreviated = any(len(w) == 1 for w in words)
    # Which word is the surname: a known Chinese surname, else either end.
    chinese = [w for w in (words[0], words[-1]) if w in pinyin.pinyin_surnames()]
    ends = (words[0], words[-1])
    family_options = chinese if len(chinese) == 1 else list(ends)
    family: set[str] = set()
    given: set[str] = set()
    full: set[str] = set()
    initials: set[str] = set()
    for surname in family_options:
        rest = list(words)
        rest.remove(surname)
        first = rest[0]
        if len(surname) == 1 and len(first) == 1:
            continue
        family.add(surname)
        forms = _given_forms(first)
        middle = "".join(rest[1:])
        given.update(forms)
        if middle:
            given.add(first + middle)  # 'Wang Xiao Ming': the given name is xiaoming
        for g in forms:
            if not abbreviated:
                full.update((g + surname, surname + g))
                if middle:
                    full.update((g + middle + surname, surname + g + middle))
        if len(first) > 1 and len(surname) > 1:
            initials.update(_initials([surname], forms))
        elif len(surname) == 1:  # 'Bob S.'
            initials.update(g + surname for g in forms)
            initials.update(surname + g for g in forms)
        else:  # 'B. Smith'
            initials.update((first + surname, surname + first))
    tokens = tuple(words)
    return NameForm(
        han="",
        family=frozenset(family),
        given=frozenset(given),
        tokens=tokens,
        full=frozenset(full),
        initials=frozenset(initials),
        pet="",
        abbreviated=abbreviated,
        canonical=_canonical(tuple(nicknames.canonical(w) for w in tokens)),
    )


def _one_word(word: str) -> NameForm:
    """One word: run-together pinyin ('wangwei'), or a given name alone ('Jenny')."""
    split = pinyin.split_syllables(word)
    syllables = tuple(_canonical_token(s) for s in split) if split else None
    if syllables and len(syllables) >= 2 and syllables[0] in pinyin.pinyin_surnames():
        surname, given = syllables[0], "".join(syllables[1:])
        if len(syllables) <= 3:
            return NameForm(
                han="",
                family=frozenset((surname,)),
                given=frozenset((given,)),
                tokens=(surname, given),
                full=frozenset((surname + given, given + surname)),
                initials=_initials([surname], [given]),
                pet="",
                abbreviated=False,
                canonical=_canonical((surname, given)),
            )
    if len(word) < 2:
        return EMPTY
    return NameForm("", frozenset(), _given_forms(word), (word,), frozenset(), frozenset(),
                    "", False, word)  # fmt: skip


def _canonical(tokens: tuple[str, ...]) -> str:
    """Order-free: 'Wang Wei', 'Wei Wang' and 王伟 count as one name."""
    return "|".join(sorted(tokens))


def _given_forms(given: str) -> frozenset[str]:
    return nicknames.variants(given) if len(given) > 1 else frozenset((given,))


def _initials(families: Iterable[str], givens: Iterable[str]) -> frozenset[str]:
    """Surname with a given initial, and given name with a surname initial, both orders."""
    out: set[str] = set()
    for f, g in product(families, givens):
        if f and g:
            out.update((g[0] + f, f + g[0], g + f[0], f[0] + g))
    # 'yang' is Yan G. but far more often the surname Yang: a key that is one pinyin
    # syllable is not an initials form.
    return frozenset(k for k in out if k not in pinyin.SYLLABLES)
