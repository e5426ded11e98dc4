"""A NUL written as an escape in the document (`"\\u0000"`) is refused like one in a
variable: BAD_USER_INPUT naming where it is, before any statement, on both engines.

The raw text holds no NUL there, only the parsed literal does. Every String and ID place of
every root field's arguments (found in the schema by test_hardening.py) gets the payload
as a literal, and as a variable's default value.
"""

from typing import Any

import pytest
from graphql import (
    REMOVE,
    ArgumentNode,
    BooleanValueNode,
    EnumValueNode,
    FloatValueNode,
    IntValueNode,
    ListValueNode,
    NameNode,
    NullValueNode,
    ObjectFieldNode,
    ObjectValueNode,
    OperationDefinitionNode,
    StringValueNode,
    ValueNode,
    VariableDefinitionNode,
    VariableNode,
    Visitor,
    get_nullable_type,
    parse,
    print_ast,
    visit,
)

from resolvers.errors import ErrorCode
from resolvers.principal import Role
from tests.integration.test_hardening import (
    MASKED,
    PRINCIPALS,
    Case,
    codes,
    execute,
    field_case,
    root_fields,
    sent,
    slot_name,
    with_payload,
)

NUL_PAYLOADS = ["\x00", "a\x00b"]


def literal(value: Any, type_: Any) -> ValueNode:
    """``value`` (a variable's value of ``type_``) written as a GraphQL literal."""
    nullable = get_nullable_type(type_)
    if value is None:
        return NullValueNode()
    if isinstance(value, list):
        item = getattr(nullable, "of_type", nullable)
        return ListValueNode(values=tuple(literal(v, item) for v in value))
    if isinstance(value, dict):
        return ObjectValueNode(
            fields=tuple(
                ObjectFieldNode(name=NameNode(value=k), value=literal(v, nullable.fields[k].type))
                for k, v in value.items()
            )
        )
    if isinstance(value, bool):
        return BooleanValueNode(value=value)
    if isinstance(value, int):
        return IntValueNode(value=str(value))
    if isinstance(value, float):
        return FloatValueNode(value=repr(value))
    if hasattr(nullable, "values"):  # an enum: its value's name
        return EnumValueNode(value=value)
    return StringValueNode(value=value)


class _Inline(Visitor):
    """Each variable replaced by its value as a literal; arguments whose variable has no
    value dropped, and the variable definitions with them."""

    def __init__(self, variables: dict[str, Any], types: dict[str, Any]) -> None:
        super().__init__()
        self.variables, self.types = variables, types

    def enter_variable_definition(self, *_: Any) -> Any:
        return REMOVE

    def enter_argument(self, node: ArgumentNode, *_: Any) -> Any:
        if not isinstance(node.value, VariableNode):
            return None
        name = node.value.name.value
        if name not in self.variables:
            return REMOVE
        value = literal(self.variables[name], self.types[name])
        return ArgumentNode(name=node.name, value=value)


def inlined(case: Case, variables: dict[str, Any]) -> str:
    """The case's document with every argument's value written in it."""
    return print_ast(visit(parse(case.document), _Inline(variables, case.types)))


class _Default(Visitor):
    """The variable ``name``'s definition given ``value`` as its default."""

    def __init__(self, name: str, value: ValueNode) -> None:
        super().__init__()
        self.name, self.value = name, value

    def enter_variable_definition(self, node: VariableDefinitionNode, *_: Any) -> Any:
        if node.variable.name.value != self.name:
            return None
        return VariableDefinitionNode(
            variable=node.variable, type=node.type, default_value=self.value, directives=()
        )


def with_default(case: Case, variables: dict[str, Any], name: str) -> tuple[str, dict[str, Any]]:
    """The case's document with the variable ``name`` defaulting to its value, and the
    other variables (``name`` left out, so the default applies)."""
    default = literal(variables[name], case.types[name])
    document = print_ast(visit(parse(case.document), _Default(name, default)))
    return document, {k: v for k, v in variables.items() if k != name}


CASES = [c for c in (field_case(kind, name) for kind, name, _ in root_fields()) if c.slots]


def assert_refused(result: Any, where: str, field: str) -> None:
    assert result.data is None, (where, result.data)
    assert codes(result) == [ErrorCode.BAD_USER_INPUT.value], (where, result.errors)
    message = result.errors[0].message
    assert message != MASKED
    assert "NUL" in message and field in message, (where, message)


def test_every_string_place_is_covered():
    covered = {(c.field, slot_name(s)) for c in CASES for s in c.slots}
    known = {
        ("customer", "id"), ("customers", "filter.search"), ("node", "id"),
        ("grantConsent", "input.source"), ("audienceOverlapMatrix", "brands"),
    }  # fmt: skip
    assert known <= covered
    assert len({c.field for c in CASES}) >= 11


@pytest.mark.parametrize("case", CASES, ids=[c.field for c in CASES])
async def test_a_nul_in_a_literal_is_bad_user_input_before_any_statement(store, case: Case):
    for slot in case.slots:
        for payload in NUL_PAYLOADS:
            variables = with_payload(case, dict(case.base), slot, payload)
            where = f"{case.field}({slot_name(slot)}) <- {payload!r}"
            document = inlined(case, variables)
            assert "\\u0000" in document and "\x00" not in document, document
            result = await execute(store, document, case.principal)
            assert_refused(result, where, f"{case.field}({slot_name(slot)})")
            document, rest = with_default(case, variables, str(slot[0]))
            result = await execute(store, document, case.principal, **rest)
            assert_refused(result, f"default of {where}", f"${slot_name(slot)}")
    assert sent(store) == []


async def test_the_valid_sibling_of_a_refused_field_does_not_run_either(store):
    """The whole request is refused (as with a variable): nothing half-done."""
    document = '{ brand(id: "b1") { name } customer(id: "c\\u{0}1") { name } }'
    result = await execute(store, document, PRINCIPALS[Role.APP])
    assert_refused(result, document, "customer(id)")
    assert sent(store) == []


def test_the_literal_writer_round_trips():
    """The documents the tests send hold the values they mean to send."""
    case = next(c for c in CASES if c.field == "customers")
    document = inlined(case, {"filter": {"search": "a\x00b"}, "first": 3})
    operation = parse(document).definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    assert not operation.variable_definitions
    assert 'filter: { search: "a\\u0000b" }' in document and "first: 3" in document
