"""Comparisons: for a pair of profiles, the level at which each kind of evidence agrees.

Each comparison has ordered levels (strongest agreement first) and returns a level's
index, or NULL when one side has nothing to compare (the model then counts it as no
evidence either way). Two sets of comparisons:

- ACCOUNT_COMPARISONS, a social account against a CRM customer. The display name and the
  handle are read together as ONE comparison (a handle is usually made from the name, so
  counting both separately would count the same evidence twice);
- CUSTOMER_COMPARISONS, two CRM customers (duplicates).

`TF_LEVELS` of a comparison are the levels whose weight is adjusted by how common the
customer's name is (identity/model.py): agreeing on "Wang Wei" is weaker than on a rare
name.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Generic, TypeVar

from rapidfuzz.distance import OSA, JaroWinkler

from identity.contact import masked_email_agrees, masked_phone_agrees
from identity.names import NameForm
from identity.places import Place
from identity.profiles import AccountProfile, CustomerProfile, Email, Phone

NULL = -1
A = TypeVar("A")
B = TypeVar("B")
_FUZZY_NAME = 0.9  # Jaro-Winkler similarity of name keys that is a typo, not another name


@dataclass(frozen=True)
class Comparison(Generic[A, B]):
    """One kind of evidence: ``compare(a, b)`` is a level index or NULL."""

    name: str
    levels: tuple[str, ...]
    compare: Callable[[A, B], int]
    tf_levels: frozenset[int] = frozenset()
    description: str = ""
    # Optional shortcuts for many pairs (identity/vectors.py): a side for which ``present``
    # is false makes the pair NULL without calling ``compare``; a side's ``key`` is a value
    # that holds everything ``compare`` reads of that side, so that pairs of equal keys get
    # one call (a side without a key is keyed by record).
    left_present: Callable[[A], bool] | None = None
    right_present: Callable[[B], bool] | None = None
    left_key: Callable[[A], Hashable] | None = None
    right_key: Callable[[B], Hashable] | None = None

    def level(self, label: str) -> int:
        return self.levels.index(label)


# -- names ------------------------------------------------------------------------------


def _fuzzy(keys: Iterable[str], others: Iterable[str], threshold: float = _FUZZY_NAME) -> bool:
    """Some key is a typo of some other (Jaro-Winkler >= threshold); short keys never are."""
    for key in keys:
        if len(key) < 5:
            continue
        for other in others:
            if JaroWinkler.normalized_similarity(key, other, score_cutoff=threshold):
                return True
    return False


def one_edit(keys: Iterable[str], others: Iterable[str]) -> bool:
    """Some key is one slip from some other: a letter dropped, doubled, swapped with the
    next or mistyped (optimal string alignment distance 1); short keys never are."""
    for key in keys:
        if len(key) < 5:
            continue
        for other in others:
            if OSA.distance(key, other, score_cutoff=1) <= 1:
                return True
    return False


def _display_level(d: NameForm, c: NameForm) -> str | None:
    """How a display name agrees with a customer's name, or None."""
    if d.han and d.han == c.han:
        return "han"
    if not d.full.isdisjoint(c.full):
        return "full"
    if d.abbreviated and not d.initials.isdisjoint(c.initials):
        return "initials"
    single = len(d.tokens) == 1 and not d.family
    if (single and not d.given.isdisjoint(c.given)) or (d.pet and d.pet == c.pet):
        return "given"
    if d.pet and not c.han and not d.pet_syllables.isdisjoint(c.pet_syllables):
        return "given"  # 小浩 against 'Chen Hao': the pet name read in pinyin
    if _fuzzy(d.written, c.written):
        return "fuzzy"
    if d.family and not d.family.isdisjoint(c.family):
        return "family"
    return None


def account_name(a: AccountProfile, c: CustomerProfile) -> int:
    """Display name and handle against the customer's name (one comparison, see above)."""
    name, handle = c.name, a.handle
    if not name.usable or not (a.name.usable or handle.usable):
        return NULL
    d, usable = a.name, a.name.usable
    in_handle = not handle.windows.isdisjoint(name.full)
    if usable and d.han and d.han == name.han:
        label = "han+handle" if in_handle else "han"
    elif usable and not d.full.isdisjoint(name.full):
        label = "full+handle" if in_handle else "full"
    elif in_handle:
        # A display name that is itself another person's full name speaks against it.
        label = "handle" if not (d.full and len(d.tokens) >= 2) else "handle≠display"
    else:
        label = _weaker_name_level(a, name)
    return ACCOUNT_NAME_LEVELS.index(label)


