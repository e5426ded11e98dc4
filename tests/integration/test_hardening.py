"""Hardening, on both engines, through the real schema executed in-process:

1. Query bombs (depth, aliases, tokens, cost, fragment cycles and fan-outs, introspection)
   and calls a role may not make are refused with a coded error, no data, and not one
   statement sent to the graph (a CountingStore counts them).
2. An injection corpus (injection_corpus.py) through every String and ID argument of every
   root field, found in the built schema (fields added later are covered as they come):
   no response is an INTERNAL error, and the domain graph is exactly as it was.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import pytest
from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLUnionType,
    Lexer,
    OperationDefinitionNode,
    Source,
    TokenKind,
    VariableDefinitionNode,
    ast_from_value,
    get_introspection_query,
    get_named_type,
    get_nullable_type,
    parse,
    print_ast,
    type_from_ast,
    validate,
)
from graphql.pyutils import Undefined

from graph.model import NODE_LABELS, SYSTEM_LABELS
from graph.store import GraphStore
from resolvers.access import ROLE_LIMITS, Limits, may_call
from resolvers.context import Context
from resolvers.errors import ErrorCode
from resolvers.ids import to_global_id
from resolvers.principal import Principal, Role
from schema import build_schema
from schema.guard import PERSISTED_DIR
from tests.integration.injection_corpus import CORE, FULLTEXT, PAYLOADS
from tests.integration.sample_graph import load_sample

SCHEMA = build_schema()
GQL = SCHEMA._schema
PRINCIPALS = {
    Role.APP: Principal("hardening-app", Role.APP),
    Role.ANALYST: Principal("hardening-analyst", Role.ANALYST),
    Role.PARTNER: Principal(
        "hardening-partner",
        Role.PARTNER,
        partner_brand_id="b1",
        purposes=frozenset({"partner_sharing", "analytics"}),
    ),
    Role.ADMIN: Principal("hardening-admin", Role.ADMIN),
}
ROLES = list(PRINCIPALS)
MASKED = "Unexpected error; it has been logged."


async def execute(store: Any, query: str, principal: Principal, **variables: Any) -> Any:
    return await SCHEMA.execute(
        query, variable_values=variables, context_value=Context(store, principal)
    )


def sent(store: Any) -> list[str]:
    """Every statement the request sent, the audit entry's write included."""
    return [*store.statements, *getattr(store, "audit_writes", [])]


def codes(result: Any) -> list[str | None]:
    return [(e.extensions or {}).get("code") for e in result.errors or ()]


# --- 1. bombs ------------------------------------------------------------------------


def depth_bomb(limits: Limits) -> str:
    """customer > purchases > nodes, then brand > products > nodes rounds: selection sets
    open at depth 4 + 3 x rounds (tests/unit/schema/test_guard.py works it out); every
    page is 1, so only the depth is over."""
    rounds = (limits.max_depth - 4) // 3 + 1
    inner = "name"
    for _ in range(rounds):
        inner = f"brand {{ products(first: 1) {{ nodes {{ {inner} }} }} }}"
    return f'{{ customer(id: "c1") {{ purchases(first: 1) {{ nodes {{ {inner} }} }} }} }}'


def alias_bomb(limits: Limits) -> str:
    return "{ " + " ".join(
        f'a{i}: brand(id: "b1") {{ name }}' for i in range(limits.max_aliases + 1)
    ) + " }"  # fmt: skip


def mutation_alias_bomb(limits: Limits) -> str:
    return "mutation { " + " ".join(
        f'a{i}: revokeApiKey(keyId: "0123456789abcdef")' for i in range(limits.max_aliases + 1)
    ) + " }"  # fmt: skip


def token_bomb(limits: Limits) -> str:
    # `{ brand ( id : "b1" ) {` is 8 tokens, the names one each, `} }` two more.
    return '{ brand(id: "b1") { ' + "name " * limits.max_tokens + "} }"


