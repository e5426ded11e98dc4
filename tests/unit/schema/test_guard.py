"""The request guard's measure of a document (schema/guard.py `_Measure`): depth, aliases,
cost and root fields of known documents, worked out by hand in the comments.

cost = every selected field counts 1, and a field with a selection adds its children's
cost times its multiplier: `first` (as written, from a variable or its default, else the
argument's schema default), 20 for a connection without one, 10 for a plain list outside a
connection (identities, items...), 1 otherwise. depth = the deepest selection set (the
operation's own is 1); introspection adds no depth."""

import time
from typing import Any

import pytest
from graphql import (
    FragmentDefinitionNode,
    OperationDefinitionNode,
    get_introspection_query,
    parse,
    validate,
)

from resolvers.access import ROLE_LIMITS
from resolvers.principal import Role
from schema import build_schema
from schema.guard import Shape, _Measure, _measured

SCHEMA = build_schema()._schema


def measure(document: str, role: Role = Role.APP, **variables: Any) -> Shape:
    ast = parse(document)
    assert validate(SCHEMA, ast) == [], "the examples are valid documents"
    fragments = {d.name.value: d for d in ast.definitions if isinstance(d, FragmentDefinitionNode)}
    operation = next(d for d in ast.definitions if isinstance(d, OperationDefinitionNode))
    return _Measure(SCHEMA, fragments, variables, ROLE_LIMITS[role]).root(operation)


def fan_out(levels: int, spreads: int, leaf: str = "__typename") -> str:
    """F0 selects `leaf`; every F(i) spreads F(i-1) `spreads` times; the query spreads the
    last once: `spreads` ** (levels - 1) copies of the leaf once expanded."""
    fragments = [f"fragment F0 on Query {{ {leaf} }}"]
    for i in range(1, levels):
        body = " ".join(f"...F{i - 1}" for _ in range(spreads))
        fragments.append(f"fragment F{i} on Query {{ {body} }}")
    return f"query {{ ...F{levels - 1} }}\n" + "\n".join(fragments)


def test_a_flat_read():
    shape = measure('{ customer(id: "c1") { customerId name } }')
    # customer 1 + 1 x (customerId 1 + name 1) = 3; two levels of selection
    assert (shape.cost, shape.depth, shape.aliases, shape.roots) == (3, 2, 0, ["customer"])


def test_first_multiplies_and_plain_lists_count_ten():
    shape = measure(
        '{ customer(id: "c1") { purchases(first: 5) { nodes { purchaseId items { quantity } } } } }'
    )
    # items: 1 + 10 x quantity(1) = 11 (a plain list outside a connection)
    # nodes: 1 + 1 x (purchaseId 1 + items 11) = 13 (the connection already counted the page)
    # purchases: 1 + 5 x 13 = 66; customer: 1 + 1 x 66 = 67
    assert (shape.cost, shape.depth) == (67, 5)


def test_an_omitted_first_is_the_arguments_schema_default():
    # Customer.purchases(first: Int! = 20): 1 + 20 x totalCount(1) = 21; customer 1 + 21
    assert measure('{ customer(id: "c1") { purchases { totalCount } } }').cost == 22


def test_first_from_a_variable_its_default_or_the_request():
    document = "query($n: Int! = 50) { customers(first: $n) { nodes { customerId } } }"
    # customers: 1 + n x (nodes 1 + 1 x customerId 1) = 1 + 2n
    assert measure(document).cost == 101  # the operation's default, n = 50
    assert measure(document, n=3).cost == 7  # the request's value wins
    # No default and no value (execution will refuse it): the default page, 20.
    assert measure("query($n: Int!) { customers(first: $n) { nodes { customerId } } }").cost == 41


def test_aliases_are_counted_wherever_they_are():
    shape = measure(
        '{ a: customer(id: "c1") { customerId } b: customer(id: "c2") { x: customerId } }'
    )
    # two roots of cost 2 each; aliases a, b and x; one root field name
    assert (shape.cost, shape.depth, shape.aliases, shape.roots) == (4, 2, 3, ["customer"])


def test_a_fragment_counts_at_each_depth_it_is_spread_at():
    shape = measure(
        """{ customer(id: "c1") { purchases(first: 2) { nodes { ...P } } }
             node(id: "x") { ... on Purchase { ...P } } }
           fragment P on Purchase { purchaseId brand { name } }"""
    )
    # P = purchaseId 1 + brand (1 + 1 x name 1) = 3, one level below where it is spread
    # customer: 1 + (purchases 1 + 2 x (nodes 1 + P 3)) = 10; node: 1 + P 3 = 4
    # P spread at depth 4 under customer reaches 5 (brand's selection)
    assert (shape.cost, shape.depth, shape.roots) == (14, 5, ["customer", "node"])


def test_a_fragment_fan_out_is_measured_in_full_without_walking_it():
    # 40 levels of 3 spreads each: 3^39 copies of __typename (about 4e18), each costing 1.
    started = time.monotonic()
    shape = measure(fan_out(40, 3))
    assert (shape.cost, shape.depth, shape.aliases, shape.roots) == (3**39, 1, 0, ["__typename"])
    aliased = measure(fan_out(30, 4, leaf="t: __typename"))
    assert (aliased.cost, aliased.aliases) == (4**29, 4**29)
    # Not a timing claim: walking the expansion one field at a time would never finish.
    assert time.monotonic() - started < 60