def _weaker_name_level(a: AccountProfile, name: NameForm) -> str:
    """Below a full name in the display or the handle: initials, a typo, the given name,
    the surname, or none. The display name's own level is worked out only here, as most
    pairs are settled before (its typo search is the costly part)."""
    display = _display_level(a.name, name) if a.name.usable else None
    windows = a.handle.windows
    if display == "initials" or not windows.isdisjoint(name.initials):
        return "initials"
    if display == "fuzzy" or _fuzzy(a.handle.longest, name.written, 0.92):
        return "fuzzy"
    if display == "given" or not windows.isdisjoint(name.given_only):
        return "given"
    if not windows.isdisjoint(name.pet_keys):
        return "given"  # haohao2001, xiaohao_88 against 陈浩 or 'Chen Hao'
    return "family" if display == "family" else "none"


ACCOUNT_NAME_LEVELS = (
    "han+handle",
    "full+handle",
    "han",
    "full",
    "handle",
    "handle≠display",
    "initials",
    "fuzzy",
    "given",
    "family",
    "none",
)


def customer_name(a: CustomerProfile, b: CustomerProfile) -> int:
    """Two CRM names: same Han, same name in any script or short form, a typo, ..."""
    x, y = a.name, b.name
    if not x.usable or not y.usable:
        return NULL
    if x.han and x.han == y.han:
        label = "han"
    elif not x.full.isdisjoint(y.full):
        label = "full"
    elif one_edit(x.written, y.written):
        label = "one edit"
    elif _fuzzy(x.written, y.written):
        label = "fuzzy"
    elif (x.abbreviated or y.abbreviated) and not x.initials.isdisjoint(y.initials):
        label = "initials"
    elif x.family and not x.family.isdisjoint(y.family):
        label = "family"
    elif _one_word_in(x, y) or _one_word_in(y, x):
        label = "family"  # 'Durr' against 'Durr' or 'Sebastian Durr': a surname alone
    else:
        label = "none"
    return CUSTOMER_NAME_LEVELS.index(label)


def _one_word_in(x: NameForm, y: NameForm) -> bool:
    """``x`` is one word (a record with only a surname, or only a given name), and ``y``
    says that word."""
    return len(x.tokens) == 1 and x.tokens[0] in y.tokens


CUSTOMER_NAME_LEVELS = ("han", "full", "one edit", "fuzzy", "initials", "family", "none")


# -- birth ------------------------------------------------------------------------------


def account_birth(a: AccountProfile, c: CustomerProfile) -> int:
    """Digits in the handle read as the customer's birthday or birth year."""
    handle = a.handle
    dates = handle.dates if c.birthday else frozenset()
    years = handle.years if c.birth_year else frozenset()
    if not dates and not years:
        return NULL
    if c.birthday in dates:
        return 0
    if c.birth_year in years:
        return 1
    return 2


def customer_birth(a: CustomerProfile, b: CustomerProfile) -> int:
    if a.birthday and a.birthday == b.birthday and a.birth_year == b.birth_year:
        return 0
    if a.birth_year is None or b.birth_year is None:
        return NULL
    if a.birth_year == b.birth_year:
        return 1
    return 2 if abs(a.birth_year - b.birth_year) == 1 else 3


# -- contact ----------------------------------------------------------------------------


def _email_level(x: Email, y: Email) -> int:
    if not x.usable or not y.usable:
        return NULL
    if not x.hashes.isdisjoint(y.hashes):
        return 0
    for mask, other in ((x.mask, y), (y.mask, x)):
        if mask is not None and other.address and masked_email_agrees(mask, other.address):
            return 1
    if (x.hashes and y.hashes) or (x.mask and y.address) or (y.mask and x.address):
        return 2
    return NULL  # two masks, or a mask against a hash: nothing to compare


def _phone_level(x: Phone, y: Phone) -> int:
    if not x.usable or not y.usable:
        return NULL
    if not x.hashes.isdisjoint(y.hashes):
        return 0
    for mask, other in ((x.mask, y), (y.mask, x)):
        if mask is not None and other.e164 and masked_phone_agrees(mask, other.e164):
            return 1
    if (x.hashes and y.hashes) or (x.mask and y.e164) or (y.mask and x.e164):
        return 2
    return NULL


def account_email(a: AccountProfile, c: CustomerProfile) -> int:
    return _email_level(a.email, c.email)


def account_phone(a: AccountProfile, c: CustomerProfile) -> int:
    return _phone_level(a.phone, c.phone)


def customer_email(a: CustomerProfile, b: CustomerProfile) -> int:
    """The same address (or hash), or not. A near miss is not a level: addresses are made
    from names (wang.wei@ and wangwei@, juan.li@ and juan.lu@), so one edit apart is as
    often two namesakes as one person with a typo."""
    x, y = a.email, b.email
    if not x.hashes or not y.hashes:
        return NULL
    return 0 if not x.hashes.isdisjoint(y.hashes) else 1