COST_SELECTION = """{ nodes { purchases(first: $n) { nodes { items { product { brand {
    products(first: $n) { nodes { name } } } } } } } } }"""
# customers(first: 100) > purchases(first: 100) > items (10) > product > brand >
# products(first: 100): about 2 x 10^7 by the guard's count, depth 10.
COST_LITERAL = "{ customers(first: 100) " + COST_SELECTION.replace("$n", "100") + " }"
COST_VARIABLE = "query($n: Int!) { customers(first: $n) " + COST_SELECTION + " }"
COST_DEFAULT = "query($n: Int! = 100) { customers(first: $n) " + COST_SELECTION + " }"

FRAGMENT_CYCLE = """query { ...A }
fragment A on Query { brand(id: "b1") { name } ...B }
fragment B on Query { ...A }"""


def fan_out(levels: int = 12, spreads: int = 4) -> str:
    """'Billion laughs': F0 reads a brand; each F(i) spreads F(i-1) `spreads` times; the
    query spreads the last: 4^11 (about 4 million) brand reads once expanded."""
    fragments = ['fragment F0 on Query { brand(id: "b1") { name } }']
    for i in range(1, levels):
        body = " ".join(f"...F{i - 1}" for _ in range(spreads))
        fragments.append(f"fragment F{i} on Query {{ {body} }}")
    return f"query {{ ...F{levels - 1} }}\n" + "\n".join(fragments)


# `fields` nested past graphql-core's MaxIntrospectionDepthRule.
INTROSPECTION_DEPTH = (
    '{ __type(name: "Customer") { fields { type { fields { type { fields { type {'
    " fields { name } } } } } } } } }"
)


def introspection_alias_bomb(limits: Limits) -> str:
    aliases = " ".join(f"t{i}: types {{ name }}" for i in range(limits.max_aliases + 1))
    return "{ __schema { " + aliases + " } }"


def tokens(document: str) -> int:
    lexer = Lexer(Source(document))
    count = 0
    while lexer.advance().kind is not TokenKind.EOF:
        count += 1
    return count


@dataclass(frozen=True)
class Bomb:
    name: str
    document: Any  # str, or a function of the role's Limits
    variables: tuple[tuple[str, Any], ...] = ()
    # What refuses it: the guard's limit (LIMIT_EXCEEDED with `limit`), or validation.
    limit: str | None = None
    code: str = ErrorCode.LIMIT_EXCEEDED.value

    def text(self, limits: Limits) -> str:
        return self.document(limits) if callable(self.document) else str(self.document)


BOMBS = [
    Bomb("depth", depth_bomb, limit="depth"),
    Bomb("introspection depth", INTROSPECTION_DEPTH, code="GRAPHQL_VALIDATION_FAILED"),
    Bomb("aliases", alias_bomb, limit="aliases"),
    Bomb("mutation aliases", mutation_alias_bomb, limit="aliases"),
    Bomb("introspection aliases", introspection_alias_bomb, limit="aliases"),
    Bomb("tokens", token_bomb),
    Bomb("cost", COST_LITERAL, limit="cost"),
    Bomb("cost, first from a variable", COST_VARIABLE, (("n", 100),), limit="cost"),
    Bomb("cost, first from a variable's default", COST_DEFAULT, limit="cost"),
    Bomb("fragment cycle", FRAGMENT_CYCLE, code="GRAPHQL_VALIDATION_FAILED"),
    Bomb("fragment fan-out", fan_out(), limit="cost"),
]


def expected_code(bomb: Bomb, role: Role) -> str:
    """Parse and validation refusals come first; then a partner's document that is not a
    published operation, and a mutation by anyone but an admin, are FORBIDDEN."""
    if bomb.limit is None:
        return bomb.code
    if role is Role.PARTNER:
        return ErrorCode.FORBIDDEN.value
    if bomb.name == "mutation aliases" and role is not Role.ADMIN:
        return ErrorCode.FORBIDDEN.value
    if bomb.name == "introspection aliases" and not ROLE_LIMITS[role].introspection:
        return ErrorCode.FORBIDDEN.value
    return bomb.code


