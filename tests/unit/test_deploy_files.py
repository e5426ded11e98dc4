"""docker-compose.yml keeps its promises (`docker compose config` needs a compose plugin,
which machines without Docker lack; this checks the parts the design relies on)."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_compose_runs_neo4j_lts_with_a_health_check_and_the_hub_after_it():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    neo4j, hub = compose["services"]["neo4j"], compose["services"]["hub"]
    assert neo4j["image"] == "neo4j:5.26-community"
    assert "cypher-shell" in " ".join(neo4j["healthcheck"]["test"])
    assert hub["depends_on"] == {"neo4j": {"condition": "service_healthy"}}
    assert hub["environment"]["HUB_GRAPH_URL"] == "bolt://neo4j:7687"


def test_ci_runs_make_test():
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_the_image_copies_every_package_the_project_installs():
    packages = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "packages"
    ]["find"]["include"]
    copied = set(re.findall(r"^COPY (\w+) \1$", (ROOT / "Dockerfile").read_text(), re.M))
    assert {p.rstrip("*") for p in packages} <= copied


def test_the_image_builds_the_console_and_serves_it():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "RUN npm ci" in dockerfile and "RUN node build.mjs" in dockerfile
    copied = re.search(r"^COPY --from=console /console/dist (\S+)$", dockerfile, re.M)
    assert copied is not None
    served = re.search(r"HUB_CONSOLE_DIR=(\S+)", dockerfile)
    assert served is not None and served.group(1) == f"/app/{copied.group(1)}"
