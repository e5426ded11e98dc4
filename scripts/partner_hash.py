#!/usr/bin/env python3
"""Hash a partner's customer list the way the hub keys its customers (docs/partner.md,
"Hashing your list"). Runs on the partner's side: Python 3.11+, the standard library and
`phonenumbers` only; nothing is sent anywhere.

    python3 partner_hash.py email < emails.txt > hashes.txt
    python3 partner_hash.py phone --region GB < phones.txt >> hashes.txt

One value a line in, one SHA-256 (64 lower-case hex digits) a line out. A line that is
not an email (or not a phone number) gives no hash: its line number is reported on
stderr, never its value.

The normalisation, exactly:
- email: trimmed of surrounding whitespace, lower-cased; it must look like
  ``local@domain.tld`` (no spaces, one '@'), at most 254 characters.
- phone: E.164 with its '+' (``+447700900123``). A leading ``00`` is read as '+'. A
  number written without a country code is read in ``region`` (ISO 3166 code, e.g. GB;
  an 11-digit mobile starting 13-19 in CN). It must be a possible number for its country.
The hash is SHA-256 of the normalised value's UTF-8 bytes, in lower-case hex.
"""

import argparse
import hashlib
import re
import sys
from collections.abc import Iterable, Iterator

import phonenumbers

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_SEPARATORS = re.compile(r"[\s\-.()/]")
_CN_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def normalise_email(text: str) -> str | None:
    """The trimmed, lower-cased address; None when ``text`` is not an address."""
    email = text.strip().lower()
    return email if len(email) <= 254 and _EMAIL.match(email) else None


def normalise_phone(text: str, region: str | None = None) -> str | None:
    """The E.164 form ('+447700900123') of a number, read in ``region`` when written
    without a country code; None when it cannot be a phone number."""
    text = text.strip()
    if not text or len(text) > 40:
        return None
    if text.startswith("00"):
        text = "+" + text[2:]
    digits = _SEPARATORS.sub("", text)
    if (region or "").upper() == "CN" and _CN_MOBILE.match(digits):
        return "+86" + digits
    try:
        number = phonenumbers.parse(text, region.upper() if region else None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def sha256_hex(normalised: str) -> str:
    """SHA-256 of the normalised value, lower-case hex (64 characters)."""
    return hashlib.sha256(normalised.encode()).hexdigest()


def email_hash(text: str) -> str | None:
    """The hash the hub keys this email by; None when it is not an email."""
    email = normalise_email(text)
    return sha256_hex(email) if email else None


def phone_hash(text: str, region: str | None = None) -> str | None:
    """The hash the hub keys this phone by; None when it is not a phone number."""
    e164 = normalise_phone(text, region)
    return sha256_hex(e164) if e164 else None


def hash_lines(
    lines: Iterable[str], kind: str, region: str | None = None
) -> Iterator[tuple[int, str | None]]:
    """(line number from 1, hash or None) for each non-blank line."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        yield number, email_hash(line) if kind == "email" else phone_hash(line, region)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Hash emails or phones for a partner list.")
    parser.add_argument("kind", choices=("email", "phone"))
    parser.add_argument("--region", help="ISO country of numbers written without +code")
    args = parser.parse_args(argv)
    skipped = 0
    for number, digest in hash_lines(sys.stdin, args.kind, args.region):
        if digest is None:
            skipped += 1
            print(f"line {number}: not a valid {args.kind}; skipped", file=sys.stderr)
        else:
            print(digest)
    return 1 if skipped else 0


if __name__ == "__main__":
    sys.exit(main())