@pytest.mark.parametrize("role", ROLES, ids=[r.value for r in ROLES])
@pytest.mark.parametrize("bomb", BOMBS, ids=[b.name for b in BOMBS])
async def test_a_bomb_is_refused_before_any_statement(store, bomb: Bomb, role: Role):
    limits = ROLE_LIMITS[role]
    result = await execute(store, bomb.text(limits), PRINCIPALS[role], **dict(bomb.variables))
    assert sent(store) == []
    assert result.data is None
    assert len(result.errors) == 1, result.errors
    error = result.errors[0]
    assert codes(result) == [expected_code(bomb, role)], error.message
    assert error.message and error.message != MASKED
    if codes(result) == [ErrorCode.LIMIT_EXCEEDED.value] and bomb.limit is not None:
        assert error.extensions["limit"] == bomb.limit


def test_the_bombs_are_what_they_claim():
    """Each bomb is over its own limit only: valid documents (bar the cycle and the
    introspection nesting), and the token bomb is the only one over any token limit."""
    for bomb in BOMBS:
        for role in ROLES:
            limits = ROLE_LIMITS[role]
            text = bomb.text(limits)
            if bomb.name == "tokens":
                assert tokens(text) > limits.max_tokens
                continue
            assert tokens(text) <= limits.max_tokens, (bomb.name, role)
            errors = validate(GQL, parse(text))
            assert (errors != []) is (bomb.code == "GRAPHQL_VALIDATION_FAILED"), bomb.name


# Calls a role may not make: the brief's examples, then every (role, root field) pair the
# access table leaves out.
NAMED_REFUSALS = [
    (Role.ANALYST, "query", "customerByIdentity"),
    (Role.APP, "query", "auditLog"),
    (Role.PARTNER, "query", "customer"),
    *((role, "mutation", "revokeApiKey") for role in (Role.APP, Role.ANALYST, Role.PARTNER)),
]


def root_fields() -> Iterator[tuple[str, str, GraphQLField]]:
    for kind, root in (("query", GQL.query_type), ("mutation", GQL.mutation_type)):
        for name, definition in (root.fields if root else {}).items():
            yield kind, name, definition


def refused_calls() -> list[tuple[Role, str, str]]:
    calls = list(NAMED_REFUSALS)
    for kind, name, _ in root_fields():
        for role in ROLES:
            if not may_call(role, kind, name) and (role, kind, name) not in calls:
                calls.append((role, kind, name))
    return calls


@pytest.mark.parametrize(
    ("role", "kind", "name"), refused_calls(), ids=lambda v: getattr(v, "value", v)
)
async def test_a_root_field_the_role_may_not_call_is_forbidden(
    store, role: Role, kind: str, name: str
):
    assert not may_call(role, kind, name)
    case = field_case(kind, name)
    result = await execute(store, case.document, PRINCIPALS[role], **case.base)
    assert result.data is None
    assert codes(result) == [ErrorCode.FORBIDDEN.value], result.errors
    assert sent(store) == []


INTROSPECTION = "{ __schema { queryType { name } } }"


@pytest.mark.parametrize("role", ROLES, ids=[r.value for r in ROLES])
async def test_introspection_is_refused_to_partners_only(store, role: Role):
    for document in (INTROSPECTION, get_introspection_query(descriptions=True)):
        result = await execute(store, document, PRINCIPALS[role])
        if role is Role.PARTNER:
            assert result.data is None
            assert codes(result) == [ErrorCode.FORBIDDEN.value]
        else:
            assert result.errors is None, result.errors
            assert result.data["__schema"]["queryType"]["name"] == "Query"
    assert sent(store) == []


