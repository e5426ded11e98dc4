"""Records parsed once into what the comparisons read (names in all their forms, the
handle taken apart, contact evidence normalised and hashed, the place looked up)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from identity import contact
from identity.handles import Handle, parse_handle
from identity.names import NameForm, parse_name
from identity.places import Place, parse_place
from identity.records import AccountRecord, CustomerRecord
from identity.text import address_words, clean, latin_words

# Where a number written without a country code was most likely written.
PLATFORM_REGIONS = {
    "wechat": "CN",
    "weibo": "CN",
    "xiaohongshu": "CN",
    "douyin": "CN",
    "line": "JP",
    "kakao": "KR",
}


@dataclass(frozen=True)
class Email:
    address: str  # normalised, '' when only a hash or a mask is known
    hashes: frozenset[str]
    mask: contact.MaskedEmail | None

    @property
    def usable(self) -> bool:
        return bool(self.hashes or self.mask)


@dataclass(frozen=True)
class Phone:
    e164: str
    hashes: frozenset[str]
    mask: contact.MaskedPhone | None

    @property
    def usable(self) -> bool:
        return bool(self.hashes or self.mask)


NO_EMAIL = Email("", frozenset(), None)
NO_PHONE = Phone("", frozenset(), None)


@dataclass(frozen=True)
class CustomerProfile:
    id: str
    name: NameForm
    email: Email
    phone: Phone
    birth_year: int | None
    birthday: tuple[int, int] | None  # (month, day)
    place: Place
    gender: str
    placeholders: tuple[str, ...]  # evidence dropped as a known placeholder ('email', 'phone')
    town: str  # the city as written, folded, for places not in the table ('' if none)
    postcode: str
    address: str  # street address, folded words
    national_id: str


@dataclass(frozen=True)
class AccountProfile:
    id: str
    platform: str
    name: NameForm  # from the display name
    handle: Handle
    email: Email
    phone: Phone
    place: Place
    claimed: str  # the CRM id the export claims, or ''
    placeholders: tuple[str, ...]


def customer_profile(record: CustomerRecord, default_region: str | None = None) -> CustomerProfile:
    """Parse a customer; ``default_region`` reads phones when the record has no country."""
    placeholders: list[str] = []
    email = _email(record.email, None, None, placeholders)
    phone = _phone(record.phone, None, None, record.country or default_region, placeholders)
    birthday = _birthday(record.birth_date)
    birth_year = record.birth_year
    if birth_year is None and birthday is not None and record.birth_date:
        birth_year = int(record.birth_date[:4])
    return CustomerProfile(
        id=record.id,
        name=parse_name(record.name),
        email=email,
        phone=phone,
        birth_year=birth_year,
        birthday=birthday,
        place=parse_place(record.city, record.region),
        gender=(record.gender or "").lower(),
        placeholders=tuple(placeholders),
        town=" ".join(latin_words(record.city or "")) or clean(record.city),
        postcode=_code(record.postcode),
        address=" ".join(address_words(record.address or ""))[:120] if record.address else "",
        national_id=_code(record.national_id),
    )


def account_profile(record: AccountRecord, default_region: str | None = None) -> AccountProfile:
    """Parse an account; a phone without country code is read in the platform's country,
    else in ``default_region``."""
    placeholders: list[str] = []
    platform = (record.platform or "").lower()
    region = PLATFORM_REGIONS.get(platform, default_region)
    return AccountProfile(
        id=record.id,
        platform=platform,
        name=parse_name(record.display_name),
        handle=parse_handle(record.handle),
        email=_email(record.email, record.email_sha256, record.email_masked, placeholders),
        phone=_phone(record.phone, record.phone_sha256, record.phone_masked, region, placeholders),
        place=parse_place(record.location),
        claimed=record.customer_id or "",
        placeholders=tuple(placeholders),
    )


def _email(
    plain: str | None, digest: str | None, masked: str | None, placeholders: list[str]
) -> Email:
    address = contact.normalise_email(plain)
    given = contact.normalise_hash(digest)
    fake = False  # a known placeholder, plain or hashed: no evidence, and noted once
    if address and contact.is_placeholder_email(address):
        address, fake = None, True
    if given and contact.placeholder_hash(given):
        given, fake = None, True
    if fake:
        placeholders.append("email")
    hashes = {contact.sha256_hex(address)} if address else set()
    if given:
        hashes.add(given)
    mask = contact.parse_masked_email(masked)
    if not hashes and mask is None:
        return NO_EMAIL
    return Email(address or "", frozenset(hashes), mask)


def _phone(
    plain: str | None,
    digest: str | None,
    masked: str | None,
    region: str | None,
    placeholders: list[str],
) -> Phone:
    e164 = contact.normalise_phone(plain, region) if plain else None
    given = contact.normalise_hash(digest)
    fake = False  # a known placeholder, plain or hashed: no evidence, and noted once
    if e164 and contact.is_placeholder_phone(e164):
        e164, fake = None, True
    if given and contact.placeholder_hash(given):
        given, fake = None, True
    if fake:
        placeholders.append("phone")
    hashes = set(contact.phone_hashes(e164)) if e164 else set()
    if given:
        hashes.add(given)
    mask = contact.parse_masked_phone(masked)
    if not hashes and mask is None:
        return NO_PHONE
    return Phone(e164 or "", frozenset(hashes), mask)


def _code(text: str | None) -> str:
    """Letters and digits only, upper case: ' 2600 ' -> '2600', 'ab-12' -> 'AB12'."""
    return "".join(ch for ch in (text or "")[:40] if ch.isalnum()).upper()


def _birthday(text: str | None) -> tuple[int, int] | None:
    if not text:
        return None
    try:
        day = date.fromisoformat(text.strip()[:10])
    except ValueError:
        return None
    return day.month, day.day
