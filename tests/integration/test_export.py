"""`hub export`'s rows on both engines, against the hand-built sample graph
(tests/integration/sample_graph.py): kinds paged through the schema as the API pages them
(analysts' pseudonyms included), a saved audience for a purpose, and the customer-brand
graph, loaded back with networkx and compared with the graph."""

import networkx as nx
import pyarrow.parquet as pq
import pytest

from hub.export_audience import audience_query, narrower, role_for_purpose
from hub.export_cli import schema_executor
from hub.export_graph_cli import to_networkx, write_graph
from hub.export_kinds import KINDS
from hub.export_pages import ExportError, rows
from hub.export_writer import TableFormat, TableSink
from hub.settings import Settings
from resolvers.context import Context
from resolvers.errors import ApiError
from resolvers.graph_export import engagement_subgraph
from resolvers.principal import Principal, Role
from tests.integration.sample_graph import DAY, T0, load_sample
from tests.integration.test_customer360 import run

APP = Principal("key:app", Role.APP)
ANALYST = Principal("key:analyst", Role.ANALYST)
ADMIN = Principal("key:admin", Role.ADMIN)
SETTINGS = Settings(_env_file=None)


@pytest.fixture
async def sample(store):
    await load_sample(store)
    return store


async def export_rows(store, principal, kind, first=2, **variables):
    execute = schema_executor(store, principal, SETTINGS)
    out = []
    spec = KINDS[kind]
    async for page, _, _ in rows(execute, spec.query, {"first": first, **variables}, spec.nested):
        out.extend(page)
    return out


async def test_customers_are_paged_and_pseudonymised_exactly_as_the_api_answers(sample, tmp_path):
    api = await run(sample, "{ customers(first: 100) { nodes { customerId name email city } } }",
                    ANALYST)  # fmt: skip
    exported = await export_rows(sample, ANALYST, "customers", first=2)  # 3 customers: 2 pages
    assert [(r["customerId"], r["name"], r["email"], r["city"]) for r in exported] == [
        (n["customerId"], n["name"], n["email"], n["city"]) for n in api["customers"]["nodes"]
    ]
    assert {r["customerId"] for r in exported} == {"c1", "c2", "c3"}
    assert all(r["name"].startswith("anon") for r in exported)  # never "Wang Fang"
    sink = TableSink(tmp_path / "customers.parquet", TableFormat.parquet)
    sink.write(exported)
    sink.close()
    assert pq.read_table(tmp_path / "customers.parquet").num_rows == 3


async def test_purchases_and_interactions_come_whole_beyond_each_customers_first_page(sample):
    # first=1: c1's three purchases need two follow-up pages each of one.
    purchases = await export_rows(sample, APP, "purchases", first=1)
    assert sorted((r["customer.customerId"], r["purchaseId"]) for r in purchases) == [
        ("c1", "o1"), ("c1", "o2"), ("c1", "o3"), ("c3", "o4"),
    ]  # fmt: skip
    assert {r["brand.brandId"] for r in purchases if r["purchaseId"] == "o2"} == {"b2"}
    interactions = await export_rows(sample, APP, "interactions", first=1)
    # a1 (c1's) liked and commented post1; a3 is linked to no customer.
    assert sorted((r["customer.customerId"], r["kind"]) for r in interactions) == [
        ("c1", "comment"), ("c1", "like"),
    ]  # fmt: skip


async def test_restricted_customers_are_left_out_except_for_admins(sample):
    await sample.write("MATCH (c:Customer {id: 'c3'}) SET c.restricted_at = 1")
    seen = {r["customerId"] for r in await export_rows(sample, ANALYST, "customers")}
    assert seen == {"c1", "c2"}
    assert {r["customerId"] for r in await export_rows(sample, ADMIN, "customers")} == {
        "c1", "c2", "c3"
    }  # fmt: skip


async def test_a_refused_page_stops_the_export_with_the_api_code(sample):
    # Analysts may not read the complaint queue (apps and admins only).
    with pytest.raises(ExportError) as e:
        await export_rows(sample, ANALYST, "complaints")
    assert e.value.code == "FORBIDDEN"


SAVE = """mutation { saveAudience(input: {audienceId: "cn", name: "China",
  rule: {profile: {field: COUNTRY, op: EQ, text: "CN"}}}) { audienceId } }"""


async def audience_rows(store, principal, purpose):
    query, variables = audience_query("cn", purpose, "b1")
    execute = schema_executor(store, narrower(principal, role_for_purpose(purpose)), SETTINGS)
    out = []
    async for page, _, _ in rows(execute, query, {"first": 1, **variables}):
        out.extend(page)
    return out


