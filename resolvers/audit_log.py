"""The admin's view of the audit log (graph/audit.py)."""

from dataclasses import dataclass
from typing import Any

from graph.audit import AUDIT_PAGE
from graph.store import Record
from resolvers.context import Context
from resolvers.errors import bad_input
from resolvers.selection import read_page

AUDIT_CURSOR = "AuditEntry"


@dataclass(frozen=True)
class AuditQuery:
    subject: str | None = None
    role: str | None = None
    partner_id: str | None = None
    customer_id: str | None = None
    kind: str | None = None
    from_ms: int | None = None
    until_ms: int | None = None


async def audit_page(
    ctx: Context, query: AuditQuery, first: int, after: str | None
) -> tuple[list[Record], bool]:
    """Entries newest first, at most ``first``, and whether more follow."""
    page = read_page(AUDIT_CURSOR, {"first": first, "after": after}, first, ctx.max_page_size)
    limit = page.first
    after_at: Any = None
    after_id: Any = None
    if page.after is not None:
        key = page.after
        if len(key) != 2 or not isinstance(key[0], int) or not isinstance(key[1], str):
            raise bad_input(f"{after!r} is not a cursor of this list", "after")
        after_at, after_id = key
    if query.from_ms is not None and query.until_ms is not None and query.from_ms >= query.until_ms:
        raise bad_input("`from` must be before `until`", "filter")
    rows = await ctx.store.read(
        AUDIT_PAGE,
        {
            "subject": query.subject, "role": query.role, "partner_id": query.partner_id,
            "customer_id": query.customer_id, "kind": query.kind, "from": query.from_ms,
            "until": query.until_ms, "after_at": after_at, "after_id": after_id,
            "limit": limit + 1,
        },
    )  # fmt: skip
    entries = [r["entry"] for r in rows]
    return entries[:limit], len(entries) > limit
