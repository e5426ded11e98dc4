"""The subscriptions' feed (resolvers/outbox_feed.py) on a fake outbox: events from the
first subscriber's arrival on, each once, whoever wrote them, a late commit too; nothing
read while nobody listens."""

from typing import Any

from graph import outbox as q
from resolvers.clock import FixedClock
from resolvers.outbox import Broker, OutboxMessage
from resolvers.outbox_feed import OutboxFeed


class FakeOutbox:
    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.reads = 0

    def add(self, id: str, at: int) -> None:
        self.events.append({"id": id, "kind": "customer.tagged", "at": at, "payload": None,
                            "customer_ids": ["c1"]})  # fmt: skip

    async def read(self, query: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        assert query == q.EVENTS_SINCE
        self.reads += 1
        found = sorted((e for e in self.events if e["at"] >= params["since"]),
                       key=lambda e: (e["at"], e["id"]))  # fmt: skip
        return found[params["skip"] : params["skip"] + params["limit"]]


async def test_each_event_from_the_first_subscriber_on_is_handed_on_once() -> None:
    clock = FixedClock(1_000_000)
    outbox = FakeOutbox()
    broker = Broker(clock=clock)
    feed = OutboxFeed(outbox, broker, lookback_ms=10_000, clock=clock)  # type: ignore[arg-type]
    outbox.add("before", 999_000)
    assert await feed.read_once() == 0 and outbox.reads == 0  # nobody listens: no read
    heard: list[OutboxMessage] = []
    async with broker.subscribe() as messages:
        outbox.add("w1", 1_000_500)  # written by any process
        outbox.add("w2", 1_000_900)
        assert await feed.read_once() == 2
        assert await feed.read_once() == 0  # not again
        outbox.add("late", 1_000_100)  # stamped before w2, committed after it was read
        assert await feed.read_once() == 1
        for _ in range(3):
            heard.append(await anext(messages))
    assert [m.id for m in heard] == ["w1", "w2", "late"]  # "before" predates the listener
    assert broker.listening_since is None
