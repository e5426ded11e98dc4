"""Onboarding and key rotation (docs/partner.md, "Onboarding"): `createPartner` (admins)
sets a partner up in one step, `rotateMyKey` (the partner itself) replaces its key."""

from datetime import UTC, datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from resolvers import keys
from resolvers import partner_onboarding as po
from resolvers.context import Context
from resolvers.errors import ApiError, ErrorCode, bad_input, forbidden
from schema.admin import ApiKey
from schema.partner import AudienceDimension
from schema.purpose import Purpose, from_stored, stored


@strawberry.input(
    description="A partner brand to onboard: what it may pull, how much, and its key."
)
class CreatePartnerInput:
    partner_id: strawberry.ID = strawberry.field(
        description="The partner's brand id (the brand must be in the graph)."
    )
    purposes: list[Purpose] = strawberry.field(
        description="Purposes its keys may pull data for (at least one)."
    )
    dimensions: list[AudienceDimension] = strawberry.field(
        description="Dimensions its aggregates, list aggregates and insights may group by "
        "(at least one); any other is refused with FORBIDDEN."
    )
    requests_per_day: int | None = strawberry.field(
        default=None, description="Pulls per UTC day (null: the hub's default)."
    )
    matches_per_day: int | None = strawberry.field(
        default=None, description="List matches per UTC day (null: the hub's default)."
    )
    key_name: str | None = strawberry.field(
        default=None, description="The name of its first key (default: '<brand> partner key')."
    )


@strawberry.type(description="An onboarded partner, with its first key shown this once.")
class CreatedPartner:
    partner_id: strawberry.ID = strawberry.field(description="The partner's brand id.")
    purposes: list[Purpose] = strawberry.field(description="Purposes it may pull data for.")
    dimensions: list[AudienceDimension] = strawberry.field(
        description="Dimensions it may group by."
    )
    requests_per_day: int | None = strawberry.field(
        description="Its own pulls per UTC day (null: the hub's default)."
    )
    matches_per_day: int | None = strawberry.field(
        description="Its own list matches per UTC day (null: the hub's default)."
    )
    key: str = strawberry.field(description="The whole key to hand to the partner; keep it secret.")
    api_key: ApiKey = strawberry.field(description="The key's record.")


@strawberry.type(description="The calling partner's new key, shown this once.")
class RotatedApiKey:
    key: str = strawberry.field(description="The whole new key; keep it secret.")
    api_key: ApiKey = strawberry.field(description="The new key's record.")
    previous_key_expires_at: datetime = strawberry.field(
        description="When the key that made this call stops working (HUB_PARTNER_KEY_GRACE_S)."
    )


@strawberry.type
class PartnerOnboardingMutations:
    @strawberry.mutation(
        description="Onboard a partner brand in one step (admins): its allowed purposes and "
        "dimensions, its quotas and its first key, whose secret is in the answer, once."
    )
    async def create_partner(
        self,
        info: Info[Context, None],
        input: Annotated[CreatePartnerInput, strawberry.argument(description="The partner.")],
    ) -> CreatedPartner:
        try:
            done = await po.onboard_partner(
                info.context.store, str(input.partner_id), stored(input.purposes),
                [str(d.value) for d in input.dimensions], input.requests_per_day,
                input.matches_per_day, input.key_name,
            )  # fmt: skip
        except po.AlreadyOnboarded as e:
            raise ApiError(str(e), ErrorCode.CONFLICT, argument="input.partnerId") from None
        except po.PolicyError as e:
            raise bad_input(str(e), f"input.{_argument(e.argument)}") from None
        info.context.audit.note("partner_create")
        return CreatedPartner(
            partner_id=strawberry.ID(done.partner), purposes=from_stored(done.purposes),
            dimensions=[AudienceDimension(d) for d in done.dimensions],
            requests_per_day=done.requests_per_day, matches_per_day=done.matches_per_day,
            key=done.key.key, api_key=ApiKey.from_info(done.key.info),
        )  # fmt: skip

    @strawberry.mutation(
        description="Replace the calling partner key (partners): the new key is in the "
        "answer, once; the calling key stops working after the grace period."
    )
    async def rotate_my_key(self, info: Info[Context, None]) -> RotatedApiKey:
        ctx = info.context
        if ctx.principal.via != "api_key":
            raise forbidden("only an API key can be rotated; a JWT is renewed by its issuer")
        try:
            rotated = await keys.rotate_key(
                ctx.store, ctx.principal, ctx.key_rotation_grace_s * 1000
            )
        except keys.KeyRotationError as e:
            raise ApiError(str(e), ErrorCode.CONFLICT) from None
        ctx.audit.note("key_rotate")
        return RotatedApiKey(
            key=rotated.new.key, api_key=ApiKey.from_info(rotated.new.info),
            previous_key_expires_at=datetime.fromtimestamp(
                rotated.previous_expires_at / 1000, tz=UTC
            ),
        )  # fmt: skip


def _argument(name: str) -> str:
    """The input field a PolicyError's argument names, as GraphQL spells it."""
    return {
        "requests": "requestsPerDay", "matches": "matchesPerDay", "name": "keyName",
        "partner": "partnerId",
    }.get(name, name)  # fmt: skip
