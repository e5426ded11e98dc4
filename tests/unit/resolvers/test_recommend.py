"""resolvers/recommend.py over a fake store: argument checks before any statement, the
reason for an empty answer, the audit note, and the reasons in words."""

from typing import Any

import pytest

from graph import recommend as q
from resolvers import recommend as r
from resolvers.context import Context
from resolvers.errors import ApiError
from resolvers.principal import Principal, Role


class ScriptedStore:
    """Answers the gate with ``gate`` and the items statement with ``items``."""

    engine = "none"

    def __init__(self, gate: dict[str, Any], items: list[dict[str, Any]] | None = None) -> None:
        self.gate, self.items = gate, items or []
        self.sent: list[tuple[str, dict[str, Any]]] = []

    async def read(self, query: str, params: dict[str, Any] | None = None) -> Any:
        self.sent.append((query, params or {}))
        return [self.gate] if query == q.RECOMMENDATION_GATE else self.items

    async def write(self, *args: Any) -> Any:
        raise AssertionError("no write expected")

    write_returning = write


def ctx(store: ScriptedStore) -> Context:
    return Context(store, Principal("k", Role.APP))  # type: ignore[arg-type]


GATE = {"found": True, "restricted": False, "consented": 1}


@pytest.mark.parametrize("first", [0, r.MAX_FIRST + 1])
async def test_first_out_of_range_is_refused_before_any_statement(first):
    store = ScriptedStore(GATE)
    with pytest.raises(ApiError) as e:
        await r.recommendations(ctx(store), "c1", "product", first, True)
    assert e.value.code == "BAD_USER_INPUT" and store.sent == []


async def test_an_unknown_customer_is_not_found():
    store = ScriptedStore({"found": False, "restricted": False, "consented": 0})
    with pytest.raises(ApiError) as e:
        await r.recommendations(ctx(store), "c9", "product", 10, True)
    assert e.value.code == "NOT_FOUND"


@pytest.mark.parametrize(
    ("gate", "why"),
    [({**GATE, "restricted": True}, "restricted"), ({**GATE, "consented": 0}, "no_consent")],
)
async def test_the_gate_says_why_and_the_items_are_not_read(gate, why):
    store = ScriptedStore(gate)
    context = ctx(store)
    found = await r.recommendations(context, "c1", "brand", 10, True)
    assert (found.customer_id, found.withheld, found.items) == ("c1", why, [])
    assert [s for s, _ in store.sent] == [q.RECOMMENDATION_GATE]
    assert store.sent[0][1]["purpose"] == "personalisation"
    assert context.audit.customer_ids == {"c1"}


async def test_reasons_are_each_sources_strongest_group_in_words():
    parts = [
        {"source": "purchase", "part": 0.75, "groups": [
            {"via": "p1", "name": "Serum", "k": 1, "n": 4},
            {"via": "p2", "name": None, "k": 2, "n": 4},
        ]},
        {"source": "tag", "part": 0.5, "groups": [
            {"via": "t-fam", "name": "Young family", "k": 3, "n": 3},
        ]},
        {"source": "engagement", "part": 0.1, "groups": [
            {"via": None, "name": None, "k": 1, "n": 5},
        ]},
    ]  # fmt: skip
    store = ScriptedStore(GATE, [{"item": {"id": "bX"}, "score": 1.35, "parts": parts}])
    found = await r.recommendations(ctx(store), "c1", "brand", 10, False)
    assert store.sent[1][1]["exclude_bought"] is False
    [item] = found.items
    assert [(x.source, x.via, x.customers, x.peers, x.text) for x in item.reasons] == [
        ("purchase", "p2", 2, 4, "2 of the 4 customers who also bought from p2 bought from it"),
        ("tag", "t-fam", 3, 3,
         "3 of the 3 customers who share your Young family tag bought from it"),
        ("engagement", None, 1, 5,
         "1 of the 5 customers who engage with the brands you engage with bought from it"),
    ]  # fmt: skip
