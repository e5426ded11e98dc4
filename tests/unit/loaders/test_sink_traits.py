"""GraphSink follows the customers a load touched only when traits are stored, and a trait
saved while the load ran is still recomputed (a fake store: the statements' behaviour on
the engines is tests/integration/test_traits.py's)."""

from typing import Any

from graph.store import WriteCounters
from graph.traits import LIST_TRAITS, TOUCHED_BY_ACCOUNTS, TraitSpec
from loaders.pipeline import GraphSink, Tally

TRAIT = {"id": "likes", "source": "interactions", "aggregate": "count"}


class FakeStore:
    """Answers the statements a sink of interactions runs; ``traits`` are the stored
    traits each LIST_TRAITS read returns, in turn (the last one from then on)."""

    engine = "fake"

    def __init__(self, traits: list[list[dict[str, Any]]]) -> None:
        self.traits = traits
        self.reads: list[str] = []
        self.writes: list[tuple[str, dict[str, Any]]] = []

    async def read(self, query: str, params: Any = None) -> list[dict[str, Any]]:
        self.reads.append(query)
        if query == LIST_TRAITS:
            stored = self.traits.pop(0) if len(self.traits) > 1 else self.traits[0]
            return [{"trait": t} for t in stored]
        if query == TOUCHED_BY_ACCOUNTS:
            return [{"id": "c1"}]
        return []

    async def write(self, query: str, params: Any = None) -> WriteCounters:
        self.writes.append((query, dict(params or {})))
        return WriteCounters()

    async def write_returning(self, query: str, params: Any = None) -> Any:
        rows = params["rows"]
        record = {"written": len(rows), "ids": [], "updated": [], "was": [], "gone": []}
        return [record], WriteCounters()


def batch(n: int) -> list[dict[str, Any]]:
    return [{"account_id": f"a{n}", "post_id": "p1", "kind": "like", "at": 1_704_067_200_000,
             "hash": f"h{n}", "props": {"text": None}}]  # fmt: skip


async def load(store: FakeStore, batches: int) -> GraphSink:
    sink = GraphSink(store, "interactions", 1, conflicts=None)  # type: ignore[arg-type]
    for n in range(batches):
        await sink.write(batch(n), Tally())
    await sink.refresh()
    return sink


async def test_without_traits_no_batch_looks_up_its_customers():
    store = FakeStore(traits=[[], []])
    await load(store, batches=3)
    assert TOUCHED_BY_ACCOUNTS not in store.reads
    assert store.reads.count(LIST_TRAITS) == 2  # before the first write, and at the end
    assert store.writes == []


async def test_a_trait_saved_during_the_load_is_recomputed_for_every_customer():
    store = FakeStore(traits=[[], [TRAIT]])
    await load(store, batches=2)
    (_query, params), *_ = store.writes
    assert params["trait"] == "likes" and params["customers"] is None


async def test_with_traits_the_touched_customers_are_recomputed():
    store = FakeStore(traits=[[TRAIT], [TRAIT]])
    sink = await load(store, batches=2)
    assert store.reads.count(TOUCHED_BY_ACCOUNTS) == 2
    assert sink.touched == {"c1"}
    (_query, params), *_ = store.writes
    assert params["customers"] == ["c1"]
    assert TraitSpec.from_record(TRAIT).name == params["trait"]
