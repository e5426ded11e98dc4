"""Fixtures shared by the integration and property tests: one Neo4j per test session
(HUB_TEST_NEO4J_URI, or one started here from scripts/neo4j-dev), started only when a
test asks for it."""

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def neo4j_auth() -> tuple[str, str] | None:
    """The (user, password) for the test Neo4j from the environment; None without a password."""
    user = os.environ.get("HUB_TEST_NEO4J_USER", "neo4j")
    password = os.environ.get("HUB_TEST_NEO4J_PASSWORD", "")
    return (user, password) if password else None


@pytest.fixture(scope="session")
def neo4j_uri() -> Iterator[str]:
    """The Neo4j to test against; started from scripts/neo4j-dev when none is configured."""
    configured = os.environ.get("HUB_TEST_NEO4J_URI")
    if configured:
        yield configured
        return
    process = subprocess.Popen(
        [str(ROOT / "scripts" / "neo4j-dev")], stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()  # the script prints the URL once ready
        if not line.startswith("bolt://"):
            pytest.fail(f"scripts/neo4j-dev did not start (exit {process.wait()}): {line!r}")
        yield line
    finally:
        process.terminate()
        process.wait(timeout=60)
        if process.stdout is not None:
            process.stdout.close()
