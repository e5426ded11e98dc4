"""Hooks and fixtures for the whole suite.

Hooks: loaded by the process that prints the results, which under pytest-xdist (make test)
is not the one that runs the tests: what the terminal summary shows must therefore reach
it on the tests' reports. Fixtures shared by the integration and property tests: one Neo4j
per test session (HUB_TEST_NEO4J_URI, or one started here from scripts/neo4j-dev), started
only when a test asks for it."""

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

SUMMARY_PROPERTY = "summary_line"  # a test's user property: one line for the summary


class SummaryLines:
    """Collects the summary lines that tests' reports carry and prints them at the end."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self.lines.extend(
            str(value) for name, value in report.user_properties if name == SUMMARY_PROPERTY
        )

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if self.lines:
            terminalreporter.section("property tests")
            for line in self.lines:
                terminalreporter.write_line(line)


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(SummaryLines(), "summary-lines")


@pytest.hookimpl(optionalhook=True)  # a pytest-xdist hook: called only under `-n N`
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """Under `--dist loadgroup` (make test), the engine-aware scheduling of
    tests/engine_groups.py; otherwise xdist's own."""
    if config.getoption("dist") != "loadgroup":
        return None
    from tests.engine_groups import EngineGroupScheduling  # needs xdist, imported under it

    return EngineGroupScheduling(config, log)


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
