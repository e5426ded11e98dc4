"""The compiled executor (schema/compiled.py) on a small schema of its own, against
graphql-core's executor on the same schema: the same answers (aliases, fragments,
__typename, @skip/@include, nulls, lists, enums, custom scalars, field extensions,
errors and their propagation), the same batching of DataLoaders, and what falls back."""

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum
from typing import Annotated, Any

import orjson
import pytest
import strawberry
from strawberry.dataloader import DataLoader
from strawberry.extensions import FieldExtension, ParserCache
from strawberry.types import Info

from schema import compiled as compiled_module
from schema.compiled import STATS, CompiledExecutor


@dataclass
class Ctx:
    batches: list[list[int]] = field(default_factory=list)
    loader: DataLoader[int, int] = field(init=False)

    def __post_init__(self) -> None:
        async def load(keys: Sequence[int]) -> list[int]:
            self.batches.append(list(keys))
            return [k * 10 for k in keys]

        self.loader = DataLoader(load_fn=load)


class Shout(FieldExtension):
    def resolve(self, next_: Callable[..., Any], source: Any, info: Info, **kwargs: Any) -> Any:
        return str(next_(source, info, **kwargs)).upper()

    async def resolve_async(
        self, next_: Callable[..., Awaitable[Any]], source: Any, info: Info, **kwargs: Any
    ) -> Any:
        return str(await next_(source, info, **kwargs)).upper()


@strawberry.enum
class Kind(Enum):
    SMALL = "small"
    LARGE = "large"


@strawberry.type
class Item:
    id: int
    name: str
    at: datetime | None
    kind: Kind
    tags: list[str]
    loud: str = strawberry.field(extensions=[Shout()])

    @strawberry.field
    async def loaded(self, info: Info[Ctx, None]) -> int:
        return await info.context.loader.load(self.id)

    @strawberry.field
    def times(self, n: int = 2) -> int:
        return self.id * n

    @strawberry.field
    def broken(self) -> str | None:
        raise ValueError("broken on purpose")

    @strawberry.field
    def strict(self) -> str:
        return None  # type: ignore[return-value]  # a resolver that breaks its contract

    @strawberry.field
    def same(self) -> "Item":
        return self


@strawberry.type
class Other:
    label: str


Either = Annotated[Item | Other, strawberry.union("Either")]
ITEMS = [
    Item(id=i, name=f"n{i}", at=datetime(2026, 1, i, tzinfo=UTC) if i % 2 else None,
         kind=Kind.SMALL if i < 3 else Kind.LARGE, tags=["a", f"t{i}"], loud=f"l{i}")
    for i in range(1, 5)
]  # fmt: skip


@strawberry.type
class Query:
    @strawberry.field
    async def items(self, first: int = 10) -> list[Item]:
        return ITEMS[:first]

    @strawberry.field
    def item(self, id: int) -> Item | None:
        return next((i for i in ITEMS if i.id == id), None)

    @strawberry.field
    def either(self) -> list[Either]:
        return [ITEMS[0], Other(label="o")]


@strawberry.type
class Mutation:
    @strawberry.mutation
    def touch(self) -> int:
        return 1


def schemas() -> tuple[strawberry.Schema, strawberry.Schema]:
    # With a parser cache, as the hub's: an operation is compiled per parsed document.
    compiled = strawberry.Schema(query=Query, mutation=Mutation, extensions=[ParserCache])
    compiled.execution_context_class = CompiledExecutor
    return compiled, strawberry.Schema(query=Query, mutation=Mutation)


COMPILED, PLAIN = schemas()


async def both(query: str, variables: dict[str, Any] | None = None) -> tuple[bytes, bool]:
    """The answer as JSON (the same on both paths, or the test fails), and whether the
    compiled executor ran it."""
    answers, batches = [], []
    for schema in (PLAIN, COMPILED):
        before = STATS.compiled
        context = Ctx()
        result = await schema.execute(query, variable_values=variables, context_value=context)
        errors = [e.formatted for e in result.errors or ()]
        answers.append(orjson.dumps({"data": result.data, "errors": errors}))
        batches.append(context.batches)
        compiled = STATS.compiled > before
    assert answers[1] == answers[0]
    assert batches[1] == batches[0]  # the DataLoader saw the same batches
    return answers[0], compiled


