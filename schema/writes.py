"""What apps record (app and admin roles): tags, contacts, purchases, interactions.

Each mutation is one transaction with its audit entry and outbox event, takes an optional
`idempotencyKey`, and answers its payload or a `WriteError` with a code
(docs/operations.md).
"""

from datetime import datetime
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from resolvers import customer_writes as writes
from resolvers.context import Context
from resolvers.errors import ApiError
from resolvers.mutations import Outcome
from resolvers.selection import to_epoch_ms
from schema.base import ms_to_datetime
from schema.contact import RecordedContact, RecordedContactKind

IdempotencyKey = Annotated[
    str | None,
    strawberry.argument(
        description="Your key for this request (1-200 characters): a retry with the same "
        "key and input returns the first result and changes nothing."
    ),
]


@strawberry.enum(description="Why a write was refused; nothing was changed.")
class WriteErrorCode(Enum):
    BAD_USER_INPUT = "BAD_USER_INPUT"
    NOT_FOUND = "NOT_FOUND"
    ERASED = "ERASED"
    RESTRICTED = "RESTRICTED"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"
    CONFLICT = "CONFLICT"
    INVALID_TRANSITION = "INVALID_TRANSITION"


@strawberry.type(description="A write refused; nothing was changed.")
class WriteError:
    code: WriteErrorCode = strawberry.field(description="What went wrong.")
    message: str = strawberry.field(description="What to fix, for people.")
    argument: str | None = strawberry.field(description="The argument at fault, if one is.")


def refused(error: ApiError) -> WriteError:
    """A refusal as data; any other error stays an error."""
    codes = {c.value for c in WriteErrorCode}
    if error.code.value not in codes:
        raise error
    extensions: dict[str, Any] = error.extensions or {}
    return WriteError(
        code=WriteErrorCode(error.code.value),
        message=error.message,
        argument=extensions.get("argument"),
    )


@strawberry.type(description="What every write answers besides its record.")
class WriteReceipt:
    event_id: str = strawberry.field(description="The outbox event the write recorded.")
    recorded_at: datetime = strawberry.field(description="When the write was made.")
    replayed: bool = strawberry.field(
        description="True when this answers a retry: the first result, nothing changed."
    )

    @classmethod
    def of(cls, outcome: Outcome) -> "WriteReceipt":
        return cls(
            event_id=outcome.result["event_id"],
            recorded_at=ms_to_datetime(outcome.result["recorded_at"]),  # type: ignore[arg-type]
            replayed=outcome.replayed,
        )


@strawberry.enum(description="Where a tag on a customer came from.")
class TagSource(Enum):
    DECLARED = "declared"
    INFERRED = "inferred"
    CRM = "crm"


@strawberry.input(description="A tag to put on a customer.")
class TagCustomerInput:
    customer_id: strawberry.ID = strawberry.field(description="The customer (global id or key).")
    tag_id: strawberry.ID = strawberry.field(description="The tag (created when new).")
    weight: float | None = strawberry.field(default=None, description="Strength, 0..1.")
    source: TagSource | None = strawberry.field(default=None, description="Where it came from.")


@strawberry.type(description="A customer tagged.")
class TagPayload:
    receipt: WriteReceipt = strawberry.field(description="The write.")
    customer_id: str = strawberry.field(description="The customer's key.")
    tag_id: str = strawberry.field(description="The tag's key.")
    weight: float | None = strawberry.field(description="Strength, 0..1.")
    source: str | None = strawberry.field(description="declared, inferred or crm.")


@strawberry.input(description="A tag to take off a customer.")
class UntagCustomerInput:
    customer_id: strawberry.ID = strawberry.field(description="The customer (global id or key).")
    tag_id: strawberry.ID = strawberry.field(description="The tag.")


@strawberry.type(description="A tag taken off a customer.")
class UntagPayload:
    receipt: WriteReceipt = strawberry.field(description="The write.")
    customer_id: str = strawberry.field(description="The customer's key.")
    tag_id: str = strawberry.field(description="The tag's key.")
    removed: bool = strawberry.field(description="False when the customer did not have it.")


@strawberry.input(description="A contact with a customer.")
class RecordContactInput:
    customer_id: strawberry.ID = strawberry.field(description="The customer (global id or key).")
    kind: RecordedContactKind = strawberry.field(description="What kind of contact.")
    channel: str | None = strawberry.field(
        default=None, description="Where: phone, store, wechat, email..."
    )
    at: datetime = strawberry.field(description="When it happened.")
    summary: str | None = strawberry.field(
        default=None, description="What was said or done (at most 2,000 characters)."
    )
    brand_id: strawberry.ID | None = strawberry.field(default=None, description="About a brand.")
    product_id: strawberry.ID | None = strawberry.field(
        default=None, description="About a product."
    )
    purchase_id: strawberry.ID | None = strawberry.field(
        default=None, description="About one of the customer's purchases."
    )


