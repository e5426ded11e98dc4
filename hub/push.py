"""Pushing changes out, for the life of the app (hub/app.py's lifespan): the outbox feed
(resolvers/outbox_feed.py), which reads every process's events for this process's
subscriptions through its broker; the outbox dispatcher (resolvers/outbox.py), which
marks events delivered and queues their webhook deliveries; the webhook sender
(resolvers/webhooks.py); and the pruner of old receipts and deliveries
(resolvers/retention.py). Each is a task of its own, so no write waits for them; all are
stopped when the app stops, and what they had not finished is still in the graph for the
next start."""

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from starlette.datastructures import State

from graph.store import GraphStore
from hub.settings import Settings
from resolvers.outbox import Broker, OutboxDispatcher
from resolvers.outbox_feed import OutboxFeed
from resolvers.retention import Pruner
from resolvers.webhooks import SenderConfig, WebhookSender

STOP_TIMEOUT_S = 5.0


@asynccontextmanager
async def push_changes(
    state: State, store: GraphStore, settings: Settings, *,
    subscriptions: bool = True, deliveries: bool = True,
) -> AsyncIterator[None]:  # fmt: skip
    """Run, while the context is open, the outbox feed (``subscriptions``: this process's
    subscribers hear every process's events) and the work done once per deployment
    (``deliveries``: the dispatcher, the webhook sender and the pruner). Sets, on an app's
    ``state``, ``broker`` (subscriptions listen on it) and ``outbox_wakeup`` (a write in
    this process calls it, so its event goes out without waiting a poll). A hub served
    with several workers runs the deliveries in the serving process (hub/serve.py) and the
    feed in each worker; a single process runs both."""
    broker = Broker()
    state.broker = broker
    tasks: list[asyncio.Task[None]] = []
    stops: list[Callable[[], None]] = []
    wakes: list[Callable[[], None]] = []
    if subscriptions:
        feed = OutboxFeed(store, broker, poll_s=settings.subscription_poll_s)
        broker.on_subscribe = feed.wake
        tasks.append(asyncio.create_task(feed.run(), name="outbox-feed"))
        stops.append(feed.stop)
        wakes.append(feed.wake)
    if deliveries:
        # Subscribers hear the feed (every process's events), so the dispatcher hands on
        # to nobody: it marks events and queues webhook deliveries, reading only their ids.
        dispatcher = OutboxDispatcher(store, None, poll_s=settings.outbox_poll_s)
        config = SenderConfig(
            max_attempts=settings.webhook_max_attempts,
            retry_base_s=settings.webhook_retry_base_s,
            timeout_s=settings.webhook_timeout_s,
            allow_internal=settings.webhook_allow_internal,
        )
        sender = WebhookSender(store, settings.privacy_config(), config)
        pruner = Pruner(store, settings.retention(), settings.prune_every_s)
        tasks += [asyncio.create_task(dispatcher.run(), name="outbox-dispatcher"),
                  asyncio.create_task(sender.run(), name="webhook-sender"),
                  asyncio.create_task(pruner.run(), name="pruner")]  # fmt: skip
        stops += [dispatcher.stop, sender.stop, pruner.stop]
        wakes.append(dispatcher.wake)

    def wake() -> None:
        for each in wakes:
            each()

    state.outbox_wakeup = wake
    try:
        yield
    finally:
        for stop in stops:
            stop()
        if tasks:
            _, running = await asyncio.wait(tasks, timeout=STOP_TIMEOUT_S)
            for task in running:  # a statement or a webhook request still under way
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
