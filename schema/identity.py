"""The identity review queue and the human decisions on links (admins)."""

from collections.abc import Awaitable
from datetime import datetime
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from resolvers import identity as ids
from resolvers.context import Context, Record
from resolvers.errors import ApiError
from schema.base import Edge, PageInfo, ms_to_datetime
from schema.link_evidence import LinkEvidence
from schema.personal import Personal
from schema.social import SocialAccount


@strawberry.type(description="An account the model would link to a customer, awaiting review.")
class LinkCandidate:
    account: SocialAccount = strawberry.field(description="The account.")
    customer_id: str = strawberry.field(description="The customer's key.")
    customer_name: str | None = strawberry.field(
        description="The customer's name.", extensions=[Personal()]
    )
    confidence: float = strawberry.field(description="The model's probability, 0..1.")
    model_version: str | None = strawberry.field(description="The model that proposed it.")
    evidence: LinkEvidence | None = strawberry.field(description="Why it was proposed.")
    found_at: datetime | None = strawberry.field(description="When it was first proposed.")
    blocked: str | None = strawberry.field(
        description="The rule that stopped it from being linked automatically, if one did "
        "(a per-platform limit); null when it is only below the auto-link threshold."
    )

    @classmethod
    def from_record(cls, r: Record) -> "LinkCandidate":
        return cls(
            account=SocialAccount.from_record(r["account"]),
            customer_id=r["customer_id"],
            customer_name=r.get("customer_name"),
            confidence=r["confidence"],
            model_version=r.get("model_version"),
            evidence=LinkEvidence.from_json(r.get("evidence")),
            found_at=ms_to_datetime(r.get("found_at")),
            blocked=r.get("blocked"),
        )


@strawberry.type(description="A page of review candidates.")
class LinkCandidateConnection:
    edges: list[Edge[LinkCandidate]] = strawberry.field(description="Candidates with cursors.")
    page_info: PageInfo = strawberry.field(description="Where this page sits in the list.")
    total_count: int = strawberry.field(description="Candidates matching the filter.")
    blocked_count: int = strawberry.field(
        description="Of those, candidates a protection rule stopped from being linked."
    )

    @strawberry.field(description="The candidates of this page without cursors.")
    def nodes(self) -> list[LinkCandidate]:
        return [e.node for e in self.edges]


@strawberry.input(description="Which review candidates to list.")
class LinkCandidateFilter:
    platform: str | None = strawberry.field(default=None, description="Only this platform.")
    customer_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only candidates of this customer (global id or key)."
    )
    account_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only candidates for this account (global id or key)."
    )
    min_confidence: float | None = strawberry.field(default=None, description="At least, 0..1.")
    max_confidence: float | None = strawberry.field(default=None, description="At most, 0..1.")
    blocked: bool | None = strawberry.field(
        default=None, description="true: only those a rule stopped; false: only the others."
    )


@strawberry.type(description="An account after a decision: who owns it now, and how.")
class LinkDecisionPayload:
    account_id: str = strawberry.field(description="The account's key.")
    decision: str = strawberry.field(description="What was recorded: linked or rejected.")
    customer_id: str | None = strawberry.field(
        description="The customer the account is linked to now, if any."
    )
    method: str | None = strawberry.field(
        description="How it is linked now: manual, accepted, crm_id, email, phone, probabilistic."
    )
    confidence: float | None = strawberry.field(description="The link's confidence now.")


@strawberry.enum(description="Why a decision on a link was refused.")
class LinkErrorCode(Enum):
    NOT_FOUND = "NOT_FOUND"
    BAD_USER_INPUT = "BAD_USER_INPUT"
    CUSTOMER_RESTRICTED = "CUSTOMER_RESTRICTED"
    NO_CANDIDATE = "NO_CANDIDATE"
    NOT_LINKED = "NOT_LINKED"


@strawberry.type(description="A decision on a link refused; nothing was changed.")
class LinkDecisionError:
    code: LinkErrorCode = strawberry.field(description="What went wrong.")
    message: str = strawberry.field(description="What to fix, for people.")
    argument: str | None = strawberry.field(description="The argument at fault, if one is.")


LinkDecisionResult = Annotated[
    LinkDecisionPayload | LinkDecisionError,
    strawberry.union("LinkDecisionResult", description="The decision taken, or why not."),
]


