"""What a request read, gathered while it runs and written as one audit entry at its end
(schema/guard.py writes it, before the response leaves)."""

from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass
class AuditTrail:
    """Request-scoped: resolvers note the customers whose data is in the response, by hub
    id, also for partner pulls (the pseudonyms handed out are derived from those ids, so
    the entry holds ids only and an erasure can scrub them). Nothing here is logged."""

    customer_ids: set[str] = field(default_factory=set)
    purpose: str | None = None
    kinds: set[str] = field(default_factory=set)

    def customers_read(self, ids: Iterable[str], kind: str = "customer_read") -> None:
        """Customer-level data of ``ids`` is in the response."""
        self.customer_ids.update(ids)
        self.kinds.add(kind)

    def partner_pull(self, purpose: str, customer_ids: Iterable[str] = ()) -> None:
        """A partner pulled data for ``purpose``: the customers whose pseudonyms it was
        given (none for aggregates)."""
        self.purpose = purpose
        self.customer_ids.update(customer_ids)
        self.kinds.add("partner_pull")

    def note(self, kind: str) -> None:
        """Any other act worth an entry (an export, an erasure, a consent change)."""
        self.kinds.add(kind)

    @property
    def empty(self) -> bool:
        return not self.kinds
