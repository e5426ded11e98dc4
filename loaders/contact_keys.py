"""The email and phone keys the loaders store, normalised exactly as identity resolution
normalises them (identity/contact.py), hashed by graph/identity_keys.py.

A phone written without a country code is read in the record's country: a customer's
``country`` column, an account's platform's country (CN for WeChat, Weibo...; the table
identity/ uses), else the hub's default region (``HUB_PHONE_REGION``). A value these
cannot read gives no key: it is kept (customers) but links nothing.
"""

from graph.identity_keys import contact_key
from identity.contact import normalise_email, normalise_hash, normalise_phone, sha256_hex
from identity.profiles import PLATFORM_REGIONS


def email_key(email: str | None) -> str | None:
    """The key of an address; None when there is none or it is not an address."""
    normalised = normalise_email(email)
    return contact_key(normalised) if normalised else None


def phone_key(phone: str | None, region: str | None) -> str | None:
    """The key of a phone read in ``region`` when it has no country code; None when it
    cannot be read as a number there."""
    e164 = normalise_phone(phone.strip(), region) if phone and phone.strip() else None
    return contact_key(e164) if e164 else None


def account_region(platform: str | None, default_region: str | None) -> str | None:
    """Where a number on an account of ``platform`` was most likely written."""
    return PLATFORM_REGIONS.get((platform or "").lower(), default_region)


def supplied_hash(text: str) -> str | None:
    """A SHA-256 given by a source: 64 hex digits, lower-cased; None for anything else."""
    return normalise_hash(text)


def international_phone(phone: str) -> str | None:
    """E.164 of a number written with its country code ('+' or '00'); None for one written
    nationally (its country is a guess) or not a number."""
    return normalise_phone(phone.strip(), None)


def phone_hash_agrees(digest: str, e164: str) -> bool:
    """Whether a supplied phone SHA-256 is the hash of ``e164``, with or without its '+'
    (sources differ)."""
    return digest in (sha256_hex(e164), sha256_hex(e164.lstrip("+")))
