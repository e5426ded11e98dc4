"""resolvers/audit.py's AuditBatcher: concurrent requests' audit entries share one write,
and each request returns only once its own entry is committed. (A fake store: the real
engines are in tests/integration/test_access.py.)"""

import asyncio
from collections.abc import Coroutine
from typing import Any

import pytest

from graph.audit import INSERT_AUDIT_ENTRIES
from graph.errors import GraphUnavailable
from resolvers.audit import AuditBatcher
from resolvers.errors import ApiError


class SlowStore:
    """Commits a statement after ``delay`` seconds; remembers what it committed."""

    engine = "fake"

    def __init__(self, delay: float = 0.01, fail: int = 0) -> None:
        self.delay, self.fail = delay, fail
        self.committed: list[str] = []
        self.statements = 0

    async def write(self, query: str, params: dict[str, Any] | None = None) -> None:
        assert query == INSERT_AUDIT_ENTRIES
        self.statements += 1
        await asyncio.sleep(self.delay)
        if self.fail:
            self.fail -= 1
            raise GraphUnavailable("engine gone: /secret/socket")
        self.committed += [e["id"] for e in (params or {})["entries"]]


def write(batcher: AuditBatcher, store: Any, n: int) -> Coroutine[Any, Any, None]:
    """Entry ``n``'s write, through the fake store."""
    return batcher.write(store, {"id": f"e{n}"})


async def test_a_lone_entry_is_written_at_once_alone() -> None:
    store = SlowStore()
    batcher = AuditBatcher()
    await write(batcher, store, 1)
    assert store.committed == ["e1"] and store.statements == 1


async def test_entries_that_arrive_during_a_write_share_the_next_one() -> None:
    store = SlowStore(delay=0.05)
    batcher = AuditBatcher()

    async def request(n: int) -> list[str]:
        await write(batcher, store, n)
        return list(store.committed)  # what was committed when this request went on

    first = asyncio.create_task(request(0))
    await asyncio.sleep(0.01)  # the first write is under way
    seen = await asyncio.gather(first, *(request(n) for n in range(1, 8)))
    assert store.statements == 2, "eight entries in two writes: one alone, then seven"
    assert (batcher.batches, batcher.entries) == (2, 8)
    for n, committed in enumerate(seen):
        assert f"e{n}" in committed, f"request {n} returned before its entry was committed"


async def test_a_failed_write_fails_each_of_its_requests_with_a_code_and_the_next_succeeds() -> (
    None
):
    store = SlowStore(fail=1)
    batcher = AuditBatcher()
    results = await asyncio.gather(
        *(write(batcher, store, n) for n in range(3)), return_exceptions=True
    )
    assert all(isinstance(r, ApiError) for r in results)
    assert {r.extensions["code"] for r in results if isinstance(r, ApiError)} == {
        "GRAPH_UNAVAILABLE"
    }
    assert all("secret" not in str(r) for r in results)
    await write(batcher, store, 9)
    assert store.committed == ["e9"]


async def test_a_cancelled_request_does_not_cancel_the_others_entries() -> None:
    store = SlowStore(delay=0.05)
    batcher = AuditBatcher()
    first = asyncio.create_task(write(batcher, store, 1))
    await asyncio.sleep(0.01)
    waiting = [asyncio.create_task(write(batcher, store, n)) for n in (2, 3)]
    await asyncio.sleep(0)
    first.cancel()  # the client of the request whose write is under way went away
    with pytest.raises(asyncio.CancelledError):
        await first
    await asyncio.gather(*waiting)
    assert store.committed == ["e1", "e2", "e3"]
