"""String literals written in a document, checked like the variables are.

`"\\u0000"` in a document is an escape: the raw text holds no NUL, but the parsed literal
does, and it would reach a statement (the embedded engine cuts statement text there). The
request guard (schema/guard.py) refuses such a document before anything runs.
"""

from typing import Any

from graphql import (
    BREAK,
    ArgumentNode,
    DirectiveNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    ObjectFieldNode,
    StringValueNode,
    VariableDefinitionNode,
    Visitor,
    visit,
)

from resolvers.text import unsendable


class _FirstUnsendable(Visitor):
    """Finds the first string literal that holds a NUL or a lone surrogate, and where.
    (graphql-core's visit walks iteratively, so no nesting can exhaust the stack.)"""

    def __init__(self) -> None:
        super().__init__()
        self.where: str | None = None

    def enter_string_value(
        self, node: StringValueNode, _key: Any, parent: Any, _path: Any, ancestors: Any
    ) -> Any:
        if not unsendable(node.value):
            return None
        self.where = place([*ancestors, parent, node])
        return BREAK


def place(nodes: list[Any]) -> str:
    """Where the last of ``nodes`` (AST nodes and lists from the document down) sits, for
    people: `customer.purchases(filter.brand)` (field, then argument and input fields),
    `$input.name` (a variable's default), `customer @include(if)`, with `fragment F: ` in
    front inside a fragment."""
    head, directive = "", ""
    fields: list[str] = []
    argument: list[str] = []
    for node in nodes:
        if isinstance(node, FragmentDefinitionNode):
            head = f"fragment {node.name.value}: "
        elif isinstance(node, FieldNode):
            fields.append(node.name.value)
            directive, argument = "", []
        elif isinstance(node, DirectiveNode):
            directive, argument = f"@{node.name.value}", []
        elif isinstance(node, VariableDefinitionNode):
            argument = [f"${node.variable.name.value}"]
        elif isinstance(node, ArgumentNode | ObjectFieldNode):
            argument.append(node.name.value)
    target = " ".join(part for part in (".".join(fields), directive) if part)
    inner = ".".join(argument)
    return f"{head}{target}({inner})" if target else f"{head}{inner}"


def unsendable_literal(document: DocumentNode) -> str | None:
    """Where the first string literal of ``document`` (an argument's value, inside lists
    and input objects too, or a variable's default) holds a NUL character or a lone
    surrogate, or None when none does."""
    finder = _FirstUnsendable()
    visit(document, finder)
    return finder.where