def test_introspection_adds_cost_and_aliases_but_no_depth():
    shape = measure("{ __schema { types { name } } }")
    # types lists every type of the schema: 1 + T x name(1); __schema 1 + that
    types = len(SCHEMA.type_map)
    assert (shape.cost, shape.depth, shape.roots) == (2 + types, 1, ["__schema"])
    mixed = measure('{ __type(name: "Customer") { t: name } customer(id: "c1") { customerId } }')
    # __type 1 + 1 x name 1 = 2; customer 2 -> 4; depth is the customer's 2
    assert (mixed.cost, mixed.depth, mixed.aliases) == (4, 2, 1)


def test_walking_every_type_again_and_again_is_over_the_cost_limit():
    # Each alias resolves every type, its fields and their types in memory (about 85 ms of
    # CPU each, on the event loop): the cost counts the lists as long as the schema has
    # them (every type; the mean fields a type, arguments a field), not 10 items each.
    walk = (
        "types { name fields { name args { name type { name ofType { name } } } "
        "type { name kind ofType { name kind ofType { name } } } } }"
    )
    for aliases in (3, 25):
        shape = measure(
            "{ __schema { " + " ".join(f"a{i}: {walk}" for i in range(aliases)) + " } }"
        )
        assert shape.aliases == aliases <= ROLE_LIMITS[Role.APP].max_aliases
        assert (shape.cost > ROLE_LIMITS[Role.APP].max_cost) is (aliases == 25)


@pytest.mark.parametrize("role", [Role.APP, Role.ANALYST, Role.ADMIN])
def test_the_standard_introspection_query_is_within_the_limits_of_roles_that_may_introspect(
    role: Role,
):
    # What GraphiQL and code generators send (its type references nest 15 deep).
    limits = ROLE_LIMITS[role]
    assert limits.introspection
    shape = measure(get_introspection_query(descriptions=True), role)
    assert shape.depth <= limits.max_depth
    assert shape.aliases <= limits.max_aliases
    assert shape.cost <= limits.max_cost
    assert shape.roots == ["__schema"]


def test_a_deep_document_is_measured_to_its_full_depth():
    # customer > purchases > nodes > then `rounds` times brand > products > nodes, ending
    # in a product's name. Selection sets open at depth 1 (the operation's), 2 (customer's),
    # 3 (purchases'), 4 (a purchase's), then 3 more per round: depth = 4 + 3 x rounds.
    # Cost with every first 1: a round is brand 1 + products 1 + nodes 1 around what it
    # holds, the innermost name is 1, and customer, purchases and nodes add 1 each:
    # cost = 1 + 3 x rounds + 3.
    rounds = 6
    inner = "name"
    for _ in range(rounds):
        inner = f"brand {{ products(first: 1) {{ nodes {{ {inner} }} }} }}"
    shape = measure(f'{{ customer(id: "c1") {{ purchases(first: 1) {{ nodes {{ {inner} }} }} }} }}')
    assert (shape.depth, shape.cost) == (22, 22)


TEN_COMMUNITIES = (
    "{ " + " ".join(f"c{i}: communities(seed: {i}) {{ truncated }}" for i in range(10)) + " }"
)
HOOD = 'query($h: Int) { neighbourhood(node: "c1", hops: $h, maxNodes: 200) { truncated } }'


def test_work_computed_in_the_hub_is_costed_for_what_it_reads():
    # communities: 1 + 100,000 for Louvain over up to 400k edges + truncated 1
    assert measure("{ communities { truncated } }").cost == 100_002
    # ten aliased ones (issue 12): over every role's limit, so refused before running
    cost = measure(TEN_COMMUNITIES, Role.ADMIN).cost
    assert cost == 1_000_020 > max(limits.max_cost for limits in ROLE_LIMITS.values())
    # ranked lists computed whole: their caps (prospects: the signals too), then the page
    # as before (first 20 x totalCount)
    assert measure("{ influencers { totalCount } }").cost == 1 + 1_000 + 20
    assert measure('{ crossSellProspects(from: "a", to: "b") { totalCount } }').cost == 11_021
    # neighbourhood: hops x maxNodes x 10, from literals, variables or the schema defaults
    # (hops 1, maxNodes 50); out of range, the most the field allows
    assert measure('{ neighbourhood(node: "c1") { truncated } }').cost == 2 + 1 * 50 * 10
    assert measure(HOOD, h=3).cost == 2 + 3 * 200 * 10
    assert measure(HOOD, h=99).cost == 2 + 3 * 200 * 10
    # a field that computes nothing in the hub costs its items only, as before
    assert measure('{ customer(id: "c1") { customerId } }').cost == 2


def test_a_measure_is_kept_by_text_only_when_no_variable_went_into_it():
    def measured(document: str, **variables: Any) -> Shape:
        ast = parse(document)
        operation = next(d for d in ast.definitions if isinstance(d, OperationDefinitionNode))
        limits = ROLE_LIMITS[Role.APP]
        return _measured(SCHEMA, ast, operation, None, variables, limits, document)

    literal = "query($id: ID!) { customer(id: $id) { purchases(first: 3) { totalCount } } }"
    kept = measured(literal, id="c1")
    assert measured(literal, id="c2") is kept  # the id goes into no measure: one walk
    paged = 'query($n: Int) { customer(id: "c1") { purchases(first: $n) { totalCount } } }'
    assert measured(paged, n=1).cost < measured(paged, n=50).cost  # measured each time
