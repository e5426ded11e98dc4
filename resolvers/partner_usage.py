"""Partner metering and quotas (docs/partner.md, "Metering and quotas"): what a partner
pulled in a period, from the usage kept on its audit entries, and the daily quotas the
request guard (schema/guard.py) checks before a partner pull runs."""

import logging
from dataclasses import dataclass

from graph import partner_usage as q
from graph.errors import GraphError, GraphUnavailable
from graph.store import GraphStore
from resolvers.clock import now_ms
from resolvers.errors import (
    GRAPH_UNAVAILABLE_MESSAGE,
    INTERNAL_MESSAGE,
    ApiError,
    ErrorCode,
    bad_input,
)
from resolvers.partner import new_salt
from resolvers.partner_policy import PartnerPolicy
from resolvers.quotas import PartnerQuotas

DAY_MS = 86_400_000

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class OperationUsage:
    operation: str
    requests: int
    rows: int
    cells: int
    lists: int


async def partner_usage(
    store: GraphStore, partner: str, from_ms: int, until_ms: int
) -> list[OperationUsage]:
    """The partner's pulls in [from_ms, until_ms), per operation (by name). Raises
    BAD_USER_INPUT when the period is empty or reversed."""
    if until_ms <= from_ms:
        raise bad_input("until must be after from", "until")
    rows = await store.read(
        q.PARTNER_USAGE, {"partner": partner, "from": from_ms, "until": until_ms}
    )
    return [
        OperationUsage(
            str(r["operation"]),
            int(r["requests"]),
            int(r["rows"]),
            int(r["cells"]),
            int(r["lists"]),
        )
        for r in rows
    ]


def day_start(ms: int) -> int:
    """The start (epoch ms) of the UTC day holding ``ms``."""
    return ms - ms % DAY_MS


async def check_quota(
    store: GraphStore, partner: str, defaults: PartnerQuotas, matches: bool
) -> PartnerPolicy:
    """The partner's policy (its allowed purposes and dimensions), read in the same
    statement. Raises QUOTA_EXCEEDED when the partner has used up today's requests, or (for
    a pull that ``matches`` a list) today's list matches; GRAPH_UNAVAILABLE when the graph
    cannot be reached. Called from the request guard before execution, where Strawberry's
    error masking does not apply, so every error it raises is one a client may see."""
    now = now_ms()
    try:
        rows = await store.read(q.QUOTA_STATE, {"partner": partner, "since": day_start(now)})
    except GraphUnavailable:
        raise ApiError(GRAPH_UNAVAILABLE_MESSAGE, ErrorCode.GRAPH_UNAVAILABLE) from None
    except GraphError as e:
        logger.error("partner quota not read: %s", type(e).__name__)
        raise ApiError(INTERNAL_MESSAGE, ErrorCode.INTERNAL) from None
    row = rows[0]
    requests_quota = row["requests_per_day"] or defaults.requests_per_day
    matches_quota = row["matches_per_day"] or defaults.matches_per_day
    retry = (day_start(now) + DAY_MS - now) // 1000 + 1
    if int(row["requests"]) >= requests_quota:
        raise ApiError(
            f"the daily quota of {requests_quota} requests is used up; it renews at 00:00 UTC",
            ErrorCode.QUOTA_EXCEEDED, quota="requests_per_day", retryAfterS=retry,
        )  # fmt: skip
    if matches and int(row["matches"]) >= matches_quota:
        raise ApiError(
            f"the daily quota of {matches_quota} list matches is used up; it renews at "
            "00:00 UTC",
            ErrorCode.QUOTA_EXCEEDED, quota="matches_per_day", retryAfterS=retry,
        )  # fmt: skip
    return PartnerPolicy.from_stored(row["purposes"], row["dimensions"])


async def set_quota(
    store: GraphStore, partner: str, requests_per_day: int | None, matches_per_day: int | None
) -> bool:
    """Set the partner's own quotas (None: the hub's default); False when no such brand."""
    rows, _ = await store.write_returning(
        q.SET_QUOTA,
        {"partner": partner, "requests_per_day": requests_per_day,
         "matches_per_day": matches_per_day, "salt": new_salt(), "now": now_ms()},
    )  # fmt: skip
    return bool(rows)
