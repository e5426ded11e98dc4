"""Complaints and their handling."""

from datetime import datetime

import strawberry

from graph.store import Record
from resolvers.ids import to_global_id
from schema.base import Node, ms_to_datetime
from schema.personal import Personal


@strawberry.type(description="What a complaint is about.")
class ComplaintSubject:
    kind: str | None = strawberry.field(description="brand, product or purchase.")
    subject_id: str | None = strawberry.field(description="Key of the brand, product or purchase.")


@strawberry.type(description="A step in a complaint's handling.")
class ComplaintStatusChange:
    status: str = strawberry.field(description="open, in_progress, resolved or closed.")
    at: datetime | None = strawberry.field(
        description="When the complaint reached it; null when the source gave no time."
    )


def status_history(r: Record) -> list[ComplaintStatusChange]:
    """The handling steps the complaint's timestamps record, oldest first: opened, first
    answered (in progress), resolved; and closed, when that is its status (sources give
    no time for closing)."""
    steps = [
        ("open", r.get("opened_at")),
        ("in_progress", r.get("first_response_at")),
        ("resolved", r.get("resolved_at")),
    ]
    out = [
        ComplaintStatusChange(status=status, at=ms_to_datetime(at))
        for status, at in steps
        if at is not None or status == "open"
    ]
    if r.get("status") == "closed":
        out.append(ComplaintStatusChange(status="closed", at=None))
    return out


def _hours(start: int | None, end: int | None) -> float | None:
    return None if start is None or end is None else (end - start) / 3_600_000


@strawberry.type(description="A complaint a customer filed, and how it was handled.")
class Complaint(Node):
    complaint_id: str = strawberry.field(description="The complaint's key in the hub.")
    channel: str | None = strawberry.field(description="Where it came in: phone, email, chat...")
    category: str | None = strawberry.field(description="delivery, quality, billing, service...")
    status: str | None = strawberry.field(description="open, in_progress, resolved or closed.")
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

    @classmethod
    def from_record(cls, r: Record) -> "Complaint":
        about = r.get("about")
        return cls(
            id=strawberry.ID(to_global_id("Complaint", r["id"])),
            complaint_id=r["id"],
            channel=r.get("channel"),
            category=r.get("category"),
            status=r.get("status"),
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
        )
