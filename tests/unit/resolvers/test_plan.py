"""The typed plan of an entity read (resolvers/plan.py), without a database."""

from types import SimpleNamespace

import pytest
from graphql import parse
from strawberry.types.nodes import InlineFragment, SelectedField

from graph.reads import Fetch, Page
from resolvers import plan as plan_module
from resolvers.errors import ApiError
from resolvers.plan import PartField, check_catalog, plan_entities, plan_entity, plan_selected
from schema import build_schema


def field(name: str, alias: str | None = None, selections=(), **arguments) -> SelectedField:
    return SelectedField(name, {}, arguments, list(selections), alias)


def test_aliases_with_the_same_arguments_share_one_fetch_and_others_get_their_own():
    plan = plan_entity(
        "customer",
        [
            field("purchases", first=2),
            field("purchases", "again", first=2),
            field("purchases", "more", first=5, filter={"brand": "b1"}),
            field("tags"),
            field("name"),  # a property, not a part
        ],
        20,
        100,
    )
    assert plan.fetches == (
        Fetch("purchases", Page(2)),
        Fetch("purchases", Page(5, None, (("brand", "b1"), ("from", None), ("until", None)))),
        Fetch("tags"),
    )
    assert plan.fetch_of("purchases") == plan.fetch_of("again") == (0, plan.fetches[0])
    assert plan.fetch_of("more")[0] == 1 and plan.fetch_of("tags")[0] == 2
    with pytest.raises(LookupError, match=r"Customer\.name was not planned"):
        plan.fetch_of("name")


def test_the_default_page_size_is_the_contexts_and_fragments_count():
    plan = plan_entity("customer", [InlineFragment("Customer", [field("complaints")], {})], 7, 100)
    assert plan.fetches == (Fetch("complaints", Page(7)),)


def test_selections_of_one_connection_share_the_statement_but_not_their_aliases():
    edges, nodes = plan_entities(
        "customer", [[field("purchases", first=1)], [field("purchases", first=3)]], 20, 100
    )
    assert edges.fetches == nodes.fetches  # one statement fetches both pages
    assert edges.fetch_of("purchases")[1].page == Page(1)
    assert nodes.fetch_of("purchases")[1].page == Page(3)


def test_brand_counters_anywhere_inside_add_their_part():
    brand = field("brand", selections=[field("followerCount")])
    plan = plan_entity("customer", [field("purchases", selections=[brand])], 20, 100)
    assert Fetch("brand_counts") in plan.fetches
    assert Fetch("brand_counts") not in plan_entity("brand", [brand], 20, 100).fetches


def test_bad_pages_are_refused_once_with_the_argument_named():
    with pytest.raises(ApiError) as refused:
        plan_entity("customer", [field("purchases", first=101)], 20, 100)
    assert refused.value.extensions["argument"] == "first"


def test_a_catalog_field_the_schema_lacks_fails_at_start_up(monkeypatch):
    catalog = {**plan_module.CATALOG, "customer": {**plan_module.CATALOG["customer"]}}
    catalog["customer"]["purchase"] = PartField("purchases")  # a typo of `purchases`
    monkeypatch.setattr(plan_module, "CATALOG", catalog)
    with pytest.raises(ValueError, match=r"Customer\.purchase, which the schema lacks"):
        build_schema()


def test_a_catalog_part_graph_lacks_or_a_filter_it_does_not_take_is_refused(monkeypatch):
    fields = {"Customer": ["purchases", "tags"], "Brand": []}
    monkeypatch.setattr(plan_module, "CATALOG", {"customer": {"purchases": PartField("x")}})
    with pytest.raises(ValueError, match="part 'x', which graph/ lacks"):
        check_catalog(fields)
    monkeypatch.setattr(
        plan_module, "CATALOG", {"customer": {"tags": PartField("tags", lambda raw: ())}}
    )
    with pytest.raises(ValueError, match="reads a filter, but part 'tags' takes none"):
        check_catalog(fields)


def test_a_plan_made_from_the_document_reads_one_level_and_follows_fragments():
    document = parse(
        """query($n: Int) { customer(id: "c1") {
            name ...Lists ... on Customer { a: purchases(first: $n) { totalCount } }
            ... on Brand { posts { totalCount } } } }
        fragment Lists on Customer {
            tags { weight } complaints { nodes { about { kind } } }
            consents { brand { ...Counted } } }
        fragment Counted on Brand { followerCount }"""
    )
    operation, *fragments = document.definitions
    raw = SimpleNamespace(fragments={f.name.value: f for f in fragments}, variable_values={"n": 4})
    customer = operation.selection_set.selections[0]
    (plan,) = plan_selected(raw, "customer", [[customer.selection_set]], 20, 100)
    assert [f.part for f in plan.fetches] == [
        "tags", "complaints", "consents", "purchases", "brand_counts",
    ]  # fmt: skip
    assert plan.fetch_of("a")[1].page == Page(4)  # from the variable
    assert plan.fetch_of("complaints")[1].page == Page(20)
    with pytest.raises(LookupError):
        plan.fetch_of("posts")  # a Brand field, in a fragment that does not apply
