"""Complaints and their handling."""

from datetime import datetime

import strawberry

from graph.store import Record
from resolvers.ids import to_global_id
from schema.base import Node, ms_to_datetime


@strawberry.type(description="What a complaint is about.")
class ComplaintSubject:
    kind: str | None = strawberry.field(description="brand, product or purchase.")
    subject_id: str | None = strawberry.field(description="Key of the brand, product or purchase.")


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
    text: str | None = strawberry.field(description="The complaint as filed.")
    about: ComplaintSubject | None = strawberry.field(description="What it is about.")

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
        )
