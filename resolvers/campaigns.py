"""Campaigns for the API (docs/audiences.md): launch one at a saved audience with a
holdout drawn from a recorded seed, and measure treated against control."""

import random
import secrets
from dataclasses import dataclass
from typing import Any

from analytics import lift as stats
from graph import campaigns as g
from resolvers import audiences
from resolvers.context import Context
from resolvers.errors import ApiError, ErrorCode, bad_input, not_found
from resolvers.mutations import new_id

CAMPAIGN_ID = audiences.AUDIENCE_ID
KINDS = ("cross_sell", "up_sell", "retention", "loyalty")
MAX_WINDOW_DAYS = 366
MAX_SEED = 2**31 - 1  # a GraphQL Int
DAY_MS = 86_400_000


@dataclass(frozen=True)
class CampaignSpec:
    """What a caller asks to launch (purpose as stored, kind a key of KINDS)."""

    campaign_id: str
    name: str
    kind: str
    audience_id: str
    brand: str
    purpose: str
    holdout_share: float
    window_days: int
    channel: str
    seed: int | None = None


def draw_holdout(eligible: list[str], share: float, seed: int) -> tuple[list[str], list[str]]:
    """(treated, control): ``eligible`` sorted, shuffled by a generator seeded with
    ``seed``; the first round(share * n) are the control. The same ids, share and seed
    always give the same split."""
    ids = sorted(eligible)
    # Not for secrets: a reproducible draw is the point (the seed is recorded).
    random.Random(seed).shuffle(ids)  # noqa: S311
    cut = round(share * len(ids))
    return sorted(ids[cut:]), sorted(ids[:cut])


def _check(spec: CampaignSpec) -> None:
    if not CAMPAIGN_ID.match(spec.campaign_id):
        raise bad_input("a campaign id is 1-64 of a-z, 0-9, _ and -", "input.campaignId")
    if not 1 <= len(spec.name.strip()) <= 200:
        raise bad_input("a name is 1-200 characters", "input.name")
    if spec.kind not in KINDS:
        raise bad_input(f"a kind is one of {', '.join(KINDS)}", "input.kind")
    if not 0.0 < spec.holdout_share < 1.0:
        raise bad_input("holdoutShare is strictly between 0 and 1", "input.holdoutShare")
    if not 1 <= spec.window_days <= MAX_WINDOW_DAYS:
        raise bad_input(f"windowDays is 1..{MAX_WINDOW_DAYS}", "input.windowDays")
    if spec.seed is not None and not 0 <= spec.seed <= MAX_SEED:
        raise bad_input(f"a seed is 0..{MAX_SEED}", "input.seed")
    if not 1 <= len(spec.channel.strip()) <= 40:
        raise bad_input("a channel is 1-40 characters", "input.channel")


async def launch(ctx: Context, spec: CampaignSpec) -> dict[str, Any]:
    """Refresh the audience, keep its members whose live consent to the brand allows the
    purpose, draw the holdout, and write the campaign, its members and the treated
    members' contacts in one statement; returns the campaign's record. BAD_USER_INPUT for
    bad fields, NOT_FOUND for an unknown audience or brand, CONFLICT for a taken id."""
    _check(spec)
    if await ctx.store.read(g.GET_CAMPAIGN, {"id": spec.campaign_id}):
        raise ApiError(f"campaign {spec.campaign_id!r} exists", ErrorCode.CONFLICT)
    if not await ctx.store.read(g.BRAND_EXISTS, {"id": spec.brand}):
        raise not_found("brand", spec.brand)
    await audiences.refresh(ctx, spec.audience_id)  # NOT_FOUND for an unknown audience
    now = ctx.clock()
    rows = await ctx.store.read(
        g.ELIGIBLE_MEMBERS,
        {"audience": spec.audience_id, "brand": spec.brand, "purpose": spec.purpose, "now": now},
    )
    eligible = list(rows[0]["eligible"]) if rows else []
    excluded = int(rows[0]["excluded"]) if rows else 0
    seed = spec.seed if spec.seed is not None else secrets.randbelow(MAX_SEED)
    treated, control = draw_holdout(eligible, spec.holdout_share, seed)
    members = [{"id": c, "arm": "treated", "contact": new_id("ct")} for c in treated] + [
        {"id": c, "arm": "control", "contact": None} for c in control
    ]
    campaign = {
        "id": spec.campaign_id, "name": spec.name.strip(), "kind": spec.kind,
        "audience_id": spec.audience_id, "brand": spec.brand, "purpose": spec.purpose,
        "holdout_share": spec.holdout_share, "seed": seed, "window_days": spec.window_days,
        "channel": spec.channel.strip(), "launched_at": now, "owner": ctx.principal.subject,
        "treated": len(treated), "control": len(control), "excluded": excluded,
    }  # fmt: skip
    await ctx.store.write(g.CREATE_CAMPAIGN, {"campaign": campaign, "members": members})
    ctx.audit.customers_read(treated + control, "campaign_launched")
    return await record(ctx, spec.campaign_id)


async def record(ctx: Context, campaign_id: str) -> dict[str, Any]:
    """The stored campaign; NOT_FOUND when there is none."""
    rows = await ctx.store.read(g.GET_CAMPAIGN, {"id": campaign_id})
    if not rows:
        raise not_found("campaign", campaign_id)
    found: dict[str, Any] = rows[0]["campaign"]
    return found


async def records(ctx: Context) -> list[dict[str, Any]]:
    """Every campaign, by id."""
    return [r["campaign"] for r in await ctx.store.read(g.LIST_CAMPAIGNS)]


@dataclass(frozen=True)
class Outcome:
    """Treated and control over [start, end) with the lift of each measure."""

    start: int
    end: int
    complete: bool
    treated: stats.GroupSums
    control: stats.GroupSums
    conversion: stats.Lift
    purchases: stats.Lift
    revenue: stats.Lift


def _sums(row: dict[str, Any] | None) -> stats.GroupSums:
    if row is None:
        return stats.GroupSums(0, 0, 0.0, 0.0, 0.0, 0.0)
    return stats.GroupSums(
        n=int(row["n"]), converted=int(row["converted"]),
        purchases=float(row["purchases"]), purchases_sq=float(row["purchases_sq"]),
        revenue=float(row["revenue"]), revenue_sq=float(row["revenue_sq"]),
    )  # fmt: skip


async def outcome(ctx: Context, campaign: dict[str, Any]) -> Outcome:
    """Purchases from the campaign's brand between its launch and the end of its window
    (or now, before that): per arm, and the lifts (analytics/lift.py). Restricted
    customers are left out of both arms."""
    start = int(campaign["launched_at"])
    window_end = start + int(campaign["window_days"]) * DAY_MS
    now = ctx.clock()
    end = min(now, window_end)
    params = {"campaign": campaign["id"], "brand": campaign["brand"], "start": start,
              "end": end, "include_restricted": False}  # fmt: skip
    by_arm = {r["arm"]: r for r in await ctx.store.read(g.OUTCOME, params)}
    t, c = _sums(by_arm.get("treated")), _sums(by_arm.get("control"))
    ctx.audit.note("campaign_measured")
    return Outcome(
        start, end, now >= window_end, t, c,
        stats.conversion_lift(t, c), stats.purchases_lift(t, c), stats.revenue_lift(t, c),
    )  # fmt: skip
