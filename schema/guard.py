"""The request guard: what a principal may ask, checked after validation and before any
resolver runs (so a refused request costs no database call), and the audit entry written
after execution, before the response leaves.

Per role (resolvers/access.py): allowed root fields, introspection, depth, aliases, tokens
and cost; partner keys may run only the published operations (schema/persisted/).
"""

import functools
import hashlib
import re
from collections import OrderedDict
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
    GraphQLEnumType,
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    Undefined,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_abstract_type,
    is_list_type,
    parse,
    print_ast,
)
from graphql.utilities import get_operation_ast, value_from_ast_untyped
from strawberry.exceptions import StrawberryInputCoercionError
from strawberry.extensions import SchemaExtension

from resolvers.access import (
    MAX_TOKENS_ANY_ROLE,
    ROLE_LIMITS,
    WORK_COSTS,
    Limits,
    may_call,
    work_cost,
)
from resolvers.audit import write_entry
from resolvers.context import Context
from resolvers.errors import ApiError, ErrorCode
from resolvers.partner_usage import check_quota
from resolvers.principal import Principal, Role
from resolvers.text import unsendable
from schema.literals import unsendable_literal

PERSISTED_DIR = Path(__file__).with_name("persisted")
DEFAULT_PAGE = 20  # the page size of a connection asked without `first`
LIST_ESTIMATE = 10  # items assumed for a plain list field (identities, tags...)
INTROSPECTION_TYPES = {"__schema": "__Schema", "__type": "__Type"}
MAX_WALK_DEPTH = 100  # deeper than any role's limit: the measure stops walking there
# Partner fields that match a list: they count against the partner's daily list matches.
LIST_FIELDS = re.compile(r"\blist(Match|Members|Aggregates)\b")


def document_hash(document: Any) -> str:
    """sha256 of the document in graphql-core's canonical print: spacing and comments do
    not matter, any other change does."""
    return hashlib.sha256(print_ast(document).encode()).hexdigest()


@functools.cache
def persisted_operations(directory: Path = PERSISTED_DIR) -> frozenset[str]:
    """Hashes of the published operations: one `.graphql` file each."""
    return frozenset(document_hash(parse(p.read_text())) for p in directory.glob("*.graphql"))


def app_operations(directory: Path | None) -> frozenset[str] | None:
    """Hashes of the operations app keys may run, from ``directory`` (one `.graphql` file
    each); None (any operation) without one. Raises ValueError for a directory that holds
    none, or a file that does not parse (the hub would refuse every app request)."""
    if directory is None:
        return None
    try:
        hashes = persisted_operations(directory)
    except GraphQLError as e:
        raise ValueError(f"{directory}: an operation does not parse: {e.message}") from e
    if not hashes:
        raise ValueError(f"{directory} holds no .graphql operations")
    return hashes


