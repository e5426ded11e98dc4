"""What HTTP adds: routes, health, GraphQL over POST/GET, GraphiQL, the CLI's errors,
and `hub demo` answering a customer-360 end to end as a process.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from graph.migrations import migrate
from graph.store import open_store
from hub.app import create_app
from hub.settings import Settings
from resolvers.keys import KEY_PATTERN, create_key
from resolvers.principal import Role
from tests.integration.sample_graph import load_sample

ROOT = Path(__file__).resolve().parents[2]
HUB = str(Path(sys.executable).with_name("hub"))
DEMO_QUERY = '{ customer(id: "c0000001") { customerId purchases { totalCount } } }'


@pytest.fixture
async def client(tmp_path):
    async with open_store(f"embedded://{tmp_path}") as store:
        await migrate(store)
        await load_sample(store)
        app = create_app(Settings(_env_file=None), store=store)
        app.state.store = store  # the transport below does not run the lifespan
        key = (await create_key(store, "e2e", Role.APP)).key
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://hub", headers={"Authorization": f"Bearer {key}"}
        ) as c:
            yield c


async def test_health_and_readiness(client):
    assert (await client.get("/healthz")).json() == {"status": "ok", "graph": "up"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200 and ready.json() == {"status": "ready", "engine": "embedded"}


async def test_graphql_over_post_and_get(client):
    query = '{ customer(id: "c1") { name purchases(first: 1) { totalCount } } }'
    expected = {"data": {"customer": {"name": "Wang Fang", "purchases": {"totalCount": 3}}}}
    assert (await client.post("/graphql", json={"query": query})).json() == expected
    assert (await client.get("/graphql", params={"query": query})).json() == expected


async def test_graphiql_in_the_browser(client):
    page = await client.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200 and "graphiql" in page.text.lower()


async def test_errors_carry_codes_over_http(client):
    body = (await client.post("/graphql", json={"query": '{ node(id: "x") { id } }'})).json()
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    bad = await client.post("/graphql", json={"query": "{ nope }"})
    assert (
        bad.status_code == 200 and "Cannot query field 'nope'" in bad.json()["errors"][0]["message"]
    )


def _hub(
    *args: str, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [HUB, *args], capture_output=True, text=True, env=full_env, timeout=timeout, check=False
    )


def test_malformed_graph_url_is_one_line_naming_the_variable():
    result = _hub("migrate", env={"HUB_GRAPH_URL": "bolt//localhost"})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: HUB_GRAPH_URL:")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_unreachable_neo4j_is_one_line_saying_what_to_do():
    url = f"bolt://127.0.0.1:{_free_port()}"  # nothing listens there
    result = _hub("migrate", env={"HUB_GRAPH_URL": url, "HUB_QUERY_TIMEOUT_S": "3"})
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Neo4j is not reachable" in lines[0] and "HUB_GRAPH_URL" in lines[0]


def test_neo4j_dev_without_java_or_maven_is_one_line_saying_what_to_do(tmp_path):
    # A PATH with the basic tools but no java: link a few coreutils into a bin dir.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("dirname", "sed", "head", "cut", "find", "cat", "rm", "touch", "mktemp"):
        found = subprocess.run(["bash", "-c", f"command -v {tool}"], capture_output=True, text=True)
        if found.stdout.strip():
            (bin_dir / tool).symlink_to(found.stdout.strip())
    result = subprocess.run(
        ["/bin/bash", str(ROOT / "scripts" / "neo4j-dev")],
        capture_output=True, text=True, env={"PATH": str(bin_dir)}, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Java 17+ not found" in lines[0] and "install" in lines[0]
    java = subprocess.run(["bash", "-c", "command -v java"], capture_output=True, text=True)
    (bin_dir / "java").symlink_to(java.stdout.strip())
    server = ROOT / "scripts" / "neo4j-server"
    stamp = server / "target" / ".built"
    if stamp.exists():
        # Maven is only needed to build; make the build look stale without touching it.
        env_home = tmp_path / "copy"
        subprocess.run(["cp", "-r", str(ROOT / "scripts"), str(env_home)], check=True)
        (env_home / "neo4j-server" / "target" / ".built").unlink()
        script = env_home / "neo4j-dev"
    else:
        script = ROOT / "scripts" / "neo4j-dev"
    result = subprocess.run(
        ["/bin/bash", str(script)], capture_output=True, text=True, env={"PATH": str(bin_dir)},
        check=False,
    )  # fmt: skip
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Maven not found" in lines[0]


def test_hub_demo_answers_a_customer_360(tmp_path):
    port = _free_port()
    env = {**os.environ, "HUB_GRAPH_URL": f"embedded://{tmp_path}/graph", "HUB_PORT": str(port)}
    started = time.monotonic()
    with subprocess.Popen(
        [HUB, "demo", "--customers", "200"], env=env, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, text=True,
    ) as demo:  # fmt: skip
        try:
            assert demo.stderr is not None
            key = None
            while key is None and time.monotonic() - started < 60:
                line = demo.stderr.readline()
                if not line:
                    break
                found = KEY_PATTERN.search(line)
                key = found.group(0) if found else None
            assert key is not None, "the demo printed no API key"
            body = None
            while time.monotonic() - started < 60 and demo.poll() is None:
                try:
                    url = f"http://127.0.0.1:{port}/graphql"
                    refused = httpx.post(url, json={"query": DEMO_QUERY}, timeout=5)
                    assert refused.status_code == 401
                    body = httpx.post(
                        url,
                        json={"query": DEMO_QUERY},
                        headers={"Authorization": f"Bearer {key}"},
                        timeout=5,
                    ).json()
                    break
                except httpx.TransportError:
                    time.sleep(0.3)
            assert body is not None, "the demo did not answer within a minute"
            assert body["data"]["customer"]["customerId"] == "c0000001"
            # ... and serves the console its message points to (built by `make console`).
            console = httpx.get(f"http://127.0.0.1:{port}/console/", timeout=5)
            assert console.status_code == 200 and "Customer-360 console" in console.text
        finally:
            demo.send_signal(signal.SIGINT)
            demo.wait(timeout=30)
    assert demo.returncode == 0
    assert not list(Path(tmp_path, "graph").glob("engine.pid")), "the engine was not stopped"
