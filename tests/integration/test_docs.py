"""Every GraphQL example of README.md and docs/ runs over HTTP, with a key of the role it is
written for, against a seeded graph, on both engines; every Cypher example runs on the
graph that docs/examples loads. A block that fails names its file and line (the test id).
How a block says its role and variables: tests/doc_examples.py.
"""

import hashlib
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import OperationDefinitionNode, parse

from graph.partner_lists import CREATE_LIST
from graph.store import GraphStore
from hub.app import create_app
from hub.settings import Settings
from loaders.mapping import Mapping, load_mapping
from loaders.pipeline import LoadOptions, load_files
from loaders.seed import seed
from loaders.synthetic import SyntheticConfig
from resolvers.clock import now_ms
from resolvers.keys import create_key
from resolvers.partner_lists import append_chunk
from resolvers.predictions import fit_models
from resolvers.principal import PURPOSES, Role
from tests.doc_examples import ROOT, Block, blocks, find
from tests.integration.conftest import ENGINES

# The README's examples name c0000001, the first customer the synthetic data makes.
SEEDED = SyntheticConfig(customers=200, brands=20, seed=42)

# The partner whose key runs the partner examples: the brand with the largest live
# audience for partner sharing, so the examples return members rather than nothing.
LARGEST_SHARING_AUDIENCE = """
MATCH (:Customer)-[r:CONSENTED]->(b:Brand)
WHERE 'partner_sharing' IN r.purposes AND r.withdrawn_at IS NULL
RETURN b.id AS brand, count(*) AS members ORDER BY members DESC, brand LIMIT 1
"""


@dataclass
class Hub:
    client: httpx.AsyncClient
    keys: dict[str, str]  # role -> API key


@pytest.fixture(scope="module", params=ENGINES)
def seeded_store(request: pytest.FixtureRequest) -> GraphStore:
    """The session's store of the engine in the test id, for the whole module."""
    store: GraphStore = request.getfixturevalue(f"{request.param}_store")
    return store


@pytest.fixture(scope="module")
async def hub(seeded_store: GraphStore) -> AsyncIterator[Hub]:
    """The hub over a freshly seeded graph, and a key per role."""
    store = seeded_store
    await store.write("MATCH (n) DETACH DELETE n")
    await seed(store, SEEDED)
    # docs/predictions.md's examples read the stored fit that `hub predict fit` makes
    await fit_models(store, "global", int(time.time() * 1000), 90.0)
    [largest] = await store.read(LARGEST_SHARING_AUDIENCE)
    keys = {}
    for role in Role:
        partner = (largest["brand"], PURPOSES) if role is Role.PARTNER else (None, ())
        keys[role.value] = (await create_key(store, f"docs-{role}", role, *partner)).key
    await _docs_partner_list(store, largest["brand"])
    # docs/partner.md's RotateMyKey example replaces the partner's key; the examples after
    # it keep using the old one, within a grace period longer than any run of this module.
    app = create_app(Settings(_env_file=None, partner_key_grace_s=86_400), store=store)
    app.state.store = store  # the transport below does not run the lifespan
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub") as client:
        yield Hub(client, keys)


# The list docs/partner.md's list examples name: the partner's, of the seeded customers'
# email keys (every other one) and hashes of no one.
DOCS_LIST_ID = "pl_" + "d0c5" * 8
SEEDED_EMAIL_KEYS = "MATCH (c:Customer) WHERE c.email_hash IS NOT NULL RETURN c.email_hash AS h"


async def _docs_partner_list(store: GraphStore, partner: str) -> None:
    now = now_ms()
    await store.write(
        CREATE_LIST,
        {"list": DOCS_LIST_ID, "partner": partner, "now": now, "expires_at": now + 86_400_000},
    )
    keys = [r["h"] for r in await store.read(SEEDED_EMAIL_KEYS)][::2]
    nobody = [hashlib.sha256(f"nobody{i}".encode()).hexdigest() for i in range(60)]
    await append_chunk(store, partner, DOCS_LIST_ID, "\n".join(keys + nobody).encode())


