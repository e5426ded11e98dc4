"""Email and phone evidence: normalised, hashed, masked, or a known placeholder.

A phone is normalised to E.164 with `phonenumbers` (Google's libphonenumber metadata),
reading a number written without a country code in the record's country. A hash is
SHA-256 (hex) of the normalised value: the email trimmed and lower-cased, the phone in
E.164 (sources differ on the leading '+', so both are accepted). A masked value
(``138****5678``, ``wa***@163.com``) keeps a few characters: it can agree with a full
value, never prove it. Nothing here raises on bad input.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_MASK = frozenset("*•●xX#")
# Addresses and numbers typed to get past a required field; they name nobody.
_LOCALS = (
    "test testing noemail no-email none null na n/a no nomail example sample xxx abc "
    "asdf qwerty admin info a aa"
)
_DOMAINS = (
    "example.com example.org example.net test.com test.cn mailinator.com noemail.com "
    "none.com a.com xxx.com"
)
_PLACEHOLDER_LOCALS = frozenset(_LOCALS.split())
_PLACEHOLDER_DOMAINS = frozenset(_DOMAINS.split())
_PLACEHOLDER_NATIONAL = frozenset(("13800138000", "12345678", "123456789", "1234567890",
                                   "12345678901", "5555555555"))  # fmt: skip


def sha256_hex(normalised: str) -> str:
    return hashlib.sha256(normalised.encode()).hexdigest()


def normalise_email(text: object) -> str | None:
    """Trimmed, lower-cased address; None when ``text`` is not an address."""
    if not isinstance(text, str):
        return None
    email = text.strip().lower()
    return email if len(email) <= 254 and _EMAIL.match(email) else None


def is_placeholder_email(email: str) -> bool:
    local, _, domain = email.partition("@")
    return local in _PLACEHOLDER_LOCALS or domain in _PLACEHOLDER_DOMAINS


def normalise_hash(text: object) -> str | None:
    """A SHA-256 hex digest, lower-cased; None for anything else."""
    if not isinstance(text, str):
        return None
    digest = text.strip().lower()
    return digest if _SHA256.match(digest) else None


_SEPARATORS = re.compile(r"[\s\-.()/]")
_INTERNATIONAL = re.compile(r"^\+(\d{8,15})$")


@lru_cache(maxsize=65536)
def normalise_phone(text: str | None, region: str | None = None) -> str | None:
    """E.164 ('+8613812345678') of a number written any usual way, read in ``region`` (ISO
    country code) when it has no country code; None when it cannot be a phone number."""
    if not text or len(text) > 40:
        return None
    text = text.strip()
    if text.startswith("00"):
        text = "+" + text[2:]  # the international prefix of most countries (not the US)
    number = _international(text)
    if number is None and region in ("CN", "cn"):
        number = _chinese_mobile(text)
    if number is None:
        try:
            number = phonenumbers.parse(text, region.upper() if region else None)
        except phonenumbers.NumberParseException:
            return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


_CN_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def _chinese_mobile(text: str) -> phonenumbers.PhoneNumber | None:
    """An 11-digit Chinese mobile written nationally (138 1234 5678): +86 and the digits,
    as libphonenumber reads it (no trunk prefix), without a full parse."""
    digits = _SEPARATORS.sub("", text)
    if _CN_MOBILE.match(digits) is None:
        return None
    return phonenumbers.PhoneNumber(country_code=86, national_number=int(digits))


def _international(text: str) -> phonenumbers.PhoneNumber | None:
    """A number already written '+<country code><number>' with separators only: split it
    by the country-code table directly (a full parse is ten times slower)."""
    match = _INTERNATIONAL.match(_SEPARATORS.sub("", text))
    if match is None:
        return None
    digits = match.group(1)
    for size in (1, 2, 3):
        code = int(digits[:size])
        if code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE and digits[size] != "0":
            return phonenumbers.PhoneNumber(country_code=code, national_number=int(digits[size:]))
    return None


def is_placeholder_phone(e164: str) -> bool:
    """One digit repeated, or a well-known fake number (13800138000, 12345678...)."""
    national = national_digits(e164)
    return len(set(national)) == 1 or national in _PLACEHOLDER_NATIONAL


# Where a placeholder is looked for when only its hash is given: the platforms' countries
# and the countries most customers are in.
_PLACEHOLDER_REGIONS = ("CN", "HK", "TW", "SG", "JP", "KR", "US", "GB", "FR", "DE")
# Webmail domains a filler local part is typed at (test@qq.com), besides the filler domains.
_WEBMAIL = "gmail.com qq.com 163.com 126.com sina.com hotmail.com outlook.com yahoo.com icloud.com"


@lru_cache(maxsize=1)
def _placeholder_hashes() -> dict[str, str]:
    """SHA-256 of the known placeholders -> 'email' or 'phone': the filler local parts at
    the filler and webmail domains; the fake national numbers and one digit repeated (7 to
    11 digits) read in each of ``_PLACEHOLDER_REGIONS``, with and without the '+'. A hash
    cannot be read back, so only these listed values are recognised by their hash."""
    hashes = {}
    for local in _PLACEHOLDER_LOCALS:
        for domain in (*_PLACEHOLDER_DOMAINS, *_WEBMAIL.split()):
            hashes[sha256_hex(f"{local}@{domain}")] = "email"
    nationals = {*_PLACEHOLDER_NATIONAL}
    nationals.update(digit * size for digit in "0123456789" for size in range(7, 12))
    for region in _PLACEHOLDER_REGIONS:
        for national in nationals:
            e164 = normalise_phone(national, region)
            if e164 and is_placeholder_phone(e164):
                hashes.update(dict.fromkeys(phone_hashes(e164), "phone"))
    return hashes


def placeholder_hash(digest: str) -> str | None:
    """'email' or 'phone' when ``digest`` (normalised SHA-256 hex) is the hash of a known
    placeholder (see ``_placeholder_hashes``); None otherwise."""
    return _placeholder_hashes().get(digest)


def phone_hashes(e164: str) -> frozenset[str]:
    """SHA-256 of the E.164 number, with and without its '+'."""
    return frozenset((sha256_hex(e164), sha256_hex(e164.lstrip("+"))))


@dataclass(frozen=True)
class MaskedEmail:
    prefix: str
    suffix: str
    domain: str


@dataclass(frozen=True)
class MaskedPhone:
    country_code: str  # '' when the mask gives none
    prefix: str
    suffix: str
    length: int  # national digits in all, masked ones included


def parse_masked_email(text: object) -> MaskedEmail | None:
    if not isinstance(text, str) or len(text) > 254:
        return None
    local, at, domain = text.strip().lower().rpartition("@")
    if not at or "." not in domain or not any(ch in _MASK for ch in local):
        return None
    prefix = re.match(r"[^*•●#]*", local)
    suffix = re.search(r"[^*•●#]*$", local)
    return MaskedEmail(prefix.group() if prefix else "", suffix.group() if suffix else "", domain)


def masked_email_agrees(mask: MaskedEmail, email: str) -> bool:
    local, _, domain = email.partition("@")
    return (
        domain == mask.domain
        and local.startswith(mask.prefix)
        and local.endswith(mask.suffix)
        and len(local) > len(mask.prefix) + len(mask.suffix)
    )


def parse_masked_phone(text: object) -> MaskedPhone | None:
    """'138****5678', '+33 791**7326', '+86 138-****-5678' -> prefix, suffix and length."""
    if not isinstance(text, str) or len(text) > 40 or not any(ch in _MASK for ch in text):
        return None
    code = ""
    body = text.strip()
    if body.startswith("+"):
        match = re.match(r"\+(\d{1,3})[\s\-]", body)
        if not match:
            return None
        code, body = match.group(1), body[match.end() :]
    chars = [ch for ch in body if ch.isdigit() or ch in _MASK]
    masked = "".join("*" if ch in _MASK else ch for ch in chars)
    if code == "" and masked.startswith("0"):
        masked = masked[1:]  # a national trunk prefix
    prefix = re.match(r"\d*", masked)
    suffix = re.search(r"\d*$", masked)
    shown = (prefix.group() if prefix else "", suffix.group() if suffix else "")
    if len(shown[0]) + len(shown[1]) < 4:
        return None  # too little left to agree with anything
    return MaskedPhone(code, shown[0], shown[1], len(masked))


def masked_phone_agrees(mask: MaskedPhone, e164: str) -> bool:
    split = _country_and_national(e164)
    if split is None:
        return False
    country, national = split
    if mask.country_code and mask.country_code != country:
        return False
    return (
        len(national) == mask.length
        and national.startswith(mask.prefix)
        and national.endswith(mask.suffix)
    )


@lru_cache(maxsize=65536)
def _country_and_national(e164: str) -> tuple[str, str] | None:
    """('86', '13812345678') for '+8613812345678'; None when it is not a number."""
    number = _international(e164) or _parsed(e164)
    if number is None:
        return None
    return str(number.country_code), str(number.national_number)


def _parsed(e164: str) -> phonenumbers.PhoneNumber | None:
    try:
        return phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return None


@lru_cache(maxsize=65536)
def national_digits(e164: str) -> str:
    """The national significant number of an E.164 number ('+8613812345678' ->
    '13812345678')."""
    number = _international(e164) or _parsed(e164)
    return str(number.national_number) if number is not None else e164.lstrip("+")
