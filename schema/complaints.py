"""Complaint handling (apps, admins): the workflow's mutations, SLA policies (admins
change them), the queue across customers and handling times (docs/operations.md)."""

from datetime import datetime
from enum import Enum
from typing import Annotated

import strawberry
from strawberry.types import Info

from resolvers import complaints
from resolvers.context import Context
from resolvers.errors import ApiError, bad_input
from resolvers.ids import decode_key_cursor, encode_key_cursor
from resolvers.mutations import Outcome
from resolvers.selection import to_epoch_ms
from schema.base import PageInfo, ms_to_datetime
from schema.support import Complaint
from schema.writes import IdempotencyKey, WriteError, WriteReceipt, refused

QUEUE_CURSOR = "ComplaintQueue"


@strawberry.enum(description="How urgent a complaint is; picks its SLA policy.")
class ComplaintPriority(Enum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


@strawberry.enum(description="What a complaint is about.")
class ComplaintAboutKind(Enum):
    BRAND = "brand"
    PRODUCT = "product"
    PURCHASE = "purchase"


@strawberry.enum(description="Where a complaint stands in its workflow.")
class ComplaintStatus(Enum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    ESCALATED = "escalated"
    RESOLVED = "resolved"
    CLOSED = "closed"


@strawberry.input(description="A complaint a customer made.")
class OpenComplaintInput:
    id: strawberry.ID | None = strawberry.field(
        default=None, description="Your ticket id, if you have one (new); made when omitted."
    )
    customer_id: strawberry.ID = strawberry.field(description="The customer (global id or key).")
    about_kind: ComplaintAboutKind = strawberry.field(description="What it is about.")
    about_id: strawberry.ID = strawberry.field(
        description="The brand, product, or one of the customer's purchases (known)."
    )
    channel: str | None = strawberry.field(
        default=None, description="phone, email, chat, wechat, store, social, web_form, other."
    )
    category: str | None = strawberry.field(
        default=None, description="delivery, quality, billing, service... (picks the SLA)."
    )
    priority: ComplaintPriority = strawberry.field(
        default=ComplaintPriority.NORMAL, description="How urgent (picks the SLA)."
    )
    text: str | None = strawberry.field(default=None, description="The complaint, as made.")


@strawberry.type(description="A complaint opened or moved on.")
class ComplaintPayload:
    receipt: WriteReceipt = strawberry.field(description="The write.")
    complaint: Complaint = strawberry.field(
        description="The complaint as it is now (read after the write)."
    )


ComplaintResult = Annotated[
    ComplaintPayload | WriteError,
    strawberry.union("ComplaintResult", description="The complaint, or why it was refused."),
]

ComplaintId = Annotated[
    strawberry.ID, strawberry.argument(description="The complaint (global id or key).")
]
Note = Annotated[
    str | None, strawberry.argument(description="What was done or said (kept in history).")
]
ExpectedVersion = Annotated[
    int | None,
    strawberry.argument(
        description="Refuse (CONFLICT) unless the complaint is still at this version."
    ),
]


async def _answer(info: Info[Context, None], outcome: Outcome) -> ComplaintPayload:
    record = await complaints.complaint(info.context, outcome.result["complaint_id"])
    return ComplaintPayload(
        receipt=WriteReceipt.of(outcome), complaint=Complaint.from_record(record)
    )


async def _move(
    info: Info[Context, None], action: str, complaint_id: str, key: str | None, **kw: object
) -> ComplaintResult:
    try:
        outcome = await complaints.transition(
            info.context,
            info.operation,
            action,
            complaint_id,
            key,
            **kw,  # type: ignore[arg-type]
        )
    except ApiError as e:
        return refused(e)
    return await _answer(info, outcome)


@strawberry.input(description="An SLA policy: targets for complaints of a category and priority.")
class SlaPolicyInput:
    category: str | None = strawberry.field(
        default=None, description="The category; omitted: every category without its own."
    )
    priority: ComplaintPriority = strawberry.field(description="The priority.")
    first_response_minutes: int = strawberry.field(description="First answer due after this.")
    resolution_minutes: int = strawberry.field(description="Resolution due after this.")


@strawberry.type(description="An SLA policy.")
class SlaPolicy:
    category: str = strawberry.field(description="The category (`*`: any other).")
    priority: ComplaintPriority = strawberry.field(description="The priority.")
    first_response_minutes: int = strawberry.field(description="First answer due after this.")
    resolution_minutes: int = strawberry.field(description="Resolution due after this.")
    updated_at: datetime | None = strawberry.field(description="When it was last changed.")


@strawberry.type(description="An SLA policy set.")
class SlaPolicyPayload:
    receipt: WriteReceipt = strawberry.field(description="The write.")
    policy: SlaPolicy = strawberry.field(description="The policy as set.")


SlaPolicyResult = Annotated[
    SlaPolicyPayload | WriteError,
    strawberry.union("SlaPolicyResult", description="The policy set, or why it was refused."),
]


@strawberry.type
class ComplaintMutations:
    @strawberry.mutation(
        description="Open a complaint for a customer (apps, admins); due times from the "
        "SLA policy of its category and priority."
    )
    async def open_complaint(
        self,
        info: Info[Context, None],
        input: Annotated[OpenComplaintInput, strawberry.argument(description="The complaint.")],
        idempotency_key: IdempotencyKey = None,
    ) -> ComplaintResult:
        fields = {
            "id": input.id, "customer_id": input.customer_id,
            "about_kind": input.about_kind.value,
            "about_id": input.about_id, "channel": input.channel, "category": input.category,
            "priority": input.priority.value, "text": input.text,
        }  # fmt: skip
        try:
            outcome = await complaints.open_complaint(
                info.context, info.operation, fields, idempotency_key
            )
        except ApiError as e:
            return refused(e)
        return await _answer(info, outcome)

    @strawberry.mutation(
        description="Give a complaint to a handler (open, in progress, escalated)."
    )
    async def assign_complaint(
        self,
        info: Info[Context, None],
        complaint_id: ComplaintId,
        assignee: Annotated[str, strawberry.argument(description="Who handles it.")],
        idempotency_key: IdempotencyKey = None,
        expected_version: ExpectedVersion = None,
    ) -> ComplaintResult:
        return await _move(info, "assign", complaint_id, idempotency_key, assignee=assignee,
                           expected_version=expected_version)  # fmt: skip

    @strawberry.mutation(
        description="Record an answer to the customer: open -> in progress (the first one "
        "meets the first-response target)."
    )
    async def respond_to_complaint(
        self,
        info: Info[Context, None],
        complaint_id: ComplaintId,
        note: Note = None,
        idempotency_key: IdempotencyKey = None,
        expected_version: ExpectedVersion = None,
    ) -> ComplaintResult:
        return await _move(info, "respond", complaint_id, idempotency_key, note=note,
                           expected_version=expected_version)  # fmt: skip

    @strawberry.mutation(description="Escalate a complaint (open or in progress -> escalated).")
    async def escalate_complaint(
        self,
        info: Info[Context, None],
        complaint_id: ComplaintId,
        note: Note = None,
        idempotency_key: IdempotencyKey = None,
        expected_version: ExpectedVersion = None,
    ) -> ComplaintResult:
        return await _move(info, "escalate", complaint_id, idempotency_key, note=note,
                           expected_version=expected_version)  # fmt: skip

    @strawberry.mutation(description="Resolve a complaint (open, in progress or escalated).")
    async def resolve_complaint(
        self,
        info: Info[Context, None],
        complaint_id: ComplaintId,
        note: Note = None,
        idempotency_key: IdempotencyKey = None,
        expected_version: ExpectedVersion = None,
    ) -> ComplaintResult:
        return await _move(info, "resolve", complaint_id, idempotency_key, note=note,
                           expected_version=expected_version)  # fmt: skip

    @strawberry.mutation(
        description="Reopen a resolved or closed complaint; its resolution is due again "
        "after its policy's time, from now."
    )
    async def reopen_complaint(
        self,
        info: Info[Context, None],
        complaint_id: ComplaintId,
        note: Note = None,
        idempotency_key: IdempotencyKey = None,
        expected_version: ExpectedVersion = None,
    ) -> ComplaintResult:
        return await _move(info, "reopen", complaint_id, idempotency_key, note=note,
                           expected_version=expected_version)  # fmt: skip

    @strawberry.mutation(
        description="Set the SLA policy of a category and priority (admins); applies to "
        "complaints opened afterwards."
    )
    async def set_sla_policy(
        self,
        info: Info[Context, None],
        input: Annotated[SlaPolicyInput, strawberry.argument(description="The policy.")],
        idempotency_key: IdempotencyKey = None,
    ) -> SlaPolicyResult:
        try:
            outcome = await complaints.set_sla_policy(
                info.context, info.operation, input.category, input.priority.value,
                input.first_response_minutes, input.resolution_minutes, idempotency_key,
            )  # fmt: skip
        except ApiError as e:
            return refused(e)
        return SlaPolicyPayload(
            receipt=WriteReceipt.of(outcome), policy=_policy({**outcome.result, "updated_at":
                                                              outcome.result["recorded_at"]})
        )  # fmt: skip


def _policy(r: dict[str, object]) -> SlaPolicy:
    return SlaPolicy(
        category=str(r["category"]), priority=ComplaintPriority(r["priority"]),
        first_response_minutes=int(r["first_response_minutes"]),  # type: ignore[call-overload]
        resolution_minutes=int(r["resolution_minutes"]),  # type: ignore[call-overload]
        updated_at=ms_to_datetime(r.get("updated_at")),
    )  # fmt: skip


@strawberry.enum(description="The order of the complaint queue.")
class ComplaintSort(Enum):
    OPENED_DESC = "opened_desc"
    OPENED_ASC = "opened_asc"
    DUE_ASC = "due_asc"


@strawberry.input(description="Narrow the complaint queue; all given conditions must hold.")
class ComplaintFilter:
    status: list[ComplaintStatus] | None = strawberry.field(
        default=None, description="Only these statuses."
    )
    assignee: str | None = strawberry.field(default=None, description="Only this handler's.")
    brand: strawberry.ID | None = strawberry.field(
        default=None, description="Only about this brand."
    )
    category: str | None = strawberry.field(default=None, description="Only this category.")
    breaching: bool | None = strawberry.field(
        default=None, description="Only those breaching their SLA now (true) or not (false)."
    )


@strawberry.type(description="How many complaints of the queue are in one status.")
class StatusCount:
    status: ComplaintStatus = strawberry.field(description="The status.")
    count: int = strawberry.field(description="Complaints in it.")


@strawberry.type(description="A page of the complaint queue, with counts per status.")
class ComplaintQueue:
    nodes: list[Complaint] = strawberry.field(description="The complaints of this page.")
    page_info: PageInfo = strawberry.field(description="Pass `endCursor` as `after` for more.")
    counts: list[StatusCount] = strawberry.field(
        description="Complaints per status in the whole filtered queue."
    )
    total_count: int = strawberry.field(description="Complaints in the whole filtered queue.")


@strawberry.type(description="Handling of the complaints of one brand and category.")
class HandlingStats:
    brand_id: str | None = strawberry.field(description="The brand (null: none known).")
    category: str | None = strawberry.field(description="The category.")
    opened: int = strawberry.field(description="Complaints opened in the period.")
    responded: int = strawberry.field(description="Of those, answered.")
    resolved: int = strawberry.field(description="Of those, resolved.")
    breached: int = strawberry.field(description="Of those, breaching their SLA now.")
    avg_hours_to_first_response: float | None = strawberry.field(
        description="Mean hours from opening to the first answer (answered ones)."
    )
    avg_hours_to_resolution: float | None = strawberry.field(
        description="Mean hours from opening to resolution (resolved ones)."
    )
    max_hours_to_resolution: float | None = strawberry.field(
        description="The longest resolution, in hours."
    )


def _hours(ms: float | None) -> float | None:
    return None if ms is None else round(ms / 3_600_000, 3)


@strawberry.type
class ComplaintQueries:
    @strawberry.field(description="The complaint queue across customers (apps, admins).")
    async def complaints(
        self,
        info: Info[Context, None],
        filter: Annotated[
            ComplaintFilter | None, strawberry.argument(description="Conditions.")
        ] = None,
        sort: Annotated[
            ComplaintSort, strawberry.argument(description="The order.")
        ] = ComplaintSort.OPENED_DESC,
        first: Annotated[int, strawberry.argument(description="Page size (0-100).")] = 20,
        after: Annotated[
            str | None, strawberry.argument(description="`endCursor` of the page before.")
        ] = None,
    ) -> ComplaintQueue:
        f = filter or ComplaintFilter()
        skip = 0
        if after is not None:
            key = decode_key_cursor(after, QUEUE_CURSOR)
            if len(key) != 1 or not isinstance(key[0], int) or key[0] < 0:
                raise bad_input(f"{after!r} is not a cursor of this list", "after")
            skip = key[0]
        query = complaints.QueueFilter(
            statuses=[s.value for s in f.status] if f.status is not None else None,
            assignee=f.assignee, brand=f.brand, category=f.category, breaching=f.breaching,
        )  # fmt: skip
        rows, has_next, counts = await complaints.queue(
            info.context, query, sort.value, first, skip
        )
        cursors = [encode_key_cursor(QUEUE_CURSOR, (skip + i + 1,)) for i in range(len(rows))]
        return ComplaintQueue(
            nodes=[Complaint.from_record(r) for r in rows],
            page_info=PageInfo.of(cursors, has_next, skip > 0),
            counts=[StatusCount(status=ComplaintStatus(s), count=n) for s, n in counts.items()],
            total_count=sum(counts.values()),
        )

    @strawberry.field(
        description="Handling times per brand and category of the complaints opened in a "
        "period (apps, admins)."
    )
    async def complaint_handling(
        self,
        info: Info[Context, None],
        from_: Annotated[
            datetime, strawberry.argument(name="from", description="Opened at or after.")
        ],
        until: Annotated[datetime, strawberry.argument(description="Opened before.")],
        brand: Annotated[
            strawberry.ID | None, strawberry.argument(description="Only this brand.")
        ] = None,
    ) -> list[HandlingStats]:
        rows = await complaints.handling_stats(
            info.context, to_epoch_ms(from_, "from"), to_epoch_ms(until, "until"), brand
        )
        return [
            HandlingStats(
                brand_id=r["brand_id"],
                category=r["category"],
                opened=r["opened"],
                responded=r["responded"],
                resolved=r["resolved"],
                breached=r["breached"],
                avg_hours_to_first_response=_hours(r["avg_first_response_ms"]),
                avg_hours_to_resolution=_hours(r["avg_resolution_ms"]),
                max_hours_to_resolution=_hours(r["max_resolution_ms"]),
            )
            for r in rows
        ]

    @strawberry.field(description="Every SLA policy (apps, admins).")
    async def sla_policies(self, info: Info[Context, None]) -> list[SlaPolicy]:
        return [_policy(r) for r in await complaints.sla_policies(info.context)]
