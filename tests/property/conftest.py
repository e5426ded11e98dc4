"""Property tests: generated inputs against a real engine. Each test may add a line of
figures to the terminal summary through the `property_report` fixture."""

from collections.abc import Iterator

import pytest

from tests.conftest import SUMMARY_PROPERTY


@pytest.fixture
def property_report(request: pytest.FixtureRequest) -> Iterator[list[str]]:
    """Lines to print in the terminal summary (e.g. how many queries a test ran)."""
    lines: list[str] = []
    yield lines
    # They travel on the test's teardown report (tests/conftest.py prints them), so that
    # they reach the summary also from a pytest-xdist worker (make test).
    request.node.user_properties.extend((SUMMARY_PROPERTY, line) for line in lines)
