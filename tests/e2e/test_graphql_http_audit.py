"""The GraphQL over HTTP conformance audit of the graphql-http npm package (`auditServer`),
run by tests/e2e/graphql_http/audit.mjs against `hub serve` as a process: no MUST audit
may fail. Node.js and npm are required (CI has them); the package is pinned by the
committed package-lock.json and installed once into .hub/npm/graphql-http (git-ignored).
"""

import asyncio
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from graph.migrations import migrate
from graph.store import open_store
from hub.app import HubGraphQL
from resolvers.keys import create_key
from resolvers.principal import Role
from tests.e2e.hub_process import serving
from tests.e2e.npm_packages import install

AUDIT_SOURCE = Path(__file__).with_name("graphql_http")
AUDIT_FILES = ("package.json", "package-lock.json", "audit.mjs")
# The audits application/graphql-response+json needs hub/app.py's HubGraphQL for (SHOULDs:
# Strawberry's view alone answers them as application/json with `data: null` and a 200).
GRAPHQL_RESPONSE_JSON_AUDITS = {"22EB", "865D", "556A", "D586", "51FE", "74FF", "5E5B", "86EE"}


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(
            f"{name} is not on PATH: the graphql-http audit needs Node.js 18+ and npm "
            "(install them, e.g. apt-get install nodejs npm, or from https://nodejs.org)",
            pytrace=False,
        )
    return path


def _install_audit(npm: str) -> Path:
    """The audit script next to its installed packages (tests/e2e/npm_packages.py)."""
    return install(npm, AUDIT_SOURCE, AUDIT_FILES, "graphql-http") / "audit.mjs"


async def _create_api_key(graph_url: str) -> str:
    """A fresh app-role key in the graph the hub will serve (the hub is not running yet,
    so the embedded engine is this process's alone), as `hub keys create` makes one."""
    async with open_store(graph_url) as store:
        await migrate(store)
        return (await create_key(store, "graphql-http audit", Role.APP)).key


def test_graphql_over_http_audit_has_no_must_failures(tmp_path):
    node, npm = _tool("node"), _tool("npm")
    script = _install_audit(npm)
    graph_url = f"embedded://{tmp_path}/graph"
    key = asyncio.run(_create_api_key(graph_url))
    env = {**os.environ, "HUB_AUDIT_AUTHORIZATION": f"Bearer {key}"}
    # The audit sends ~60 requests at once, as one caller: above the default burst.
    with serving(graph_url, tmp_path, {"HUB_RATE_LIMIT_BURST": "1000"}) as base_url:
        run = subprocess.run(
            [node, str(script), f"{base_url}/graphql"], cwd=script.parent, env=env,
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
    assert run.returncode in (0, 1), f"the audit did not run:\n{run.stderr}"
    report = json.loads(run.stdout)
    audits = report["audits"]
    for audit in audits:
        if audit["status"] != "ok":
            print(f"{audit['status'].upper()} {audit['id']} {audit['name']}: {audit['reason']}")
    print("graphql-http audit:", report["counts"])

    # The audit really ran against the hub: GraphQL answered, not a 401 or an error page.
    assert any(a["name"].startswith("MUST") and a["status"] == "ok" for a in audits)
    must_failures = [
        f"{a['id']} {a['name']}: {a['reason']} (got {a['response']})"
        for a in audits
        if a["status"] == "error"
    ]
    assert not must_failures, "\n".join(must_failures)
    assert run.returncode == 0
    # What HubGraphQL adds to Strawberry's view: application/graphql-response+json.
    response_json_warnings = [
        f"{a['id']} {a['name']}: {a['reason']}"
        for a in audits
        if a["id"] in GRAPHQL_RESPONSE_JSON_AUDITS and a["status"] != "ok"
    ]
    assert not response_json_warnings, "\n".join(response_json_warnings)
    assert {a["id"] for a in audits} >= GRAPHQL_RESPONSE_JSON_AUDITS


RESPONSE_JSON, JSON = "application/graphql-response+json", "application/json"


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        (None, JSON),
        ("*/*", JSON),
        ("text/plain", JSON),
        (RESPONSE_JSON, RESPONSE_JSON),
        (f"{RESPONSE_JSON}, {JSON};q=0.9", RESPONSE_JSON),
        (f"{JSON}, {RESPONSE_JSON}", JSON),
        (f"{RESPONSE_JSON};q=0.5, {JSON}", JSON),
        (f"{RESPONSE_JSON};q=0, */*", JSON),
        ("Application/GraphQL-Response+JSON; charset=utf-8", RESPONSE_JSON),
    ],
)
def test_response_media_type_follows_the_accept_header(accept, media_type):
    # The audit sends one media type at a time; clients send lists with q values.
    assert HubGraphQL.response_media_type(accept) == media_type
