"""The hub's federation subgraph (`hub schema --federation`) composed with another small
subgraph by Apollo's own composition library (@apollo/composition, pinned by
tests/e2e/federation/package-lock.json): the supergraph must compose, with Customer an
entity of both subgraphs. Skipped, saying so, where Node.js or npm is not installed."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from schema import build_schema
from tests.e2e.npm_packages import install

SOURCE = Path(__file__).with_name("federation")
FILES = ("package.json", "package-lock.json", "compose.mjs")
REVIEWS = """extend schema @link(url: "https://specs.apollo.dev/federation/v2.11", import: ["@key"])

type Customer @key(fields: "id") {
  id: ID!
  reviews: [Review!]!
}

type Review {
  id: ID!
  stars: Int!
}

type Query {
  topReviews: [Review!]!
}
"""


def _tools() -> tuple[str, str]:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip(
            "composing the federation subgraph needs Node.js 18+ and npm, not installed here "
            "(apt-get install nodejs npm)"
        )
    return node, npm


def _compose(node: str, script: Path, subgraphs: dict[str, Path]) -> dict[str, object]:
    args = [f"{name}=http://{name}/graphql={path}" for name, path in subgraphs.items()]
    result = subprocess.run(
        [node, str(script), *args], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.stdout, result.stderr
    answer: dict[str, object] = json.loads(result.stdout)
    return answer


def test_the_subgraph_composes_with_another_into_a_supergraph(tmp_path):
    node, npm = _tools()
    script = install(npm, SOURCE, FILES, "federation") / "compose.mjs"
    hub, reviews = tmp_path / "hub.graphql", tmp_path / "reviews.graphql"
    hub.write_text(build_schema(federation=True).as_str())
    reviews.write_text(REVIEWS)
    answer = _compose(node, script, {"hub": hub, "reviews": reviews})
    assert "errors" not in answer, answer.get("errors")
    supergraph = str(answer["supergraph"])
    customer = supergraph[supergraph.index("type Customer") :].split("\n{", 1)[0]
    assert '@join__type(graph: HUB, key: "id"' in customer
    assert '@join__type(graph: REVIEWS, key: "id")' in customer
    assert "reviews: [Review!]! @join__field(graph: REVIEWS)" in supergraph
    brand = supergraph[supergraph.index("type Brand") :].split("\n{", 1)[0]
    assert '@join__type(graph: HUB, key: "id"' in brand