@functools.cache
def introspection_sizes(schema: GraphQLSchema) -> dict[tuple[str, str], int]:
    """How many items the introspection lists hold in this schema: all the types, and
    per type or field the mean (rounded up) of its fields, arguments, enum values... so
    walking every type costs about what it does, not 10 items a list."""
    types = list(schema.type_map.values())

    def mean(counts: list[int]) -> int:
        return max(1, -(-sum(counts) // len(counts))) if counts else 1

    outputs = [t for t in types if isinstance(t, GraphQLObjectType | GraphQLInterfaceType)]
    fields = [f for t in outputs for f in t.fields.values()]
    return {
        ("__Schema", "types"): len(types),
        ("__Schema", "directives"): len(schema.directives),
        ("__Type", "fields"): mean([len(t.fields) for t in outputs]),
        ("__Type", "interfaces"): mean([len(t.interfaces) for t in outputs]),
        ("__Type", "possibleTypes"): mean(
            [len(schema.get_possible_types(t)) for t in types if is_abstract_type(t)]
        ),
        ("__Type", "enumValues"): mean(
            [len(t.values) for t in types if isinstance(t, GraphQLEnumType)]
        ),
        ("__Type", "inputFields"): mean(
            [len(t.fields) for t in types if isinstance(t, GraphQLInputObjectType)]
        ),
        ("__Field", "args"): mean([len(f.args) for f in fields]),
        ("__Directive", "args"): mean([len(d.args) for d in schema.directives]),
    }


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
    """Depth, aliases, cost and root fields of one operation (the Limits of
    resolvers/access.py). A fragment is measured once per depth it is spread at, so a
    document whose fragments spread one another many times over ("billion laughs") costs
    its own size to measure, not the size of its expansion. Introspection (`__schema`,
    `__type`) adds to aliases and cost but not to depth: it never reaches the graph, and
    graphql-core's MaxIntrospectionDepthRule bounds its nesting (the standard introspection
    query of GraphiQL and codegen tools nests 15 deep)."""

    def __init__(
        self, schema: GraphQLSchema, fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any], limits: Limits,
    ) -> None:  # fmt: skip
        self.schema, self.fragments, self.variables = schema, fragments, variables
        self.limits = limits
        self.shape = Shape()
        # Whether the measure read a variable's value: if not, it depends on the document
        # alone and is kept for the next request with the same text (see _measured).
        self.read_variables = False
        # (fragment, depth, inside introspection) -> (cost, deepest level, aliases)
        self._spreads: dict[tuple[str, int, bool], tuple[int, int, int]] = {}
        self._spread_names: dict[str, dict[str, None]] = {}

    def root(self, operation: OperationDefinitionNode) -> Shape:
        root_type = self.schema.get_root_type(operation.operation)
        assert root_type is not None  # validation has checked the operation type exists
        # A variable the request leaves out takes the operation's default.
        self.variables = {
            **{
                d.variable.name.value: value_from_ast_untyped(d.default_value)
                for d in operation.variable_definitions or ()
                if d.default_value is not None
            },
            **self.variables,
        }
        roots = self._names(operation.selection_set, ())
        cost, depth, aliases = self._selection(operation.selection_set, root_type, 1, (), False)
        self.shape = Shape(depth=depth, aliases=aliases, cost=cost, roots=list(roots))
        return self.shape

    def _names(self, selections: SelectionSetNode, seen: tuple[str, ...]) -> dict[str, None]:
        """The field names of a selection set, fragments expanded, in order, once each."""
        names: dict[str, None] = {}
        for selection in selections.selections:
            if isinstance(selection, FieldNode):
                names[selection.name.value] = None
            elif isinstance(selection, InlineFragmentNode):
                names.update(self._names(selection.selection_set, seen))
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in seen:
                    continue  # validation refuses both; this only keeps the walk finite
                if name not in self._spread_names:
                    self._spread_names[name] = self._names(fragment.selection_set, (*seen, name))
                names.update(self._spread_names[name])
        return names

    def _selection(
        self, selections: SelectionSetNode, parent: Any, depth: int, seen: tuple[str, ...],
        introspection: bool,
    ) -> tuple[int, int, int]:  # fmt: skip
        """(cost, deepest level, aliases) of a selection set at ``depth``."""
        cost, deepest, aliases = 0, depth, 0
        if depth > MAX_WALK_DEPTH:
            return cost, deepest, aliases  # far over any limit: stop walking a bomb
        for selection in selections.selections:
            if isinstance(selection, FieldNode):
                aliases += selection.alias is not None
                cost += 1 + self._work(parent, selection)
                if selection.selection_set is None:
                    continue
                child = self._child_type(parent, selection.name.value)
                if child is None:
                    continue
                inside = introspection or selection.name.value in INTROSPECTION_TYPES
                c, d, a = self._selection(selection.selection_set, child, depth + 1, seen, inside)
                cost += self._multiplier(parent, selection) * c
                deepest = deepest if inside else max(deepest, d)
                aliases += a
            elif isinstance(selection, InlineFragmentNode):
                cond = selection.type_condition
                target = self.schema.get_type(cond.name.value) if cond else parent
                c, d, a = self._selection(
                    selection.selection_set, target or parent, depth, seen, introspection
                )
                cost, deepest, aliases = cost + c, max(deepest, d), aliases + a
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in seen:
                    continue  # validation refuses both; this only keeps the walk finite
                key = (name, depth, introspection)
                if key not in self._spreads:
                    target = self.schema.get_type(fragment.type_condition.name.value)
                    self._spreads[key] = self._selection(
                        fragment.selection_set, target or parent, depth, (*seen, name),
                        introspection,
                    )  # fmt: skip
                c, d, a = self._spreads[key]
                cost, deepest, aliases = cost + c, max(deepest, d), aliases + a
        return cost, deepest, aliases

    def _work(self, owner: Any, node: FieldNode) -> int:
        """The cost of a root query field's work in the hub (resolvers/access.py
        work_cost), from its arguments as written, from variables or schema defaults."""
        query = self.schema.query_type
        if query is None or owner is not query or node.name.value not in WORK_COSTS:
            return 0
        definition = query.fields.get(node.name.value)
        if definition is None:
            return 0
        self.read_variables = self.read_variables or bool(node.arguments)
        arguments = {
            name: arg.default_value
            for name, arg in definition.args.items()
            if arg.default_value is not Undefined
        }
        for argument in node.arguments or ():
            value = value_from_ast_untyped(argument.value, dict(self.variables))
            arguments[argument.name.value] = value
        return work_cost(node.name.value, arguments)

    def _child_type(self, owner: Any, name: str) -> Any:
        if name in INTROSPECTION_TYPES:
            return self.schema.get_type(INTROSPECTION_TYPES[name])
        fields = getattr(owner, "fields", None)
        definition = fields.get(name) if fields else None
        return get_named_type(definition.type) if definition else None

    def _first(self, node: FieldNode, definition: Any) -> int | None:
        """The page size asked: `first` as written, from a variable (or its default), or
        the argument's default in the schema; None when the field has no `first`."""
        for argument in node.arguments or ():
            if argument.name.value == "first":
                value = argument.value
                if isinstance(value, IntValueNode):
                    return int(value.value)
                if isinstance(value, VariableNode):
                    self.read_variables = True
                    given = self.variables.get(value.name.value)
                    return given if isinstance(given, int) else DEFAULT_PAGE
        first = definition.args.get("first") if definition is not None else None
        if first is not None and isinstance(first.default_value, int):
            return int(first.default_value)
        return None

    def _multiplier(self, owner: Any, node: FieldNode) -> int:
        if owner.name.startswith("__"):
            size = introspection_sizes(self.schema).get((owner.name, node.name.value))
            if size is not None:
                return size
        definition = getattr(owner, "fields", {}).get(node.name.value)
        first = self._first(node, definition)
        if first is not None:
            return max(1, first)
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


# Measures that depend on the document alone, by (text, operation name): a client sends the
# same few documents over and over, with only ids in variables.
_MEASURES: "OrderedDict[tuple[GraphQLSchema, str, str | None], Shape]" = OrderedDict()
MEASURES_KEPT = 256


def _measured(
    schema: GraphQLSchema, document: Any, operation: OperationDefinitionNode,
    operation_name: str | None, variables: Mapping[str, Any], limits: Limits, text: str | None,
) -> Shape:  # fmt: skip
    """The operation's measure, kept by its text when no variable's value went into it."""
    key = (schema, text, operation_name) if text else None
    if key is not None and key in _MEASURES:
        _MEASURES.move_to_end(key)
        return _MEASURES[key]
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    measure = _Measure(schema, fragments, variables, limits)
    shape = measure.root(operation)
    if key is not None and not measure.read_variables:
        _MEASURES[key] = shape
        while len(_MEASURES) > MEASURES_KEPT:
            _MEASURES.popitem(last=False)
    return shape


def _error(message: str, code: ErrorCode, **details: Any) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code.value, **details})