def _result(state: ids.LinkState) -> LinkDecisionPayload:
    return LinkDecisionPayload(
        account_id=state.account_id, decision=state.decision, customer_id=state.customer_id,
        method=state.method, confidence=state.confidence,
    )  # fmt: skip


def _refused(error: Exception) -> LinkDecisionError:
    if isinstance(error, ids.IdentityRefused):
        return LinkDecisionError(
            code=LinkErrorCode(error.reason), message=error.message, argument=error.argument
        )
    extensions: dict[str, Any] = getattr(error, "extensions", None) or {}
    if extensions.get("code") != "BAD_USER_INPUT":
        raise error
    return LinkDecisionError(
        code=LinkErrorCode.BAD_USER_INPUT,
        message=str(getattr(error, "message", "")),
        argument=extensions.get("argument"),
    )


async def _decided(work: Awaitable[ids.LinkState]) -> LinkDecisionPayload | LinkDecisionError:
    """The decision taken, or its refusal as data (unexpected errors stay errors)."""
    try:
        return _result(await work)
    except ApiError as e:
        return _refused(e)


AccountArg = Annotated[
    strawberry.ID, strawberry.argument(description="The social account (global id or key).")
]
CustomerArg = Annotated[
    strawberry.ID, strawberry.argument(description="The customer (global id or key).")
]
ReasonArg = Annotated[str, strawberry.argument(description="Why, in a few words (recorded).")]


@strawberry.type
class IdentityQueries:
    @strawberry.field(
        description="Accounts the model would link to a customer but not surely enough, or "
        "that a protection rule stopped: the review queue, most probable first (admins)."
    )
    async def identity_candidates(
        self,
        info: Info[Context, None],
        filter: Annotated[
            LinkCandidateFilter | None, strawberry.argument(description="Which candidates.")
        ] = None,
        first: Annotated[
            int, strawberry.argument(description=f"Page size (1-{ids.MAX_PAGE}).")
        ] = 50,
        after: Annotated[
            str | None, strawberry.argument(description="Cursor of the item to start after.")
        ] = None,
    ) -> LinkCandidateConnection:
        f = filter or LinkCandidateFilter()
        page = await ids.identity_candidates(
            info.context, platform=f.platform, customer_id=f.customer_id,
            account_id=f.account_id, min_confidence=f.min_confidence,
            max_confidence=f.max_confidence, blocked=f.blocked, first=first, after=after,
        )  # fmt: skip
        return LinkCandidateConnection(
            edges=[
                Edge(cursor=c, node=LinkCandidate.from_record(r))
                for c, r in zip(page.cursors, page.items, strict=True)
            ],
            page_info=PageInfo.of(page.cursors, page.has_next, after is not None),
            total_count=page.total,
            blocked_count=page.blocked,
        )


@strawberry.type
class IdentityMutations:
    @strawberry.mutation(
        description="Accept a review candidate: the account is linked to the customer "
        "(method accepted), and stays so through every later run and load (admins)."
    )
    async def accept_link(
        self, info: Info[Context, None], account_id: AccountArg, customer_id: CustomerArg,
        reason: ReasonArg,
    ) -> LinkDecisionResult:  # fmt: skip
        return await _decided(ids.accept_link(info.context, account_id, customer_id, reason))

    @strawberry.mutation(
        description="Reject a pair: its candidate or link goes, and neither the model nor "
        "exact evidence links them again (admins)."
    )
    async def reject_link(
        self, info: Info[Context, None], account_id: AccountArg, customer_id: CustomerArg,
        reason: ReasonArg,
    ) -> LinkDecisionResult:  # fmt: skip
        return await _decided(ids.reject_link(info.context, account_id, customer_id, reason))

    @strawberry.mutation(
        description="Link an account to a customer by hand (method manual, confidence 1), "
        "whatever the evidence says (admins)."
    )
    async def link_account(
        self, info: Info[Context, None], account_id: AccountArg, customer_id: CustomerArg,
        reason: ReasonArg,
    ) -> LinkDecisionResult:  # fmt: skip
        return await _decided(ids.link_account(info.context, account_id, customer_id, reason))

    @strawberry.mutation(
        description="Take an account from the customer it is linked to, for good: the pair "
        "is rejected (admins)."
    )
    async def unlink_account(
        self, info: Info[Context, None], account_id: AccountArg, reason: ReasonArg
    ) -> LinkDecisionResult:
        return await _decided(ids.unlink_account(info.context, account_id, reason))
