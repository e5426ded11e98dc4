"""Property tests: generated inputs against a real engine. Each test may add a line of
figures to the terminal summary through the `property_report` fixture."""

from typing import Any

import pytest

REPORT = pytest.StashKey[list[str]]()


@pytest.fixture
def property_report(pytestconfig: pytest.Config) -> list[str]:
    """Lines to print in the terminal summary (e.g. how many queries a test ran)."""
    return pytestconfig.stash.setdefault(REPORT, [])


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    lines = config.stash.get(REPORT, [])
    if lines:
        terminalreporter.section("property tests")
        for line in lines:
            terminalreporter.write_line(line)