def _unsendable_literal(document: Any) -> GraphQLError | None:
    """BAD_USER_INPUT naming the place of a string literal written with a NUL escape
    (`"\\u0000"`, which the raw text check cannot see), or None."""
    where = unsendable_literal(document)
    if where is None:
        return None
    return _error(
        f"strings may not hold NUL characters or lone surrogates (at {where})",
        ErrorCode.BAD_USER_INPUT, argument=where,
    )  # fmt: skip


# Codes for errors graphql-core raises itself (parse and validation), so every error has one.
def _code_of(error: GraphQLError) -> str:
    message = error.message
    if "Document contains more than" in message or "nesting" in message.lower():
        return ErrorCode.LIMIT_EXCEEDED.value
    if message.startswith("Syntax Error"):
        return "GRAPHQL_PARSE_FAILED"
    if error.original_error is None:
        return "GRAPHQL_VALIDATION_FAILED"
    if isinstance(error.original_error, GraphQLError | StrawberryInputCoercionError):
        return ErrorCode.BAD_USER_INPUT.value  # a variable or input of the wrong type
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
        if unsendable(ec.query or "") or unsendable(ec.variables or {}):
            return _error(
                "strings may not hold NUL characters or lone surrogates",
                ErrorCode.BAD_USER_INPUT,
            )
        # A literal can hold a NUL or a lone surrogate only through a `\\u` escape (the raw
        # text was checked above): without one, the document's walk is skipped.
        if ec.query is None or "\\u" in ec.query:
            refusal = _unsendable_literal(ec.graphql_document)
            if refusal is not None:
                return refusal
        allowed = ec.context.app_operations if isinstance(ec.context, Context) else None
        if (
            principal.role is Role.APP
            and allowed is not None
            and document_hash(ec.graphql_document) not in allowed
        ):
            return _error(
                "app keys may run only the operations on the hub's allow-list "
                "(HUB_APP_OPERATIONS_DIR; docs/security.md)",
                ErrorCode.FORBIDDEN,
            )
        return self._check(
            principal, ec.graphql_document, ec.operation_name, ec.variables, ec.query
        )

    def _check(
        self, principal: Principal, document: Any, operation_name: str | None,
        variables: Mapping[str, Any] | None, text: str | None = None,
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
        shape = _measured(
            schema, document, operation, operation_name, variables or {}, limits, text
        )
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

    async def _over_quota(self) -> GraphQLError | None:
        """QUOTA_EXCEEDED when a partner has used up today's requests, or list matches for
        a document that matches a list: a list field, or a `listId` variable (insights of
        a list); resolvers/partner_usage.py. None otherwise. The same statement reads the
        partner's policy (allowed purposes and dimensions), which the resolvers enforce.
        A partner's mutation (rotating its own key) is not a pull: it runs over quota, so a
        partner whose leaked key is spent by someone else can still replace it."""
        context = self.execution_context.context
        document = self.execution_context.graphql_document
        if not isinstance(context, Context) or document is None:
            return None
        partner = context.principal.partner_brand_id
        if context.principal.role is not Role.PARTNER or partner is None:
            return None
        operation = get_operation_ast(document, self.execution_context.operation_name)
        if operation is not None and operation.operation.value == "mutation":
            return None
        variables = self.execution_context.variables or {}
        matches = LIST_FIELDS.search(print_ast(document)) is not None or bool(
            variables.get("listId")
        )  # insights of a list match it too
        try:
            context.partner_policy = await check_quota(
                context.store, partner, context.partner_quotas, matches
            )
        except ApiError as e:
            return e
        return None

    async def on_execute(self) -> AsyncIterator[None]:
        # Runs after validation, before any resolver: a result set here is returned
        # instead of executing (Strawberry's schema.execute skips execution then).
        refusal = self._refusal() or await self._over_quota()
        if refusal is not None:
            self.execution_context.result = GraphQLExecutionResult(data=None, errors=[refusal])
            yield
            return
        yield
        context = self.execution_context.context
        if not isinstance(context, Context) or context.audit.empty:
            return
        # Written before the response leaves: if it fails, the request fails (no
        # customer data goes out unrecorded). The ApiError it raises (with its code) ends
        # the operation, and Strawberry answers with it alone, without the data.
        await write_entry(
            context.store, context.principal, context.audit,
            self.execution_context.query or "", self.execution_context.operation_name,
            context.audit_batcher,
        )  # fmt: skip