async def test_a_partner_document_that_is_not_published_is_forbidden(store):
    partner = PRINCIPALS[Role.PARTNER]
    documents = ["{ __typename }", '{ brand(id: "b1") { name } }']
    # A published operation changed in any way but spacing and comments is not published.
    documents += [p.read_text() + "\nquery Extra { __typename }" for p in published()]
    for document in documents:
        result = await execute(store, document, partner)
        assert result.data is None
        assert codes(result) == [ErrorCode.FORBIDDEN.value]
        assert "published" in result.errors[0].message
    assert sent(store) == []


# Variables that do not fit their types are the client's mistake: a coded request error,
# never the masked INTERNAL one, and nothing runs.
BAD_VARIABLES = [
    ("missing", "query($n: Int!) { customers(first: $n) { totalCount } }", {}),
    ("not an Int", "query($n: Int!) { customers(first: $n) { totalCount } }", {"n": "many"}),
    (
        "not a DateTime",
        "query($t: DateTime) { customers(filter: {lastActivity: {from: $t}}) { totalCount } }",
        {"t": "yesterday"},
    ),
    (
        "an input without its required field",
        "query($c: ConsentCondition) { customers(filter: {consent: $c}) { totalCount } }",
        {"c": {"purpose": "MARKETING"}},
    ),
]


@pytest.mark.parametrize(
    ("document", "variables"), [b[1:] for b in BAD_VARIABLES], ids=[b[0] for b in BAD_VARIABLES]
)
async def test_bad_variables_are_a_coded_client_error_before_any_statement(
    store, document: str, variables: dict[str, Any]
):
    result = await execute(store, document, PRINCIPALS[Role.APP], **variables)
    assert result.data is None
    assert set(codes(result)) <= {"GRAPHQL_VALIDATION_FAILED", ErrorCode.BAD_USER_INPUT.value}
    assert all(e.message != MASKED for e in result.errors)
    assert sent(store) == []


# --- 2. injection ----------------------------------------------------------------------


@pytest.fixture
async def sample(store):
    await load_sample(store)
    store.statements.clear()
    return store


# Values that make a read find something in the sample graph, by argument name (the
# injected argument gets the payload instead).
SAMPLE_VALUES = {
    "id": "c1", "customer": "c1", "customerId": "c1", "brand": "b1", "a": "b1", "b": "b2",
    "from": "b1", "to": "b2", "brands": ["b1", "b2"], "node": to_global_id("Customer", "c1"),
    "brandId": "b1", "handle": "wangfang", "platform": "wechat", "purpose": "PARTNER_SHARING",
}  # fmt: skip
SAMPLE_BY_FIELD = {("node", "id"): to_global_id("Customer", "c1"), ("brand", "id"): "b1"}
# What else a slot needs to reach the graph (a handle is looked up with its platform).
COMPANIONS = {
    ("customerByIdentity", "identity.handle"): {"identity": {"platform": "wechat"}},
    ("customerByIdentity", "identity.platform"): {"identity": {"handle": "wangfang"}},
}
TIME = "2023-11-15T00:00:00+00:00"
# A mutation changes the graph when its ids name real records: a mutation gets ids that
# match nothing, so the graph must stay exactly as it was whatever else it is sent.
ABSENT_ID = "0123456789abcdef"
STRINGISH = ("String", "ID")
OK_CODES = {c.value for c in ErrorCode} - {
    ErrorCode.INTERNAL.value, ErrorCode.GRAPH_UNAVAILABLE.value,
}  # fmt: skip


def is_stringish(type_: Any) -> bool:
    named = get_named_type(type_)
    return isinstance(named, GraphQLScalarType) and named.name in STRINGISH