@strawberry.type(description="A contact recorded.")
class ContactPayload:
    receipt: WriteReceipt = strawberry.field(description="The write.")
    contact: RecordedContact = strawberry.field(description="The contact as stored.")


@strawberry.input(description="A line of a purchase.")
class PurchaseItemInput:
    product_id: strawberry.ID = strawberry.field(description="The product (must be known).")
    quantity: int = strawberry.field(default=1, description="How many (1 or more).")
    unit_price: float | None = strawberry.field(default=None, description="Price of one.")


@strawberry.input(description="A purchase, as a commerce export row holds it.")
class RecordPurchaseInput:
    id: strawberry.ID = strawberry.field(description="The selling system's order id (new).")
    customer_id: strawberry.ID = strawberry.field(description="The customer (global id or key).")
    brand_id: strawberry.ID = strawberry.field(description="The brand sold at (must be known).")
    at: datetime = strawberry.field(description="When it was placed.")
    channel: str | None = strawberry.field(
        default=None, description="online, store, marketplace, wechat_mini_program, app..."
    )
    currency: str | None = strawberry.field(default=None, description="ISO 4217, e.g. CNY.")
    total: float | None = strawberry.field(
        default=None, description="Order total; the items' sum when omitted and priced."
    )
    items: list[PurchaseItemInput] = strawberry.field(
        default_factory=list, description="The lines."
    )
    payment_hash: str | None = strawberry.field(
        default=None,
        description="SHA-256 (hex) of the card or wallet's fingerprint, hashed by the caller "
        "(never the card number): for the fraud patterns.",
    )
    device_hash: str | None = strawberry.field(
        default=None, description="SHA-256 (hex) of the device's id, hashed by the caller."
    )
    address_hash: str | None = strawberry.field(
        default=None,
        description="SHA-256 (hex) of the normalised delivery address, hashed by the caller.",
    )
    refunded_at: datetime | None = strawberry.field(
        default=None, description="When the order was refunded (not before `at`)."
    )


@strawberry.type(description="A purchase recorded.")
class PurchasePayload:
    receipt: WriteReceipt = strawberry.field(description="The write.")
    purchase_id: str = strawberry.field(description="The purchase's key.")
    customer_id: str = strawberry.field(description="The customer's key.")
    brand_id: str = strawberry.field(description="The brand's key.")
    at: datetime | None = strawberry.field(description="When it was placed.")
    total: float | None = strawberry.field(description="Order total.")
    currency: str | None = strawberry.field(description="Currency.")
    items: int = strawberry.field(description="Number of lines.")


@strawberry.enum(description="A kind of social interaction with a post.")
class InteractionKind(Enum):
    VIEW = "view"
    LIKE = "like"
    COMMENT = "comment"
    SHARE = "share"
    SAVE = "save"
    CLICK = "click"


@strawberry.input(description="A social account's interaction with a post.")
class RecordInteractionInput:
    account_id: strawberry.ID = strawberry.field(description="The social account (known).")
    post_id: strawberry.ID = strawberry.field(description="The post (known).")
    kind: InteractionKind = strawberry.field(description="What it did.")
    at: datetime = strawberry.field(description="When.")
    text: str | None = strawberry.field(default=None, description="A comment's text.")


@strawberry.type(description="An interaction recorded.")
class InteractionPayload:
    receipt: WriteReceipt = strawberry.field(description="The write.")
    account_id: str = strawberry.field(description="The account's key.")
    post_id: str = strawberry.field(description="The post's key.")
    kind: InteractionKind = strawberry.field(description="What it did.")
    at: datetime | None = strawberry.field(description="When.")


TagResult = Annotated[
    TagPayload | WriteError,
    strawberry.union("TagResult", description="The tag written, or why it was refused."),
]
UntagResult = Annotated[
    UntagPayload | WriteError,
    strawberry.union("UntagResult", description="The tag removed, or why it was refused."),
]
ContactResult = Annotated[
    ContactPayload | WriteError,
    strawberry.union("ContactResult", description="The contact recorded, or why not."),
]
PurchaseResult = Annotated[
    PurchasePayload | WriteError,
    strawberry.union("PurchaseResult", description="The purchase recorded, or why not."),
]
InteractionResult = Annotated[
    InteractionPayload | WriteError,
    strawberry.union("InteractionResult", description="The interaction recorded, or why not."),
]


def _ms(value: datetime, argument: str) -> int:
    return to_epoch_ms(value, argument)


