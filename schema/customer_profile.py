"""upsertCustomer (apps, admins): a customer's profile fields, each kept with its source
and time, the value that wins chosen by the survivorship rules of identity merges
(resolvers/customer_profile.py; docs/operations.md, "Profiles")."""

from datetime import datetime
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from resolvers import customer_profile as profiles
from resolvers.context import Context
from resolvers.errors import ApiError
from resolvers.selection import to_epoch_ms
from schema.base import ms_to_datetime
from schema.writes import IdempotencyKey, WriteError, WriteReceipt, refused


@strawberry.enum(description="Where a profile value comes from, the most trusted first.")
class ProfileSource(Enum):
    CRM = "crm"
    COMMERCE = "commerce"
    SUPPORT = "support"
    SOCIAL = "social"


@strawberry.input(
    description="Profile fields of a customer, as a CRM export row holds them "
    "(docs/loading.md); the fields left out are not touched."
)
class UpsertCustomerInput:
    customer_id: strawberry.ID = strawberry.field(
        description="The customer (global id or key); created when unknown."
    )
    source: ProfileSource = strawberry.field(description="Where these values come from.")
    observed_at: datetime | None = strawberry.field(
        default=None, description="When the source saw them (default: now; not later)."
    )
    external_id: str | None = strawberry.field(default=None, description="The CRM's own id.")
    name: str | None = strawberry.field(default=None, description="Full name.")
    email: str | None = strawberry.field(default=None, description="Email address.")
    phone: str | None = strawberry.field(default=None, description="Phone number.")
    gender: str | None = strawberry.field(default=None, description="female, male or other.")
    birth_year: int | None = strawberry.field(default=None, description="Year of birth.")
    birth_date: str | None = strawberry.field(default=None, description="YYYY-MM-DD.")
    city: str | None = strawberry.field(default=None, description="City.")
    region: str | None = strawberry.field(default=None, description="Region or province.")
    country: str | None = strawberry.field(default=None, description="ISO 3166 alpha-2 code.")
    postcode: str | None = strawberry.field(default=None, description="Postal code.")
    address: str | None = strawberry.field(default=None, description="Street address.")


@strawberry.type(description="A profile field this write gave, and the value it keeps.")
class ProfileFieldKept:
    field: str = strawberry.field(description="The field, as the input names it.")
    applied: bool = strawberry.field(
        description="True when this write's value is kept; false when the stored one wins "
        "(a more trusted source, or a more recent value of the same rank)."
    )
    source: str | None = strawberry.field(
        description="The kept value's source (null: loaded from a file without one)."
    )
    at: datetime | None = strawberry.field(description="When the kept value was seen.")


@strawberry.type(description="A customer's profile written.")
class CustomerProfilePayload:
    receipt: WriteReceipt = strawberry.field(description="The write.")
    customer_id: str = strawberry.field(description="The customer's key.")
    created: bool = strawberry.field(description="True when the customer was new.")
    fields: list[ProfileFieldKept] = strawberry.field(
        description="The fields given, in name order."
    )


CustomerProfileResult = Annotated[
    CustomerProfilePayload | WriteError,
    strawberry.union(
        "CustomerProfileResult", description="The profile written, or why it was refused."
    ),
]

PROFILE_INPUTS = ("external_id", "name", "email", "phone", "gender", "birth_year",
                  "birth_date", "city", "region", "country", "postcode", "address")  # fmt: skip


@strawberry.type
class ProfileMutations:
    @strawberry.mutation(
        description="Set a customer's profile fields, creating the customer when unknown; "
        "each field keeps the value of the most trusted source, then the most recent "
        "(apps, admins)."
    )
    async def upsert_customer(
        self,
        info: Info[Context, None],
        input: Annotated[UpsertCustomerInput, strawberry.argument(description="The fields.")],
        idempotency_key: IdempotencyKey = None,
    ) -> CustomerProfileResult:
        fields: dict[str, Any] = {name: getattr(input, name) for name in PROFILE_INPUTS}
        try:
            observed = None
            if input.observed_at is not None:
                observed = to_epoch_ms(input.observed_at, "input.observedAt")
            done = await profiles.upsert_customer(
                info.context, info.operation, input.customer_id, input.source.value, observed,
                fields, idempotency_key,
            )  # fmt: skip
        except ApiError as e:
            return refused(e)
        r = done.result
        return CustomerProfilePayload(
            receipt=WriteReceipt.of(done), customer_id=r["customer_id"], created=r["created"],
            fields=[ProfileFieldKept(field=f["field"], applied=f["applied"], source=f["source"],
                                 at=ms_to_datetime(f["at"]) if f["at"] else None)
                    for f in r["fields"]],
        )  # fmt: skip
