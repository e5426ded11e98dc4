"""A compiled executor for the queries the hub serves over and over (docs/api.md,
"Compiled execution").

graphql-core walks every field of every response in Python: for each one it looks the
field up, builds a resolve info, checks for arguments, calls Strawberry's wrapper (which
calls the default resolver), and dispatches the completion on the field's type through
half a dozen checks. On a customer-360 that walk is most of the hub's own time.

Here an operation is compiled once (per parsed document, which the parser cache keeps per
text, and per value of the variables its @skip/@include read) into closures, one per
field of the response, that know their field, type and completion in advance: a field
without a resolver of its own is an attribute read and a scalar's serialization; a field
with one (the plan's parts, Personal() data, arguments) calls the very resolver
graphql-core would, with the same info and arguments. Sibling fields and list items are
started and awaited as graphql-core does (concurrently, in the same order), so the
request's DataLoaders batch alike and it sends the same statements. Errors are located,
nulled and propagated by graphql-core's own handler, so a partial result is the same too.

What it does not compile runs on graphql-core, decided once per compiled operation:
mutations and subscriptions, introspection, abstract types (unions, interfaces), a type
with an `is_type_of` of its own, schema extensions that wrap resolvers (middleware),
@defer/@stream and fragment arguments, and executions with an abort signal.
"""

import logging
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter
from typing import Any, cast

from graphql import (
    DirectiveNode,
    FieldNode,
    GraphQLError,
    GraphQLField,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    OperationType,
    Undefined,
    VariableNode,
)
from graphql.execution.collect_fields import (
    FieldDetailsList,
    GroupedFieldSet,
    collect_fields,
    collect_subfields,
)
from graphql.execution.executor import invalid_return_type_error
from graphql.execution.values import get_argument_values
from graphql.pyutils import Path, gather_with_cancel, inspect, is_iterable
from graphql.type.definition import is_abstract_type
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

logger = logging.getLogger("hub.graphql")
COMPILED_KEPT = 256  # operations kept compiled (as many as the parser cache keeps documents)
STRAWBERRY = "strawberry-definition"  # where Strawberry keeps its definition on graphql types

# (executor, source, parent path) -> the field's completed value, or an awaitable of it
Runner = Callable[["CompiledExecutor", Any, Path | None], Any]
# (executor, resolved value, the value's path) -> completed value, or an awaitable of it
Completer = Callable[["CompiledExecutor", Any, Path], Any]


class Unsupported(Exception):
    """A part of an operation the compiler leaves to graphql-core (the message says what)."""


@dataclass
class ExecutionStats:
    """Operations run compiled, and those run on graphql-core, in this process; how many
    times an operation was compiled."""

    compiled: int = 0
    fell_back: int = 0
    compilations: int = 0


STATS = ExecutionStats()


