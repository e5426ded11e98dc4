"""Complaints and their handling."""

from datetime import datetime

import strawberry
from strawberry.types import Info

from resolvers.complaints import history, sla_state
from resolvers.context import Context, Record
from resolvers.ids import to_global_id
from schema.base import Node, ms_to_datetime
from schema.personal import Personal


@strawberry.type(description="What a complaint is about.")
class ComplaintSubject:
    kind: str | None = strawberry.field(description="brand, product or purchase.")
    subject_id: str | None = strawberry.field(description="Key of the brand, product or purchase.")


@strawberry.type(description="A step in a complaint's handling.")
class ComplaintStatusChange:
    status: str = strawberry.field(
        description="open, in_progress, escalated, resolved or closed: the status after it."
    )
    at: datetime | None = strawberry.field(
        description="When the complaint reached it; null when the source gave no time."
    )
    action: str | None = strawberry.field(
        description="The workflow action (open, assign, respond, escalate, resolve, "
        "reopen); null for steps a loaded complaint's timestamps give."
    )
    actor: str | None = strawberry.field(description="Who acted (the API caller's subject).")


def status_history(r: Record) -> list[ComplaintStatusChange]:
    """The handling steps, oldest first (resolvers/complaints.py ``history``)."""
    return [
        ComplaintStatusChange(
            status=h["status"], at=ms_to_datetime(h["at"]), action=h["action"], actor=h["actor"]
        )
        for h in history(r)
    ]


@strawberry.type(description="Where a complaint stands against its SLA targets, now.")
class ComplaintSla:
    first_response_due_at: datetime | None = strawberry.field(
        description="When the first answer is due (null: no policy applied)."
    )
    resolution_due_at: datetime | None = strawberry.field(
        description="When the resolution is due (restarted by a reopen)."
    )
    first_response_breached: bool = strawberry.field(
        description="The first answer came late, or is still missing past its due time."
    )
    resolution_breached: bool = strawberry.field(
        description="The resolution came late, or is still missing past its due time."
    )
    breached: bool = strawberry.field(description="Either target breached.")
    at_risk: bool = strawberry.field(
        description="Not breached, but a pending target has less than a quarter of its time left."
    )


def _hours(start: int | None, end: int | None) -> float | None:
    return None if start is None or end is None else (end - start) / 3_600_000


@strawberry.type(description="A complaint a customer filed, and how it was handled.")
class Complaint(Node):
    complaint_id: str = strawberry.field(description="The complaint's key in the hub.")
    channel: str | None = strawberry.field(description="Where it came in: phone, email, chat...")
    category: str | None = strawberry.field(description="delivery, quality, billing, service...")
    status: str | None = strawberry.field(
        description="open, in_progress, escalated, resolved or closed."
    )
    priority: str | None = strawberry.field(description="low, normal, high or urgent.")
    assignee: str | None = strawberry.field(description="Who handles it.")
    escalated_at: datetime | None = strawberry.field(description="When it was escalated.")
    version: int | None = strawberry.field(
        description="Changes made through the workflow, counting the opening (null for a "
        "loaded complaint never changed since); pass as `expectedVersion`."
    )
    opened_at: datetime | None = strawberry.field(description="When it was filed.")
    first_response_at: datetime | None = strawberry.field(
        description="First answer to the customer."
    )
    resolved_at: datetime | None = strawberry.field(description="When it was resolved.")
    text: str | None = strawberry.field(
        description="The complaint as filed.", extensions=[Personal()]
    )
    about: ComplaintSubject | None = strawberry.field(description="What it is about.")
    status_history: list[ComplaintStatusChange] = strawberry.field(
        description="How it was handled, step by step, oldest first."
    )
    hours_to_first_response: float | None = strawberry.field(
        description="Hours from filing to the first answer; null until answered."
    )
    hours_to_resolution: float | None = strawberry.field(
        description="Hours from filing to resolution; null until resolved."
    )
    customer_id: str | None = strawberry.field(
        description="The customer who filed it (in the queue; null where the customer is "
        "the one being read)."
    )
    brand_id: str | None = strawberry.field(
        description="The brand it concerns (directly, or through its product or purchase; "
        "in the queue)."
    )
    record: strawberry.Private[Record]

    @strawberry.field(description="Where it stands against its SLA targets, now.")
    def sla(self, info: Info[Context, None]) -> ComplaintSla:
        r = self.record
        state = sla_state(r, info.context.clock())
        return ComplaintSla(
            first_response_due_at=ms_to_datetime(r.get("first_response_due_at")),
            resolution_due_at=ms_to_datetime(r.get("resolution_due_at")),
            first_response_breached=state.first_response_breached,
            resolution_breached=state.resolution_breached,
            breached=state.breached,
            at_risk=state.at_risk,
        )

    @classmethod
    def from_record(cls, r: Record) -> "Complaint":
        about = r.get("about")
        return cls(
            id=strawberry.ID(to_global_id("Complaint", r["id"])),
            complaint_id=r["id"],
            channel=r.get("channel"),
            category=r.get("category"),
            status=r.get("status"),
            priority=r.get("priority"),
            assignee=r.get("assignee"),
            escalated_at=ms_to_datetime(r.get("escalated_at")),
            version=r.get("version"),
            opened_at=ms_to_datetime(r.get("opened_at")),
            first_response_at=ms_to_datetime(r.get("first_response_at")),
            resolved_at=ms_to_datetime(r.get("resolved_at")),
            text=r.get("text"),
            about=ComplaintSubject(kind=about.get("kind"), subject_id=about.get("id"))
            if about
            else None,
            status_history=status_history(r),
            hours_to_first_response=_hours(r.get("opened_at"), r.get("first_response_at")),
            hours_to_resolution=_hours(r.get("opened_at"), r.get("resolved_at")),
            customer_id=r.get("customer_id"),
            brand_id=r.get("brand_id"),
            record=r,
        )
