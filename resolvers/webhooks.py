"""Webhooks (docs/operations.md): admins register an endpoint (a URL and the event kinds
it wants) and are shown its secret once; the sender POSTs each queued delivery, signed,
retries a failed one with exponential backoff, and marks it dead after the last attempt;
an admin may replay any delivery.

The secret is never stored: it is derived from the hub's key, the endpoint's id and its
secret version (``endpoint_secret``), so the graph holds nothing that signs.

A delivery's request: the outbox event as JSON ``{"id", "kind", "at", "payload"}``, with
``X-Hub-Signature: t=<unix ms>,v1=<hex HMAC-SHA256 of "<t>." + body under the secret>``
and ``X-Hub-Event-Id``/``X-Hub-Delivery-Id``. Any 2xx is delivered.
"""

import asyncio
import contextlib
import hashlib
import hmac
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx
import orjson

from graph import webhooks as q
from graph.errors import GraphError
from graph.store import GraphStore, Record
from resolvers.clock import Clock, now_ms
from resolvers.errors import bad_input, not_found
from resolvers.privacy import PrivacyConfig
from resolvers.webhook_urls import PublicOnlyTransport, Resolver, checked_url, resolve

logger = logging.getLogger("hub.webhooks")
STATUSES = ("pending", "failed", "delivered", "dead")
# Kinds an endpoint may ask for: what the writes record in the outbox.
EVENT_KINDS = (
    "customer.upserted", "customer.identified", "account.identified", "customer.tagged",
    "customer.untagged", "contact.recorded", "purchase.recorded", "interaction.recorded",
    "complaint.opened", "complaint.assign", "complaint.respond", "complaint.escalate",
    "complaint.resolve", "complaint.reopen", "sla_policy.changed", "consent.granted",
    "consent.withdrawn",
    "audience.entered", "audience.exited",
)  # fmt: skip


def endpoint_secret(privacy: PrivacyConfig, endpoint_id: str, version: int) -> str:
    """The endpoint's signing secret (``whsec_`` and 64 hex digits)."""
    key = privacy.derived_key("webhook-secret", endpoint_id, str(version))
    return "whsec_" + key.hex()


def signature(secret: str, timestamp_ms: int, body: bytes) -> str:
    """The X-Hub-Signature value for ``body`` sent at ``timestamp_ms``."""
    mac = hmac.new(secret.encode(), f"{timestamp_ms}.".encode() + body, hashlib.sha256)
    return f"t={timestamp_ms},v1={mac.hexdigest()}"


def backoff_ms(attempts: int, base_s: float) -> int:
    """How long after its ``attempts``-th failed attempt a delivery is tried again."""
    return int(base_s * 1000 * 2 ** (attempts - 1))


def _kinds(kinds: Sequence[str]) -> list[str]:
    unknown = sorted(set(kinds) - set(EVENT_KINDS))
    if unknown or not kinds:
        raise bad_input(f"name one or more of: {', '.join(EVENT_KINDS)}", "input.kinds")
    return sorted(set(kinds))


async def register_endpoint(
    store: GraphStore, privacy: PrivacyConfig, url: str, kinds: Sequence[str], now: int,
    *, allow_internal: bool = False, resolver: Resolver = resolve,
) -> tuple[Record, str]:  # fmt: skip
    """(the new endpoint, its secret). Raises BAD_USER_INPUT for a URL or kinds it
    cannot take, URL_NOT_ALLOWED for a host that is internal (unless ``allow_internal``)
    or does not resolve (resolvers/webhook_urls.py)."""
    endpoint_id = f"wh_{uuid.uuid4().hex[:16]}"
    wanted = _kinds(kinds)
    checked = await checked_url(url, allow_internal, resolver)
    params = {"id": endpoint_id, "url": checked, "kinds": wanted, "now": now}
    rows, _ = await store.write_returning(q.CREATE_ENDPOINT, params)
    return rows[0], endpoint_secret(privacy, endpoint_id, 1)


async def endpoints(store: GraphStore) -> list[Record]:
    return await store.read(q.ENDPOINTS)


