"""Computed traits on both engines, against answers worked out by hand on
tests/integration/audience_graph.py: every aggregate, conditions, windows, and an
incremental refresh that touches only the customers a load wrote."""

from typing import Any

import pytest

from graph import traits
from graph.traits import TraitSpec, customers_touched, refresh_traits, save_trait
from loaders.pipeline import write_records
from tests.integration.audience_graph import NOW, ago, build

VALUES = """
MATCH (c:Customer)-[h:HAS_TRAIT]->(:Trait {id: $name})
RETURN c.id AS id, h.value AS value, h.computed_at AS at ORDER BY id
"""

# name -> (definition, expected value per customer; a customer left out has no value)
CASES: dict[str, tuple[TraitSpec, dict[str, Any]]] = {
    # b1 purchases within 90 days: c1 o1 80 (50 days) + o3 20; c3 o5 40; c5 1500; c6 500.
    "spend_b1_90d": (
        TraitSpec("spend_b1_90d", "purchases", "sum", "amount", {"brand": "b1"}, 90),
        {"c1": 100.0, "c2": 0, "c3": 40.0, "c4": 0, "c5": 1500.0, "c6": 500.0},
    ),
    # online orders, all time: c1 o1 o3; c2 o4; c5 o6; c6 o7.
    "online_orders": (
        TraitSpec("online_orders", "purchases", "count", None, {"channel": "online"}),
        {"c1": 2, "c2": 1, "c3": 0, "c4": 0, "c5": 1, "c6": 1},
    ),
    # c1: video once, activity once: the tie goes to the smaller value.
    "fav_content": (
        TraitSpec("fav_content", "interactions", "most_frequent", "content_type"),
        {"c1": "activity", "c3": "activity", "c4": "video"},
    ),
    # latest purchase's channel: c1 o3 (5 days ago) online.
    "last_channel": (
        TraitSpec("last_channel", "purchases", "last", "channel"),
        {"c1": "online", "c2": "online", "c3": "store", "c5": "online", "c6": "online"},
    ),
    # earliest purchase's brand: c1 o1 (50 days ago) b1.
    "first_brand": (
        TraitSpec("first_brand", "purchases", "first", "brand"),
        {"c1": "b1", "c2": "b2", "c3": "b1", "c5": "b1", "c6": "b1"},
    ),
    "avg_amount": (
        TraitSpec("avg_amount", "purchases", "avg", "amount"),
        {"c1": 200.0 / 3, "c2": 300.0, "c3": 40.0, "c5": 1500.0, "c6": 500.0},
    ),
    "brands_bought": (
        TraitSpec("brands_bought", "purchases", "unique_count", "brand"),
        {"c1": 2, "c2": 1, "c3": 1, "c4": 0, "c5": 1, "c6": 1},
    ),
    # skincare lines: o1, o3 (c1), o5 (c3), o6 (c5); o7 has no lines.
    "max_skincare": (
        TraitSpec("max_skincare", "purchases", "max", "amount", {"category": "skincare"}),
        {"c1": 80.0, "c3": 40.0, "c5": 1500.0},
    ),
    # interactions with b2's posts in the last 30 days: c3's like (1 day ago) only.
    "b2_recent": (
        TraitSpec("b2_recent", "interactions", "count", None, {"brand": "b2"}, 30),
        {"c1": 0, "c2": 0, "c3": 1, "c4": 0, "c5": 0, "c6": 0},
    ),
    "complaints_b1": (
        TraitSpec("complaints_b1", "complaints", "count", None, {"brand": "b1"}),
        {"c1": 1, "c2": 0, "c3": 0, "c4": 0, "c5": 0, "c6": 0},
    ),
}


async def values(store: Any, name: str) -> dict[str, Any]:
    return {r["id"]: r["value"] for r in await store.read(VALUES, {"name": name})}


@pytest.mark.parametrize("name", sorted(CASES))
async def test_trait_known_answers(store, name):
    await build(store)
    spec, expected = CASES[name]
    await save_trait(store, spec, "key:admin", NOW)
    assert await refresh_traits(store, NOW, names=[name]) == 1
    got = await values(store, name)
    assert got.keys() == expected.keys()
    for key, value in expected.items():
        assert got[key] == pytest.approx(value), key


async def test_a_full_refresh_in_chunks_gives_the_same_values(store, monkeypatch):
    """Over many customers a full refresh runs a statement per chunk of ids (one
    transaction each); with chunks of 2 over the 6 customers, each trait's values are the
    known answers, a customer that no longer has a value loses it, and each chunk is one
    statement per trait."""
    await build(store)
    for spec, _ in CASES.values():
        await save_trait(store, spec, "key:admin", NOW)
    await store.write(
        "MATCH (c:Customer {id: 'c2'}), (t:Trait {id: 'b2_recent'}) "
        "CREATE (c)-[:HAS_TRAIT {value: 5, computed_at: 0}]->(t)", {},
    )  # fmt: skip
    monkeypatch.setattr(traits, "REFRESH_CHUNK", 2)
    before = len(store.statements)
    assert await refresh_traits(store, NOW) == len(CASES)
    ran = store.statements[before:]
    assert ran.count(traits.CUSTOMER_IDS_AFTER) == 4  # 2 + 2 + 2 + none left
    assert len(ran) - 4 == 3 * len(CASES) + 1  # the + 1: the list of traits
    for name, (_, expected) in CASES.items():
        got = await values(store, name)
        assert got.keys() == expected.keys(), name
        for key, value in expected.items():
            assert got[key] == pytest.approx(value), (name, key)


async def test_incremental_refresh_touches_only_written_customers(store):
    await build(store)
    spec, _ = CASES["online_orders"]
    await save_trait(store, spec, "key:admin", NOW)
    await refresh_traits(store, NOW)
    later = NOW + 1000
    rows = [{"id": "o8", "customer_id": "c4", "brand_id": "b1", "at": ago(0),
             "channel": "online", "total": 10.0}]  # fmt: skip
    # the load refreshes the traits of the customers it touched, and only theirs
    await write_records(store, "purchases", rows, later)
    assert await customers_touched(store, "purchases", rows) == ["c4"]
    got = {r["id"]: (r["value"], r["at"]) for r in await store.read(VALUES, {"name": spec.name})}
    assert got["c4"] == (1, later)
    assert got["c1"] == (2, NOW)  # not recomputed


async def test_touched_customers_through_accounts(store):
    await build(store)
    rows = [{"account_id": "a3", "post_id": "post1", "kind": "like", "at": ago(0)}]
    assert await customers_touched(store, "interactions", rows) == ["c3"]
