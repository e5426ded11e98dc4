"""Schema migration and batch writes on both engines."""

import pytest

from graph import writes
from graph.errors import GraphQueryError
from graph.migrations import migrate
from loaders.kinds import MODELS
from tests.integration.sample_graph import ROWS, load_sample

ZERO = {"nodes_created": 0, "nodes_deleted": 0, "relationships_created": 0,
        "relationships_deleted": 0, "properties_set": 0, "labels_added": 0}  # fmt: skip


async def test_migrate_is_idempotent_and_ids_are_unique(store):
    await migrate(store.inner)
    await migrate(store.inner)  # a second run must not fail
    await store.write("CREATE (:Customer {id: 'dup'})")
    with pytest.raises(GraphQueryError):
        await store.write("CREATE (:Customer {id: 'dup'})")


async def test_sample_graph_writes_every_node_and_relationship(store):
    counters = await load_sample(store)
    # 2 brands + 3 tags + 1 segment + 3 products + 3 customers + 3 accounts + 4 purchases
    # + 2 posts + 3 complaints
    assert counters.nodes_created == 24
    # OF_BRAND 3, HAS_ACCOUNT 2, FOLLOWS 3, MADE 4 + AT 4 + CONTAINS 5, POSTED 2 + ABOUT 4,
    # INTERACTED 3, TAGGED 2, CONSENTED 2, FILED 3 + ABOUT 3, IN_SEGMENT 1
    assert counters.relationships_created == 41
    rows = await store.read("MATCH (c:Customer {id: 'c1'}) RETURN c.email_hash AS h")
    assert rows[0]["h"] is not None and len(rows[0]["h"]) == 64


async def test_writing_the_same_rows_twice_changes_nothing_at_all(store):
    await load_sample(store)
    again = await load_sample(store)
    assert vars(again) == ZERO
    nodes = await store.read("MATCH (n) RETURN count(n) AS n")
    rels = await store.read("MATCH ()-[r]->() RETURN count(r) AS n")
    assert (nodes[0]["n"], rels[0]["n"]) == (24, 41)


async def test_identity_links_follow_the_evidence(store):
    await load_sample(store)
    links = await store.read(
        "MATCH (c:Customer)-[h:HAS_ACCOUNT]->(a) "
        "RETURN a.id AS account, c.id AS customer, h.method AS method, h.confidence AS conf "
        "ORDER BY account"
    )
    assert links == [
        {"account": "a1", "customer": "c1", "method": "crm_id", "conf": 1.0},
        {"account": "a2", "customer": "c1", "method": "email", "conf": 0.95},
    ]
    raw = await store.read("MATCH (a:SocialAccount {id: 'a2'}) RETURN properties(a) AS p")
    assert "email" not in raw[0]["p"] and raw[0]["p"]["email_hash"]


async def test_every_write_statement_in_the_catalog_runs(store):
    """Each (kind, variant) statement runs on this engine, as do the prune statements."""
    planned: set[str] = set()
    for kind, rows in ROWS:
        prepared = [MODELS[kind].model_validate(r).prepare() for r in rows]
        for upsert, prune, params in writes.plan_writes(kind, prepared):
            planned.add(upsert)
            await store.write(upsert, {**params, "now": 1})
            if prune is not None:
                planned.add(prune)
                await store.write(prune, {"rows": params["rows"]})
    catalog = {q for pair in writes._STATEMENTS.values() for q in pair if q is not None}
    assert catalog == planned, "a write statement is not exercised by the sample rows"


FULL_CUSTOMER = {
    "id": "c1", "external_id": "CRM-1", "name": "Li Na", "email": "li.na@example.com",
    "phone": "+86 138 0013 8000", "gender": "female", "birth_year": "1990",
    "city": "Shanghai", "region": "Shanghai", "country": "CN",
    "created_at": "2023-03-14T09:30:00Z",
}  # fmt: skip


async def _properties(store, query):
    rows = await store.read(query)
    return {k: v for k, v in rows[0]["p"].items() if k not in ("row_hash", "updated_at")}


async def test_a_reload_that_empties_several_properties_removes_exactly_those(store):
    """The embedded FalkorDB removed the wrong properties when one statement removed
    several of a node's: a customer re-loaded without email, phone and city lost
    `created_at` and kept `phone_hash`."""
    customer = MODELS["customers"]
    await writes.write_rows(
        store, "customers", [customer.model_validate(FULL_CUSTOMER).prepare()], 1
    )
    emptied = {**FULL_CUSTOMER, "email": None, "phone": None, "city": None}
    expected = {k: v for k, v in customer.model_validate(emptied).prepare()["props"].items()
                if v is not None} | {"id": "c1"}  # fmt: skip
    await writes.write_rows(store, "customers", [customer.model_validate(emptied).prepare()], 2)
    got = await _properties(store, "MATCH (n:Customer {id: 'c1'}) RETURN properties(n) AS p")
    assert got == expected


async def test_a_reload_that_empties_relationship_properties_keeps_a_withdrawal(store):
    consent = MODELS["consents"]
    full = {"customer_id": "c1", "brand_id": "b1", "granted_at": "2024-01-01T00:00:00Z",
            "withdrawn_at": "2024-06-01T00:00:00Z", "purposes": "marketing|analytics",
            "source": "app", "policy_version": "2024-01"}  # fmt: skip
    await writes.write_rows(store, "consents", [consent.model_validate(full).prepare()], 1)
    # An older export: no withdrawal yet, no source, no policy version.
    older = {**full, "withdrawn_at": None, "source": None, "policy_version": None}
    await writes.write_rows(store, "consents", [consent.model_validate(older).prepare()], 2)
    got = await _properties(store, "MATCH ()-[r:CONSENTED]->() RETURN properties(r) AS p")
    assert got == {
        "granted_at": consent.model_validate(full).granted_at,
        "withdrawn_at": consent.model_validate(full).withdrawn_at,
        "purposes": ["marketing", "analytics"],
    }