def sample_value(type_: GraphQLInputType, name: str, field: str, mutation: bool) -> Any:
    """A valid value of the type: from the sample graph for reads, matching nothing for
    mutations; required input fields filled, optional ones left out."""
    nullable = get_nullable_type(type_)
    if isinstance(nullable, GraphQLList):
        if mutation:
            return [] if not is_stringish(nullable.of_type) else [ABSENT_ID]
        value = SAMPLE_VALUES.get(name)
        if isinstance(value, list):
            return value
        return [sample_value(nullable.of_type, name, field, mutation)]
    if isinstance(nullable, GraphQLInputObjectType):
        return {
            key: sample_value(f.type, key, field, mutation)
            for key, f in nullable.fields.items()
            if isinstance(f.type, GraphQLNonNull) and f.default_value is Undefined
        }
    if isinstance(nullable, GraphQLEnumType):
        wanted = SAMPLE_VALUES.get(name)
        return wanted if wanted in nullable.values else next(iter(nullable.values))
    assert isinstance(nullable, GraphQLScalarType)
    if nullable.name in STRINGISH:
        if mutation:
            return ABSENT_ID
        value = SAMPLE_BY_FIELD.get((field, name), SAMPLE_VALUES.get(name, "c1"))
        return value[0] if isinstance(value, list) else value
    return {"Int": 1, "Float": 1.0, "Boolean": False, "DateTime": TIME}.get(nullable.name, "x")


def selection(type_: Any, nested: bool = True) -> str:
    """__typename and the scalar fields that need no argument; a connection's nodes too;
    each member of a union."""
    named = get_named_type(type_)
    if isinstance(named, GraphQLUnionType):
        return "{ __typename " + " ".join(
            f"... on {member.name} {selection(member, nested)}" for member in named.types
        ) + " }"  # fmt: skip
    if not isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
        return ""
    parts = ["__typename"]
    for name, f in named.fields.items():
        if any(isinstance(a.type, GraphQLNonNull) and a.default_value is Undefined
               for a in f.args.values()):  # fmt: skip
            continue
        inner = get_named_type(f.type)
        if isinstance(inner, GraphQLScalarType | GraphQLEnumType):
            parts.append(name)
        elif nested and name in ("nodes", "apiKey", "customer"):
            parts.append(f"{name} {selection(inner, nested=False)}")
    return "{ " + " ".join(parts) + " }"


@dataclass
class Case:
    """One operation to inject into: its document, the variables that make it valid, and
    where String or ID values go (paths into the variables)."""

    field: str
    principal: Principal
    document: str
    base: dict[str, Any]
    slots: list[tuple[Any, ...]]
    mutation: bool
    types: dict[str, Any]  # of the variables


def slots_of(
    name: str, type_: Any, path: tuple[Any, ...], within: tuple[str, ...] = ()
) -> Iterator[tuple[Any, ...]]:
    """Paths to every String or ID place in a value of the type (a list's first item,
    input objects' fields recursively; an input type inside itself, such as a rule's
    `and: [CustomerRule!]`, is not entered again: its places were reached one level up)."""
    nullable = get_nullable_type(type_)
    if isinstance(nullable, GraphQLList):
        yield from slots_of(name, nullable.of_type, (*path, 0), within)
    elif isinstance(nullable, GraphQLInputObjectType):
        if nullable.name in within:
            return
        for key, f in nullable.fields.items():
            yield from slots_of(key, f.type, (*path, key), (*within, nullable.name))
    elif is_stringish(nullable):
        yield path


def default_of(argument: GraphQLArgument) -> str:
    """The argument's default as a variable's (` = 20`), so a variable left out keeps it."""
    if argument.default_value is Undefined:
        return ""
    value = ast_from_value(argument.default_value, argument.type)
    return f" = {print_ast(value)}" if value is not None else ""


def field_case(kind: str, name: str) -> Case:
    """Every argument as a variable; the principal of a role that may call it (an admin
    when admins may)."""
    root = GQL.query_type if kind == "query" else GQL.mutation_type
    assert root is not None
    definition = root.fields[name]
    mutation = kind == "mutation"
    declared = ", ".join(f"${a}: {arg.type}{default_of(arg)}" for a, arg in definition.args.items())
    passed = ", ".join(f"{a}: ${a}" for a in definition.args)
    document = (
        f"{kind} Injection{'(' + declared + ')' if declared else ''} "
        f"{{ {name}{'(' + passed + ')' if passed else ''} {selection(definition.type)} }}"
    )
    base = {
        a: sample_value(arg.type, a, name, mutation)
        for a, arg in definition.args.items()
        if isinstance(arg.type, GraphQLNonNull) and arg.default_value is Undefined
    }
    slots = [s for a, arg in definition.args.items() for s in slots_of(a, arg.type, (a,))]
    role = next(r for r in (Role.ADMIN, *ROLES) if may_call(r, kind, name))
    types = {a: arg.type for a, arg in definition.args.items()}
    return Case(name, PRINCIPALS[role], document, base, slots, mutation, types)


