"""Partner lookalikes on both engines, over the hand-built community of
tests/integration/test_partner.py (k = 3), worked out by hand.

Seed: a list matching c01..c04 (all consent to bP for PS). Features (tags, content types):
c01, c02: run skin yoga, video; c03, c04: run skin, video image. Profile: run 1, skin 1,
yoga 0.5, video 1, image 0.5. Candidates (unrestricted, outside the seed), scores:
c05, c06 run skin image 2.5/3 = 0.83; c08 skin 1.0; c07 run skin text 0.67; x01 yoga video
0.75; x02, x04 yoga 0.5; c09, c10, x03 no feature 0.
Bands: 0.8-1.0 {c05 c06 c08} 3, 0.6-0.8 {c07 x01} 2, 0.4-0.6 {x02 x04} 2, 0.0-0.2 {c09 c10
x03} 3. N = 10: 3 <= count <= 7 releases 0.0-0.2 and 0.8-1.0; 2 withheld.
Members (PS consent, score >= 0.6): c05 c06 c07 c08 (x01 has no live consent).
"""

from typing import Any

from resolvers import partner_lists as pl
from tests.integration.test_partner import CUSTOMERS, pseudonyms
from tests.integration.test_partner_lists import community, execute, list_body

LOOKALIKES = """query($purpose: Purpose!, $listId: String, $minScore: Float!) {
  partner { lookalikes(purpose: $purpose, listId: $listId, minScore: $minScore, first: 50) {
    seedSize candidates minGroupSize suppressedBands bands { band count }
    members { totalCount nodes { id } } } } }"""
_ = community  # the fixture, used by name below


async def lookalikes(store: Any, **variables: Any):
    result, ctx = await execute(store, LOOKALIKES, **variables)
    assert result.errors is None, result.errors
    return result.data["partner"]["lookalikes"], ctx


async def test_lookalikes_of_a_list_known_answers(community):
    store = community
    list_id = (await pl.create_list(store, "bP", 86_400_000)).id
    await pl.append_chunk(store, "bP", list_id, list_body(["c01", "c02", "c03", "c04"]))
    found, ctx = await lookalikes(store, purpose="PARTNER_SHARING", listId=list_id, minScore=0.6)
    assert (found["seedSize"], found["candidates"], found["suppressedBands"]) == (4, 10, 2)
    assert found["bands"] == [{"band": "0.0-0.2", "count": 3}, {"band": "0.8-1.0", "count": 3}]
    everyone = await pseudonyms(store, "bP", CUSTOMERS)
    members = [m["id"] for m in found["members"]["nodes"]]
    assert members == sorted(everyone[c] for c in ("c05", "c06", "c07", "c08"))
    assert ctx.audit.customer_ids == {"c05", "c06", "c07", "c08"}
    stricter, _ = await lookalikes(store, purpose="PARTNER_SHARING", listId=list_id,
                                   minScore=0.8)  # fmt: skip
    assert {m["id"] for m in stricter["members"]["nodes"]} == {
        everyone[c] for c in ("c05", "c06", "c08")}  # fmt: skip
    # the bands were released once: the ledger holds two entries
    ledger = await store.inner.read(
        "MATCH (r:PartnerRelease {partner_id: 'bP', dimension: 'lookalike'}) RETURN count(r) AS n"
    )
    assert ledger[0]["n"] == 2


async def test_lookalikes_of_the_audience_list_no_one_without_consent(community):
    found, _ = await lookalikes(community, purpose="PARTNER_SHARING", minScore=0.0)
    # seed: the 10 of the audience; candidates x01..x04, none consenting to bP for PS
    assert (found["seedSize"], found["candidates"], found["bands"]) == (10, 4, [])
    assert found["members"] == {"totalCount": 0, "nodes": []}


async def test_a_bad_min_score_is_refused(community):
    result, _ = await execute(community, LOOKALIKES, purpose="PARTNER_SHARING", minScore=1.5)
    assert result.errors[0].extensions["argument"] == "minScore"
    assert community.statements == []
