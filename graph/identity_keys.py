"""Normalised, hashed lookup keys for email and phone.

Lookups go through hashes so an index never needs the raw value; the same functions
serve writers and readers, so a key written is a key found.
"""

import hashlib
import re

_NON_DIGITS = re.compile(r"[^\d+]")


def normalise_email(email: str) -> str:
    """Trim and lower-case; an address is compared case-insensitively in practice."""
    return email.strip().lower()


def normalise_phone(phone: str) -> str:
    """Keep a leading + and the digits (E.164-like); spaces, dashes, dots go."""
    digits = _NON_DIGITS.sub("", phone.strip())
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    return digits


def key_hash(kind: str, normalised: str) -> str:
    """SHA-256 of the normalised value, namespaced by kind so equal strings differ."""
    return hashlib.sha256(f"{kind}:{normalised}".encode()).hexdigest()


def email_hash(email: str | None) -> str | None:
    return key_hash("email", normalise_email(email)) if email and email.strip() else None


def phone_hash(phone: str | None) -> str | None:
    if not phone:
        return None
    normalised = normalise_phone(phone)
    return key_hash("phone", normalised) if len(normalised.lstrip("+")) >= 6 else None
