"""Pushing changes out, for the life of the app (hub/app.py's lifespan): the outbox
dispatcher (resolvers/outbox.py), which feeds this process's subscriptions through its
broker, and the webhook sender (resolvers/webhooks.py). Both are tasks of their own, so
no write waits for them; both are cancelled when the app stops, and what they had not
finished is still in the graph for the next start."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.datastructures import State

from graph.store import GraphStore
from hub.settings import Settings
from resolvers.outbox import Broker, OutboxDispatcher
from resolvers.webhooks import SenderConfig, WebhookSender

STOP_TIMEOUT_S = 5.0


@asynccontextmanager
async def push_changes(state: State, store: GraphStore, settings: Settings) -> AsyncIterator[None]:
    """Run the dispatcher and the sender while the context is open. Sets, on an app's
    ``state``, ``broker`` (subscriptions listen on it) and ``outbox_wakeup`` (a write in
    this process calls it, so its event goes out without waiting a poll). Once per
    deployment: a hub served with several workers runs it in the serving process
    (hub/serve.py)."""
    broker = Broker()
    dispatcher = OutboxDispatcher(store, broker.publish, poll_s=settings.outbox_poll_s)
    config = SenderConfig(
        max_attempts=settings.webhook_max_attempts,
        retry_base_s=settings.webhook_retry_base_s,
        timeout_s=settings.webhook_timeout_s,
    )
    sender = WebhookSender(store, settings.privacy_config(), config)
    state.broker = broker
    state.outbox_wakeup = dispatcher.wake
    tasks = [asyncio.create_task(dispatcher.run(), name="outbox-dispatcher"),
             asyncio.create_task(sender.run(), name="webhook-sender")]  # fmt: skip
    try:
        yield
    finally:
        dispatcher.stop()
        sender.stop()
        _, running = await asyncio.wait(tasks, timeout=STOP_TIMEOUT_S)
        for task in running:  # a statement or a webhook request still under way
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