def customer_phone(a: CustomerProfile, b: CustomerProfile) -> int:
    if not a.phone.hashes or not b.phone.hashes:
        return NULL
    return 0 if not a.phone.hashes.isdisjoint(b.phone.hashes) else 1


# -- place and gender -------------------------------------------------------------------


def _place_level(x: Place, y: Place) -> int:
    if not x.usable or not y.usable:
        return NULL
    if x.city and x.city == y.city:
        return 0
    if x.region and x.region == y.region:
        return 1
    return 2


def account_place(a: AccountProfile, c: CustomerProfile) -> int:
    return _place_level(a.place, c.place)


def customer_place(a: CustomerProfile, b: CustomerProfile) -> int:
    """Places from the table; for two towns it does not know, the names as written."""
    if a.place.usable and b.place.usable:
        return _place_level(a.place, b.place)
    if a.town and b.town and not a.place.usable and not b.place.usable:
        return 0 if _same_town(a.town, b.town) else 2
    return NULL


def _same_town(x: str, y: str) -> bool:
    """Two towns the table does not know, as written: equal but for spaces ('lake
    clifton' / 'lakeclifton'), or one slip apart in a name of five letters or more."""
    x, y = x.replace(" ", ""), y.replace(" ", "")
    return x == y or (min(len(x), len(y)) >= 5 and OSA.distance(x, y, score_cutoff=1) <= 1)


def customer_postcode(a: CustomerProfile, b: CustomerProfile) -> int:
    """Equal, one slip apart (a digit mistyped, or two swapped: 5235 / 5253), different."""
    if not a.postcode or not b.postcode:
        return NULL
    if a.postcode == b.postcode:
        return 0
    return 1 if OSA.distance(a.postcode, b.postcode, score_cutoff=1) <= 1 else 2


def customer_address(a: CustomerProfile, b: CustomerProfile) -> int:
    """Equal; `similar`: the same house number (or one side without any) on a street
    written alike (Jaro-Winkler >= 0.9, spaces aside: 'copland drive' / 'coplanddrive');
    else different, another house number on the same street included (a neighbour)."""
    if not a.address or not b.address:
        return NULL
    if a.address == b.address:
        return 0
    (number_a, street_a), (number_b, street_b) = _house(a.address), _house(b.address)
    if number_a and number_b and number_a != number_b:
        return 2
    if not street_a or not street_b:
        return 2
    similar = street_a == street_b or JaroWinkler.normalized_similarity(
        street_a, street_b, score_cutoff=0.9
    )
    return 1 if similar else 2


@lru_cache(maxsize=65536)
def _house(address: str) -> tuple[str, str]:
    """(house number, street run together) of a folded address: the words with a digit,
    and the others ('42 parnell place' -> ('42', 'parnellplace'))."""
    numbers: list[str] = []
    street: list[str] = []
    for word in address.split(" "):
        (numbers if any(ch.isdigit() for ch in word) else street).append(word)
    return " ".join(numbers), "".join(street)


def customer_identifier(a: CustomerProfile, b: CustomerProfile) -> int:
    """A national id (a person's, not a record's): equal, one slip apart (a digit mistyped,
    dropped, added, or two swapped), or different."""
    if not a.national_id or not b.national_id:
        return NULL
    if a.national_id == b.national_id:
        return 0
    return 1 if OSA.distance(a.national_id, b.national_id, score_cutoff=1) <= 1 else 2


def _birth_key(c: CustomerProfile) -> Hashable:
    return (c.birthday, c.birth_year)


def _name_key(c: CustomerProfile) -> Hashable:
    return id(c.name)  # parsed once per distinct text, held by the profile


def _place_key(c: CustomerProfile) -> Hashable:
    return (c.place, c.town)


