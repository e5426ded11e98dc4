"""Data-subject rights (admins): export everything about a customer, erase it, restrict
its processing. docs/privacy.md says what each does."""

from datetime import datetime
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from resolvers import subject
from resolvers.context import Context
from resolvers.errors import ApiError, ErrorCode
from schema.base import ms_to_datetime

CustomerId = Annotated[
    strawberry.ID, strawberry.argument(description="The customer (global id or key).")
]


@strawberry.enum(description="Why a data-subject request was refused.")
class SubjectErrorCode(Enum):
    NOT_FOUND = "NOT_FOUND"
    BAD_USER_INPUT = "BAD_USER_INPUT"


@strawberry.type(description="A data-subject request refused; nothing was changed.")
class SubjectError:
    code: SubjectErrorCode = strawberry.field(description="What went wrong.")
    message: str = strawberry.field(description="What to fix, for people.")
    argument: str | None = strawberry.field(description="The argument at fault, if one is.")


def refused(error: ApiError) -> SubjectError:
    """The expected failures become data; anything else stays an error."""
    if error.code not in (ErrorCode.NOT_FOUND, ErrorCode.BAD_USER_INPUT):
        raise error
    extensions: dict[str, Any] = error.extensions or {}
    return SubjectError(
        code=SubjectErrorCode(error.code.value),
        message=error.message,
        argument=extensions.get("argument"),
    )


@strawberry.type(description="Everything the hub holds about one customer.")
class CustomerExport:
    customer_id: str = strawberry.field(description="The customer's key.")
    data: JSON = strawberry.field(
        description="Profile, identities (with follows and link evidence), identity review "
        "candidates and decisions, tags, segments, consents, consent "
        "history, purchases with items, posts, interactions, complaints and the audit "
        "entries naming the customer; times in epoch milliseconds (docs/privacy.md)."
    )


@strawberry.type(description="Nodes an erasure deleted, by kind.")
class ErasureCounts:
    customers: int = strawberry.field(description="The customer (1, or 0 when already erased).")
    social_accounts: int = strawberry.field(description="Its social accounts.")
    posts: int = strawberry.field(description="Their posts (with interactions on them).")
    purchases: int = strawberry.field(description="Its purchases (with their line items).")
    complaints: int = strawberry.field(description="Its complaints.")
    stubs: int = strawberry.field(
        description="Placeholder nodes (never loaded) left with nothing once it went."
    )


@strawberry.type(description="A customer erased.")
class CustomerErasure:
    erasure_id: str = strawberry.field(
        description="The tombstone's id: a keyed hash of the customer id, no identifier."
    )
    erased_at: datetime = strawberry.field(description="When.")
    already_erased: bool = strawberry.field(
        description="True when the customer was erased before (its records were scrubbed "
        "again, in case that erasure stopped part-way)."
    )
    removed: ErasureCounts = strawberry.field(description="What was deleted.")
    records_scrubbed: int = strawberry.field(
        description="Hub records that named the customer: consent events deleted, audit "
        "entries and partner releases with its id removed."
    )
    accounts_to_relink: int = strawberry.field(
        description="Other social accounts whose identity evidence named the customer; it "
        "was removed, and `hub relink` re-decides their links."
    )

    @classmethod
    def from_erasure(cls, e: subject.Erasure) -> "CustomerErasure":
        removed = e.removed
        return cls(
            erasure_id=e.erasure_id, erased_at=ms_to_datetime(e.at),  # type: ignore[arg-type]
            already_erased=e.already_erased,
            removed=ErasureCounts(
                customers=removed.get("Customer", 0),
                social_accounts=removed.get("SocialAccount", 0),
                posts=removed.get("Post", 0), purchases=removed.get("Purchase", 0),
                complaints=removed.get("Complaint", 0), stubs=removed.get("stubs", 0),
            ),
            records_scrubbed=e.records_scrubbed,
            accounts_to_relink=len(e.accounts_to_relink),
        )  # fmt: skip


@strawberry.type(description="A customer's processing restricted or released.")
class ProcessingRestriction:
    customer_id: str = strawberry.field(description="The customer's key.")
    restricted: bool = strawberry.field(description="Whether processing is restricted now.")
    restricted_at: datetime | None = strawberry.field(
        description="Since when (the first restriction's time, kept while it lasts)."
    )


ExportResult = Annotated[
    CustomerExport | SubjectError,
    strawberry.union("ExportResult", description="The export, or why it was refused."),
]
ErasureResult = Annotated[
    CustomerErasure | SubjectError,
    strawberry.union("ErasureResult", description="The erasure, or why it was refused."),
]
RestrictionResult = Annotated[
    ProcessingRestriction | SubjectError,
    strawberry.union("RestrictionResult", description="The change, or why it was refused."),
]


@strawberry.type
class SubjectMutations:
    @strawberry.mutation(
        description="Everything the hub holds about a customer, as JSON (admins; audited)."
    )
    async def export_customer(
        self, info: Info[Context, None], customer_id: CustomerId
    ) -> ExportResult:
        try:
            data = await subject.export_customer(info.context, customer_id)
        except ApiError as e:
            return refused(e)
        return CustomerExport(customer_id=data["customer_id"], data=JSON(data))

    @strawberry.mutation(
        description="Erase a customer and every personal record hanging off it, for good "
        "(admins). Later loads reject rows that would bring it back (docs/privacy.md)."
    )
    async def erase_customer(
        self, info: Info[Context, None], customer_id: CustomerId
    ) -> ErasureResult:
        try:
            erasure = await subject.erase_customer(info.context, customer_id)
        except ApiError as e:
            return refused(e)
        return CustomerErasure.from_erasure(erasure)

    @strawberry.mutation(
        description="Restrict a customer's processing, or lift the restriction (admins). "
        "A restricted customer is in no partner audience, and only admins see its 360."
    )
    async def restrict_processing(
        self,
        info: Info[Context, None],
        customer_id: CustomerId,
        restricted: Annotated[
            bool, strawberry.argument(description="True to restrict, false to lift it.")
        ],
    ) -> RestrictionResult:
        try:
            key, at = await subject.restrict_processing(info.context, customer_id, restricted)
        except ApiError as e:
            return refused(e)
        return ProcessingRestriction(
            customer_id=key, restricted=at is not None, restricted_at=ms_to_datetime(at)
        )
