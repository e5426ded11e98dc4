"""Work computed in worker processes (resolvers/compute.py): results, failures and the
time limit, with real processes."""

import multiprocessing
import os
import time

import pytest

from resolvers.communities import detect_communities
from resolvers.compute import Compute
from resolvers.errors import ApiError


async def test_a_computation_runs_in_another_process_and_returns_its_value():
    compute = Compute(timeout_s=60)
    try:
        first, second = await compute.run(os.getpid), await compute.run(os.getpid)
        assert first != os.getpid()
        assert second == first  # the app keeps its worker for the next computation
        edges = [("a", "b", 2), ("b", "c", 2), ("a", "c", 2)]
        assert await compute.run(detect_communities, edges, {"a": "c1"}, 7) == (
            detect_communities(edges, {"a": "c1"}, 7)
        )
    finally:
        compute.close()
    assert multiprocessing.active_children() == []


async def test_a_standalone_context_keeps_no_worker():
    compute = Compute(timeout_s=60, keep_workers=False)
    assert await compute.run(os.getpid) != await compute.run(os.getpid)
    assert multiprocessing.active_children() == []


async def test_a_failure_names_the_error_type_only():
    compute = Compute(timeout_s=60, keep_workers=False)
    with pytest.raises(RuntimeError, match="ValueError") as failed:
        await compute.run(int, "secret-looking input")
    assert "secret" not in str(failed.value)


async def test_a_computation_over_the_time_limit_is_killed_with_a_code():
    compute = Compute(timeout_s=60)
    worker = await compute.run(os.getpid)  # started (which the limit counts too)
    compute.timeout_s = 0.5
    with pytest.raises(ApiError) as refused:
        await compute.run(time.sleep, 600)
    assert refused.value.extensions == {"code": "LIMIT_EXCEEDED", "limit": "time"}
    assert multiprocessing.active_children() == []  # the worker was killed and reaped
    compute.timeout_s = 60
    assert await compute.run(os.getpid) != worker  # the next computation gets a new one
    compute.close()


@pytest.mark.parametrize(("timeout_s", "workers"), [(0, 1), (-1, 1), (1, 0)])
def test_limits_must_make_sense(timeout_s, workers):
    with pytest.raises(ValueError):
        Compute(timeout_s, workers)
