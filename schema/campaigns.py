"""Campaigns (docs/audiences.md): launch at a saved audience with a seeded holdout, and
the outcome, treated against control, with the lift and its 95 % interval."""

from datetime import datetime
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from analytics import lift as stats
from resolvers import campaigns
from resolvers.context import Context
from schema.base import ms_to_datetime
from schema.purpose import Purpose, stored_value


@strawberry.enum(description="What a campaign is for.")
class CampaignKind(Enum):
    CROSS_SELL = strawberry.enum_value("cross_sell", description="Sell another product line.")
    UP_SELL = strawberry.enum_value("up_sell", description="Sell a better product.")
    RETENTION = strawberry.enum_value("retention", description="Keep customers at risk.")
    LOYALTY = strawberry.enum_value("loyalty", description="Reward loyal customers.")


@strawberry.input(description="A campaign to launch now.")
class CampaignInput:
    campaign_id: str = strawberry.field(description="Its id: 1-64 of a-z, 0-9, _ and -.")
    name: str = strawberry.field(description="Its name.")
    kind: CampaignKind = strawberry.field(description="What it is for.")
    audience_id: str = strawberry.field(description="The saved audience it targets.")
    brand: str = strawberry.field(description="The brand it is run for; outcomes are its sales.")
    purpose: Purpose = strawberry.field(
        description="The consent purpose it needs: only members with a live consent to the "
        "brand for it take part."
    )
    holdout_share: float = strawberry.field(
        description="Share of the eligible members held out as control (0 < share < 1)."
    )
    window_days: int = strawberry.field(description="Measurement window, days (1..366).")
    channel: str = strawberry.field(default="email", description="How treated ones are contacted.")
    seed: int | None = strawberry.field(
        default=None,
        description="The holdout draw's seed (0..2^31-1); a random one when omitted. The "
        "same members, share and seed give the same split.",
    )


@strawberry.type(description="One measure, treated against control, with a 95 % interval.")
class CampaignLift:
    treated: float | None = strawberry.field(description="The treated arm's value.")
    control: float | None = strawberry.field(description="The control arm's value.")
    lift: float | None = strawberry.field(description="treated - control.")
    low: float | None = strawberry.field(description="95 % interval, low end (normal).")
    high: float | None = strawberry.field(description="95 % interval, high end.")
    relative: float | None = strawberry.field(description="lift / control (null: control 0).")

    @classmethod
    def of(cls, x: stats.Lift) -> "CampaignLift":
        return cls(treated=x.treated, control=x.control, lift=x.lift, low=x.low, high=x.high,
                   relative=x.relative)  # fmt: skip


@strawberry.type(description="One arm's totals over the measured period.")
class CampaignArm:
    customers: int = strawberry.field(description="Members (restricted ones left out).")
    converted: int = strawberry.field(description="Of them, who bought from the brand.")
    purchases: int = strawberry.field(description="Their purchases from the brand.")
    revenue: float = strawberry.field(description="Their spend with the brand.")

    @classmethod
    def of(cls, g: stats.GroupSums) -> "CampaignArm":
        return cls(customers=g.n, converted=g.converted, purchases=int(g.purchases),
                   revenue=g.revenue)  # fmt: skip


@strawberry.type(
    description="Treated against control from launch to the end of the window (or now): "
    "conversion is a difference of shares with an unpooled Wald interval; purchases and "
    "revenue per customer a difference of means with Welch's standard error; intervals "
    "are normal, 95 %."
)
class CampaignOutcome:
    start: datetime = strawberry.field(description="The launch.")
    end: datetime = strawberry.field(description="End of what was measured (exclusive).")
    complete: bool = strawberry.field(description="Whether the window is over.")
    treated: CampaignArm = strawberry.field(description="The contacted arm.")
    control: CampaignArm = strawberry.field(description="The holdout.")
    conversion: CampaignLift = strawberry.field(description="Share who bought.")
    purchases: CampaignLift = strawberry.field(description="Purchases per customer.")
    revenue: CampaignLift = strawberry.field(description="Revenue per customer.")


