"""The request guard: what a principal may ask, checked after validation and before any
resolver runs (so a refused request costs no database call), and the audit entry written
after execution, before the response leaves.

Per role (resolvers/access.py): allowed root fields, introspection, depth, aliases, tokens
and cost; partner keys may run only the published operations (schema/persisted/).
"""

import functools
import hashlib
import time
import uuid
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graphql import (
    ExecutionResult as GraphQLExecutionResult,
)
from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_list_type,
    parse,
    print_ast,
)
from graphql.utilities import get_operation_ast
from strawberry.extensions import SchemaExtension

from graph.audit import INSERT_AUDIT_ENTRY
from resolvers.access import MAX_TOKENS_ANY_ROLE, ROLE_LIMITS, Limits, may_call
from resolvers.context import Context
from resolvers.errors import ErrorCode
from resolvers.principal import Principal, Role

PERSISTED_DIR = Path(__file__).with_name("persisted")
DEFAULT_PAGE = 20  # the page size of a connection asked without `first`
LIST_ESTIMATE = 10  # items assumed for a plain list field (identities, tags...)
INTROSPECTION_TYPES = {"__schema": "__Schema", "__type": "__Type"}


def document_hash(document: Any) -> str:
    """sha256 of the document in graphql-core's canonical print: spacing and comments do
    not matter, any other change does."""
    return hashlib.sha256(print_ast(document).encode()).hexdigest()


@functools.cache
def persisted_operations(directory: Path = PERSISTED_DIR) -> frozenset[str]:
    """Hashes of the published operations: one `.graphql` file each."""
    return frozenset(document_hash(parse(p.read_text())) for p in directory.glob("*.graphql"))


@dataclass
class SchemaHolder:
    """The graphql-core schema, set once the Strawberry schema is built."""

    schema: GraphQLSchema | None = None


@dataclass
class Shape:
    depth: int = 0
    aliases: int = 0
    cost: int = 0
    roots: list[str] = field(default_factory=list)


class _Measure:
    def __init__(
        self, schema: GraphQLSchema, fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any], limits: Limits,
    ) -> None:  # fmt: skip
        self.schema, self.fragments, self.variables = schema, fragments, variables
        self.limits = limits
        self.shape = Shape()

    def root(self, operation: OperationDefinitionNode) -> Shape:
        root_type = self.schema.get_root_type(operation.operation)
        assert root_type is not None  # validation has checked the operation type exists
        for name in self._field_names(operation.selection_set, root_type, ()):
            self.shape.roots.append(name)
        self.shape.cost = self._cost(operation.selection_set, root_type, 1, ())
        return self.shape

    def _field_names(
        self, selections: SelectionSetNode, parent: GraphQLObjectType, seen: tuple[str, ...]
    ) -> Iterator[str]:
        for node, _ in self._fields(selections, parent, seen):
            yield node.name.value

    def _fields(
        self, selections: SelectionSetNode, parent: GraphQLObjectType, seen: tuple[str, ...]
    ) -> Iterator[tuple[FieldNode, GraphQLObjectType]]:
        """The fields of a selection set with fragments expanded (each spread once per path:
        validation has already refused cycles; this only keeps a bad document finite)."""
        for selection in selections.selections:
            if isinstance(selection, FieldNode):
                yield selection, parent
            elif isinstance(selection, InlineFragmentNode):
                cond = selection.type_condition
                target = self.schema.get_type(cond.name.value) if cond else parent
                yield from self._fields(selection.selection_set, target or parent, seen)  # type: ignore[arg-type]
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in seen:
                    continue
                target = self.schema.get_type(fragment.type_condition.name.value)
                yield from self._fields(fragment.selection_set, target or parent, (*seen, name))  # type: ignore[arg-type]

    def _cost(
        self, selections: SelectionSetNode, parent: GraphQLObjectType, depth: int,
        seen: tuple[str, ...],
    ) -> int:  # fmt: skip
        self.shape.depth = max(self.shape.depth, depth)
        total = 0
        for node, owner in self._fields(selections, parent, seen):
            if node.alias is not None:
                self.shape.aliases += 1
            total += 1
            if node.selection_set is None:
                continue
            child = self._child_type(owner, node.name.value)
            if child is None:
                continue
            multiplier = self._multiplier(owner, node)
            total += multiplier * self._cost(node.selection_set, child, depth + 1, seen)
            if total > self.limits.max_cost * 10 or self.shape.depth > 100:
                return total  # already far over: stop walking a bomb
        return total

    def _child_type(self, owner: Any, name: str) -> Any:
        if name in INTROSPECTION_TYPES:
            return self.schema.get_type(INTROSPECTION_TYPES[name])
        fields = getattr(owner, "fields", None)
        definition = fields.get(name) if fields else None
        return get_named_type(definition.type) if definition else None

    def _multiplier(self, owner: Any, node: FieldNode) -> int:
        for argument in node.arguments or ():
            if argument.name.value == "first":
                value = argument.value
                if isinstance(value, IntValueNode):
                    return max(1, int(value.value))
                if isinstance(value, VariableNode):
                    given = self.variables.get(value.name.value)
                    return max(1, given) if isinstance(given, int) else DEFAULT_PAGE
        definition = getattr(owner, "fields", {}).get(node.name.value)
        if definition is None:
            return 1
        named = get_named_type(definition.type)
        if named.name.endswith("Connection"):
            return DEFAULT_PAGE
        if is_list_type(get_nullable_type(definition.type)) and not owner.name.endswith(
            "Connection"
        ):
            return LIST_ESTIMATE
        return 1