async def test_a_plain_document_runs_compiled_and_answers_the_same() -> None:
    answer, compiled = await both(
        "{ items { id name at kind tags loud __typename } one: item(id: 2) { name } }"
    )
    assert compiled
    body = orjson.loads(answer)
    assert body["data"]["items"][0] == {
        "id": 1, "name": "n1", "at": "2026-01-01T00:00:00+00:00", "kind": "SMALL",
        "tags": ["a", "t1"], "loud": "L1", "__typename": "Item",
    }  # fmt: skip
    assert body["data"]["items"][1]["at"] is None and body["data"]["one"] == {"name": "n2"}


async def test_aliases_fragments_and_arguments_keep_the_documents_order() -> None:
    answer, compiled = await both(
        """query ($n: Int!) { items(first: 3) { ...F b: times(n: $n) a: times ... on Item {
        same { same { id kind } } } } } fragment F on Item { z: name id }""",
        {"n": 5},
    )
    assert compiled
    first = orjson.loads(answer)["data"]["items"][0]
    assert list(first) == ["z", "id", "b", "a", "same"] and first["b"] == 5


@pytest.mark.parametrize("show", [True, False])
async def test_skip_and_include_follow_the_variables(show: bool) -> None:
    query = """query ($show: Boolean!) { items(first: 1) { id name @include(if: $show)
        tags @skip(if: $show) } }"""
    answer, compiled = await both(query, {"show": show})
    assert compiled
    assert orjson.loads(answer)["data"]["items"][0].keys() == (
        {"id", "name"} if show else {"id", "tags"}
    )


async def test_an_operation_is_compiled_once_per_value_of_its_conditions() -> None:
    query = "query ($s: Boolean!) { items(first: 2) { id @skip(if: $s) name } }"
    before = STATS.compilations
    for s in (True, False, True, False):
        await COMPILED.execute(query, variable_values={"s": s}, context_value=Ctx())
    assert STATS.compilations == before + 2


async def test_loaders_batch_alike_across_list_items() -> None:
    answer, compiled = await both("{ items { loaded same { loaded } } }")
    assert compiled
    assert [i["loaded"] for i in orjson.loads(answer)["data"]["items"]] == [10, 20, 30, 40]


async def test_errors_are_nulled_and_propagated_the_same() -> None:
    answer, compiled = await both(
        "{ items(first: 2) { id broken } one: item(id: 1) { id strict } two: item(id: 2) { id } }"
    )
    assert compiled
    body = orjson.loads(answer)
    assert body["data"]["one"] is None and body["data"]["two"] == {"id": 2}
    # `one` fails at once; `items` is async, and its errors come when it is awaited.
    assert [e["path"] for e in body["errors"]] == [
        ["one", "strict"], ["items", 0, "broken"], ["items", 1, "broken"],
    ]  # fmt: skip


async def test_a_non_null_error_propagates_to_the_nearest_nullable_field() -> None:
    answer, compiled = await both("{ items(first: 2) { id strict } }")
    assert compiled  # [Item!]! all the way up: the whole response is null
    assert orjson.loads(answer)["data"] is None


@pytest.mark.parametrize(
    "query",
    [
        "{ either { ... on Item { id } ... on Other { label } } }",  # a union
        "{ __schema { queryType { name } } }",  # introspection
        "mutation { touch }",
    ],
)
async def test_what_it_cannot_compile_runs_on_graphql_core(query: str) -> None:
    before = STATS.fell_back
    answer, compiled = await both(query)
    assert not compiled and STATS.fell_back == before + 1
    assert b'"errors":[]' in answer


async def test_bad_variables_are_refused_before_either_executor_runs() -> None:
    answer, compiled = await both("query ($n: Int!) { items(first: $n) { id } }", {"n": "x"})
    assert not compiled and b"Int cannot represent" in answer


async def test_a_compiler_failure_costs_speed_not_the_answer(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(self: Any) -> None:
        raise RuntimeError("secret text")

    monkeypatch.setattr(compiled_module._Compiler, "operation", broken)
    before = STATS.fell_back
    answer, compiled = await both("{ items(first: 1) { id name } b: items { id } }")
    assert not compiled and STATS.fell_back == before + 1
    assert orjson.loads(answer)["data"]["items"] == [{"id": 1, "name": "n1"}]
    assert "RuntimeError" in caplog.text and "secret" not in caplog.text
