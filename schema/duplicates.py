"""CRM duplicates for admins: the SAME_AS candidates, rejecting a pair, merging two
customers and undoing a merge (docs/identity.md, "Duplicates and merges")."""

from datetime import datetime
from enum import Enum
from typing import Annotated, Any

import orjson
import strawberry
from strawberry.types import Info

from resolvers import duplicates, merge
from resolvers.context import Context
from resolvers.errors import ApiError, ErrorCode
from resolvers.ids import encode_key_cursor
from schema.base import After, PageInfo, ms_to_datetime

CustomerArg = Annotated[
    strawberry.ID, strawberry.argument(description="A customer (global id or key).")
]
Reason = Annotated[
    str, strawberry.argument(description="Why, for the audit trail (1-500 characters).")
]


@strawberry.type(description="One comparison behind a duplicate candidate.")
class DuplicateEvidence:
    comparison: str = strawberry.field(description="What was compared: name, birth, email...")
    level: str | None = strawberry.field(
        description="How the two agree (`full`, `exact`, `differs`...); null: nothing to compare."
    )
    weight: float = strawberry.field(description="Its match weight, in bits.")
    tf: float = strawberry.field(description="The adjustment for a common or rare value, bits.")


@strawberry.type(description="A customer of a duplicate pair.")
class DuplicateSide:
    customer_id: str = strawberry.field(description="The customer's key.")
    name: str | None = strawberry.field(description="Its name, as loaded.")


@strawberry.type(description="Two customers the duplicate model says may be one person.")
class DuplicateCandidate:
    left: DuplicateSide = strawberry.field(description="The customer with the smaller key.")
    right: DuplicateSide = strawberry.field(description="The other customer.")
    probability: float = strawberry.field(description="That they are one person (0-1).")
    prior: float | None = strawberry.field(description="The prior log2 odds of a pair.")
    evidence: list[DuplicateEvidence] = strawberry.field(description="Each comparison.")
    model_version: str | None = strawberry.field(description="The model that proposed it.")
    found_at: datetime | None = strawberry.field(description="When a run first proposed it.")

    @classmethod
    def from_record(cls, r: dict[str, Any]) -> "DuplicateCandidate":
        explained: dict[str, Any] = orjson.loads(r["evidence"]) if r.get("evidence") else {}
        return cls(
            left=DuplicateSide(customer_id=r["left_id"], name=r.get("left_name")),
            right=DuplicateSide(customer_id=r["right_id"], name=r.get("right_name")),
            probability=float(r["probability"]), prior=explained.get("prior"),
            evidence=[
                DuplicateEvidence(comparison=e["comparison"], level=e.get("level"),
                                  weight=e.get("weight", 0.0), tf=e.get("tf", 0.0))
                for e in explained.get("evidence", [])
            ],
            model_version=r.get("model_version"), found_at=ms_to_datetime(r.get("found_at")),
        )  # fmt: skip


@strawberry.type(description="A duplicate candidate with its cursor.")
class DuplicateCandidateEdge:
    cursor: str = strawberry.field(description="Pass as `after` for the items after it.")
    node: DuplicateCandidate = strawberry.field(description="The candidate.")


@strawberry.type(description="A page of duplicate candidates, most probable first.")
class DuplicateCandidateConnection:
    edges: list[DuplicateCandidateEdge] = strawberry.field(description="The candidates.")
    page_info: PageInfo = strawberry.field(description="Pass `endCursor` as `after` for more.")


@strawberry.enum(description="Why a merge, unmerge or rejection was refused.")
class MergeErrorCode(Enum):
    NOT_FOUND = "NOT_FOUND"
    BAD_USER_INPUT = "BAD_USER_INPUT"
    SAME_CUSTOMER = "SAME_CUSTOMER"
    ALREADY_MERGED = "ALREADY_MERGED"
    ERASED = "ERASED"
    RESTRICTED = "RESTRICTED"
    NOT_MERGED = "NOT_MERGED"
    SURVIVOR_MERGED = "SURVIVOR_MERGED"
    UNSUPPORTED_RELATIONSHIP = "UNSUPPORTED_RELATIONSHIP"


@strawberry.type(description="A request refused; nothing was changed.")
class MergeError:
    code: MergeErrorCode = strawberry.field(description="What went wrong.")
    message: str = strawberry.field(description="What to fix, for people.")
    argument: str | None = strawberry.field(description="The argument at fault, if one is.")


def _refused(error: Exception) -> MergeError:
    """Expected refusals become data; anything else stays an error."""
    if isinstance(error, merge.MergeRefused):
        return MergeError(
            code=MergeErrorCode(error.code), message=error.message, argument=error.argument
        )
    if isinstance(error, ApiError) and error.code in (
        ErrorCode.NOT_FOUND,
        ErrorCode.BAD_USER_INPUT,
    ):
        details: dict[str, Any] = error.extensions or {}
        return MergeError(
            code=MergeErrorCode(error.code.value),
            message=error.message,
            argument=details.get("argument"),
        )
    raise error


@strawberry.type(description="A pair of customers a person said are not one.")
class DuplicateRejection:
    left_id: str = strawberry.field(description="The customer with the smaller key.")
    right_id: str = strawberry.field(description="The other customer.")
    rejected_at: datetime = strawberry.field(description="When.")