def _error(message: str, code: ErrorCode, **details: Any) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code.value, **details})


# Codes for errors graphql-core raises itself (parse and validation), so every error has one.
def _code_of(error: GraphQLError) -> str:
    message = error.message
    if message.startswith("Document contains more than"):
        return ErrorCode.LIMIT_EXCEEDED.value
    if message.startswith("Syntax Error"):
        return "GRAPHQL_PARSE_FAILED"
    if error.original_error is None:
        return "GRAPHQL_VALIDATION_FAILED"
    return ErrorCode.INTERNAL.value


class RequestGuard(SchemaExtension):
    def __init__(self, holder: SchemaHolder) -> None:
        self.holder = holder

    def _principal(self) -> Principal | None:
        context = self.execution_context.context
        return context.principal if isinstance(context, Context) else None

    def on_operation(self) -> Iterator[None]:
        principal = self._principal()
        limits = ROLE_LIMITS[principal.role] if principal else None
        self.execution_context.parse_options["max_tokens"] = (
            limits.max_tokens if limits else MAX_TOKENS_ANY_ROLE
        )
        yield
        result = self.execution_context.result
        if result is not None and result.errors:
            result.errors = [self._with_code(e) for e in result.errors]

    @staticmethod
    def _with_code(error: GraphQLError) -> GraphQLError:
        if error.extensions and "code" in error.extensions:
            return error
        return GraphQLError(
            error.message, nodes=error.nodes, path=error.path, original_error=error.original_error,
            extensions={**(error.extensions or {}), "code": _code_of(error)},
        )  # fmt: skip

    def _refusal(self) -> GraphQLError | None:
        """Why the validated document may not run for this principal, or None."""
        ec = self.execution_context
        principal = self._principal()
        if principal is None:
            return _error("no principal", ErrorCode.FORBIDDEN)
        assert ec.graphql_document is not None
        return self._check(principal, ec.graphql_document, ec.operation_name, ec.variables)

    def _check(
        self, principal: Principal, document: Any, operation_name: str | None,
        variables: Mapping[str, Any] | None,
    ) -> GraphQLError | None:  # fmt: skip
        limits = ROLE_LIMITS[principal.role]
        if principal.role is Role.PARTNER and document_hash(document) not in (
            persisted_operations()
        ):
            return _error(
                "partner keys may run only the published operations (docs/partner.md)",
                ErrorCode.FORBIDDEN,
            )
        operation = get_operation_ast(document, operation_name)
        schema = self.holder.schema
        if operation is None or schema is None:
            return None  # validation has said why
        fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        shape = _Measure(schema, fragments, variables or {}, limits).root(operation)
        kind = operation.operation.value
        for name in shape.roots:
            if name == "__typename":
                continue
            if name in INTROSPECTION_TYPES:
                if not limits.introspection:
                    return _error(
                        f"introspection is off for the {principal.role} role", ErrorCode.FORBIDDEN
                    )
                continue
            if not may_call(principal.role, kind, name):
                return _error(
                    f"the {principal.role} role may not run {kind} field {name!r}",
                    ErrorCode.FORBIDDEN, field=name,
                )  # fmt: skip
        for what, value, limit in (
            ("depth", shape.depth, limits.max_depth),
            ("aliases", shape.aliases, limits.max_aliases),
            ("cost", shape.cost, limits.max_cost),
        ):
            if value > limit:
                return _error(
                    f"the query's {what} ({value}) is over the {principal.role} role's "
                    f"limit of {limit}",
                    ErrorCode.LIMIT_EXCEEDED, limit=what,
                )  # fmt: skip
        return None

    async def on_execute(self) -> AsyncIterator[None]:
        # Runs after validation, before any resolver: a result set here is returned
        # instead of executing (Strawberry's schema.execute skips execution then).
        refusal = self._refusal()
        if refusal is not None:
            self.execution_context.result = GraphQLExecutionResult(data=None, errors=[refusal])
            yield
            return
        yield
        context = self.execution_context.context
        if not isinstance(context, Context) or context.audit.empty:
            return
        # Written before the response leaves: if it fails, the request fails (no
        # customer data goes out unrecorded).
        trail, principal = context.audit, context.principal
        await context.store.write(
            INSERT_AUDIT_ENTRY,
            {
                "id": uuid.uuid4().hex, "at": int(time.time() * 1000),
                "subject": principal.subject, "role": principal.role.value,
                "partner_id": principal.partner_brand_id, "purpose": trail.purpose,
                "query_hash": hashlib.sha256(
                    (self.execution_context.query or "").encode()
                ).hexdigest(),
                "operation": self.execution_context.operation_name,
                "kinds": sorted(trail.kinds), "customer_ids": sorted(trail.customer_ids),
            },
        )  # fmt: skip