async def deliveries(
    store: GraphStore, endpoint: str | None, status: str | None, limit: int
) -> list[Record]:
    """The newest deliveries (of one endpoint, in one status). Raises BAD_USER_INPUT."""
    if status is not None and status not in STATUSES:
        raise bad_input(f"must be one of {', '.join(STATUSES)}", "status")
    params = {"endpoint": endpoint, "status": status, "limit": limit}
    return await store.read(q.DELIVERIES, params)


async def replay(store: GraphStore, delivery_id: str, now: int) -> Record:
    """Queue the delivery again, from its first attempt. Raises NOT_FOUND."""
    rows, _ = await store.write_returning(q.REPLAY_DELIVERY, {"id": delivery_id, "now": now})
    if not rows:
        raise not_found("webhook delivery", delivery_id)
    return rows[0]


@dataclass(frozen=True)
class SenderConfig:
    max_attempts: int = 8
    retry_base_s: float = 5.0
    timeout_s: float = 10.0
    poll_s: float = 1.0
    batch: int = 50
    # Send to internal addresses too (HUB_WEBHOOK_ALLOW_INTERNAL; resolvers/webhook_urls.py).
    allow_internal: bool = False


class WebhookSender:
    """Sends due deliveries until cancelled (in the app's lifespan, hub/app.py), several at
    once; the writes that queued them never wait for it."""

    def __init__(
        self, store: GraphStore, privacy: PrivacyConfig, config: SenderConfig,
        clock: Clock = now_ms, client: httpx.AsyncClient | None = None,
    ) -> None:  # fmt: skip
        self._store = store
        self._privacy = privacy
        self._config = config
        self._clock = clock
        # Every delivery's host is checked again as it is sent (DNS rebinding).
        self._client = client or httpx.AsyncClient(
            timeout=config.timeout_s, transport=PublicOnlyTransport(config.allow_internal)
        )
        self._stopping = asyncio.Event()

    async def send_due(self) -> int:
        """Attempt every delivery due now (one batch); how many. Raises GraphError."""
        due = await self._store.read(q.DUE_DELIVERIES, {"now": self._clock(),
                                                        "limit": self._config.batch})  # fmt: skip
        await asyncio.gather(*(self._attempt(d) for d in due))
        return len(due)

    async def _attempt(self, delivery: Record) -> None:
        payload = orjson.loads(delivery["payload"]) if delivery["payload"] else {}
        body = orjson.dumps({"id": delivery["event_id"], "kind": delivery["kind"],
                             "payload": payload})  # fmt: skip
        secret = endpoint_secret(self._privacy, delivery["endpoint_id"],
                                 delivery["secret_version"] or 1)  # fmt: skip
        sent_at = self._clock()
        headers = {
            "content-type": "application/json",
            "x-hub-signature": signature(secret, sent_at, body),
            "x-hub-event-id": delivery["event_id"], "x-hub-delivery-id": delivery["id"],
        }  # fmt: skip
        props: dict[str, Any]
        try:
            response = await self._client.post(delivery["url"], content=body, headers=headers)
            status, error = response.status_code, None if response.is_success else "status"
        except httpx.HTTPError as e:
            status, error = 0, type(e).__name__
        attempts = (delivery["attempts"] or 0) + 1
        if error is None:
            props = {"status": "delivered", "last_status": status, "delivered_at": self._clock()}
        elif attempts >= self._config.max_attempts:
            props = {"status": "dead", "last_status": status,
                     "last_error": f"HTTP {status}" if error == "status" else error}  # fmt: skip
        else:
            props = {"status": "failed", "last_status": status,
                     "last_error": f"HTTP {status}" if error == "status" else error,
                     "next_attempt_at": self._clock()
                     + backoff_ms(attempts, self._config.retry_base_s)}  # fmt: skip
        await self._store.write(q.RECORD_ATTEMPT, {"id": delivery["id"], "props": props,
                                                   "now": self._clock()})  # fmt: skip

    def stop(self) -> None:
        """End ``run()`` after the round under way (see OutboxDispatcher.stop)."""
        self._stopping.set()

    async def run(self) -> None:
        try:
            while not self._stopping.is_set():
                try:
                    sent = await self.send_due()
                except GraphError as e:
                    logger.warning("webhook sending failed, will retry: %s", type(e).__name__)
                    sent = 0
                if not sent:
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(self._config.poll_s):
                            await self._stopping.wait()
        finally:
            await self._client.aclose()
