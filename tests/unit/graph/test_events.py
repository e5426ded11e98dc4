"""The /events statement built for the kinds of a batch (graph/events.py): only what
those kinds need, the same refusals in the same order."""

import re
from itertools import combinations

from graph.events import INGEST_EVENTS, TYPES, ingest_statement


def refusals(statement: str) -> list[str]:
    return re.findall(r"THEN '(\w+)'", statement)


def test_a_batch_of_one_kind_writes_and_looks_up_only_what_that_kind_needs() -> None:
    contact = ingest_statement(frozenset({"contact"}))
    assert "e.type = 'contact'" in contact and "Contact {id: e.contact}" in contact
    for other in ("SocialAccount", "Post {", "pr:Product", "Purchase {id: e.purchase}"):
        assert other not in contact, other
    assert "_lock" not in contact  # only an identify event locks its customer
    assert "_lock = true" in ingest_statement(frozenset({"identify_customer"}))


def in_order(part: list[str], whole: list[str]) -> bool:
    rest = iter(whole)
    return all(item in rest for item in part)  # each found after the one before


def test_every_combination_keeps_the_refusals_in_their_order() -> None:
    everything = refusals(INGEST_EVENTS)
    for size in (1, 2, 3):
        for kinds in combinations(TYPES, size):
            found = refusals(ingest_statement(frozenset(kinds)))
            assert in_order(found, everything), kinds
            assert found[:3] == ["id_reused", "duplicate", "erased"]
            for kind in TYPES:
                assert (f"e.type = '{kind}' THEN [1]" in ingest_statement(frozenset(kinds))) == (
                    kind in kinds
                )