def published() -> list[Path]:
    return sorted(PERSISTED_DIR.glob("*.graphql"))


def published_case(path: Path) -> Case:
    """A partner's published operation: only its variables can carry a payload."""
    document = path.read_text()
    operation = next(
        d for d in parse(document).definitions if isinstance(d, OperationDefinitionNode)
    )
    definitions: list[VariableDefinitionNode] = list(operation.variable_definitions or ())
    types = {d.variable.name.value: type_from_ast(GQL, d.type) for d in definitions}
    base = {
        n: sample_value(t, n, "partner", False)  # type: ignore[arg-type]
        for n, t in types.items()
        if isinstance(t, GraphQLNonNull)
        and next(d for d in definitions if d.variable.name.value == n).default_value is None
    }
    slots = [s for n, t in types.items() for s in slots_of(n, t, (n,))]
    principal = PRINCIPALS[Role.PARTNER]
    return Case(f"partner:{path.stem}", principal, document, base, slots, False, types)


def injection_cases() -> list[Case]:
    cases = [field_case(kind, name) for kind, name, _ in root_fields()]
    cases += [published_case(p) for p in published()]
    return [c for c in cases if c.slots]


def payloads_for(
    case_index: int, slot_index: int, identifier: bool, search: bool = False
) -> list[str]:
    """CORE, and a share of the rest: every PAYLOADS entry reaches a slot in several
    fields, and the rotation is fixed (case and slot positions), so runs repeat. An ID
    also gets the core payloads wrapped as a global id (what `node(id:)` decodes); a
    full-text search gets every full-text payload."""
    rest = [p for p in PAYLOADS if p not in CORE]
    share = SHARE
    start = (case_index * 7 + slot_index * share) % len(rest)
    chosen = CORE + [rest[(start + i) % len(rest)] for i in range(share)]
    if identifier:
        chosen += [to_global_id("Customer", p) for p in CORE]
    if search:
        chosen += [p for p in FULLTEXT if p not in chosen]
    return chosen


SHARE = 24  # entries of the rest per slot, besides CORE


def with_payload(
    case: Case, base: dict[str, Any], slot: tuple[Any, ...], payload: str
) -> dict[str, Any]:
    """A copy of the variables with the payload at the slot; an input object made on the
    way gets its required fields (so only the payload can be wrong)."""
    variables: dict[str, Any] = dict(base)
    container: Any = variables
    type_: Any = case.types[slot[0]]
    name = str(slot[0])
    for step, following in zip(slot, (*slot[1:], None), strict=True):
        if isinstance(step, str) and step != slot[0]:
            type_ = get_nullable_type(type_).fields[step].type
            name = step
        elif isinstance(step, int):
            type_ = get_nullable_type(type_).of_type
        if following is None:
            if isinstance(container, list):
                container[:] = [payload]
            else:
                container[step] = payload
            break
        current = container[0] if isinstance(container, list) and container else None
        if isinstance(container, dict):
            current = container.get(step)
        if isinstance(current, list | dict):
            fresh = type(current)(current)
        else:
            fresh = sample_value(type_, name, case.field, case.mutation)
            if isinstance(fresh, list):
                fresh = [None]
        if isinstance(container, list):
            container[:] = [fresh]
        else:
            container[step] = fresh
        container = fresh
    return variables


def slot_name(slot: tuple[Any, ...]) -> str:
    return ".".join(str(s) for s in slot if not isinstance(s, int))


