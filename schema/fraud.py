"""Fraud and anomaly signals for admins and analysts (docs/predictions.md, "Fraud and
anomaly patterns"): rings, bursts, refund abuse and account farms, each with its score
in bits and its evidence."""

from datetime import UTC, datetime
from enum import Enum
from typing import Annotated

import strawberry
from strawberry.types import Info

from resolvers import fraud as f
from resolvers.context import Context
from schema.base import Connection
from schema.network import After, First, _page, _value


@strawberry.enum(description="A fraud or anomaly pattern.")
class FraudKind(Enum):
    RING = strawberry.enum_value(
        "ring", description="Customers linked by a shared hashed card, device or address."
    )
    BURST = strawberry.enum_value(
        "burst", description="Many purchases in a week against the customer's own history."
    )
    REFUND_BURST = strawberry.enum_value(
        "refund_burst", description="Many refunds in a week against the customer's own history."
    )
    REFUND_ABUSE = strawberry.enum_value(
        "refund_abuse", description="A refund share improbable at everyone's refund rate."
    )
    COMPLAINT_ABUSE = strawberry.enum_value(
        "complaint_abuse",
        description="More complaints than the customer's purchases make likely.",
    )
    ACCOUNT_FARM = strawberry.enum_value(
        "account_farm",
        description="New social accounts interacting in lockstep with the same posts.",
    )


@strawberry.type(description="Hashed values of one kind shared inside a ring.")
class SharedFingerprint:
    kind: str = strawberry.field(description="payment, device or address.")
    values: int = strawberry.field(description="Distinct values of this kind shared.")


@strawberry.type(description="The densest window of a burst.")
class BurstWindow:
    start: datetime = strawberry.field(description="The window's first event.")
    end: datetime = strawberry.field(description="start + the window's length (7 days).")
    count: int = strawberry.field(description="Purchases (refunds) in the window.")
    expected: float = strawberry.field(
        description="What the customer's own history outside it expects there."
    )


@strawberry.type(description="Refunds against everyone's refund share.")
class RefundEvidence:
    refunds: int = strawberry.field(description="The customer's refunded purchases.")
    purchases: int = strawberry.field(description="The customer's purchases.")
    share: float = strawberry.field(description="refunds / purchases.")
    population_share: float = strawberry.field(
        description="Refunds / purchases of everyone the caller may see."
    )


@strawberry.type(description="Complaints against everyone's complaints per purchase.")
class ComplaintEvidence:
    complaints: int = strawberry.field(description="The customer's complaints.")
    purchases: int = strawberry.field(description="The customer's purchases.")
    expected: float = strawberry.field(
        description="Complaints expected for those purchases (at least one) at everyone's rate."
    )


@strawberry.type(description="Accounts in lockstep.")
class LockstepEvidence:
    pairs: int = strawberry.field(description="Pairs of the farm's accounts in lockstep.")
    posts: int = strawberry.field(description="The most posts one pair shared in lockstep.")


@strawberry.type(description="One flagged pattern: its score in bits and its evidence.")
class FraudSignal:
    kind: FraudKind = strawberry.field(description="The pattern.")
    score: float = strawberry.field(
        description="Surprise in bits (-log2 of how likely under ordinary behaviour; a rule "
        "for rings and farms); 10 is about 1 in 1,000."
    )
    customer_ids: list[strawberry.ID] = strawberry.field(
        description="The customers involved (hub keys; for a farm, the accounts' customers)."
    )
    account_ids: list[strawberry.ID] = strawberry.field(
        description="The social accounts involved (farms; hub keys)."
    )
    reason: str = strawberry.field(description="The evidence in words.")
    shared: list[SharedFingerprint] = strawberry.field(
        description="Rings: the hashed values shared, per kind (never the values)."
    )
    window: BurstWindow | None = strawberry.field(description="Bursts: the densest window.")
    refunds: RefundEvidence | None = strawberry.field(description="Refund abuse: the counts.")
    complaints: ComplaintEvidence | None = strawberry.field(
        description="Complaint abuse: the counts."
    )
    lockstep: LockstepEvidence | None = strawberry.field(description="Farms: the lockstep.")

    @classmethod
    def of(cls, item: f.FraudItem) -> "FraudSignal":
        d = item.details
        window = refunds = complaints = lockstep = None
        if item.kind in ("burst", "refund_burst"):
            window = BurstWindow(start=_at(d["start_ms"]), end=_at(d["end_ms"]),
                                 count=int(d["count"]), expected=d["expected"])  # fmt: skip
        elif item.kind == "refund_abuse":
            refunds = RefundEvidence(refunds=int(d["refunds"]), purchases=int(d["purchases"]),
                                     share=d["refund_share"],
                                     population_share=d["population_share"])  # fmt: skip
        elif item.kind == "complaint_abuse":
            complaints = ComplaintEvidence(complaints=int(d["complaints"]),
                                           purchases=int(d["purchases"]),
                                           expected=d["expected"])  # fmt: skip
        elif item.kind == "account_farm":
            lockstep = LockstepEvidence(pairs=int(d["pairs"]), posts=int(d["posts"]))
        return cls(
            kind=FraudKind(item.kind), score=item.score,
            customer_ids=[strawberry.ID(c) for c in item.customers],
            account_ids=[strawberry.ID(a) for a in item.accounts], reason=item.reason,
            shared=[SharedFingerprint(kind=k, values=n) for k, n in item.shared.items()],
            window=window, refunds=refunds, complaints=complaints, lockstep=lockstep,
        )  # fmt: skip


def _at(ms: float) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)


def _key(s: FraudSignal) -> tuple[float, str, list[strawberry.ID], list[strawberry.ID]]:
    return (-s.score, _value(s.kind), s.customer_ids, s.account_ids)


@strawberry.type
class FraudQueries:
    @strawberry.field(
        description="Fraud and anomaly signals (admins, analysts), highest score first: "
        "rings, bursts, refund and complaint abuse, account farms, with their evidence. "
        "Restricted customers are left out but for admins; consent does not gate it."
    )
    async def fraud_signals(
        self, info: Info[Context, None],
        kinds: Annotated[list[FraudKind] | None, strawberry.argument(
            description="Only these patterns (default: all).")] = None,
        min_score: Annotated[float, strawberry.argument(
            description="Leave out signals scoring less (bits, 0..1000).")] = 10.0,
        first: First = 20, after: After = None,
    ) -> Connection[FraudSignal]:  # fmt: skip
        asked = None if kinds is None else [_value(k) for k in kinds]
        items = await f.fraud_signals(info.context, asked, min_score)
        nodes = [FraudSignal.of(i) for i in items]
        return _page(info, nodes, _key, first, after, "fraud-signals")