async def test_an_audience_is_exported_for_its_purpose_consent_filtered(sample):
    await run(sample, SAVE, ANALYST)  # members: c1 and c3 (CN)
    # Only c1 has a live marketing consent to b1; an app key gets the contact data.
    marketing = await audience_rows(sample, APP, "marketing")
    assert [(r["customerId"], r["name"]) for r in marketing] == [("c1", "Wang Fang")]
    # c1's consent to b1 is not for analytics: nobody.
    assert await audience_rows(sample, APP, "analytics") == []
    # Partner sharing never leaves as a file; an unknown audience is NOT_FOUND.
    with pytest.raises(ExportError) as refused:
        role_for_purpose("partner_sharing")
    assert refused.value.code == "FORBIDDEN"
    query, variables = audience_query("nope", "marketing", "b1")
    execute = schema_executor(sample, APP, SETTINGS)
    with pytest.raises(ExportError) as missing:
        _ = [p async for p in rows(execute, query, {"first": 5, **variables})]
    assert missing.value.code == "NOT_FOUND"


async def test_an_analytics_export_is_pseudonymised_even_for_an_app_key(sample):
    await sample.write(
        "MATCH (c:Customer {id: 'c1'})-[k:CONSENTED]->(:Brand {id: 'b1'}) "
        "SET k.purposes = k.purposes + ['analytics']"
    )
    await run(sample, SAVE, ANALYST)
    got = await audience_rows(sample, APP, "analytics")
    assert [r["customerId"] for r in got] == ["c1"]
    assert got[0]["name"].startswith("anon") and got[0]["email"].startswith("anon")


async def test_the_graph_file_holds_the_graphs_engagements(sample, tmp_path):
    ctx = Context(sample, ANALYST)
    graph = await engagement_subgraph(ctx, None, None, None)
    path = tmp_path / "graph.graphml"
    write_graph(graph, "graphml", path)
    loaded = nx.read_graphml(path)
    # Counted in the graph itself: customer-brand pairs with a follow, an interaction
    # with the brand's post or a purchase at it (a3 is nobody's account).
    pairs = set()
    for pattern in (
        "(c:Customer)-[:HAS_ACCOUNT]->(:SocialAccount)-[:FOLLOWS]->(b:Brand)",
        "(c:Customer)-[:HAS_ACCOUNT]->(:SocialAccount)-[:INTERACTED]->(:Post)<-[:POSTED]-(b:Brand)",
        "(c:Customer)-[:MADE]->(:Purchase)-[:AT]->(b:Brand)",
    ):
        found = await sample.read(f"MATCH {pattern} RETURN DISTINCT c.id AS c, b.id AS b")
        pairs |= {(r["c"], r["b"]) for r in found}
    assert pairs == {("c1", "b1"), ("c1", "b2"), ("c3", "b2")}
    assert loaded.number_of_edges() == len(pairs)
    assert loaded.number_of_nodes() == len({x for pair in pairs for x in pair})
    assert {tuple(sorted(e)) for e in loaded.edges} == {tuple(sorted(p)) for p in pairs}
    c1_b1 = loaded.edges["c1", "b1"]
    assert (c1_b1["follow"], c1_b1["interaction"], c1_b1["purchase"]) == (1, 2, 2)
    assert loaded.nodes["b1"]["name"] == "Lumora" and "name" not in loaded.nodes["c1"]
    assert to_networkx(graph).number_of_edges() == loaded.number_of_edges()
    write_graph(graph, "parquet", tmp_path / "graph")
    assert pq.read_table(tmp_path / "graph" / "edges.parquet").num_rows == len(pairs)
    assert pq.read_table(tmp_path / "graph" / "nodes.parquet").num_rows == 4


async def test_the_graph_is_narrowed_to_brands_and_a_period(sample):
    ctx = Context(sample, APP)
    period = await engagement_subgraph(ctx, None, T0 + 2 * DAY, T0 + 4 * DAY)
    # In [day 2, day 4): c1-b1 like (2), comment (3), o3 (2); c1-b2 o2 (3). o4 is day 5.
    assert {(e["source"], e["target"], e["events"]) for e in period.edges} == {
        ("c1", "b1", 3), ("c1", "b2", 1)
    }  # fmt: skip
    b2 = await engagement_subgraph(ctx, ["b2"], None, None)
    assert {(e["source"], e["target"]) for e in b2.edges} == {("c1", "b2"), ("c3", "b2")}
    assert ctx.audit.customer_ids == {"c1", "c3"}
    with pytest.raises(ApiError):
        await engagement_subgraph(Context(sample, Principal("p", Role.PARTNER, "b1")), None,
                                  None, None)  # fmt: skip


async def test_the_audience_condition_is_membership_now_not_ever(sample):
    await run(sample, SAVE, ANALYST)  # c1, c3
    await sample.write("MATCH (c:Customer {id: 'c3'}) SET c.country = 'FR'")
    await run(sample, 'mutation { refreshAudience(audienceId: "cn") { exited } }', ANALYST)
    members = await run(
        sample, '{ customers(first: 10, where: {audience: "cn"}) { nodes { customerId } } }', APP
    )
    assert [n["customerId"] for n in members["customers"]["nodes"]] == ["c1"]  # c3's spell closed
