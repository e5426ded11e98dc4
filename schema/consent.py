"""Consent: grant and withdraw (admins), and the history that proves each change."""

from datetime import datetime
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from resolvers import consent as consents
from resolvers.clock import now_ms
from resolvers.context import Context, Record
from resolvers.errors import ApiError, ErrorCode
from schema.base import ms_to_datetime
from schema.purpose import Purpose, from_stored, stored


@strawberry.enum(description="What a consent event recorded.")
class ConsentAction(Enum):
    GRANT = "grant"
    WITHDRAW = "withdraw"


@strawberry.type(
    description="A recorded grant or withdrawal: who recorded which purposes for which "
    "customer and brand, and when. Events are only ever appended."
)
class ConsentEvent:
    event_id: str = strawberry.field(description="The event's id.")
    customer_id: str = strawberry.field(description="The customer's key.")
    brand_id: str = strawberry.field(description="The brand's key.")
    action: ConsentAction = strawberry.field(description="Grant or withdrawal.")
    purposes: list[Purpose] = strawberry.field(description="The purposes granted or withdrawn.")
    at: datetime = strawberry.field(
        description="When it took effect (a grant's grant time, which may be back-dated)."
    )
    source: str | None = strawberry.field(description="Where the customer expressed it.")
    policy_version: str | None = strawberry.field(
        description="The privacy policy version agreed to (grants)."
    )
    actor: str = strawberry.field(description="Who recorded it (the API caller's subject).")

    @classmethod
    def from_record(cls, r: Record) -> "ConsentEvent":
        return cls(
            event_id=r["id"], customer_id=r["customer_id"], brand_id=r["brand_id"],
            action=ConsentAction(r["action"]), purposes=from_stored(r.get("purposes")),
            at=ms_to_datetime(r["at"]),  # type: ignore[arg-type]
            source=r.get("source"), policy_version=r.get("policy_version"), actor=r["actor"],
        )  # fmt: skip


@strawberry.type(description="One consent of a customer to a brand, as granted.")
class ConsentGrant:
    purposes: list[Purpose] = strawberry.field(description="The purposes granted.")
    granted_at: datetime | None = strawberry.field(description="When it was granted.")
    withdrawn_at: datetime | None = strawberry.field(
        description="When it was withdrawn, if it was (or will be)."
    )
    source: str | None = strawberry.field(description="Where it was collected.")
    policy_version: str | None = strawberry.field(description="Privacy policy version agreed to.")
    live: bool = strawberry.field(
        description="Granted and not withdrawn now (a restricted customer's consents are "
        "still live, but not used: see restrictProcessing)."
    )

    @classmethod
    def from_record(cls, r: Record, now: int) -> "ConsentGrant":
        granted, withdrawn = r.get("granted_at"), r.get("withdrawn_at")
        return cls(
            purposes=from_stored(r.get("purposes")),
            granted_at=ms_to_datetime(granted), withdrawn_at=ms_to_datetime(withdrawn),
            source=r.get("source"), policy_version=r.get("policy_version"),
            live=granted is not None and granted <= now and (withdrawn is None or withdrawn > now),
        )  # fmt: skip


@strawberry.type(description="A consent change done: its event and the consents after it.")
class ConsentPayload:
    customer_id: str = strawberry.field(description="The customer's key.")
    brand_id: str = strawberry.field(description="The brand's key.")
    event: ConsentEvent = strawberry.field(description="The event recorded for this change.")
    withdrawn: int = strawberry.field(
        description="Consents withdrawn by this change (a consent that held other purposes "
        "too is withdrawn whole and those purposes granted anew)."
    )
    consents: list[ConsentGrant] = strawberry.field(
        description="Every consent of the customer to the brand now, newest grant first."
    )


@strawberry.enum(description="Why a consent change was refused.")
class ConsentErrorCode(Enum):
    NOT_FOUND = "NOT_FOUND"
    BAD_USER_INPUT = "BAD_USER_INPUT"


@strawberry.type(description="A consent change refused; nothing was changed.")
class ConsentError:
    code: ConsentErrorCode = strawberry.field(description="What went wrong.")
    message: str = strawberry.field(description="What to fix, for people.")
    argument: str | None = strawberry.field(description="The argument at fault, if one is.")


