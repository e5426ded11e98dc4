"""Nothing acknowledged is lost (issue 12): `hub serve` on the embedded engine confirms a
consent withdrawal, an audit entry and a partner ledger release; then the engine, and
later the hub itself, is killed with SIGKILL. After recovery all three stand.

Keys are made with `hub keys create` while the hub serves: the command attaches to the
engine the server owns instead of refusing.
"""

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from graph.embedded import EngineRecord, pid_alive
from graph.store import open_store

HUB = str(Path(sys.executable).with_name("hub"))
PARTNER_BRAND = "b0004"
K = 5

WITHDRAW = """mutation($customer: ID!) {
  withdrawConsent(input: {customerId: $customer, brandId: "b0004", source: "e2e"}) {
    __typename ... on ConsentPayload { withdrawn consents { live } }
  }
}"""
# Partners may run only the published operations.
PUBLISHED = Path(__file__).resolve().parents[2] / "schema" / "persisted"
AUDIENCE = (PUBLISHED / "PartnerAudience.graphql").read_text()
AUDIENCE_VARS = {"purpose": "MARKETING"}
AGGREGATES = (PUBLISHED / "PartnerAggregates.graphql").read_text()
AGGREGATES_VARS = {"purpose": "MARKETING", "dimension": "SEGMENT"}
HISTORY = """query($customer: ID!) {
  consentHistory(customerId: $customer, brandId: "b0004") { eventId action }
}"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Hub:
    """`hub serve` as a process, with the CLI pointed at the same graph."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "HUB_GRAPH_URL": f"embedded://{data_dir}",
            "HUB_PORT": str(self.port),
            "HUB_PARTNER_MIN_GROUP_SIZE": str(K),
            "HUB_RATE_LIMIT_PER_MINUTE": "100000",
            "HUB_RATE_LIMIT_BURST": "10000",
        }
        self.process: subprocess.Popen[str] | None = None

    def cli(self, *args: str) -> str:
        done = subprocess.run(
            [HUB, *args], capture_output=True, text=True, env=self.env, timeout=120, check=False
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    def serve(self) -> None:
        self.process = subprocess.Popen(
            [HUB, "serve"], env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.process.communicate()[1]
            try:
                if httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        self.stop()  # not left running after the test (it was, holding its engine)
        raise AssertionError("the hub did not become ready within 60 s")

    def engine_pid(self) -> int:
        record = EngineRecord.read(self.data_dir / "engine.json")
        assert record is not None
        return record.engine_pid

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.communicate()


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Hub]:
    running = Hub(tmp_path / "graph")
    running.cli("seed", "--customers", "300", "--quiet")
    try:
        running.serve()
        yield running
    finally:
        running.stop()


def _post(url: str, key: str, query: str, variables: dict[str, Any] | None = None) -> Any:
    response = httpx.post(
        f"{url}/graphql",
        json={"query": query, "variables": variables or {}},
        headers={"Authorization": f"Bearer {key}"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


def _graph_facts(data_dir: Path, customer: str) -> dict[str, Any]:
    """What the graph holds, read by a second client attached to the running engine."""

    async def read() -> dict[str, Any]:
        async with open_store(f"embedded://{data_dir}") as store:
            consent = await store.read(
                "MATCH (:Customer {id: $c})-[r:CONSENTED]->(:Brand {id: $b}) "
                "RETURN r.withdrawn_at AS withdrawn_at",
                {"c": customer, "b": PARTNER_BRAND},
            )
            audits = await store.read("MATCH (a:AuditEntry) RETURN a.id AS id")
            releases = await store.read("MATCH (r:PartnerRelease) RETURN r.id AS id")
        return {
            "withdrawn": [r["withdrawn_at"] is not None for r in consent],
            "audits": {r["id"] for r in audits},
            "releases": {r["id"] for r in releases},
        }

    return asyncio.run(read())


def _until_recovered(hub: Hub, key: str) -> tuple[int, int]:
    """Send requests until one succeeds; every failure in the gap must be a 503
    GRAPH_UNAVAILABLE with Retry-After. Returns (failed, sent)."""
    failed = sent = 0
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        sent += 1
        try:
            response = httpx.post(
                f"{hub.url}/graphql", json={"query": AUDIENCE, "variables": AUDIENCE_VARS},
                headers={"Authorization": f"Bearer {key}"}, timeout=10,
            )  # fmt: skip
        except httpx.TransportError:
            # The hub process itself is down (after its own kill): not a response at all.
            failed += 1
            time.sleep(0.05)
            continue
        if response.status_code == 200 and "errors" not in response.json():
            return failed, sent
        failed += 1
        assert response.status_code == 503, response.text
        assert int(response.headers["retry-after"]) >= 1
        assert response.json()["errors"][0]["extensions"]["code"] == "GRAPH_UNAVAILABLE"
        time.sleep(0.02)
    raise AssertionError("the hub did not recover within 60 s")


def test_a_confirmed_withdrawal_audit_entry_and_release_survive_kill_9(hub: Hub) -> None:
    # Keys made while the hub serves (the CLI attaches to the running engine).
    admin = hub.cli("keys", "create", "--name", "ops", "--role", "admin")
    partner = hub.cli(
        "keys", "create", "--name", "p", "--role", "partner",
        "--partner", PARTNER_BRAND, "--purpose", "marketing",
    )  # fmt: skip
    customer = _marketing_member(hub.data_dir)

    def audience_size() -> int:
        page = _post(hub.url, partner, AUDIENCE, AUDIENCE_VARS)["partner"]["audience"]
        return int(page["totalCount"])

    before = audience_size()

    confirmed = _post(hub.url, admin, WITHDRAW, {"customer": customer})["withdrawConsent"]
    assert confirmed["__typename"] == "ConsentPayload" and confirmed["withdrawn"] >= 1
    assert (
        _post(hub.url, partner, AUDIENCE, AUDIENCE_VARS)["partner"]["audience"]["totalCount"]
        == before - 1
    )
    cells = _post(hub.url, partner, AGGREGATES, AGGREGATES_VARS)["partner"]["aggregates"]["cells"]
    assert cells, "no cell was released, so the ledger holds nothing to lose"
    facts = _graph_facts(hub.data_dir, customer)
    history = _post(hub.url, admin, HISTORY, {"customer": customer})["consentHistory"]
    withdrawal_events = {e["eventId"] for e in history if e["action"] == "WITHDRAW"}
    assert withdrawal_events
    assert all(facts["withdrawn"]) and facts["audits"] and facts["releases"]

    def all_three_stand() -> None:
        after = _graph_facts(hub.data_dir, customer)
        assert all(after["withdrawn"]), "the withdrawal came back undone"
        assert facts["audits"] <= after["audits"], "audit entries were lost"
        assert facts["releases"] <= after["releases"], "ledger releases were lost"
        audience = _post(hub.url, partner, AUDIENCE, AUDIENCE_VARS)["partner"]["audience"][
            "totalCount"
        ]
        assert audience == before - 1
        events = _post(hub.url, admin, HISTORY, {"customer": customer})["consentHistory"]
        assert {e["eventId"] for e in events} >= withdrawal_events, "consent history lost"

    # 1. kill -9 the engine: the hub reaps it, restarts it, and carries on.
    engine = hub.engine_pid()
    os.kill(engine, signal.SIGKILL)
    _until_recovered(hub, partner)
    assert hub.engine_pid() != engine and not pid_alive(engine)
    assert httpx.get(f"{hub.url}/healthz", timeout=5).json()["status"] == "ok"
    all_three_stand()

    # 2. kill -9 the hub: its engine stops with it; a new hub finds everything.
    assert hub.process is not None
    engine = hub.engine_pid()
    hub.process.send_signal(signal.SIGKILL)
    hub.process.communicate(timeout=30)
    hub.serve()
    assert hub.engine_pid() != engine
    all_three_stand()


def _marketing_member(data_dir: Path) -> str:
    async def read() -> str:
        async with open_store(f"embedded://{data_dir}") as store:
            rows = await store.read(
                "MATCH (c:Customer)-[r:CONSENTED]->(:Brand {id: $b}) "
                "WHERE r.withdrawn_at IS NULL AND 'marketing' IN r.purposes "
                "RETURN c.id AS id ORDER BY id LIMIT 1",
                {"b": PARTNER_BRAND},
            )
        return str(rows[0]["id"])

    return asyncio.run(read())


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_a_seed_stops_at_ctrl_c_and_stops_its_engine(tmp_path: Path, sig: signal.Signals) -> None:
    """Python 3.11's asyncio.wait_for could swallow asyncio.run's one cancellation, and
    `hub seed` then ran on to the end after Ctrl-C (and `make demo` went on to serve)."""
    data_dir = tmp_path / "graph"
    env = {**os.environ, "HUB_GRAPH_URL": f"embedded://{data_dir}"}
    seeding = subprocess.Popen(
        [HUB, "seed", "--customers", "20000"], env=env, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, text=True,
        # A CI shell may start jobs with SIGINT ignored; a terminal's Ctrl-C is not.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while EngineRecord.read(data_dir / "engine.json") is None:
        assert time.monotonic() < deadline and seeding.poll() is None, "the seed did not start"
        time.sleep(0.05)
    engine = EngineRecord.read(data_dir / "engine.json")
    assert engine is not None
    time.sleep(2)  # well into writing batches
    seeding.send_signal(sig)
    _, stderr = seeding.communicate(timeout=30)
    assert seeding.returncode == 130, stderr
    assert "interrupted" in stderr and "Traceback" not in stderr
    assert not pid_alive(engine.engine_pid), "the engine outlived the interrupted command"


def test_a_second_server_on_the_same_graph_is_refused_in_one_line(hub: Hub) -> None:
    """Start-up errors were uvicorn's traceback of the lifespan and 'could not start: 3'."""
    env = {**hub.env, "HUB_PORT": str(_free_port())}
    second = subprocess.run(
        [HUB, "serve"], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert second.returncode == 1
    assert "the hub could not start: the embedded engine for" in second.stderr
    assert "already running, owned by pid" in second.stderr
    assert "Traceback" not in second.stderr
    # The first server is untouched.
    assert httpx.get(f"{hub.url}/readyz", timeout=5).status_code == 200