@strawberry.type
class WriteMutations:
    @strawberry.mutation(description="Tag a customer (apps, admins); a tag given again is updated.")
    async def tag_customer(
        self,
        info: Info[Context, None],
        input: Annotated[TagCustomerInput, strawberry.argument(description="The tag.")],
        idempotency_key: IdempotencyKey = None,
    ) -> TagResult:
        try:
            done = await writes.tag_customer(
                info.context, info.operation, input.customer_id, input.tag_id, input.weight,
                input.source.value if input.source else None, idempotency_key,
            )  # fmt: skip
        except ApiError as e:
            return refused(e)
        r = done.result
        return TagPayload(
            receipt=WriteReceipt.of(done), customer_id=r["customer_id"], tag_id=r["tag_id"],
            weight=r["weight"], source=r["source"],
        )  # fmt: skip

    @strawberry.mutation(description="Take a tag off a customer (apps, admins).")
    async def untag_customer(
        self,
        info: Info[Context, None],
        input: Annotated[UntagCustomerInput, strawberry.argument(description="The tag.")],
        idempotency_key: IdempotencyKey = None,
    ) -> UntagResult:
        try:
            done = await writes.untag_customer(
                info.context, info.operation, input.customer_id, input.tag_id, idempotency_key
            )
        except ApiError as e:
            return refused(e)
        r = done.result
        return UntagPayload(
            receipt=WriteReceipt.of(done), customer_id=r["customer_id"], tag_id=r["tag_id"],
            removed=r["removed"],
        )  # fmt: skip

    @strawberry.mutation(
        description="Record a contact with a customer: a call, an email, a visit, a "
        "promotion sent or opened, a survey answer, after-sales service (apps, admins)."
    )
    async def record_contact(
        self,
        info: Info[Context, None],
        input: Annotated[RecordContactInput, strawberry.argument(description="The contact.")],
        idempotency_key: IdempotencyKey = None,
    ) -> ContactResult:
        fields: dict[str, Any] = {
            "customer_id": input.customer_id, "kind": input.kind.value,
            "channel": input.channel, "at": None, "summary": input.summary,
            "brand_id": input.brand_id, "product_id": input.product_id,
            "purchase_id": input.purchase_id,
        }  # fmt: skip
        try:
            fields["at"] = _ms(input.at, "input.at")
            done = await writes.record_contact(
                info.context, info.operation, fields, idempotency_key
            )
        except ApiError as e:
            return refused(e)
        return ContactPayload(
            receipt=WriteReceipt.of(done), contact=RecordedContact.from_record(done.result)
        )

    @strawberry.mutation(
        description="Record a purchase, validated like a commerce export row (apps, admins)."
    )
    async def record_purchase(
        self,
        info: Info[Context, None],
        input: Annotated[RecordPurchaseInput, strawberry.argument(description="The purchase.")],
        idempotency_key: IdempotencyKey = None,
    ) -> PurchaseResult:
        fields: dict[str, Any] = {
            "id": input.id, "customer_id": input.customer_id, "brand_id": input.brand_id,
            "at": None, "channel": input.channel, "currency": input.currency,
            "total": input.total,
            "items": [{"product_id": i.product_id, "quantity": i.quantity,
                       "unit_price": i.unit_price} for i in input.items],
            "payment_hash": input.payment_hash, "device_hash": input.device_hash,
            "address_hash": input.address_hash, "refunded_at": None,
        }  # fmt: skip
        try:
            fields["at"] = _ms(input.at, "input.at")
            if input.refunded_at is not None:
                fields["refunded_at"] = _ms(input.refunded_at, "input.refundedAt")
            done = await writes.record_purchase(
                info.context, info.operation, fields, idempotency_key
            )
        except ApiError as e:
            return refused(e)
        r = done.result
        return PurchasePayload(
            receipt=WriteReceipt.of(done), purchase_id=r["purchase_id"],
            customer_id=r["customer_id"], brand_id=r["brand_id"], at=ms_to_datetime(r["at"]),
            total=r.get("total"), currency=r.get("currency"), items=len(r["items"]),
        )  # fmt: skip

    @strawberry.mutation(
        description="Record a social account's interaction with a post, validated like a "
        "social export row (apps, admins)."
    )
    async def record_interaction(
        self,
        info: Info[Context, None],
        input: Annotated[
            RecordInteractionInput, strawberry.argument(description="The interaction.")
        ],
        idempotency_key: IdempotencyKey = None,
    ) -> InteractionResult:
        fields: dict[str, Any] = {"account_id": input.account_id, "post_id": input.post_id,
                  "kind": input.kind.value, "at": None, "text": input.text}  # fmt: skip
        try:
            fields["at"] = _ms(input.at, "input.at")
            done = await writes.record_interaction(
                info.context, info.operation, fields, idempotency_key
            )
        except ApiError as e:
            return refused(e)
        r = done.result
        return InteractionPayload(
            receipt=WriteReceipt.of(done), account_id=r["account_id"], post_id=r["post_id"],
            kind=InteractionKind(r["kind"]), at=ms_to_datetime(r["at"]),
        )  # fmt: skip
