"""Validators of the identity evidence columns of customers and social accounts: a birth
date, supplied SHA-256 hashes, masked emails and phones, and what makes an email or a
phone usable as evidence. A reason never repeats a hash (it stands for an email or a
phone)."""

import re
from datetime import date
from typing import Annotated

from pydantic import BeforeValidator, ValidationInfo

from identity.contact import normalise_email, parse_masked_phone
from loaders.contact_keys import supplied_hash


def default_region(info: ValidationInfo) -> str | None:
    """The region phones without a country code are read in when the row gives none: the
    validation context's ``default_region`` (LoadOptions.default_region, HUB_PHONE_REGION)."""
    context = info.context
    return context.get("default_region") if isinstance(context, dict) else None


_NOT_DIGITS = re.compile(r"\D")


def check_contact(email: str | None, phone: str | None) -> None:
    """Evidence that is plainly not an email or a phone is refused, never guessed. A phone
    with digits enough that cannot be read as a number in its region is kept, without a
    key (it links nothing): the region may be missing, not the number wrong."""
    if email is not None and normalise_email(email) is None:
        raise ValueError("email is not an address (name@domain.tld)")
    if phone is not None:
        digits = _NOT_DIGITS.sub("", phone.strip().removeprefix("00"))
        if len(digits) < 6:
            raise ValueError("phone has fewer than 6 digits")


def _iso_date(value: object) -> object:
    """A calendar date written YYYY-MM-DD, between 1900 and 2100, kept as that text."""
    if value is None or value == "":
        return None
    text = value.strip() if isinstance(value, str) else None
    if text is None or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise ValueError("not an ISO date (YYYY-MM-DD, like 1984-06-12)")
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise ValueError("not a day of the calendar (YYYY-MM-DD)") from None
    if not 1900 <= day.year <= 2100:
        raise ValueError("is outside 1900-2100")
    return text


def _sha256(value: object) -> object:
    """A SHA-256 a source gives: 64 hexadecimal characters, lower-cased. The value is never
    repeated in the reason (it stands for an email or a phone)."""
    if value is None or value == "":
        return None
    digest = supplied_hash(value) if isinstance(value, str) else None
    if digest is None:
        raise ValueError("not a SHA-256 (64 hexadecimal characters)")
    return digest


_MASKED_EMAIL = re.compile(r"^[^@\s]*\*[^@\s]*@[^@\s]+\.[^@\s]+$")
_MASKED_PHONE = re.compile(r"^\+?[\d*][\d*\s\-()]*$")


def _masked_email(value: object) -> object:
    """An address with part of its name hidden by '*' (``wa***@163.com``)."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not _MASKED_EMAIL.match(value.strip()):
        raise ValueError("not a masked address: '*' for the hidden part, then @domain")
    return value.strip()


def _masked_phone(value: object) -> object:
    """A number with digits hidden by '*', at least 4 shown (``138****5678``,
    ``+33 612**5678``): read as identity/contact.py reads masks."""
    if value is None or value == "":
        return None
    text = value.strip() if isinstance(value, str) else ""
    if not _MASKED_PHONE.match(text) or "*" not in text or parse_masked_phone(text) is None:
        raise ValueError("not a masked phone: digits and '*', with at least 4 digits shown")
    return text


BirthDate = Annotated[str | None, BeforeValidator(_iso_date)]
Sha256 = Annotated[str | None, BeforeValidator(_sha256)]
MaskedEmail = Annotated[str | None, BeforeValidator(_masked_email)]
MaskedPhone = Annotated[str | None, BeforeValidator(_masked_phone)]
