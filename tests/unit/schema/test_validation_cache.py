"""schema/validation_cache.py: validation results found by document text, without hashing
the parsed document (which graphql-core does by walking all of it)."""

from collections.abc import Iterator
from functools import partial

import pytest
import strawberry
from graphql import DocumentNode

from schema.validation_cache import TextValidationCache, results


@strawberry.type
class Query:
    @strawberry.field
    def hello(self) -> str:
        return "hi"


@pytest.fixture
def schema() -> strawberry.Schema:
    # A size no other test uses, so the process-wide cache starts empty here.
    return strawberry.Schema(Query, extensions=[partial(TextValidationCache, maxsize=3)])


@pytest.fixture
def unhashable_documents(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    def refuse(self: DocumentNode) -> int:
        raise AssertionError("a document was hashed")

    monkeypatch.setattr(DocumentNode, "__hash__", refuse)
    yield


def test_a_repeated_document_is_validated_once_and_never_hashed(
    schema: strawberry.Schema, unhashable_documents: None
) -> None:
    cache = results(3)
    before = (cache.hits, cache.misses)
    for _ in range(3):
        result = schema.execute_sync("{ hello }")
        assert result.errors is None and result.data == {"hello": "hi"}
    assert (cache.hits - before[0], cache.misses - before[1]) == (2, 1)


def test_an_invalid_document_keeps_its_errors_from_the_cache(schema: strawberry.Schema) -> None:
    first = schema.execute_sync("{ nope }")
    again = schema.execute_sync("{ nope }")
    assert first.errors and again.errors
    assert [e.message for e in again.errors] == [e.message for e in first.errors]
    assert "Cannot query field 'nope'" in again.errors[0].message


def test_the_cache_is_bounded(schema: strawberry.Schema) -> None:
    for n in range(6):
        schema.execute_sync(f"{{ a{n}: hello }}")
    assert len(results(3).entries) == 3


def test_a_document_that_does_not_parse_still_gets_the_syntax_error(
    schema: strawberry.Schema,
) -> None:
    result = schema.execute_sync("{ hello")
    assert result.errors and "Syntax Error" in result.errors[0].message