def is_identifier(case: Case, slot: tuple[Any, ...]) -> bool:
    type_: Any = case.types[slot[0]]
    for step in slot[1:]:
        nullable = get_nullable_type(type_)
        type_ = nullable.of_type if isinstance(step, int) else nullable.fields[step].type
    return get_named_type(type_).name == "ID"


DOMAIN = list(NODE_LABELS)
SYSTEM = list(SYSTEM_LABELS)


async def domain_graph(store: GraphStore) -> tuple[list[Any], list[Any]]:
    """Every domain node with all its properties, and every relationship (to anything)
    with its ends and properties, sorted: equal exactly when nothing changed."""
    nodes = await store.read(
        "MATCH (n) WHERE any(l IN labels(n) WHERE l IN $labels) "
        "RETURN labels(n) AS labels, properties(n) AS p",
        {"labels": DOMAIN},
    )
    rels = await store.read(
        "MATCH (s)-[r]->(t) RETURN type(r) AS type, labels(s) AS sl, s.id AS s, "
        "labels(t) AS tl, t.id AS t, properties(r) AS p"
    )
    return (
        sorted(repr((sorted(n["labels"]), sorted(n["p"].items()))) for n in nodes),
        sorted(
            repr(
                (
                    r["type"],
                    sorted(r["sl"]),
                    r["s"],
                    sorted(r["tl"]),
                    r["t"],
                    sorted(r["p"].items()),
                )
            )
            for r in rels
        ),
    )


async def take_system_nodes(store: GraphStore) -> list[dict[str, Any]]:
    """The hub's own records written since the last call (then removed, so the next call
    sees only the next case's)."""
    rows = await store.read(
        "MATCH (n) WHERE any(l IN labels(n) WHERE l IN $labels) "
        "RETURN labels(n) AS labels, properties(n) AS p",
        {"labels": SYSTEM},
    )
    if rows:
        await store.write(
            "MATCH (n) WHERE any(l IN labels(n) WHERE l IN $labels) DETACH DELETE n",
            {"labels": SYSTEM},
        )
    return rows


def strings_in(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list | tuple):
        for item in value:
            yield from strings_in(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings_in(item)


# System properties holding a write as JSON (graph/mutations.py): checked value by value.
JSON_PROPERTIES = {
    ("OutboxEvent", "payload"),
    ("IdempotencyKey", "result"),
    ("Audience", "rule"),  # the saved rule, as given
}


def stored_strings(record: dict[str, Any]) -> Iterator[str]:
    """Every string a system node stores, JSON properties read as the values they hold."""
    for name, value in record["p"].items():
        if any((label, name) in JSON_PROPERTIES for label in record["labels"]):
            value = orjson.loads(value)
        yield from strings_in(value)


def mangled(stored: str, payload: str) -> bool:
    """A stored string that is the payload cut, unescaped or otherwise rewritten (beyond
    trimming the ends) rather than kept as it came."""
    if stored in (payload, payload.strip()) or len(payload.strip()) < 4:
        return False
    core = payload.strip()
    return (core in stored) or (len(stored) >= 4 and stored in payload)


CASES = injection_cases()

# Mutations that create what they name (an unknown customer): with the absent id they
# write, as they should, so each payload is checked where it lands (stored as given, or
# refused) instead of by the domain graph staying as it was.
CREATES = {"upsertCustomer"}


async def created_strings(sample: Any) -> list[str]:
    """The string properties of the customer a creating mutation made under ABSENT_ID."""
    rows = await sample.inner.read(
        "MATCH (c:Customer {id: $id}) RETURN properties(c) AS p", {"id": ABSENT_ID}
    )
    return [v for row in rows for v in strings_in(row["p"])]


async def exists(sample: Any, payload: str) -> bool:
    """A node has the payload, trimmed, as its id."""
    rows = await sample.inner.read(
        "MATCH (n) WHERE n.id = $id RETURN count(n) AS n", {"id": payload.strip()}
    )
    return bool(rows[0]["n"])


def test_every_root_field_with_a_string_argument_is_injected_into():
    """The walk finds what the schema has: every String/ID argument of every root field
    (input objects' fields too) is a slot, and there are the ones we know of."""
    covered = {(c.field, slot_name(s)) for c in CASES for s in c.slots}
    for _, name, definition in root_fields():
        for a, arg in definition.args.items():
            for slot in slots_of(a, arg.type, (a,)):
                assert (name, slot_name(slot)) in covered
    assert {("customer", "id"), ("customers", "filter.search"), ("customers", "after"),
            ("customerByIdentity", "identity.email"), ("createApiKey", "input.name"),
            ("audienceOverlapMatrix", "brands")} <= covered  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=[c.field for c in CASES])