def _requests(block: Block) -> list[tuple[str | None, dict[str, Any]]]:
    """(operation name, variables) of each operation of the block."""
    directive = block.directive or {}
    variables = directive.get("variables", {})
    names = [
        d.name.value if d.name else None
        for d in parse(block.text).definitions
        if isinstance(d, OperationDefinitionNode)
    ]
    if len(names) == 1:
        return [(names[0], variables)]
    return [(name, variables.get(name, {})) for name in names]


@pytest.mark.parametrize("block", blocks("graphql"), ids=lambda b: b.where)
async def test_graphql_example_runs(hub: Hub, block: Block) -> None:
    directive = block.directive or {}
    role = directive.get("role")
    if role not in hub.keys:
        pytest.fail(f"{block.where}: no role to run it as (see tests/doc_examples.py)")
    for operation, variables in _requests(block):
        response = await hub.client.post(
            "/graphql",
            json={"query": block.text, "operationName": operation, "variables": variables},
            headers={"Authorization": f"Bearer {hub.keys[role]}"},
        )
        body = response.json()
        codes = [e.get("extensions", {}).get("code") for e in body.get("errors") or []]
        where = f"{block.where} ({operation or 'the query'} as {role})"
        if "expect" in directive:
            assert codes == [directive["expect"]], f"{where}: {body}"
            continue
        assert response.status_code == 200 and not codes, f"{where}: {body.get('errors')}"
        assert body["data"] and None not in body["data"].values(), f"{where}: {body}"
        # A mutation's refusal is data (a `...Error` member of its union), not an error:
        # an example must not show one without saying so.
        refused = [
            name for name, value in body["data"].items()
            if isinstance(value, dict) and str(value.get("__typename", "")).endswith("Error")
        ]  # fmt: skip
        if "refusal" in directive:  # the example shows a refusal on purpose, with this code
            codes = [body["data"][name].get("code") for name in refused]
            assert codes == [directive["refusal"]], f"{where}: {body}"
            continue
        assert not refused, f"{where}: refused: {body}"


def _examples() -> list[tuple[str, list[Path], Mapping]]:
    """docs/examples as docs/loading.md loads it: the kind is the file name up to its first
    dot; crm-export.csv is customers, read through crm-mapping.toml."""
    examples = ROOT / "docs" / "examples"
    files = sorted(p for p in examples.iterdir() if p.suffix in (".csv", ".jsonl"))
    loads = [(p.name.split(".")[0], [p], Mapping()) for p in files if p.stem != "crm-export"]
    mapping = load_mapping(examples / "crm-mapping.toml")
    return [*loads, ("customers", [examples / "crm-export.csv"], mapping)]


async def _load_examples(store: GraphStore, tmp_path: Path) -> None:
    options = LoadOptions(
        rejects_path=tmp_path / "rejects.jsonl", conflicts_path=tmp_path / "conflicts.jsonl"
    )
    for kind, paths, mapping in _examples():
        report = await load_files(store, kind, paths, mapping, options)
        assert report.tally.rejected == 0, kind


@pytest.mark.parametrize("block", blocks("cypher"), ids=lambda b: b.where)
async def test_cypher_example_runs(store: GraphStore, block: Block, tmp_path: Path) -> None:
    await _load_examples(store, tmp_path)
    await store.read(block.text)  # a GraphError (the engine refused it) fails the test


async def test_examples_leave_no_stub(store: GraphStore, tmp_path: Path) -> None:
    """docs/loading.md: the example files reference each other's ids, so loading them all
    gives a consistent graph, where its query for stubs finds none."""
    await _load_examples(store, tmp_path)
    stubs = find("docs/loading.md", "MATCH (n) WHERE n.row_hash IS NULL").text
    assert await store.read(stubs) == []
