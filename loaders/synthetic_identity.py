"""A seeded, hub-shaped identity benchmark: CRM customers and social accounts with the truth.

`generate(config)` makes people, then the CRM's records of some of them (a few people have
two records: typos, a move, a new phone) and social accounts: `owned_share` of them belong
to a person in the CRM, the rest to other people, some of them namesakes of customers or
household members sharing a customer's phone. Names are Chinese (Han and pinyin), English
(with the short forms people go by) and French; handles are built from names, birth years
and dates, or from nothing; a minority of accounts carry contact evidence, plain, hashed
(SHA-256 of the normalised value) or masked (`138****5678`).

`write(dataset, directory)` writes `customers.csv` and `social_accounts.csv` in the formats
`hub load` reads (docs/loading.md), plus `truth.csv` (`kind, id, person_id`). Columns the
loaders do not read yet are written too and listed in docs/identity.md: `birth_date` on
customers; `location`, `email_sha256`, `phone_sha256`, `email_masked`, `phone_masked` on
accounts. The same config always gives byte-identical files.
"""

from __future__ import annotations

import csv
import hashlib
import string
import unicodedata
from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from random import Random
from typing import Any, TypeVar

from identity.contact import normalise_phone
from loaders import synthetic_identity_names as names
from loaders.synthetic_identity_names import City, Part

Row = dict[str, Any]
T = TypeVar("T")

CUSTOMER_COLUMNS = (
    "id", "external_id", "name", "email", "phone", "gender", "birth_year", "birth_date",
    "city", "region", "country", "created_at",
)  # fmt: skip
ACCOUNT_COLUMNS = (
    "id", "platform", "handle", "display_name", "created_at", "customer_id", "email", "phone",
    "location", "email_sha256", "phone_sha256", "email_masked", "phone_masked",
)  # fmt: skip
TRUTH_COLUMNS = ("kind", "id", "person_id")
_CULTURES = {"zh": 60, "en": 30, "fr": 10}
_MAX_ACCOUNTS_PER_PERSON = 4
# Evidence on an account, each drawn independently: (field, share of accounts).
_EVIDENCE = (
    ("email", 0.04), ("phone", 0.04), ("email_sha256", 0.06), ("phone_sha256", 0.06),
    ("email_masked", 0.05), ("phone_masked", 0.08),
)  # fmt: skip
_CLAIMED_SHARE = 0.02  # owned accounts whose export names the CRM id
_HOUSEHOLD_SHARE = 0.03  # CRM people sharing their phone with a relative (CRM or not)
_JUNK_SHARE = 0.004  # CRM records with a test email or a placeholder phone


@dataclass(frozen=True)
class IdentityBenchConfig:
    """How many records, from which seed; shares are of customers and accounts."""

    customers: int = 20_000
    accounts: int = 25_000
    owned_share: float = 0.6  # accounts that belong to a person in the CRM
    duplicate_share: float = 0.05  # CRM records that are a second record of a person
    namesake_share: float = 0.2  # other people's accounts named exactly like a customer
    seed: int = 13

    def __post_init__(self) -> None:
        shares = (self.owned_share, self.duplicate_share, self.namesake_share)
        if self.customers < 1 or self.accounts < 0 or not all(0 <= s <= 1 for s in shares):
            raise ValueError("need customers >= 1, accounts >= 0 and shares between 0 and 1")
        if self.duplicate_share > 0.5:
            raise ValueError("duplicate_share above 0.5 leaves fewer people than duplicates")


@dataclass
class IdentityBenchSet:
    """Rows in the loader formats (plus the extra columns), and who each record is."""

    customers: list[Row] = field(default_factory=list)
    accounts: list[Row] = field(default_factory=list)
    truth: list[Row] = field(default_factory=list)


@dataclass(frozen=True)
class _Person:
    id: str
    culture: str
    gender: str
    family: Part
    given: Part
    english: str | None  # the English name a Chinese person uses, if any
    short: str | None  # the short form an English speaker goes by (Bob), if any
    birth: date
    city: City
    email: str
    phone: str  # E.164


def generate(config: IdentityBenchConfig) -> IdentityBenchSet:
    """The benchmark set of ``config`` (deterministic)."""
    return _Generator(config).run()


