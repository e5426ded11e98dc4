"""The records identity resolution reads: plain values, as a loader or the graph has them.

Nothing is validated here beyond types: a record with nothing usable is compared as
having nothing to say, never refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from functools import cache
from typing import Any


@dataclass(frozen=True)
class CustomerRecord:
    """A CRM customer: the loader's `customers` fields, and fields some CRMs have that the
    loader does not read yet (`birth_date` ISO, `postcode`, street `address`, and a
    `national_id` that names the person, not the CRM record). Absent fields are no
    evidence."""

    id: str
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    gender: str | None = None
    birth_year: int | None = None
    birth_date: str | None = None
    city: str | None = None
    region: str | None = None
    country: str | None = None
    postcode: str | None = None
    address: str | None = None
    national_id: str | None = None

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> CustomerRecord:
        """From a loader row or a graph record; blanks become None, birth_year an int."""
        values = _plain(cls, row)
        values["birth_year"] = _int(values.get("birth_year"))
        return cls(**values)


@dataclass(frozen=True)
class AccountRecord:
    """A social account: the loader's `social_accounts` fields and the evidence columns."""

    id: str
    platform: str | None = None
    handle: str | None = None
    display_name: str | None = None
    location: str | None = None
    customer_id: str | None = None  # the CRM id the export claims
    email: str | None = None
    phone: str | None = None
    email_sha256: str | None = None
    phone_sha256: str | None = None
    email_masked: str | None = None
    phone_masked: str | None = None

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> AccountRecord:
        return cls(**_plain(cls, row))


@cache
def _names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


def _plain(cls: type, row: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in _names(cls):
        value = row.get(name)
        if isinstance(value, str):
            value = value.strip() or None
        out[name] = value
    out["id"] = str(row.get("id") or "")
    return out


def _int(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None