class CompiledExecutor(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's executor, running compiled operations (when it can) without walking
    the response field by field through graphql-core."""

    def execute_operation(self, serially: bool | None = None) -> Any:
        """graphql-core's execute_operation, compiled; its own when the operation cannot
        be. Returns the ExecutionResult, or an awaitable of it."""
        compiled = _compiled(self) if serially is None else None
        if compiled is None:
            STATS.fell_back += 1
            return super().execute_operation(serially)
        STATS.compiled += 1
        self.arguments: dict[int, dict[str, Any]] = {}  # per field, read once per request
        try:
            data = compiled(self, self.root_value, None)
        except GraphQLError as error:
            self.collected_errors.add(error, None)
            return self.build_response(None)
        if not self.is_awaitable(data):
            return self.build_response(data)

        async def await_result() -> Any:
            try:
                awaited = await data
            except GraphQLError as error:
                self.collected_errors.add(error, None)
                return self.build_response(None)
            return self.build_response(awaited)

        return await_result()


# --- the cache --------------------------------------------------------------------------


@dataclass
class _Entry:
    """One operation's compilations, by the values of the variables its @skip/@include
    read (None: it cannot be compiled)."""

    schema: Any
    operation: Any
    conditions: tuple[str, ...]
    by_values: dict[tuple[Any, ...], Callable[..., Any] | None]


_COMPILED: "OrderedDict[tuple[int, int], _Entry]" = OrderedDict()


def _compiled(executor: CompiledExecutor) -> Callable[..., Any] | None:
    """The operation's compiled root, or None when graphql-core must run it."""
    if not _executes_plainly(executor):
        return None
    schema, operation = executor.schema, executor.operation
    # Keyed by identity: the parser cache hands out one document per text, and hashing a
    # document walks all of it. The entry holds both objects, so no id is reused meanwhile.
    key = (id(schema), id(operation))
    entry = _COMPILED.get(key)
    if entry is None or entry.schema is not schema or entry.operation is not operation:
        conditions = _condition_variables(executor)
        entry = _Entry(schema, operation, conditions, {})
        _COMPILED[key] = entry
        if len(_COMPILED) > COMPILED_KEPT:
            _COMPILED.popitem(last=False)
    else:
        _COMPILED.move_to_end(key)
    coerced = executor.variable_values.coerced
    values = tuple(coerced.get(name) for name in entry.conditions)
    if values not in entry.by_values:
        STATS.compilations += 1
        try:
            entry.by_values[values] = _Compiler(executor).operation()
        except Unsupported:
            entry.by_values[values] = None
        except Exception as e:  # a bug here must cost speed, never an answer
            logger.warning(
                "an operation did not compile (%s): graphql-core runs it", type(e).__name__
            )
            entry.by_values[values] = None
    return entry.by_values[values]


def _executes_plainly(executor: CompiledExecutor) -> bool:
    """No abort signal, no middleware wrapping resolvers, errors propagated: what the
    compiled closures assume of the request."""
    middleware = executor.middleware_manager
    return (
        executor.abort_signal is None
        and executor.error_propagation
        and (middleware is None or not middleware.middlewares)
    )


def _condition_variables(executor: CompiledExecutor) -> tuple[str, ...]:
    """The variables that @skip and @include read anywhere in the operation's document."""
    names: dict[str, None] = {}
    pending: list[Any] = [executor.operation.selection_set]
    pending += [f.selection_set for f in executor.fragment_definitions.values()]
    while pending:
        for selection in pending.pop().selections:
            for directive in selection.directives or ():
                names.update(_read_variables(directive))
            if getattr(selection, "selection_set", None) is not None:
                pending.append(selection.selection_set)
    return tuple(names)


def _read_variables(directive: DirectiveNode) -> dict[str, None]:
    return {
        argument.value.name.value: None
        for argument in directive.arguments or ()
        if isinstance(argument.value, VariableNode)
    }


# --- the compiler ---------------------------------------------------------------------


class _Compiler:
    """Compiles one operation of one executor's document, with that executor's values of
    the @skip/@include variables. Raises Unsupported."""

    def __init__(self, executor: CompiledExecutor) -> None:
        self.executor = executor

    def operation(self) -> Callable[..., Any]:
        ex = self.executor
        if ex.operation.operation is not OperationType.QUERY:
            raise Unsupported("only queries are compiled")
        root = ex.schema.query_type
        assert root is not None  # validation has checked the operation type exists
        grouped, defers, _ = collect_fields(
            ex.schema, ex.fragments, ex.variable_values, root, ex.operation, ex.hide_suggestions
        )
        if defers:
            raise Unsupported("@defer")
        if any(d.node.name.value in ("__schema", "__type") for ds in grouped.values() for d in ds):
            raise Unsupported("introspection")
        return self.selection(root, grouped)

    def selection(self, parent: GraphQLObjectType, grouped: GroupedFieldSet) -> Runner:
        fields: list[tuple[str, Runner, bool]] = []
        for key, details in grouped.items():
            run, may_await = self.field(parent, key, details)
            if run is not None:  # graphql-core leaves an unknown field out too
                fields.append((key, run, may_await))

        def execute_fields(ex: CompiledExecutor, source: Any, path: Path | None) -> Any:
            results: dict[str, Any] = {}
            pending: list[str] = []
            try:
                for key, run, may_await in fields:
                    result = results[key] = run(ex, source, path)
                    if may_await and ex.is_awaitable(result):
                        pending.append(key)
            except Exception:
                if pending:  # settle what siblings started, as graphql-core does
                    ex.settle_in_background([results[key] for key in pending])
                raise
            if not pending:
                return results

            async def get_results() -> dict[str, Any]:
                if len(pending) == 1:
                    results[pending[0]] = await results[pending[0]]
                else:
                    awaited = await gather_with_cancel(*(results[key] for key in pending))
                    results.update(zip(pending, awaited, strict=True))
                return results

            return get_results()

        return execute_fields

    def field(
        self, parent: GraphQLObjectType, key: str, details: FieldDetailsList
    ) -> tuple[Runner | None, bool]:
        """(runner, whether it may return an awaitable) of one response key."""
        node = details[0].node
        name = node.name.value
        if any(d.defer_usage is not None or d.fragment_variable_values for d in details):
            raise Unsupported("@defer or fragment arguments")
        if name == "__typename":
            type_name = parent.name
            return (lambda ex, source, path: type_name), False
        definition = parent.fields.get(name)
        if definition is None:
            return None, False
        site = _Site(key, parent, definition, details)
        complete, may_await = self.completer(definition.type, site)
        getter = _attribute_getter(definition)
        if getter is None or definition.args or node.arguments:
            return _resolving_runner(site, complete, may_await), True
        if may_await or not isinstance(_named(definition.type), GraphQLLeafType):
            return _reading_runner(site, getter, complete, may_await), may_await
        return _leaf_runner(site, getter, complete), False

    def completer(self, type_: GraphQLOutputType, site: "_Site") -> tuple[Completer, bool]:
        """(completer, whether it may return an awaitable) of a value of ``type_``."""
        if isinstance(type_, GraphQLNonNull):
            inner, may_await = self.completer(type_.of_type, site)
            message = f"Cannot return null for non-nullable field {site.parent}.{site.name}."

            def complete_non_null(ex: CompiledExecutor, value: Any, path: Path) -> Any:
                completed = inner(ex, value, path)
                if completed is None:
                    raise TypeError(message)
                return completed

            return complete_non_null, may_await
        if isinstance(type_, GraphQLList):
            return self.list_completer(type_, site), True
        if isinstance(type_, GraphQLLeafType):
            return _leaf_completer(type_), False
        if is_abstract_type(type_):
            raise Unsupported(f"abstract type {type_}")
        assert isinstance(type_, GraphQLObjectType)
        return self.object_completer(type_, site), True

    def object_completer(self, type_: GraphQLObjectType, site: "_Site") -> Completer:
        definition = type_.extensions.get(STRAWBERRY)
        if type_.is_type_of is not None and getattr(definition, "is_type_of", None) is not None:
            raise Unsupported(f"{type_} has an is_type_of of its own")
        # Strawberry's own is_type_of (types with interfaces) ignores the resolve info.
        is_type_of = cast(Callable[[Any, Any], Any] | None, type_.is_type_of)
        ex = self.executor
        grouped, defers, _ = collect_subfields(
            ex.schema, ex.fragments, ex.variable_values, ex.operation, type_, site.details,
            ex.hide_suggestions,
        )  # fmt: skip
        if defers:
            raise Unsupported("@defer")
        execute_fields = self.selection(type_, grouped)
        details = site.details

        def complete_object(ex: CompiledExecutor, value: Any, path: Path) -> Any:
            if value is None or value is Undefined:
                return None
            if isinstance(value, Exception):
                raise value
            if is_type_of is not None and not is_type_of(value, None):
                raise invalid_return_type_error(type_, value, details)
            return execute_fields(ex, value, path)

        return complete_object

    def list_completer(self, type_: GraphQLList[Any], site: "_Site") -> Completer:
        item_type = type_.of_type
        complete_item, may_await = self.completer(item_type, site)
        message = f"Expected Iterable, but did not find one for field '{site.parent}.{site.name}'."
        details = site.details

        def complete_list(ex: CompiledExecutor, value: Any, path: Path) -> Any:
            if value is None or value is Undefined:
                return None
            if isinstance(value, Exception):
                raise value
            if ex.is_async_iterable(value) or not is_iterable(value):
                if not is_iterable(value) and not ex.is_async_iterable(value):
                    raise GraphQLError(message)
                return ex.complete_list_value(
                    type_, details, site.info(ex, path), path, value, None
                )
            results: list[Any] = []
            pending: list[int] = []
            is_awaitable = ex.is_awaitable
            for index, item in enumerate(value):
                item_path = path.add_key(index, None)
                if is_awaitable(item):
                    info = site.info(ex, path)
                    results.append(
                        ex.complete_awaitable_list_item_value(
                            item, item_type, details, info, item_path, None
                        )
                    )
                    pending.append(index)
                    continue
                try:
                    completed = complete_item(ex, item, item_path)
                except Exception as raw:
                    ex.handle_field_error(raw, item_type, details, item_path)
                    completed = None
                if may_await and is_awaitable(completed):
                    completed = _awaited_item(ex, completed, item_type, details, item_path)
                    pending.append(index)
                results.append(completed)
            if not pending:
                return results

            async def get_results() -> list[Any]:
                if len(pending) == 1:
                    results[pending[0]] = await results[pending[0]]
                else:
                    awaited = await gather_with_cancel(*(results[i] for i in pending))
                    for index, item in zip(pending, awaited, strict=True):
                        results[index] = item
                return results

            return get_results()

        return complete_list


@dataclass(frozen=True)
class _Site:
    """Where in the operation a field is: its response key, parent type, definition and
    the nodes it was asked with."""

    key: str
    parent: GraphQLObjectType
    definition: GraphQLField
    details: FieldDetailsList

    @property
    def name(self) -> str:
        return self.details[0].node.name.value

    @property
    def nodes(self) -> list[FieldNode]:
        return [d.node for d in self.details]

    def where(self) -> tuple[str, str, GraphQLOutputType, FieldDetailsList]:
        """(response key, parent type name, field type, field details): what an error
        handler needs."""
        return self.key, self.parent.name, self.definition.type, self.details

    def info(self, ex: CompiledExecutor, path: Path) -> Any:
        """The resolve info graphql-core would give a resolver of this field at ``path``."""
        return ex.build_resolve_info(self.definition, self.nodes, self.parent, path)


def _named(type_: GraphQLOutputType) -> Any:
    while isinstance(type_, GraphQLNonNull | GraphQLList):
        type_ = type_.of_type
    return type_


def _attribute_getter(definition: GraphQLField) -> Callable[[Any], Any] | None:
    """How to read a field that has no resolver of its own (Strawberry's "basic" fields:
    no resolver, no field extensions, no permissions): the source's attribute, as
    Strawberry's default resolver reads it. None for any other field."""
    # Strawberry resolves exactly these fields with its `_get_basic_result` (a field with
    # extensions, such as Personal(), or exception handlers gets a full resolver).
    if getattr(definition.resolve, "__name__", None) != "_get_basic_result":
        return None
    field = definition.extensions.get(STRAWBERRY)
    if field is None or not field.is_basic_field or field.default_resolver is not getattr:
        return None
    return attrgetter(field.python_name)


def _leaf_completer(type_: GraphQLLeafType) -> Completer:
    coerce = type_.coerce_output_value

    def complete_leaf(ex: CompiledExecutor, value: Any, path: Path) -> Any:
        if value is None or value is Undefined:
            return None
        if isinstance(value, Exception):
            raise value
        coerced = coerce(value)
        if coerced is Undefined or coerced is None:
            raise TypeError(
                f"Expected `{inspect(type_)}.coerce_output_value({inspect(value)})` to "
                f"return non-nullable value, returned: {inspect(coerced)}"
            )
        return coerced

    return complete_leaf


def _leaf_runner(site: _Site, getter: Callable[[Any], Any], complete: Completer) -> Runner:
    """A scalar or enum field without a resolver: no path, no info unless it fails."""
    key, parent_name, type_, details = (
        site.key,
        site.parent.name,
        site.definition.type,
        site.details,
    )

    def run_leaf(ex: CompiledExecutor, source: Any, parent: Path | None) -> Any:
        try:
            return complete(ex, getter(source), None)  # type: ignore[arg-type]  # unused
        except Exception as raw:
            ex.handle_field_error(raw, type_, details, Path(parent, key, parent_name))
            return None

    return run_leaf


def _reading_runner(
    site: _Site, getter: Callable[[Any], Any], complete: Completer, may_await: bool
) -> Runner:
    """An object or list field without a resolver: read, then complete below it."""
    key, parent_name, type_, details = (
        site.key,
        site.parent.name,
        site.definition.type,
        site.details,
    )

    def run_reading(ex: CompiledExecutor, source: Any, parent: Path | None) -> Any:
        path = Path(parent, key, parent_name)
        try:
            value = getter(source)
            if ex.is_awaitable(value):
                return _awaited_value(ex, value, complete, type_, details, path)
            completed = complete(ex, value, path)
            if may_await and ex.is_awaitable(completed):
                return _awaited_item(ex, completed, type_, details, path)
            return completed
        except Exception as raw:
            ex.handle_field_error(raw, type_, details, path)
            return None

    return run_reading


def _resolving_runner(site: _Site, complete: Completer, may_await: bool) -> Runner:
    """A field with a resolver (or arguments): called with the info and arguments
    graphql-core would give it."""
    key, parent_name, type_, details = (
        site.key,
        site.parent.name,
        site.definition.type,
        site.details,
    )
    definition, node = site.definition, site.details[0].node
    arguments_key = id(site)

    def run_resolving(ex: CompiledExecutor, source: Any, parent: Path | None) -> Any:
        path = Path(parent, key, parent_name)
        info = site.info(ex, path)
        try:
            arguments = ex.arguments.get(arguments_key)
            if arguments is None:
                arguments = (
                    get_argument_values(
                        definition, node, ex.variable_values, None, ex.hide_suggestions
                    )
                    if definition.args or node.arguments
                    else {}
                )
                ex.arguments[arguments_key] = arguments
            resolve = definition.resolve or ex.field_resolver
            result = resolve(source, info, **arguments)
            if ex.is_awaitable(result):
                return _awaited_value(ex, result, complete, type_, details, path)
            completed = complete(ex, result, path)
            if may_await and ex.is_awaitable(completed):
                return _awaited_item(ex, completed, type_, details, path)
            return completed
        except Exception as raw:
            ex.handle_field_error(raw, type_, details, path)
            return None

    run_resolving.site = site  # type: ignore[attr-defined]  # kept alive: its id is a key
    return run_resolving


async def _awaited_value(
    ex: CompiledExecutor, result: Any, complete: Completer, type_: GraphQLOutputType,
    details: FieldDetailsList, path: Path,
) -> Any:  # fmt: skip
    """A resolver's awaitable, completed (graphql-core's complete_awaitable_value)."""
    try:
        completed = complete(ex, await result, path)
        if ex.is_awaitable(completed):
            completed = await completed
    except Exception as raw:
        ex.handle_field_error(raw, type_, details, path)
        completed = None
    return completed


async def _awaited_item(
    ex: CompiledExecutor, completed: Any, type_: GraphQLOutputType, details: FieldDetailsList,
    path: Path,
) -> Any:  # fmt: skip
    """A completion that went async (an object or list below), awaited."""
    try:
        return await completed
    except Exception as raw:
        ex.handle_field_error(raw, type_, details, path)
        return None
