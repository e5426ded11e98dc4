"""`hub serve --workers 2` (issue 14): two worker processes answer on one port, attached to
the one embedded engine the serving process started, and one outbox dispatcher and one
webhook sender, in the serving process, deliver each event's webhook once; a subscriber on
one worker hears the writes made through both."""

import asyncio
import http.server
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import httpx
import pytest
import websockets

from graph.embedded import EngineRecord
from graph.migrations import migrate
from graph.store import open_store
from loaders.seed import seed
from loaders.synthetic import SyntheticConfig
from resolvers.keys import create_key
from resolvers.principal import Role

HUB = str(Path(sys.executable).with_name("hub"))
WRITES = 6

REGISTER = """mutation($url: String!) {
  registerWebhook(input: {url: $url, kinds: ["customer.tagged"]}) { endpoint { endpointId } }
}"""
TAG = """mutation($tag: ID!) {
  tagCustomer(input: {customerId: "c0000001", tagId: $tag, weight: 0.5, source: DECLARED}) {
    __typename ... on TagPayload { receipt { eventId } }
  }
}"""


SUBSCRIPTION = 'subscription { customerChanged(id: "c0000001") { eventId kind } }'


class Subscriber(threading.Thread):
    """A graphql-transport-ws client on one connection (so on one worker), collecting the
    event ids it hears until it has ``expected`` of them or 60 s have passed."""

    def __init__(self, url: str, key: str, expected: int) -> None:
        super().__init__(daemon=True)
        self.url, self.key, self.expected = url, key, expected
        self.subscribed = threading.Event()
        self.heard: set[str] = set()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            asyncio.run(self._listen())
        except BaseException as e:  # handed to the test, which asserts on it
            self.error = e
        finally:
            self.subscribed.set()

    async def _listen(self) -> None:
        async with websockets.connect(
            self.url, subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
            additional_headers={"authorization": self.key},
        ) as ws:  # fmt: skip
            await ws.send(json.dumps({"type": "connection_init"}))
            assert json.loads(await ws.recv())["type"] == "connection_ack"
            await ws.send(json.dumps({"id": "1", "type": "subscribe",
                                      "payload": {"query": SUBSCRIPTION}}))  # fmt: skip
            await asyncio.sleep(0.5)  # registered before the first write
            self.subscribed.set()
            deadline = time.monotonic() + 60
            while len(self.heard) < self.expected and time.monotonic() < deadline:
                message = json.loads(await asyncio.wait_for(ws.recv(), 60))
                assert message["type"] == "next", message
                self.heard.add(message["payload"]["data"]["customerChanged"]["eventId"])


class Receiver(http.server.BaseHTTPRequestHandler):
    events: ClassVar[Counter[str]] = Counter()

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["content-length"]))
        Receiver.events[self.headers["x-hub-event-id"]] += 1
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[str]:
    Receiver.events = Counter()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    finally:
        server.shutdown()
        server.server_close()


def _children(pid: int) -> list[str]:
    """The command lines of ``pid``'s child processes."""
    out = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and int((entry / "stat").read_text().split()[3]) == pid:
                out.append((entry / "cmdline").read_bytes().replace(b"\0", b" ").decode())
        except OSError:  # gone meanwhile
            continue
    return out


async def _seed_and_keys(data_dir: Path) -> tuple[dict[str, str], dict[str, str]]:
    """A small seeded graph, and the headers of an admin key and an app key."""
    async with open_store(f"embedded://{data_dir}") as store:
        await migrate(store)
        await seed(store, SyntheticConfig(customers=20))
        admin = await create_key(store, "ops", Role.ADMIN)
        app = await create_key(store, "app", Role.APP)
    return {"Authorization": f"Bearer {admin.key}"}, {"Authorization": f"Bearer {app.key}"}


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_two_workers_share_one_engine_and_one_dispatcher(tmp_path: Path, receiver: str) -> None:
    data_dir = tmp_path / "graph"
    port = _free_port()
    # The webhook receiver is on this host: the hub may deliver to it.
    env = {**os.environ, "HUB_GRAPH_URL": f"embedded://{data_dir}", "HUB_PORT": str(port),
           "HUB_OUTBOX_POLL_S": "0.1", "HUB_RATE_LIMIT_BURST": "1000",
           "HUB_WEBHOOK_ALLOW_INTERNAL": "1"}  # fmt: skip

    admin, app = asyncio.run(_seed_and_keys(data_dir))  # in-process: no more Pythons to start
    hub = subprocess.Popen([HUB, "serve", "--workers", "2"], env=env, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, text=True)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180  # three processes start: slow on a loaded machine
        while True:
            assert hub.poll() is None, hub.communicate()[1]
            assert time.monotonic() < deadline, "the hub did not become ready within 180 s"
            try:
                if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        # One engine, started by the serving process; two workers beside it.
        record = EngineRecord.read(data_dir / "engine.json")
        assert record is not None and record.owner_pid == hub.pid
        workers = [c for c in _children(hub.pid) if "multiprocessing.spawn" in c]
        assert len(workers) == 2, _children(hub.pid)

        registered = httpx.post(
            f"{url}/graphql",
            headers=admin,
            timeout=30,
            json={"query": REGISTER, "variables": {"url": receiver}},
        )
        assert "errors" not in registered.json(), registered.text
        subscriber = Subscriber(f"ws://127.0.0.1:{port}/graphql", app["Authorization"], WRITES)
        subscriber.start()
        assert subscriber.subscribed.wait(60) and subscriber.error is None, subscriber.error
        sent = set()
        for i in range(WRITES):  # a connection each: both workers take some
            answer = httpx.post(
                f"{url}/graphql",
                headers=app,
                timeout=30,
                json={"query": TAG, "variables": {"tag": f"t-e2e-{i}"}},
            )
            payload = answer.json()
            assert answer.status_code == 200 and "errors" not in payload, answer.text
            sent.add(payload["data"]["tagCustomer"]["receipt"]["eventId"])

        deadline = time.monotonic() + 30
        while set(Receiver.events) != sent and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(1.0)  # ten more polls: a second dispatcher would have sent them again
        assert set(Receiver.events) == sent
        assert set(Receiver.events.values()) == {1}, Receiver.events
        # Written through both workers, heard on the one the subscriber's socket went to.
        subscriber.join(60)
        assert subscriber.error is None, subscriber.error
        assert subscriber.heard == sent
    finally:
        hub.send_signal(signal.SIGTERM)
        _, stderr = hub.communicate(timeout=60)
    assert hub.returncode == 0, stderr
    # The engine stopped with the hub.
    record = EngineRecord.read(data_dir / "engine.json")
    assert record is None or not Path(f"/proc/{record.engine_pid}").exists()
