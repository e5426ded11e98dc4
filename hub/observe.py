"""What the hub observes of each GraphQL operation: a Strawberry extension that times it
(metrics), traces its parse, validate and execute steps, counts its errors by code, and a
per-request store wrapper that counts and traces the statements it sends.

Span attributes and metric labels are names from the schema and the statement catalog
(graph/catalog.py): never an argument, a variable, a parameter or a result."""

import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLSchema,
    InlineFragmentNode,
    SelectionSetNode,
)
from graphql.utilities import get_operation_ast
from opentelemetry.trace import Span, SpanKind, Tracer, use_span
from strawberry.extensions import SchemaExtension

from graph.catalog import statement_name
from graph.store import GraphStore, Params, Record, StoreWrapper, WriteCounters
from hub.prometheus import HubMetrics
from resolvers.context import Context

META_FIELDS = frozenset({"__typename", "__schema", "__type"})


class ObservedStore(StoreWrapper):
    """The app's store as one request sees it: counts the statements the request sends
    and, when tracing, wraps each in a span named by its catalog name."""

    def __init__(self, inner: GraphStore, tracer: Tracer | None) -> None:
        super().__init__(inner)
        self.tracer = tracer
        self.statements = 0

    def _span(self, query: str, kind: str) -> AbstractContextManager[Any]:
        self.statements += 1
        if self.tracer is None:
            return nullcontext()
        name = statement_name(query)
        return self.tracer.start_as_current_span(
            f"cypher {name}", kind=SpanKind.CLIENT,
            attributes={"db.system.name": self.engine, "db.operation.name": kind,
                        "hub.statement": name},
        )  # fmt: skip

    async def read(self, query: str, params: Params | None = None) -> list[Record]:
        with self._span(query, "read"):
            return await self.inner.read(query, params)

    async def write(self, query: str, params: Params | None = None) -> WriteCounters:
        with self._span(query, "write"):
            return await self.inner.write(query, params)

    async def write_returning(
        self, query: str, params: Params | None = None
    ) -> tuple[list[Record], WriteCounters]:
        with self._span(query, "write"):
            return await self.inner.write_returning(query, params)


class OperationObserver(SchemaExtension):
    """Times each operation into ``metrics``, counts its errors by code, and (with a
    ``tracer``) opens a span for the operation and one for each of its steps. Listed first
    among the schema's extensions, so that it sees the codes the request guard gives."""

    def __init__(self, metrics: HubMetrics | None, tracer: Tracer | None) -> None:
        self.metrics = metrics
        self.tracer = tracer

    def _step(self, name: str) -> Iterator[None]:
        if self.tracer is None:
            yield
            return
        with self.tracer.start_as_current_span(f"graphql.{name}"):
            yield

    def on_parse(self) -> Iterator[None]:
        yield from self._step("parse")

    def on_validate(self) -> Iterator[None]:
        yield from self._step("validate")

    def on_execute(self) -> Iterator[None]:
        yield from self._step("execute")

    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        span: Span | None = None
        if self.tracer is not None:
            span = self.tracer.start_span("graphql.operation", kind=SpanKind.INTERNAL)
        with use_span(span, end_on_exit=True) if span is not None else nullcontext():
            yield
            operation, roots = self._shape()
            codes = self._error_codes()
            statements = self._statements()
            if span is not None:
                span.set_attribute("graphql.operation.type", operation)
                span.set_attribute("hub.root_fields", roots)
                span.set_attribute("hub.error_codes", codes)
                if statements is not None:
                    span.set_attribute("hub.statements", statements)
        if self.metrics is not None:
            seconds = time.perf_counter() - started
            self.metrics.observe_operation(operation, roots, seconds, statements)
            for code in codes:
                self.metrics.count_error(code)

    def _shape(self) -> tuple[str, list[str]]:
        """The operation's type and the root fields it selects that the schema has
        ("unknown" and none for a document that did not parse)."""
        ec = self.execution_context
        document = ec.graphql_document
        if document is None:
            return "unknown", []
        operation = get_operation_ast(document, ec.operation_name)
        if operation is None:
            return "unknown", []
        schema: GraphQLSchema = ec.schema._schema
        root = schema.get_root_type(operation.operation)
        known = set(root.fields) | META_FIELDS if root is not None else META_FIELDS
        names = _root_names(document, operation.selection_set)
        return operation.operation.value, [n for n in names if n in known]

    def _error_codes(self) -> list[str]:
        result = self.execution_context.result
        errors = (result.errors if result is not None else None) or []
        return [str((e.extensions or {}).get("code", "INTERNAL")) for e in errors]

    def _statements(self) -> int | None:
        context = self.execution_context.context
        if isinstance(context, Context) and isinstance(context.store, ObservedStore):
            return context.store.statements
        return None


def _root_names(document: DocumentNode, selections: SelectionSetNode) -> list[str]:
    """The field names of a root selection set, fragments expanded (each once), in order."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    names: dict[str, None] = {}
    pending, seen = [selections], set[str]()
    while pending:
        for selection in pending.pop(0).selections:
            if isinstance(selection, FieldNode):
                names[selection.name.value] = None
            elif isinstance(selection, InlineFragmentNode):
                pending.append(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = fragments.get(selection.name.value)
                if fragment is not None and fragment.name.value not in seen:
                    seen.add(fragment.name.value)
                    pending.append(fragment.selection_set)
    return list(names)
