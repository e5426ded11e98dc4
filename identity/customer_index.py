"""The customers accounts are resolved against, parsed and indexed once.

Built from the customer records (all of them in memory: the profiles and the blocking
keys are what stays), it turns accounts into profiles with the same protection rules and
proposes their candidate customers, a chunk of accounts at a time. Building it is the
cost of a run that does not grow with the accounts; `identity.pipeline.score_accounts`
streams accounts through it, and a later run (new accounts after a load) reuses it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from identity.allocation import no_cycle_collection
from identity.blocking import ACCOUNT_RULES, BlockIndex, Candidates
from identity.profiles import AccountProfile, CustomerProfile, account_profile, customer_profile
from identity.protection import shared_contacts, without_shared
from identity.records import AccountRecord, CustomerRecord


@dataclass
class CustomerIndex:
    """Customer profiles (shared contact values dropped), their ids, and the blocking index
    of the account rules over them."""

    customers: list[CustomerProfile]
    positions: dict[str, int]  # customer id -> position in ``customers``
    blocks: BlockIndex[AccountProfile, CustomerProfile]
    shared: frozenset[str]  # contact hashes dropped as shared (identity/protection.py)
    default_region: str | None

    @classmethod
    def build(
        cls,
        customers: Iterable[CustomerRecord],
        default_region: str | None = None,
        max_block: int = 2000,
    ) -> CustomerIndex:
        """Parse and index ``customers``; ``default_region`` reads phones written without a
        country code (a record's own country comes first)."""
        with no_cycle_collection():
            profiles = [customer_profile(c, default_region) for c in customers]
            shared = shared_contacts(profiles)
            profiles = [without_shared(c, shared) for c in profiles]
            return cls(
                profiles,
                {c.id: j for j, c in enumerate(profiles)},
                BlockIndex(profiles, ACCOUNT_RULES, max_block),
                shared,
                default_region,
            )

    def __len__(self) -> int:
        return len(self.customers)

    def profiles(self, accounts: Iterable[AccountRecord]) -> list[AccountProfile]:
        """``accounts`` parsed, with the customers' shared contact values dropped."""
        return self.protect(parse_accounts(accounts, self.default_region))

    def protect(self, parsed: Iterable[AccountProfile]) -> list[AccountProfile]:
        """Accounts parsed by `parse_accounts` (with this index's ``default_region``), with
        the customers' shared contact values dropped: the same as `profiles`."""
        return [without_shared(a, self.shared) for a in parsed]

    def candidates(self, accounts: Sequence[AccountProfile]) -> Candidates:
        """Candidate (account, customer) pairs, by position in ``accounts`` and the index."""
        return self.blocks.candidates(accounts)


def parse_accounts(
    accounts: Iterable[AccountRecord], default_region: str | None
) -> list[AccountProfile]:
    """Account profiles before the customers' protection (`CustomerIndex.protect`): what
    does not depend on the customers, so it can be parsed while the index is built."""
    with no_cycle_collection():
        return [account_profile(a, default_region) for a in accounts]
