"""Webhooks for admins (docs/operations.md): register an endpoint (shown its secret once),
list endpoints and deliveries, replay a delivery."""

from datetime import datetime
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from resolvers import webhooks
from resolvers.context import Context
from schema.base import ms_to_datetime


@strawberry.type(description="Where the hub POSTs the events of the kinds it asked for.")
class WebhookEndpoint:
    endpoint_id: strawberry.ID = strawberry.field(description="The endpoint's id.")
    url: str = strawberry.field(description="Where deliveries are sent.")
    kinds: list[str] = strawberry.field(description="The event kinds it receives.")
    created_at: datetime | None = strawberry.field(description="When it was registered.")

    @classmethod
    def of(cls, r: dict[str, Any]) -> "WebhookEndpoint":
        return cls(endpoint_id=strawberry.ID(r["id"]), url=r["url"], kinds=list(r["kinds"]),
                   created_at=ms_to_datetime(r.get("created_at")))  # fmt: skip


@strawberry.type(description="An endpoint registered, with its signing secret.")
class WebhookRegistration:
    endpoint: WebhookEndpoint = strawberry.field(description="The endpoint.")
    secret: str = strawberry.field(
        description="The secret deliveries are signed with (X-Hub-Signature); shown once."
    )


@strawberry.type(description="One event's delivery to one endpoint.")
class WebhookDelivery:
    delivery_id: strawberry.ID = strawberry.field(description="The delivery's id.")
    endpoint_id: strawberry.ID = strawberry.field(description="The endpoint.")
    event_id: strawberry.ID = strawberry.field(description="The outbox event delivered.")
    kind: str = strawberry.field(description="The event's kind.")
    status: str = strawberry.field(description="pending, failed (retried), delivered or dead.")
    attempts: int = strawberry.field(description="Attempts made since it was (re)queued.")
    last_status: int | None = strawberry.field(
        description="The receiver's last HTTP status (0: no answer)."
    )
    last_error: str | None = strawberry.field(description="The last failure, if any.")
    next_attempt_at: datetime | None = strawberry.field(description="When it is tried next.")
    delivered_at: datetime | None = strawberry.field(description="When it was delivered.")

    @classmethod
    def of(cls, r: dict[str, Any]) -> "WebhookDelivery":
        return cls(
            delivery_id=strawberry.ID(r["id"]), endpoint_id=strawberry.ID(r["endpoint_id"]),
            event_id=strawberry.ID(r["event_id"]), kind=r["kind"], status=r["status"],
            attempts=int(r["attempts"] or 0), last_status=r.get("last_status"),
            last_error=r.get("last_error"),
            next_attempt_at=ms_to_datetime(r.get("next_attempt_at")),
            delivered_at=ms_to_datetime(r.get("delivered_at")),
        )  # fmt: skip


@strawberry.input(description="An endpoint to register.")
class RegisterWebhookInput:
    url: str = strawberry.field(
        description="An http(s) URL whose host resolves to public addresses only (else "
        "URL_NOT_ALLOWED, unless the hub allows internal ones: HUB_WEBHOOK_ALLOW_INTERNAL)."
    )
    kinds: list[str] = strawberry.field(
        description="Event kinds to receive, e.g. complaint.opened, customer.tagged."
    )


@strawberry.type
class WebhookQueries:
    @strawberry.field(description="Registered webhook endpoints (admins).")
    async def webhook_endpoints(self, info: Info[Context, None]) -> list[WebhookEndpoint]:
        info.context.audit.note("webhooks_read")
        return [WebhookEndpoint.of(r) for r in await webhooks.endpoints(info.context.store)]

    @strawberry.field(description="Webhook deliveries, newest first (admins).")
    async def webhook_deliveries(
        self, info: Info[Context, None],
        endpoint_id: Annotated[strawberry.ID | None, strawberry.argument(
            description="Only this endpoint's.")] = None,
        status: Annotated[str | None, strawberry.argument(
            description="Only those in this status.")] = None,
        first: Annotated[int, strawberry.argument(description="At most this many (1-100).")] = 50,
    ) -> list[WebhookDelivery]:  # fmt: skip
        info.context.audit.note("webhooks_read")
        rows = await webhooks.deliveries(
            info.context.store, endpoint_id, status, min(max(first, 1), 100)
        )
        return [WebhookDelivery.of(r) for r in rows]


@strawberry.type
class WebhookMutations:
    @strawberry.mutation(description="Register a webhook endpoint (admins).")
    async def register_webhook(
        self, info: Info[Context, None],
        input: Annotated[RegisterWebhookInput, strawberry.argument(description="The endpoint.")],
    ) -> WebhookRegistration:  # fmt: skip
        ctx = info.context
        ctx.audit.note("webhook_registered")
        endpoint, secret = await webhooks.register_endpoint(
            ctx.store, ctx.privacy, input.url, input.kinds, ctx.clock(),
            allow_internal=ctx.webhook_allow_internal,
        )  # fmt: skip
        return WebhookRegistration(endpoint=WebhookEndpoint.of(endpoint), secret=secret)

    @strawberry.mutation(description="Send a delivery again from its first attempt (admins).")
    async def replay_webhook_delivery(
        self, info: Info[Context, None],
        id: Annotated[strawberry.ID, strawberry.argument(description="The delivery's id.")],
    ) -> WebhookDelivery:  # fmt: skip
        ctx = info.context
        ctx.audit.note("webhook_replayed")
        return WebhookDelivery.of(await webhooks.replay(ctx.store, str(id), ctx.clock()))
