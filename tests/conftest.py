"""Hooks for the whole suite. Loaded by the process that prints the results, which under
pytest-xdist (make test) is not the one that runs the tests: what the terminal summary
shows must therefore reach it on the tests' reports."""

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