ACCOUNT_COMPARISONS: tuple[Comparison[AccountProfile, CustomerProfile], ...] = (
    Comparison(
        "name",
        ACCOUNT_NAME_LEVELS,
        account_name,
        frozenset(range(6)),
        "display name and handle against the customer's name, across scripts and short forms",
        left_present=lambda a: a.name.usable or a.handle.usable,
        right_present=lambda c: c.name.usable,
        # Names and handles are parsed once per distinct text (the same object), and
        # profiles hold them while pairs are compared, so their ids are value keys.
        left_key=lambda a: (id(a.name), id(a.handle)),
        right_key=lambda c: id(c.name),
    ),
    Comparison(
        "birth",
        ("date", "year", "differs"),
        account_birth,
        description="digits in the handle read as the customer's birthday or birth year",
        left_present=lambda a: bool(a.handle.years or a.handle.dates),
        right_present=lambda c: bool(c.birth_year or c.birthday),
        left_key=lambda a: (a.handle.years, a.handle.dates),
        right_key=_birth_key,
    ),
    Comparison(
        "email",
        ("exact", "masked", "differs"),
        account_email,
        description="email, its SHA-256, or a masked address against the customer's email",
        left_present=lambda a: a.email.usable,
        right_present=lambda c: c.email.usable,
        left_key=lambda a: a.email,
        right_key=lambda c: c.email,
    ),
    Comparison(
        "phone",
        ("exact", "masked", "differs"),
        account_phone,
        description="phone (E.164), its SHA-256, or a masked number against the customer's",
        left_present=lambda a: a.phone.usable,
        right_present=lambda c: c.phone.usable,
        left_key=lambda a: a.phone,
        right_key=lambda c: c.phone,
    ),
    Comparison(
        "place",
        ("city", "region", "differs"),
        account_place,
        description="profile location against the customer's city and region, any language",
        left_present=lambda a: a.place.usable,
        right_present=lambda c: c.place.usable,
        left_key=lambda a: a.place,
        right_key=lambda c: c.place,
    ),
)


def _named(c: CustomerProfile) -> bool:
    return c.name.usable


def _born(c: CustomerProfile) -> bool:
    return c.birth_year is not None


def _emailed(c: CustomerProfile) -> bool:
    return bool(c.email.hashes)


def _phoned(c: CustomerProfile) -> bool:
    return bool(c.phone.hashes)


def _placed(c: CustomerProfile) -> bool:
    return c.place.usable or bool(c.town)


def _postcoded(c: CustomerProfile) -> bool:
    return bool(c.postcode)


def _addressed(c: CustomerProfile) -> bool:
    return bool(c.address)


def _identified(c: CustomerProfile) -> bool:
    return bool(c.national_id)


CUSTOMER_COMPARISONS: tuple[Comparison[CustomerProfile, CustomerProfile], ...] = (
    Comparison(
        "name",
        CUSTOMER_NAME_LEVELS,
        customer_name,
        frozenset((0, 1)),
        "the two names across scripts and short forms",
        _named,
        _named,
        _name_key,
        _name_key,
    ),
    Comparison(
        "birth",
        ("date", "year", "year±1", "differs"),
        customer_birth,
        description="birth date and year",
        left_present=_born,
        right_present=_born,
        left_key=_birth_key,
        right_key=_birth_key,
    ),
    Comparison(
        "email",
        ("exact", "differs"),
        customer_email,
        description="emails (or their hashes)",
        left_present=_emailed,
        right_present=_emailed,
        left_key=lambda c: c.email.hashes,
        right_key=lambda c: c.email.hashes,
    ),
    Comparison(
        "phone",
        ("exact", "differs"),
        customer_phone,
        description="phones in E.164",
        left_present=_phoned,
        right_present=_phoned,
        left_key=lambda c: c.phone.hashes,
        right_key=lambda c: c.phone.hashes,
    ),
    Comparison(
        "place",
        ("city", "region", "differs"),
        customer_place,
        description="city and region, any language",
        left_present=_placed,
        right_present=_placed,
        left_key=_place_key,
        right_key=_place_key,
    ),
    Comparison(
        "postcode",
        ("exact", "one edit", "differs"),
        customer_postcode,
        description="postcode",
        left_present=_postcoded,
        right_present=_postcoded,
        left_key=lambda c: c.postcode,
        right_key=lambda c: c.postcode,
    ),
    Comparison(
        "address",
        ("exact", "similar", "differs"),
        customer_address,
        description="street address (Jaro-Winkler >= 0.9 is similar)",
        left_present=_addressed,
        right_present=_addressed,
        left_key=lambda c: c.address,
        right_key=lambda c: c.address,
    ),
    Comparison(
        "identifier",
        ("exact", "one edit", "differs"),
        customer_identifier,
        description="a national id (the person's, not the record's), one edit apart allowed",
        left_present=_identified,
        right_present=_identified,
        left_key=lambda c: c.national_id,
        right_key=lambda c: c.national_id,
    ),
)


def compare_account(a: AccountProfile, c: CustomerProfile) -> tuple[int, ...]:
    """The level of every account comparison, in ACCOUNT_COMPARISONS order."""
    return tuple(comparison.compare(a, c) for comparison in ACCOUNT_COMPARISONS)


def compare_customers(a: CustomerProfile, b: CustomerProfile) -> tuple[int, ...]:
    """The level of every customer comparison, in CUSTOMER_COMPARISONS order."""
    return tuple(comparison.compare(a, b) for comparison in CUSTOMER_COMPARISONS)
