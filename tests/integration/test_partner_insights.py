"""Partner insights on both engines, over the hand-built community of
tests/integration/test_partner.py (k = 3), worked out by hand.

Community: the 14 unrestricted customers (c01..c10, x01..x04; x05 is restricted).
Audience for PS: c01..c10 (N = 10).

TAG: t-run c01..c07 = 7 (7 <= N - k: released); t-skin 8 (> N - k) and t-yoga 2 (< k)
withheld. Community t-run: 7 of 14. index = (7/10) / (7/14) = 1.4.
REGION: North 5 released (South by complementary suppression, East 1); community North:
c01..c05, x01, x02, x04 = 8 of 14. index = 0.5 / 0.5714 = 0.875.
ENGAGED_BRAND (with the follows and purchases `engaged` adds): bO by interactions with its
posts c01..c07 (c01 also follows it: once), community + x01 (interacted), x03 (bought) =
9 of 14, index = 0.7 / (9/14) = 1.089 (3 places); bQ c08 (follows), c09, c10 (bought;
c10 twice: once)
= 3, community + x02 (follows) = 4 of 14, index = 0.3 / (4/14) = 1.05; bP, the partner
itself (c01 follows it, c02 bought from it), is never a value.
"""

from typing import Any

import pytest

from loaders.pipeline import write_records
from resolvers import partner as rp
from resolvers import partner_lists as pl
from tests.integration.test_partner import ACCOUNTS
from tests.integration.test_partner_lists import L1, community, execute, list_body

INSIGHTS = """query($purpose: Purpose!, $dimension: AudienceDimension!, $listId: String) {
  partner { insights(purpose: $purpose, dimension: $dimension, listId: $listId) {
    setSize communitySize minGroupSize suppressedCells
    cells { value name count share communityShare index } } } }"""
_ = community  # the fixture, used by name below


async def insights(store: Any, **variables: Any) -> dict[str, Any]:
    result, ctx = await execute(store, INSIGHTS, **variables)
    assert result.errors is None, result.errors
    assert ctx.audit.kinds >= {"partner_pull"} and ctx.audit.customer_ids == set()
    return result.data["partner"]["insights"]


async def test_audience_insights_known_answers(community):
    tags = await insights(community, purpose="PARTNER_SHARING", dimension="TAG")
    assert tags == {"setSize": 10, "communitySize": 14, "minGroupSize": 3, "suppressedCells": 2,
                    "cells": [{"value": "t-run", "name": "run", "count": 7, "share": 0.7,
                               "communityShare": 0.5, "index": 1.4}]}  # fmt: skip
    regions = await insights(community, purpose="PARTNER_SHARING", dimension="REGION")
    assert regions["cells"] == [{"value": "North", "name": "North", "count": 5, "share": 0.5,
                                 "communityShare": 0.5714, "index": 0.875}]  # fmt: skip
    assert regions["suppressedCells"] == 2


async def test_list_insights_are_those_of_its_consenting_matches(community):
    list_id = (await pl.create_list(community, "bP", 86_400_000)).id
    await pl.append_chunk(community, "bP", list_id, list_body(L1))
    # L1's PS consenting matches are the whole PS audience: the same answer, same ledger
    tags = await insights(community, purpose="PARTNER_SHARING", dimension="TAG", listId=list_id)
    assert (tags["setSize"], [c["index"] for c in tags["cells"]]) == (10, [1.4])


@pytest.fixture
async def engaged(community):
    """The community, with follows and purchases that make brands engaged (see above)."""
    now = rp.now_ms()
    follows = [
        {"account_id": ACCOUNTS[c], "target_kind": "brand", "target_id": b}
        for c, b in (("c08", "bQ"), ("x02", "bQ"), ("c01", "bP"), ("c01", "bO"))
    ]
    purchases = [{"id": f"o{i}", "customer_id": c, "brand_id": b, "at": now - 1000 + i}
                 for i, (c, b) in enumerate((("c09", "bQ"), ("c10", "bQ"), ("c10", "bQ"),
                                             ("c02", "bP"), ("x03", "bO")))]  # fmt: skip
    await write_records(community, "follows", follows, now)
    await write_records(community, "purchases", purchases, now)
    community.statements.clear()
    return community


async def test_engaged_brand_insights_known_answers(engaged):
    brands = await insights(engaged, purpose="PARTNER_SHARING", dimension="ENGAGED_BRAND")
    assert brands == {"setSize": 10, "communitySize": 14, "minGroupSize": 3, "suppressedCells": 0,
                      "cells": [{"value": "bO", "name": "Orla", "count": 7, "share": 0.7,
                                 "communityShare": 0.6429, "index": 1.089},
                                {"value": "bQ", "name": "Quill", "count": 3, "share": 0.3,
                                 "communityShare": 0.2857, "index": 1.05}]}  # fmt: skip
