"""Who is asking: the Principal every request carries (built by hub/auth.py)."""

from dataclasses import dataclass, field
from enum import StrEnum

# The purposes a consent can be given for (loaders/kinds.py `Purpose` is the same list).
PURPOSES: tuple[str, ...] = ("marketing", "analytics", "partner_sharing", "personalisation")


class Role(StrEnum):
    """What a caller may do (docs/security.md has the full table).

    app: the customer-360 with personal data. analyst: every read, personal data
    pseudonymised. partner: only the partner API, for its own brand and purposes.
    admin: keys, loads, consent and data-subject operations, the audit log.
    """

    APP = "app"
    ANALYST = "analyst"
    PARTNER = "partner"
    ADMIN = "admin"


@dataclass(frozen=True)
class Principal:
    """An authenticated caller. ``subject`` names it in the audit log (a key id or a
    JWT subject, never a secret); ``rate_key`` is the bucket its requests count against."""

    subject: str
    role: Role
    partner_brand_id: str | None = None
    purposes: frozenset[str] = field(default_factory=frozenset)
    via: str = "api_key"

    def __post_init__(self) -> None:
        if (self.role is Role.PARTNER) != (self.partner_brand_id is not None):
            raise ValueError("a partner principal, and only a partner, names a partner brand")
        unknown = sorted(set(self.purposes) - set(PURPOSES))
        if unknown:
            raise ValueError(f"unknown purposes {unknown}; known: {', '.join(PURPOSES)}")

    @property
    def rate_key(self) -> str:
        return f"{self.via}:{self.subject}"

    @property
    def sees_restricted(self) -> bool:
        """Whether customers whose processing is restricted are shown to this caller:
        admins only (docs/security.md); statements take it as `$include_restricted`."""
        return self.role is Role.ADMIN


# For code that runs as the hub itself (CLI commands, tests of the read layer).
SYSTEM = Principal(subject="system", role=Role.ADMIN, via="local")