ConsentResult = Annotated[
    ConsentPayload | ConsentError,
    strawberry.union("ConsentResult", description="The change done, or why it was refused."),
]


def refused(error: ApiError) -> ConsentError:
    """The expected failures become data; anything else stays an error."""
    if error.code not in (ErrorCode.NOT_FOUND, ErrorCode.BAD_USER_INPUT):
        raise error
    extensions: dict[str, Any] = error.extensions or {}
    return ConsentError(
        code=ConsentErrorCode(error.code.value),
        message=error.message,
        argument=extensions.get("argument"),
    )


def payload(change: consents.ConsentChange) -> ConsentPayload:
    now = now_ms()
    return ConsentPayload(
        customer_id=change.customer_id,
        brand_id=change.brand_id,
        event=ConsentEvent.from_record(change.event),
        withdrawn=change.withdrawn,
        consents=[ConsentGrant.from_record(k, now) for k in change.consents],
    )


@strawberry.input(description="A consent the customer gave.")
class GrantConsentInput:
    customer_id: strawberry.ID = strawberry.field(description="The customer (global id or key).")
    brand_id: strawberry.ID = strawberry.field(description="The brand (global id or key).")
    purposes: list[Purpose] = strawberry.field(description="Purposes granted (at least one).")
    source: str = strawberry.field(description="Where it was given (app, store, web form...).")
    policy_version: str = strawberry.field(description="The privacy policy version agreed to.")
    granted_at: datetime | None = strawberry.field(
        default=None, description="When it was given, if earlier than now (never later)."
    )


@strawberry.input(description="A consent the customer withdrew.")
class WithdrawConsentInput:
    customer_id: strawberry.ID = strawberry.field(description="The customer (global id or key).")
    brand_id: strawberry.ID = strawberry.field(description="The brand (global id or key).")
    purposes: list[Purpose] | None = strawberry.field(
        default=None, description="Purposes withdrawn; all when omitted."
    )
    source: str = strawberry.field(description="Where it was withdrawn (app, store...).")


@strawberry.type
class ConsentMutations:
    @strawberry.mutation(
        description="Record a consent (admins). Purposes it grants again are withdrawn from "
        "older consents, so the newest grant holds each purpose."
    )
    async def grant_consent(
        self,
        info: Info[Context, None],
        input: Annotated[GrantConsentInput, strawberry.argument(description="The consent.")],
    ) -> ConsentResult:
        ctx = info.context
        try:
            change = await consents.grant_consent(
                ctx, input.customer_id, input.brand_id, stored(input.purposes), input.source,
                input.policy_version, input.granted_at,
            )  # fmt: skip
        except ApiError as e:
            return refused(e)
        return payload(change)

    @strawberry.mutation(
        description="Withdraw a customer's consent to a brand, now, for some purposes or all "
        "(admins). Recorded even when nothing was live."
    )
    async def withdraw_consent(
        self,
        info: Info[Context, None],
        input: Annotated[
            WithdrawConsentInput, strawberry.argument(description="What to withdraw.")
        ],
    ) -> ConsentResult:
        ctx = info.context
        try:
            change = await consents.withdraw_consent(
                ctx,
                input.customer_id,
                input.brand_id,
                None if input.purposes is None else stored(input.purposes),
                input.source,
            )
        except ApiError as e:
            return refused(e)
        return payload(change)


@strawberry.type
class ConsentQueries:
    @strawberry.field(
        description="A customer's consent events, newest first (admins): the proof of every "
        "grant and withdrawal recorded through the API."
    )
    async def consent_history(
        self,
        info: Info[Context, None],
        customer_id: Annotated[
            strawberry.ID, strawberry.argument(description="The customer (global id or key).")
        ],
        brand_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Only events for this brand (global id or key)."),
        ] = None,
        limit: Annotated[
            int,
            strawberry.argument(description=f"At most this many (1-{consents.MAX_HISTORY})."),
        ] = 100,
    ) -> list[ConsentEvent]:
        events = await consents.consent_history(info.context, customer_id, brand_id, limit)
        return [ConsentEvent.from_record(e) for e in events]
