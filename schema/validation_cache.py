"""Validation results kept by document text, not by parsed document.

Strawberry's ValidationCache keys an lru_cache on the parsed document, and graphql-core
hashes a document by walking every node of it: each request paid a full walk of its
document just to find the cached result (a tenth of the hub's own time on a
customer-360). A document's validity depends only on its text, the schema and the rules,
and Python keeps a string's hash, so keyed by text the lookup costs nothing.
"""

from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document


class _Results:
    """A bounded LRU of validation errors by (schema, text, rules), with hit counts."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self.entries: OrderedDict[tuple[Any, ...], list[GraphQLError]] = OrderedDict()
        self.hits = self.misses = 0

    def get(self, key: tuple[Any, ...]) -> list[GraphQLError] | None:
        errors = self.entries.get(key)
        if errors is None:
            self.misses += 1
            return None
        self.hits += 1
        self.entries.move_to_end(key)
        return errors

    def put(self, key: tuple[Any, ...], errors: list[GraphQLError]) -> None:
        self.entries[key] = errors
        if len(self.entries) > self.maxsize:
            self.entries.popitem(last=False)


_RESULTS: dict[int, _Results] = {}


def results(maxsize: int) -> _Results:
    """The process-wide cache for ``maxsize`` (shared by every request and schema, as
    Strawberry's own caches are)."""
    return _RESULTS.setdefault(maxsize, _Results(maxsize))


class TextValidationCache(SchemaExtension):
    """Use as a factory: ``functools.partial(TextValidationCache, maxsize=N)``."""

    def __init__(self, maxsize: int) -> None:
        super().__init__()
        self.results = results(maxsize)

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        schema = context.schema._schema
        document = context.graphql_document
        if document is None:  # did not parse: Strawberry reports that itself
            yield
            return
        rules = tuple(context.validation_rules)
        if context.query is None:  # no text to key on: validate every time
            context.pre_execution_errors = validate_document(schema, document, rules)
            yield
            return
        # The schema itself, not its id: an id can be reused by a later schema (tests
        # build many), the object held here cannot.
        key = (schema, context.query, rules)
        errors = self.results.get(key)
        if errors is None:
            errors = validate_document(schema, document, rules)
            self.results.put(key, errors)
        context.pre_execution_errors = errors
        yield