@strawberry.type(description="A customer merged into another.")
class CustomerMerge:
    merge_id: str = strawberry.field(description="The merge's id: pass it to `unmergeCustomers`.")
    survivor_id: str = strawberry.field(description="The customer that stays.")
    merged_id: str = strawberry.field(description="The customer merged into it (now an alias).")
    merged_at: datetime = strawberry.field(description="When.")
    moved: int = strawberry.field(description="Relationships moved to the survivor.")
    dropped: int = strawberry.field(
        description="Relationships the survivor had already (kept in the record for unmerge)."
    )
    fields_taken: list[str] = strawberry.field(
        description="Profile fields whose value changed by survivorship."
    )
    consents_withdrawn: int = strawberry.field(
        description="Consents withdrawn because the other record had withdrawn them later."
    )


@strawberry.type(description="A merge undone.")
class CustomerUnmerge:
    merge_id: str = strawberry.field(description="The merge undone.")
    survivor_id: str = strawberry.field(description="The customer that stayed.")
    merged_id: str = strawberry.field(description="The customer restored.")
    unmerged_at: datetime = strawberry.field(description="When.")
    moved_back: int = strawberry.field(description="Relationships moved back.")
    restored: int = strawberry.field(description="Relationships the merge had dropped, restored.")
    fields_kept: list[str] = strawberry.field(
        description="Survivor fields changed since the merge: kept as they are now."
    )
    consents_kept_withdrawn: int = strawberry.field(
        description="Consents the merge withdrew that stay withdrawn (a consent of either "
        "customer changed since the merge)."
    )


RejectResult = Annotated[
    DuplicateRejection | MergeError,
    strawberry.union("RejectDuplicateResult", description="The decision, or why not."),
]
MergeResult = Annotated[
    CustomerMerge | MergeError,
    strawberry.union("MergeCustomersResult", description="The merge, or why not."),
]
UnmergeResult = Annotated[
    CustomerUnmerge | MergeError,
    strawberry.union("UnmergeCustomersResult", description="The unmerge, or why not."),
]


@strawberry.type
class DuplicateQueries:
    @strawberry.field(description="CRM duplicate candidates, most probable first (admins).")
    async def duplicate_candidates(
        self,
        info: Info[Context, None],
        first: Annotated[int, strawberry.argument(description="Page size.")] = 20,
        after: After = None,
        min_probability: Annotated[
            float, strawberry.argument(description="Only candidates at or above this (0-1).")
        ] = 0.0,
    ) -> DuplicateCandidateConnection:
        rows, has_next = await duplicates.candidate_page(
            info.context, first, after, min_probability
        )
        edges = [
            DuplicateCandidateEdge(
                cursor=encode_key_cursor(
                    duplicates.CANDIDATE_CURSOR, (r["probability"], r["left_id"], r["right_id"])
                ),
                node=DuplicateCandidate.from_record(r),
            )
            for r in rows
        ]
        return DuplicateCandidateConnection(
            edges=edges,
            page_info=PageInfo.of([e.cursor for e in edges], has_next, after is not None),
        )


@strawberry.type
class DuplicateMutations:
    @strawberry.mutation(
        description="Say two customers are not one person (admins; audited). Later runs of "
        "the duplicate model never propose the pair again."
    )
    async def reject_duplicate(
        self, info: Info[Context, None], left_id: CustomerArg, right_id: CustomerArg,
        reason: Reason,
    ) -> RejectResult:  # fmt: skip
        try:
            left, right, at = await duplicates.reject_duplicate(
                info.context, left_id, right_id, reason
            )
        except (ApiError, merge.MergeRefused) as e:
            return _refused(e)
        return DuplicateRejection(left_id=left, right_id=right, rejected_at=ms_to_datetime(at))  # type: ignore[arg-type]

    @strawberry.mutation(
        description="Merge a customer into another (admins; audited): survivorship per "
        "field, every relationship moved, the merged id kept as an alias of the survivor."
    )
    async def merge_customers(
        self, info: Info[Context, None], survivor_id: CustomerArg, merged_id: CustomerArg,
        reason: Reason,
    ) -> MergeResult:  # fmt: skip
        try:
            done = await merge.merge_customers(info.context, survivor_id, merged_id, reason)
        except (ApiError, merge.MergeRefused) as e:
            return _refused(e)
        return CustomerMerge(
            merge_id=done.merge_id, survivor_id=done.survivor_id, merged_id=done.merged_id,
            merged_at=ms_to_datetime(done.at), moved=done.moved, dropped=done.dropped,  # type: ignore[arg-type]
            fields_taken=done.fields, consents_withdrawn=done.consents_withdrawn,
        )  # fmt: skip

    @strawberry.mutation(
        description="Undo a merge (admins; audited): the graph as it was before it, except "
        "facts added to the survivor since, which stay with the survivor."
    )
    async def unmerge_customers(
        self,
        info: Info[Context, None],
        reason: Reason,
        merge_id: Annotated[
            str | None, strawberry.argument(description="The merge's id (give this or mergedId).")
        ] = None,
        merged_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="The merged customer (global id or key)."),
        ] = None,
    ) -> UnmergeResult:
        try:
            done = await merge.unmerge_customers(info.context, reason, merge_id, merged_id)
        except (ApiError, merge.MergeRefused) as e:
            return _refused(e)
        return CustomerUnmerge(
            merge_id=done.merge_id, survivor_id=done.survivor_id, merged_id=done.merged_id,
            unmerged_at=ms_to_datetime(done.at), moved_back=done.moved_back,  # type: ignore[arg-type]
            restored=done.restored, fields_kept=done.fields_kept,
            consents_kept_withdrawn=done.consents_kept_withdrawn,
        )  # fmt: skip
