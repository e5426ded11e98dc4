"""Campaigns through GraphQL on both engines: consent decides who takes part (the rest
counted), the holdout is the seed's, treated members have the contact in their history,
and the outcome's lifts equal the ones computed here from the purchases written here."""

import math
import statistics
from typing import Any

import pytest

from loaders.pipeline import write_records
from resolvers.campaigns import draw_holdout
from resolvers.clock import FixedClock
from resolvers.context import Context
from resolvers.principal import Principal, Role
from schema import build_schema

ANALYST = Principal("key:analyst-1", Role.ANALYST)
APP = Principal("key:app-1", Role.APP)
SCHEMA = build_schema()
DAY = 86_400_000
LAUNCH = 1_700_000_000_000
Z = 1.959963984540054
IDS = [f"c{i:02d}" for i in range(1, 13)]  # c01..c10 consent; c11 withdrew; c12 none

LAUNCH_CAMPAIGN = """
mutation($seed: Int) {
  launchCampaign(input: {campaignId: "spring", name: "Spring", kind: CROSS_SELL,
    audienceId: "cn", brand: "b1", purpose: MARKETING, holdoutShare: 0.3, windowDays: 30,
    seed: $seed}) { campaignId seed treated control excluded purpose kind }
}"""
OUTCOME = """
query { campaign(campaignId: "spring") { outcome {
  complete
  treated { customers converted purchases revenue }
  control { customers converted purchases revenue }
  conversion { treated control lift low high }
  revenue { treated control lift low high }
} } }"""


async def execute(store: Any, now: int, query: str, principal: Principal = ANALYST,
                  **variables: Any) -> Any:  # fmt: skip
    ctx = Context(store, principal, clock=FixedClock(now))
    return await SCHEMA.execute(query, variable_values=variables, context_value=ctx)


async def run(store: Any, now: int, query: str, **variables: Any) -> Any:
    result = await execute(store, now, query, **variables)
    assert result.errors is None, result.errors
    assert result.data is not None
    return next(iter(result.data.values()))


@pytest.fixture
async def graph(store):
    before = LAUNCH - 10 * DAY
    rows: list[tuple[str, list[dict[str, object]]]] = [
        ("brands", [{"id": "b1", "name": "Lumora"}]),
        ("customers", [{"id": c, "name": c, "country": "CN", "created_at": before}
                       for c in IDS]),
        ("consents", [
            *({"customer_id": c, "brand_id": "b1", "granted_at": before,
               "purposes": "marketing"} for c in IDS[:11]),
        ]),
    ]  # fmt: skip
    rows[2][1][10]["withdrawn_at"] = LAUNCH - DAY  # c11 withdrew before the launch
    for kind, records in rows:
        await write_records(store, kind, records, now=before)
    save = """mutation { saveAudience(input: {audienceId: "cn", name: "CN",
      rule: {profile: {field: COUNTRY, op: EQ, text: "CN"}}}) { audienceId } }"""
    await run(store, LAUNCH - DAY, save)
    return store


async def test_campaign_holdout_contacts_and_lift(graph):
    launched = await run(graph, LAUNCH, LAUNCH_CAMPAIGN, seed=11)
    assert launched["excluded"] == 2  # c11 withdrew, c12 never consented
    assert launched["seed"] == 11 and (launched["treated"], launched["control"]) == (7, 3)
    rows = await graph.read(
        "MATCH (c:Customer)-[m:IN_CAMPAIGN]->(:Campaign {id: 'spring'}) "
        "RETURN c.id AS id, m.arm AS arm ORDER BY id"
    )
    treated = [r["id"] for r in rows if r["arm"] == "treated"]
    control = [r["id"] for r in rows if r["arm"] == "control"]
    assert (treated, control) == draw_holdout(IDS[:10], 0.3, 11)  # the seed's split

    # A treated member has the campaign's contact in the history; a control one has none.
    history = """query($id: ID!) { customer(id: $id) { contactHistory(first: 5) {
      nodes { kind channel } } } }"""
    ctx_now = LAUNCH + DAY
    seen = await execute(graph, ctx_now, history, APP, id=treated[0])
    assert seen.errors is None, seen.errors
    assert seen.data["customer"]["contactHistory"]["nodes"] == [
        {"kind": "PROMOTION_SENT", "channel": "email"}
    ]
    held = await execute(graph, ctx_now, history, APP, id=control[0])
    assert held.data["customer"]["contactHistory"]["nodes"] == []

    # Purchases in the window: 3 treated and 1 control buy; one purchase after the window
    # and one before the launch do not count.
    spend = {treated[0]: [50.0, 30.0], treated[1]: [120.0], treated[2]: [10.0],
             control[0]: [40.0]}  # fmt: skip
    purchases = [
        {"id": f"o-{c}-{i}", "customer_id": c, "brand_id": "b1", "at": LAUNCH + (i + 1) * DAY,
         "total": v}
        for c, values in spend.items() for i, v in enumerate(values)
    ] + [
        {"id": "o-late", "customer_id": treated[3], "brand_id": "b1", "at": LAUNCH + 40 * DAY,
         "total": 999.0},
        {"id": "o-early", "customer_id": control[1], "brand_id": "b1", "at": LAUNCH - DAY,
         "total": 999.0},
    ]  # fmt: skip
    await write_records(graph, "purchases", purchases, now=LAUNCH + 41 * DAY)
    got = await run(graph, LAUNCH + 41 * DAY, OUTCOME)
    out = got["outcome"]
    assert out["complete"] is True
    rev_t = [sum(spend.get(c, [])) for c in treated]
    rev_c = [sum(spend.get(c, [])) for c in control]
    assert out["treated"] == {"customers": 7, "converted": 3, "purchases": 4, "revenue": 210.0}
    assert out["control"] == {"customers": 3, "converted": 1, "purchases": 1, "revenue": 40.0}
    p_t, p_c = 3 / 7, 1 / 3
    se = math.sqrt(p_t * (1 - p_t) / 7 + p_c * (1 - p_c) / 3)
    conv = out["conversion"]
    assert conv["lift"] == pytest.approx(p_t - p_c)
    assert (conv["low"], conv["high"]) == pytest.approx((p_t - p_c - Z * se, p_t - p_c + Z * se))
    diff = statistics.mean(rev_t) - statistics.mean(rev_c)
    se_r = math.sqrt(statistics.variance(rev_t) / 7 + statistics.variance(rev_c) / 3)
    rev = out["revenue"]
    assert rev["lift"] == pytest.approx(diff)
    assert (rev["low"], rev["high"]) == pytest.approx((diff - Z * se_r, diff + Z * se_r))


async def test_campaign_refusals_have_codes(graph):
    await run(graph, LAUNCH, LAUNCH_CAMPAIGN, seed=1)
    again = await execute(graph, LAUNCH, LAUNCH_CAMPAIGN, seed=1)
    assert again.errors is not None and again.errors[0].extensions["code"] == "CONFLICT"
    bad = await execute(graph, LAUNCH, LAUNCH_CAMPAIGN.replace("0.3", "1.5"), seed=1)
    assert bad.errors is not None
    assert bad.errors[0].extensions == {"code": "BAD_USER_INPUT", "argument": "input.holdoutShare"}
    app = await execute(graph, LAUNCH, 'query { campaign(campaignId: "spring") { seed } }', APP)
    assert app.errors is not None and app.errors[0].extensions["code"] == "FORBIDDEN"