def write(dataset: IdentityBenchSet, directory: Path) -> dict[str, Path]:
    """Write customers.csv, social_accounts.csv and truth.csv; return their paths by kind."""
    directory.mkdir(parents=True, exist_ok=True)
    files = {
        "customers": (CUSTOMER_COLUMNS, dataset.customers),
        "social_accounts": (ACCOUNT_COLUMNS, dataset.accounts),
        "truth": (TRUTH_COLUMNS, dataset.truth),
    }
    paths = {}
    for kind, (columns, rows) in files.items():
        path = directory / f"{kind}.csv"
        with path.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(columns)
            writer.writerows([_cell(row.get(c)) for c in columns] for row in rows)
        paths[kind] = path
    return paths


def sha256_hex(normalised: str) -> str:
    """SHA-256 of an already normalised value (lower-case email, E.164 phone), as hex."""
    return hashlib.sha256(normalised.encode()).hexdigest()


def _cell(value: object) -> str:
    return "" if value is None else str(value)


def _ascii(text: str) -> str:
    """Léa -> Lea, O'Brien -> OBrien (what people type into emails and handles)."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain if ch.isalnum())


class _Generator:
    def __init__(self, config: IdentityBenchConfig) -> None:
        self.config = config
        self.rng = Random(config.seed)
        self.people = 0
        self.emails: set[str] = set()
        self.phones: set[str] = set()
        self.out = IdentityBenchSet()

    def run(self) -> IdentityBenchSet:
        config, rng = self.config, self.rng
        duplicates = round(config.customers * config.duplicate_share)
        in_crm = [self.person() for _ in range(config.customers - duplicates)]
        self.households(in_crm)
        crm_ids: dict[str, list[str]] = {}
        records = [(p, self.crm_record(p)) for p in in_crm]
        first = {p.id: row for p, row in records}
        for p in rng.sample(in_crm, duplicates):
            records.append((p, self.duplicate_record(p, first[p.id])))
        rng.shuffle(records)
        for n, (p, row) in enumerate(records, 1):
            row["id"] = f"crm-{n:06d}"
            crm_ids.setdefault(p.id, []).append(row["id"])
            self.out.customers.append(row)
            self.out.truth.append({"kind": "customer", "id": row["id"], "person_id": p.id})
        accounts = self.owned_accounts(in_crm, crm_ids) + self.other_accounts(in_crm)
        rng.shuffle(accounts)
        for n, (p, row) in enumerate(accounts, 1):
            row["id"] = f"sa-{n:06d}"
            _hash_what_is_given(row, p.city.country)
            self.out.accounts.append(row)
            self.out.truth.append({"kind": "social_account", "id": row["id"], "person_id": p.id})
        return self.out

    # -- people -------------------------------------------------------------------------

    def person(self, culture: str | None = None, like: _Person | None = None) -> _Person:
        """A new person; ``like`` gives a namesake (same gender and name, another life)."""
        rng = self.rng
        culture = like.culture if like else culture or _pick(rng, _CULTURES)
        gender = like.gender if like else rng.choice(("female", "male"))
        female = gender == "female"
        english = short = None
        if culture == "zh":
            family = _pick_part(rng, names.ZH_SURNAMES)
            given = _pick_part(rng, names.ZH_GIVEN_F if female else names.ZH_GIVEN_M)
            if rng.random() < 0.25:
                english = rng.choice(names.ZH_ENGLISH_F if female else names.ZH_ENGLISH_M)
        elif culture == "en":
            family = _pick_part(rng, names.EN_SURNAMES)
            table = names.EN_GIVEN_F if female else names.EN_GIVEN_M
            first = rng.choice(sorted(table))
            given = Part("", first, 1.0)
            forms = table[first].split()
            short = rng.choice(forms) if forms and rng.random() < 0.5 else None
        else:
            family = _pick_part(rng, names.FR_SURNAMES)
            given = Part("", rng.choice(names.FR_GIVEN_F if female else names.FR_GIVEN_M), 1.0)
        if like:
            family, given = like.family, like.given
        city = self.city(culture)
        birth = date(1962, 1, 1) + timedelta(days=rng.randrange(44 * 365))
        self.people += 1
        person = _Person(
            f"p{self.people:06d}", culture, gender, family, given, english, short, birth,
            city, "", "",
        )  # fmt: skip
        return replace(person, email=self.email_of(person), phone=self.new_phone(city.country))

    def city(self, culture: str) -> City:
        cities, cumulative = _cities(culture)
        return self.rng.choices(cities, cum_weights=cumulative)[0]

    def households(self, in_crm: list[_Person]) -> None:
        """Some CRM people live with a relative in the CRM who gave the same phone."""
        rng = self.rng
        pairs = round(len(in_crm) * _HOUSEHOLD_SHARE / 2)
        picked = rng.sample(range(len(in_crm)), 2 * pairs)
        for a, b in zip(picked[::2], picked[1::2], strict=True):
            first, second = in_crm[a], in_crm[b]
            if first.culture != second.culture:
                continue
            in_crm[b] = replace(second, family=first.family, city=first.city, phone=first.phone)

    def email_of(self, p: _Person) -> str:
        rng = self.rng
        domain = rng.choice(names.EMAIL_DOMAINS[p.culture])
        given = _ascii(p.english or p.given.latin if rng.random() < 0.5 else p.given.latin)
        family = _ascii(p.family.latin)
        if p.culture == "zh" and domain == "qq.com":
            local = str(rng.randrange(10_000_000, 3_999_999_999))
        else:
            local = rng.choice(
                (given + family, given + "." + family, family + given, given[0] + family,
                 given + "_" + family[0], family + "." + given)
            ).lower()  # fmt: skip
            if rng.random() < 0.5:
                local += rng.choice((str(p.birth.year), f"{p.birth.year % 100:02d}",
                                     str(rng.randrange(1, 999))))  # fmt: skip
        email = f"{local}@{domain}"
        while email in self.emails:
            email = f"{local}{rng.randrange(10, 9999)}@{domain}"
        self.emails.add(email)
        return email

    def new_phone(self, country: str) -> str:
        code, prefixes, digits = names.PHONES[country]
        while True:
            subscriber = "".join(self.rng.choice(string.digits) for _ in range(digits))
            if country == "US":  # a US exchange never starts with 0 or 1
                subscriber = self.rng.choice("23456789") + subscriber[1:]
            e164 = f"+{code}{self.rng.choice(prefixes)}{subscriber}"
            if e164 not in self.phones:
                self.phones.add(e164)
                return e164

    # -- CRM records ----------------------------------------------------------------------

    def crm_record(self, p: _Person) -> Row:
        rng = self.rng
        row: Row = {
            "name": self.crm_name(p),
            "email": p.email if rng.random() < 0.85 else None,
            "phone": _format_phone(rng, p.phone, p.city.country) if rng.random() < 0.8 else None,
            "gender": p.gender if rng.random() < 0.9 else None,
            "birth_year": p.birth.year if rng.random() < 0.75 else None,
            "birth_date": p.birth.isoformat() if rng.random() < 0.4 else None,
            "country": p.city.country if rng.random() < 0.9 else None,
            "external_id": f"M{rng.randrange(10**7, 10**8)}" if rng.random() < 0.6 else None,
            "created_at": (date(2015, 1, 1) + timedelta(days=rng.randrange(3650))).isoformat(),
        }
        row.update(self.crm_place(p.city) if rng.random() < 0.8 else {})
        if rng.random() < _JUNK_SHARE:
            row["email"] = rng.choice(("test@test.com", "noemail@example.com", "a@a.com"))
        if rng.random() < _JUNK_SHARE:
            row["phone"] = rng.choice(("00000000000", "13800138000", "12345678"))
        return row

    def crm_name(self, p: _Person) -> str:
        rng = self.rng
        if p.culture == "zh":
            han = p.family.han + p.given.han
            latin = f"{p.family.latin} {p.given.latin}"
            return _pick(
                rng,
                [
                    (han, 70),
                    (latin, 10),
                    (f"{p.family.latin.upper()} {p.given.latin}", 4),
                    (f"{p.given.latin} {p.family.latin}", 6),
                    (f"{p.english} {p.family.latin}" if p.english else han, 6),
                    (f"{p.family.han} {p.given.han}", 4),
                ],
            )
        given = p.given.latin
        return _pick(
            rng,
            [
                (f"{given} {p.family.latin}", 80),
                (f"{p.short or given} {p.family.latin}", 10),
                (f"{p.family.latin.upper()} {given}", 5),
                (f"{_ascii(given)} {p.family.latin}", 5),
            ],
        )

    def crm_place(self, city: City) -> Row:
        rng = self.rng
        if city.han and rng.random() < 0.55:
            suffix = "市" if rng.random() < 0.2 else ""
            return {"city": city.han + suffix, "region": city.region_han or None}
        return {"city": city.english, "region": city.region_english or None}

    def duplicate_record(self, p: _Person, first: Row) -> Row:
        """A second CRM record of ``p``: re-keyed by another channel, with drift and typos."""
        rng = self.rng
        row = self.crm_record(p)
        change = _pick(
            rng, [("same", 35), ("typo", 25), ("script", 20), ("swap", 10), ("short", 10)]
        )
        if change == "same" and first["name"]:
            row["name"] = first["name"]
        elif change == "typo":
            row["name"] = _typo(rng, row["name"])
        elif change == "swap":
            row["name"] = " ".join(reversed(row["name"].split())) or row["name"]
        elif change == "short" and (p.short or p.english):
            row["name"] = f"{p.short or p.english} {p.family.latin}"
        if rng.random() < 0.35:  # moved
            row.update(self.crm_place(self.city(p.culture)))
        if rng.random() < 0.25:
            row["phone"] = _format_phone(rng, self.new_phone(p.city.country), p.city.country)
        if rng.random() < 0.15 and row["email"]:
            local, _, domain = row["email"].partition("@")
            row["email"] = f"{_typo(rng, local)}@{domain}"
        return row

    # -- social accounts ------------------------------------------------------------------

    def owned_accounts(
        self, in_crm: list[_Person], crm_ids: dict[str, list[str]]
    ) -> list[tuple[_Person, Row]]:
        rng = self.rng
        wanted = round(self.config.accounts * self.config.owned_share)
        wanted = min(wanted, len(in_crm) * _MAX_ACCOUNTS_PER_PERSON)
        # Heavy-tailed: most owners have one account, a few have three or four.
        activity = [rng.paretovariate(1.5) for _ in in_crm]
        cumulative = _cumulative(activity)
        platforms: dict[str, set[str]] = {}
        out: list[tuple[_Person, Row]] = []
        while len(out) < wanted:
            p = in_crm[min(bisect_left(cumulative, rng.random() * cumulative[-1]), len(in_crm) - 1)]
            used = platforms.setdefault(p.id, set())
            if len(used) >= _MAX_ACCOUNTS_PER_PERSON:
                continue
            row = self.account(p, exclude=used)
            used.add(row["platform"])
            if rng.random() < _CLAIMED_SHARE:
                row["customer_id"] = rng.choice(crm_ids[p.id])
            out.append((p, row))
        return out

    def other_accounts(self, in_crm: list[_Person]) -> list[tuple[_Person, Row]]:
        rng = self.rng
        wanted = self.config.accounts - round(self.config.accounts * self.config.owned_share)
        out: list[tuple[_Person, Row]] = []
        for _ in range(max(wanted, 0)):
            draw = rng.random()
            if draw < self.config.namesake_share:
                p = self.person(like=rng.choice(in_crm))  # same name, another person
                out.append((p, self.account(p)))
            elif draw < self.config.namesake_share + _HOUSEHOLD_SHARE:
                relative = rng.choice(in_crm)  # a relative using the household phone
                p = replace(self.person(relative.culture), family=relative.family,
                            city=relative.city, phone=relative.phone)  # fmt: skip
                row = self.account(p)
                evidence = rng.choice(("phone", "phone_sha256"))
                row[evidence] = self.phone_evidence(p, evidence)
                out.append((p, row))
            else:
                p = self.person()
                out.append((p, self.account(p)))
        return out

    def account(self, p: _Person, exclude: set[str] | None = None) -> Row:
        rng = self.rng
        choices = {k: w for k, w in names.PLATFORMS[p.culture].items() if k not in (exclude or ())}
        platform = _pick(rng, choices or names.PLATFORMS[p.culture])
        row: Row = {
            "platform": platform,
            "handle": _handle(rng, p, platform),
            "display_name": _display_name(rng, p),
            "created_at": (date(2012, 1, 1) + timedelta(days=rng.randrange(4700))).isoformat(),
            "location": self.location(p) if rng.random() < 0.45 else None,
        }
        for evidence, share in _EVIDENCE:
            if rng.random() < share:
                row[evidence] = (
                    self.email_evidence(p, evidence)
                    if evidence.startswith("email")
                    else self.phone_evidence(p, evidence)
                )
        return row

    def email_evidence(self, p: _Person, kind: str) -> str:
        # One in five accounts was opened with another address than the CRM knows.
        email = p.email if self.rng.random() < 0.8 else self.email_of(p)
        if kind == "email":
            return email
        if kind == "email_sha256":
            return sha256_hex(email.lower())
        local, _, domain = email.partition("@")
        keep = local[:2] if len(local) > 4 else local[:1]
        tail = local[-1] if len(local) > 6 and self.rng.random() < 0.5 else ""
        return f"{keep}***{tail}@{domain}"

    def phone_evidence(self, p: _Person, kind: str) -> str:
        phone = p.phone if self.rng.random() < 0.85 else self.new_phone(p.city.country)
        if kind == "phone":
            return _format_phone(self.rng, phone, p.city.country)
        if kind == "phone_sha256":
            return sha256_hex(phone)
        code, _, _ = names.PHONES[p.city.country]
        national = phone.removeprefix("+" + code)
        masked = national[:3] + "*" * (len(national) - 7) + national[-4:]
        return masked if p.city.country == "CN" else f"+{code} {masked}"

    def location(self, p: _Person) -> str:
        rng = self.rng
        city = p.city if rng.random() < 0.85 else self.city(p.culture)  # moved
        if city.han:
            return _pick(
                rng,
                [
                    (city.han, 30),
                    (city.han + "市", 10),
                    (f"中国·{city.han}", 10),
                    (city.english, 20),
                    (f"{city.english}, China", 10),
                    (f"{city.region_han} {city.han}", 15),
                    (city.region_english, 5),
                ],
            )
        country = {"US": "USA", "GB": "UK", "FR": "France"}[city.country]
        return _pick(
            rng,
            [
                (city.english, 45),
                (f"{city.english}, {country}", 30),
                (f"{city.english}, {city.region_english}", 20),
                (country, 5),
            ],
        )


def _pick(rng: Random, weights: Mapping[T, float] | Sequence[tuple[T, float]]) -> T:
    """One item by weight: from a mapping, or from (item, weight) pairs (which may repeat an
    item: a person whose short name is their name gets both weights)."""
    pairs = list(weights.items()) if isinstance(weights, Mapping) else list(weights)
    return rng.choices([i for i, _ in pairs], weights=[w for _, w in pairs])[0]


def _pick_part(rng: Random, parts: tuple[Part, ...]) -> Part:
    return rng.choices(parts, cum_weights=_cumulative_weights(parts))[0]


@cache
def _cumulative_weights(parts: tuple[Part, ...]) -> list[float]:
    return _cumulative([p.weight for p in parts])


@cache
def _cities(culture: str) -> tuple[list[City], list[float]]:
    """The cities people of ``culture`` live in, with cumulative weights."""
    countries = {"zh": ("CN",), "en": ("US", "GB"), "fr": ("FR",)}[culture]
    cities = [c for c in names.CITIES if c.country in countries]
    return cities, _cumulative([names.CITY_WEIGHTS.get(c.han or c.english, 1) for c in cities])


def _cumulative(weights: Sequence[float]) -> list[float]:
    out, total = [], 0.0
    for w in weights:
        total += w
        out.append(total)
    return out


def _typo(rng: Random, text: str) -> str:
    """One keyboard slip in Latin text, or one homophone character in Han text."""
    if not text:
        return text
    han = [i for i, ch in enumerate(text) if ch in names.ZH_HOMOPHONES]
    if han:
        i = rng.choice(han)
        return text[:i] + rng.choice(names.ZH_HOMOPHONES[text[i]]) + text[i + 1 :]
    letters = [i for i, ch in enumerate(text) if ch.isalpha()]
    if len(letters) < 3:
        return text
    i = rng.choice(letters[1:])
    kind = rng.choice(("drop", "swap", "substitute", "double"))
    if kind == "drop":
        return text[:i] + text[i + 1 :]
    if kind == "swap" and i + 1 < len(text):
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    if kind == "double":
        return text[:i] + text[i] + text[i:]
    return text[:i] + rng.choice(names.SUBSTITUTE_LETTERS) + text[i + 1 :]


def _hash_what_is_given(row: Row, country: str) -> None:
    """A source that gives a value and its hash computed the hash from that value (the
    loader rejects a row where they disagree). Draws nothing, so the rest of the set stays
    as the seed makes it."""
    if row.get("email") and row.get("email_sha256"):
        row["email_sha256"] = sha256_hex(row["email"].strip().lower())
    if row.get("phone") and row.get("phone_sha256"):
        e164 = normalise_phone(row["phone"], country)
        if e164:
            row["phone_sha256"] = sha256_hex(e164)


def _format_phone(rng: Random, e164: str, country: str) -> str:
    """E.164 as a person or a clerk would write it."""
    code = names.PHONES[country][0]
    n = e164.removeprefix("+" + code)
    if country == "CN":
        return _pick(
            rng,
            [
                (n, 45),
                (f"+86 {n[:3]} {n[3:7]} {n[7:]}", 20),
                (f"+86-{n}", 15),
                (f"0086 {n}", 5),
                (f"{n[:3]}-{n[3:7]}-{n[7:]}", 10),
                (f"(+86) {n[:3]} {n[3:7]} {n[7:]}", 5),
            ],
        )
    if country == "US":
        return _pick(
            rng,
            [
                (f"({n[:3]}) {n[3:6]}-{n[6:]}", 40),
                (f"+1 {n[:3]} {n[3:6]} {n[6:]}", 30),
                (f"{n[:3]}.{n[3:6]}.{n[6:]}", 20),
                (f"1-{n[:3]}-{n[3:6]}-{n[6:]}", 10),
            ],
        )
    if country == "GB":
        return rng.choice((f"+44 {n[:4]} {n[4:]}", f"0{n[:4]} {n[4:]}"))
    pairs = " ".join(n[i : i + 2] for i in range(1, len(n), 2))
    return rng.choice((f"+33 {n[0]} {pairs}", f"0{n[0]} {pairs}"))


def _handle(rng: Random, p: _Person, platform: str) -> str:
    if platform == "wechat" and rng.random() < 0.3:
        return "wxid_" + "".join(
            rng.choice(string.ascii_lowercase + string.digits) for _ in range(10)
        )
    if rng.random() < 0.2:  # nothing of the name
        words = rng.sample(names.HANDLE_WORDS, rng.choice((1, 2)))
        sep = rng.choice(("", "_", "."))
        return sep.join(words) + (str(rng.randrange(1, 2030)) if rng.random() < 0.6 else "")
    given_forms = [_ascii(p.given.latin)]
    if p.english:
        given_forms.append(p.english)
    if p.short:
        given_forms.append(p.short)
    given = (given_forms[-1] if rng.random() < 0.5 else given_forms[0]).lower()
    family = _ascii(p.family.latin).lower()
    sep = _pick(rng, [("", 45), ("_", 30), (".", 15), ("-", 5)])
    family_first = 35 if p.culture == "zh" else 15
    core = _pick(
        rng,
        [
            (given + sep + family, 35),
            (family + sep + given, family_first),
            (given[0] + sep + family, 10),
            (given + sep + family[0], 6),
            (given, 10),
            (family + sep + given[0], 4),
        ],
    )
    b = p.birth
    digits = _pick(
        rng,
        [
            (f"{b.year % 100:02d}", 30),
            (str(b.year), 15),
            (f"{b.month:02d}{b.day:02d}", 10),
            (f"{b.year % 100:02d}{b.month:02d}{b.day:02d}", 3),
            (str(rng.randrange(1, 999)), 12),
            ("", 30),
        ],
    )
    handle = core + (rng.choice(("", "", "_")) + digits if digits else "")
    if rng.random() < 0.08:
        handle = rng.choice(("real", "iam", "the", "its")) + rng.choice(("", "_")) + handle
    if rng.random() < 0.15:
        handle = "".join(part.capitalize() for part in handle.split(sep)) if sep else handle.title()
    return handle


def _display_name(rng: Random, p: _Person) -> str | None:
    options: list[tuple[str, float]]
    if p.culture == "zh":
        han = p.family.han + p.given.han
        pet = ("小" if rng.random() < 0.5 else "阿") + p.given.han[-1]
        options = [
            (han, 30), (pet, 8), (f"{p.family.latin} {p.given.latin}", 7),
            (f"{p.given.latin} {p.family.latin}", 4), ((p.family.latin + p.given.latin).lower(), 3),
            (p.given.han, 4), (rng.choice(names.ZH_NICKNAMES), 25),
        ]  # fmt: skip
        if p.english:
            options += [(f"{p.english} {p.family.latin}", 12), (p.english, 6)]
    else:
        given = p.given.latin
        options = [
            (f"{given} {p.family.latin}", 35), (f"{given} {p.family.latin[0]}.", 8), (given, 8),
            (f"{given} {p.family.latin}".lower(), 5), (rng.choice(names.EN_NICKNAMES).title(), 15),
        ]  # fmt: skip
        if p.short:
            options += [(f"{p.short} {p.family.latin}", 15), (p.short, 5)]
    if rng.random() < 0.04:
        return None
    name = str(_pick(rng, options))
    if rng.random() < 0.05:
        name = _typo(rng, name)
    if rng.random() < 0.2:
        name = rng.choice(names.DECORATIONS).format(name)
    return name
