"""The admin's review of CRM duplicates: the SAME_AS candidates, and rejecting a pair
(graph/duplicates.py; loaders/duplicates.py records a run's candidates)."""

from typing import Any

from graph.duplicates import CANDIDATE_PAGE, REJECT_PAIR
from graph.store import Record
from resolvers.clock import now_ms
from resolvers.context import Context
from resolvers.errors import bad_input, not_found
from resolvers.selection import read_page
from resolvers.subject import customer_key

CANDIDATE_CURSOR = "DuplicateCandidate"
MAX_REASON = 500  # characters of a reason given for a merge, unmerge or rejection


def check_reason(reason: str) -> str:
    """The reason, stripped. Raises BAD_USER_INPUT when empty or over MAX_REASON."""
    text = reason.strip()
    if not text:
        raise bad_input("give a reason", "reason")
    if len(text) > MAX_REASON:
        raise bad_input(f"a reason has at most {MAX_REASON} characters", "reason")
    return text


async def candidate_page(
    ctx: Context, first: int, after: str | None, min_probability: float
) -> tuple[list[Record], bool]:
    """Candidates at or above ``min_probability``, most probable first, at most ``first``,
    and whether more follow. Raises BAD_USER_INPUT."""
    if not 0.0 <= min_probability <= 1.0:
        raise bad_input("minProbability must be between 0 and 1", "minProbability")
    page = read_page(CANDIDATE_CURSOR, {"first": first, "after": after}, first, ctx.max_page_size)
    cursor: list[Any] = [None, None, None]
    if page.after is not None:
        cursor = list(page.after)
        if (
            len(cursor) != 3
            or not isinstance(cursor[0], int | float)
            or not all(isinstance(c, str) for c in cursor[1:])
        ):
            raise bad_input(f"{after!r} is not a cursor of this list", "after")
    rows = await ctx.store.read(CANDIDATE_PAGE, {
        "min_probability": min_probability, "after_p": cursor[0], "after_left": cursor[1],
        "after_right": cursor[2], "limit": page.first + 1,
    })  # fmt: skip
    shown = rows[: page.first]
    ctx.audit.customers_read(
        [i for r in shown for i in (r["left_id"], r["right_id"])], kind="duplicate_review"
    )
    return shown, len(rows) > page.first


async def reject_duplicate(
    ctx: Context, left_id: str, right_id: str, reason: str
) -> tuple[str, str, int]:
    """Record a person's decision that two customers are not one: (left, right, at).
    Later runs of the duplicate model leave the pair alone. Raises BAD_USER_INPUT or
    NOT_FOUND."""
    left = customer_key(left_id, "leftId")
    right = customer_key(right_id, "rightId")
    if left == right:
        raise bad_input("a customer is not a duplicate of itself", "rightId")
    reason = check_reason(reason)
    left, right = sorted((left, right))
    now = now_ms()
    rows, _ = await ctx.store.write_returning(REJECT_PAIR, {
        "left": left, "right": right, "now": now, "actor": ctx.principal.subject,
        "reason": reason,
    })  # fmt: skip
    if not rows:
        raise not_found("pair of customers", f"{left}, {right}")
    ctx.audit.customers_read([left, right], kind="duplicate_reject")
    return left, right, now
