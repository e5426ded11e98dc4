"""The slaAtRisk subscription, in-process on both engines (the socket is
tests/e2e/test_subscriptions.py's): complaints at risk on a fake clock, each once."""

import asyncio

from resolvers.context import Context
from tests.integration import test_complaints as complaints
from tests.integration.test_complaints import APP, SCHEMA, opened

# The complaint tests' fixtures: their graph (with SLA policies) and clock.
graph = complaints.graph
clock = complaints.clock

MINUTE = 60_000
AT_RISK = "subscription { slaAtRisk(everySeconds: 1) { complaintId status firstResponseDueAt } }"


async def test_a_complaint_at_risk_is_sent_once(graph, clock):
    first = await opened(graph, clock)  # HIGH delivery: first response due in 60 minutes
    second = await opened(graph, clock, priority="NORMAL", category="billing")  # 240 minutes
    clock.advance(50 * MINUTE)  # 10 of 60 minutes left: at risk; 190 of 240: not yet
    stream = await SCHEMA.subscribe(AT_RISK, context_value=Context(graph, APP, clock=clock))
    assert not hasattr(stream, "errors"), stream
    result = await asyncio.wait_for(stream.__anext__(), 10)
    assert result.errors is None, result.errors
    assert result.data["slaAtRisk"]["complaintId"] == first["complaintId"]
    clock.advance(150 * MINUTE)  # the first breached (no longer at risk); the second at risk
    result = await asyncio.wait_for(stream.__anext__(), 10)
    assert result.data["slaAtRisk"]["complaintId"] == second["complaintId"]
    await stream.aclose()