@strawberry.type(description="A campaign aimed at a saved audience, with its holdout.")
class Campaign:
    campaign_id: str = strawberry.field(description="Its id.")
    name: str = strawberry.field(description="Its name.")
    kind: CampaignKind = strawberry.field(description="What it is for.")
    audience_id: str = strawberry.field(description="The audience it targeted.")
    brand: str = strawberry.field(description="The brand.")
    purpose: Purpose = strawberry.field(description="The consent purpose it needed.")
    channel: str = strawberry.field(description="How treated ones were contacted.")
    holdout_share: float = strawberry.field(description="The share asked for.")
    seed: int = strawberry.field(description="The holdout draw's seed, as recorded.")
    window_days: int = strawberry.field(description="Measurement window, days.")
    launched_at: datetime = strawberry.field(description="When it was launched.")
    owner: str | None = strawberry.field(description="Who launched it.")
    treated: int = strawberry.field(description="Members contacted.")
    control: int = strawberry.field(description="Members held out.")
    excluded: int = strawberry.field(
        description="Audience members left out: no live consent to the brand for the "
        "purpose, or processing restricted."
    )
    record: strawberry.Private[dict[str, Any]]

    @classmethod
    def fromrecord(cls, r: dict[str, Any]) -> "Campaign":
        launched = ms_to_datetime(r["launched_at"])
        assert launched is not None  # set at launch
        return cls(
            campaign_id=r["id"], name=r["name"], kind=CampaignKind(r["kind"]),
            audience_id=r["audience_id"], brand=r["brand"], purpose=Purpose(r["purpose"]),
            channel=r["channel"], holdout_share=float(r["holdout_share"]),
            seed=int(r["seed"]), window_days=int(r["window_days"]), launched_at=launched,
            owner=r.get("owner"), treated=int(r["treated"]), control=int(r["control"]),
            excluded=int(r["excluded"]), record=r,
        )  # fmt: skip

    @strawberry.field(description="Treated against control, with the lift of each measure.")
    async def outcome(self, info: Info[Context, None]) -> CampaignOutcome:
        o = await campaigns.outcome(info.context, self.record)
        start, end = ms_to_datetime(o.start), ms_to_datetime(o.end)
        assert start is not None and end is not None
        return CampaignOutcome(
            start=start, end=end, complete=o.complete, treated=CampaignArm.of(o.treated),
            control=CampaignArm.of(o.control), conversion=CampaignLift.of(o.conversion),
            purchases=CampaignLift.of(o.purchases), revenue=CampaignLift.of(o.revenue),
        )  # fmt: skip


@strawberry.type
class CampaignQueries:
    @strawberry.field(description="Campaigns, by id.")
    async def campaigns(self, info: Info[Context, None]) -> list[Campaign]:
        return [Campaign.fromrecord(r) for r in await campaigns.records(info.context)]

    @strawberry.field(description="One campaign. NOT_FOUND when there is none.")
    async def campaign(
        self,
        info: Info[Context, None],
        campaign_id: Annotated[str, strawberry.argument(description="Its id.")],
    ) -> Campaign:
        return Campaign.fromrecord(await campaigns.record(info.context, campaign_id))


@strawberry.type
class CampaignMutations:
    @strawberry.field(
        description="Launch a campaign now: refresh the audience, keep members whose live "
        "consent allows the purpose, hold out a seeded random share as control, record a "
        "contact with each treated member. BAD_USER_INPUT, NOT_FOUND (audience, brand), "
        "CONFLICT (id taken)."
    )
    async def launch_campaign(
        self,
        info: Info[Context, None],
        input: Annotated[CampaignInput, strawberry.argument(description="The campaign.")],
    ) -> Campaign:
        spec = campaigns.CampaignSpec(
            campaign_id=input.campaign_id, name=input.name, kind=str(input.kind.value),
            audience_id=input.audience_id, brand=input.brand,
            purpose=stored_value(input.purpose), holdout_share=input.holdout_share,
            window_days=input.window_days, channel=input.channel, seed=input.seed,
        )  # fmt: skip
        return Campaign.fromrecord(await campaigns.launch(info.context, spec))