async def test_injection_payloads_are_data_and_leave_the_graph_as_it_was(sample, case: Case):
    index = CASES.index(case)
    before = await domain_graph(sample.inner)
    await take_system_nodes(sample.inner)
    # The base case works (or is refused with a code): the payloads then vary one place.
    baseline = await execute(sample, case.document, case.principal, **case.base)
    assert set(codes(baseline)) <= OK_CODES, baseline.errors
    # What the hub stores whatever the input (who asked, the kind of read...).
    known = {case.principal.subject, case.principal.role.value, "Injection"}
    for record in await take_system_nodes(sample.inner):
        known.update(stored_strings(record))
    failures: list[str] = []
    sent = 0
    for slot_index, slot in enumerate(case.slots):
        search = slot_name(slot).endswith("search")
        for payload in payloads_for(index, slot_index, is_identifier(case, slot), search):
            base = {**case.base, **COMPANIONS.get((case.field, slot_name(slot)), {})}
            variables = with_payload(case, base, slot, payload)
            # An id with spaces around it is that id (ids are trimmed): a mutation naming
            # a real customer that way writes (or erases), as it should.
            names_real = (
                case.mutation and payload != payload.strip() and await exists(sample, payload)
            )
            held = set(await created_strings(sample)) if case.field in CREATES else set()
            result = await execute(sample, case.document, case.principal, **variables)
            sent += 1
            where = f"{case.field}({slot_name(slot)}) <- {payload[:60]!r}"
            for error in result.errors or ():
                code = (error.extensions or {}).get("code")
                if code not in OK_CODES or error.message == MASKED:
                    failures.append(f"{where}: {code} {error.message[:120]!r}")
            # The input's own field names (an outbox event names the fields it changed).
            vocabulary = known | {part for part in slot if isinstance(part, str)}
            for record in await take_system_nodes(sample.inner):
                for value in stored_strings(record):
                    if value not in vocabulary and mangled(value, payload):
                        failures.append(f"{where}: {record['labels']} stored {value[:60]!r}")
            if case.field in CREATES:
                for value in set(await created_strings(sample)) - held:
                    if value not in vocabulary and mangled(value, payload):
                        failures.append(f"{where}: the customer holds {value[:60]!r}")
            if names_real or case.field in CREATES:
                before = await domain_graph(sample.inner)
        after = await domain_graph(sample.inner)
        if after != before:
            failures.append(f"{case.field}({slot_name(slot)}) changed the domain graph")
            before = after
    assert failures == [], f"{len(failures)} of {sent} cases:\n" + "\n".join(failures[:40])


def test_the_corpus_is_shared_out_to_every_payload():
    """Each payload of the corpus reaches at least one slot; the rotation is fixed."""
    reached: set[str] = set()
    for index, case in enumerate(CASES):
        for slot_index, _ in enumerate(case.slots):
            reached.update(payloads_for(index, slot_index, identifier=False))
    assert set(PAYLOADS) <= reached
    assert payloads_for(3, 1, False) == payloads_for(3, 1, False)


def test_the_corpus_holds_distinct_strings():
    assert len(set(PAYLOADS)) == len(PAYLOADS)
    assert set(CORE) <= set(PAYLOADS)
