"""`hub serve --workers` (hub/serve.py): the default and the refusals that come before
anything starts. tests/e2e/test_serve_workers.py serves with two workers for real."""

import os

import pytest
from typer.testing import CliRunner

from hub.cli import app
from hub.serve import default_workers
from hub.settings import Settings


def test_the_default_is_one_worker_per_usable_core() -> None:
    assert default_workers() == len(os.sched_getaffinity(0))


def test_workers_are_a_setting_too() -> None:
    assert Settings(_env_file=None, workers=3).workers == 3
    assert Settings(_env_file=None).workers is None  # one per core, decided when serving


@pytest.mark.parametrize("workers", ["0", "65"])
def test_a_worker_count_out_of_range_is_refused(workers: str) -> None:
    result = CliRunner().invoke(app, ["serve", "--workers", workers])
    assert result.exit_code == 2
    assert "--workers" in result.output


def test_a_metrics_port_of_its_own_needs_one_worker() -> None:
    # Each worker would bind the port: the second would fail to start, in a loop.
    result = CliRunner().invoke(
        app, ["serve", "--workers", "2"], env={"HUB_PROMETHEUS": "port"}, catch_exceptions=False
    )
    assert result.exit_code == 2
    assert "HUB_PROMETHEUS=port" in result.output and "--workers 1" in result.output
