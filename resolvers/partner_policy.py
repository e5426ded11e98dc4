"""What a partner is allowed, as its admin onboarded it (docs/partner.md, "Onboarding"):
the purposes its keys may pull for and the dimensions its aggregates may group by. A leaf
the Context can hold; the request guard reads it with the partner's quota."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from graph.partner import DIMENSIONS
from resolvers.principal import PURPOSES


@dataclass(frozen=True)
class PartnerPolicy:
    """None for either means "not limited": a partner made before onboarding existed, or
    whose key came from `hub keys create` alone, keeps what its keys hold."""

    purposes: frozenset[str] | None = None
    dimensions: frozenset[str] | None = None

    @classmethod
    def from_stored(
        cls, purposes: Sequence[str] | None, dimensions: Sequence[str] | None
    ) -> "PartnerPolicy":
        return cls(
            frozenset(purposes) if purposes is not None else None,
            frozenset(dimensions) if dimensions is not None else None,
        )

    def allows_purpose(self, purpose: str) -> bool:
        return self.purposes is None or purpose in self.purposes

    def allows_dimension(self, dimension: str) -> bool:
        return self.dimensions is None or dimension in self.dimensions


class PolicyError(ValueError):
    """A partner cannot be set up as asked; the message says which argument and why."""

    def __init__(self, message: str, argument: str) -> None:
        super().__init__(message)
        self.argument = argument


def read_choices(values: Iterable[str], known: Sequence[str], argument: str) -> list[str]:
    """``values`` sorted and deduplicated; raises PolicyError (naming ``argument``) when
    there is none or one is not in ``known``."""
    wanted = sorted(set(values))
    if not wanted:
        raise PolicyError(f"at least one of: {', '.join(known)}", argument)
    unknown = [v for v in wanted if v not in known]
    if unknown:
        raise PolicyError(f"unknown {argument} {unknown}; known: {', '.join(known)}", argument)
    return wanted


def read_purposes(values: Iterable[str]) -> list[str]:
    return read_choices(values, PURPOSES, "purposes")


def read_dimensions(values: Iterable[str]) -> list[str]:
    return read_choices(values, DIMENSIONS, "dimensions")
