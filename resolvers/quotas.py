"""The hub's default partner quotas (from Settings), a leaf the Context can hold."""

from dataclasses import dataclass


@dataclass(frozen=True)
class PartnerQuotas:
    """Default quotas per partner and UTC day; a partner's own (`hub partners quota`) take
    precedence (resolvers/partner_usage.py)."""

    requests_per_day: int = 10_000
    matches_per_day: int = 100
