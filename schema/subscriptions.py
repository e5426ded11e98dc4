"""Subscriptions over graphql-transport-ws (docs/operations.md): changes pushed as the
outbox dispatcher hands them on. Who may subscribe to what is the request guard's table
(resolvers/access.py), as for queries; partners get none."""

from collections.abc import AsyncGenerator
from datetime import datetime
from typing import Annotated

import orjson
import strawberry
from strawberry.types import Info

from resolvers import subscriptions as subs
from resolvers.context import Context
from resolvers.errors import ApiError, ErrorCode
from resolvers.outbox import Broker, OutboxMessage
from schema.base import ms_to_datetime


@strawberry.type(description="A change recorded in the outbox (a write, an event, a consent).")
class ChangeEvent:
    event_id: strawberry.ID = strawberry.field(description="The outbox event's id.")
    kind: str = strawberry.field(description="What happened, e.g. complaint.resolve.")
    at: datetime = strawberry.field(description="When it was recorded.")
    customer_ids: list[strawberry.ID] = strawberry.field(description="The customers it names.")
    complaint_id: strawberry.ID | None = strawberry.field(
        description="The complaint, for complaint events."
    )
    payload: str = strawberry.field(description="The event as the webhook sends it (JSON).")

    @classmethod
    def of(cls, m: OutboxMessage) -> "ChangeEvent":
        at = ms_to_datetime(m.at)
        assert at is not None
        return cls(
            event_id=strawberry.ID(m.id), kind=m.kind, at=at,
            customer_ids=[strawberry.ID(c) for c in m.customer_ids],
            complaint_id=subs.complaint_id(m),
            payload=orjson.dumps(m.payload, option=orjson.OPT_SORT_KEYS).decode(),
        )  # fmt: skip


@strawberry.type(description="A pending complaint with less than a quarter of a target left.")
class SlaAtRisk:
    complaint_id: strawberry.ID = strawberry.field(description="The complaint.")
    customer_id: strawberry.ID | None = strawberry.field(description="Who filed it.")
    status: str = strawberry.field(description="Its status now.")
    first_response_due_at: datetime | None = strawberry.field(description="First response due.")
    resolution_due_at: datetime | None = strawberry.field(description="Resolution due.")


def _broker(info: Info[Context, None]) -> Broker:
    broker = info.context.broker
    if broker is None:
        raise ApiError("subscriptions are not served here", ErrorCode.INTERNAL)
    return broker


async def _events(
    info: Info[Context, None], prefix: str, field: str
) -> AsyncGenerator[ChangeEvent, None]:
    subs.authorise(info.context, field)
    broker = _broker(info)
    async for m in subs.changes(info.context, broker, lambda m: m.kind.startswith(prefix)):
        yield ChangeEvent.of(m)


@strawberry.type(description="Changes pushed as they happen (graphql-transport-ws).")
class Subscription:
    @strawberry.subscription(description="Every complaint opened or moved (apps, admins).")
    async def complaint_changed(
        self, info: Info[Context, None]
    ) -> AsyncGenerator[ChangeEvent, None]:
        async for event in _events(info, "complaint.", "complaintChanged"):
            yield event

    @strawberry.subscription(description="Every consent granted or withdrawn (admins).")
    async def consent_changed(self, info: Info[Context, None]) -> AsyncGenerator[ChangeEvent, None]:
        async for event in _events(info, "consent.", "consentChanged"):
            yield event

    @strawberry.subscription(
        description="Every customer entering or leaving a saved audience at a refresh "
        "(audience.entered, audience.exited; apps, admins)."
    )
    async def audience_changed(
        self, info: Info[Context, None]
    ) -> AsyncGenerator[ChangeEvent, None]:
        async for event in _events(info, "audience.", "audienceChanged"):
            yield event

    @strawberry.subscription(description="Every change naming one customer (apps, admins).")
    async def customer_changed(
        self, info: Info[Context, None],
        id: Annotated[strawberry.ID, strawberry.argument(description="The customer's id.")],
    ) -> AsyncGenerator[ChangeEvent, None]:  # fmt: skip
        subs.authorise(info.context, "customerChanged")
        async for m in subs.customer_changes(info.context, _broker(info), str(id)):
            yield ChangeEvent.of(m)

    @strawberry.subscription(
        description="Pending complaints at risk of missing their SLA: those at risk now, "
        "then each newly at risk, looked for every `everySeconds` (apps, admins)."
    )
    async def sla_at_risk(
        self, info: Info[Context, None],
        every_seconds: Annotated[float, strawberry.argument(
            description="How often to look (1-3600 s).")] = 60.0,
    ) -> AsyncGenerator[SlaAtRisk, None]:  # fmt: skip
        subs.authorise(info.context, "slaAtRisk")
        async for r in subs.at_risk(info.context, every_seconds):
            yield SlaAtRisk(
                complaint_id=strawberry.ID(r["id"]), customer_id=r.get("customer_id"),
                status=r["status"],
                first_response_due_at=ms_to_datetime(r.get("first_response_due_at")),
                resolution_due_at=ms_to_datetime(r.get("resolution_due_at")),
            )  # fmt: skip
