"""The one spelling of a consent purpose in the API: the `Purpose` enum, in every input
and output that names one. Its values are what the graph stores (resolvers/principal.py
PURPOSES), so an unknown purpose is refused by GraphQL itself, before any resolver."""

from collections.abc import Iterable, Sequence
from enum import Enum

import strawberry


@strawberry.enum(description="What a customer's data may be used for; consents name them.")
class Purpose(Enum):
    MARKETING = strawberry.enum_value("marketing", description="Marketing messages.")
    ANALYTICS = strawberry.enum_value("analytics", description="Analytics and reporting.")
    PARTNER_SHARING = strawberry.enum_value(
        "partner_sharing", description="Sharing with partner brands."
    )
    PERSONALISATION = strawberry.enum_value(
        "personalisation", description="Personalised content and offers."
    )


def stored_value(purpose: Purpose) -> str:
    """What the graph stores for ``purpose`` (`partner_sharing` for PARTNER_SHARING)."""
    return str(purpose.value)


def stored(purposes: Iterable[Purpose]) -> list[str]:
    """The values the graph stores for ``purposes``, in the order given."""
    return [stored_value(p) for p in purposes]


def from_stored(values: Sequence[str] | None) -> list[Purpose]:
    """``values`` read from the graph as enum members. Every writer (loaders, consent
    mutations, key creation) accepts only known purposes, so a stranger is a broken
    invariant: ValueError, which the client sees as INTERNAL."""
    return [Purpose(v) for v in values or ()]
