"""The complaint workflow on both engines: open, transitions (and refused ones), history,
SLA due times and flags on a fake clock, the queue, handling times, concurrent handlers."""

import asyncio
from typing import Any

import pytest

from loaders.pipeline import write_records
from resolvers.clock import FixedClock
from resolvers.context import Context
from resolvers.principal import Principal, Role
from schema import build_schema

T0 = 1_700_000_000_000
MINUTE = 60_000
APP = Principal("key:app-1", Role.APP)
ADMIN = Principal("key:admin-1", Role.ADMIN)
SCHEMA = build_schema()

ROWS: list[tuple[str, list[dict[str, Any]]]] = [
    ("brands", [{"id": "b1", "name": "Lumora"}, {"id": "b2", "name": "Vantelle"}]),
    ("products", [{"id": "p1", "brand_id": "b1", "name": "Serum"}]),
    ("customers", [{"id": "c1", "name": "Wang Fang"}, {"id": "c2", "name": "Li Wei"}]),
    ("purchases", [{"id": "o1", "customer_id": "c1", "brand_id": "b2", "at": T0 - 10 * MINUTE}]),
    # A complaint as a support export has it: answered after an hour, resolved after two.
    ("complaints", [{"id": "old1", "customer_id": "c2", "about_kind": "brand",
                     "about_id": "b1", "category": "delivery", "status": "resolved",
                     "opened_at": T0 - 180 * MINUTE, "first_response_at": T0 - 120 * MINUTE,
                     "resolved_at": T0 - 60 * MINUTE}]),
]  # fmt: skip

FIELDS = """
complaintId status priority assignee version customerId brandId category
statusHistory { action status at actor }
sla { firstResponseDueAt resolutionDueAt firstResponseBreached resolutionBreached
      breached atRisk }
"""

OPEN = """
mutation Open($input: OpenComplaintInput!, $key: String) {
  openComplaint(input: $input, idempotencyKey: $key) {
    __typename
    ... on ComplaintPayload { receipt { eventId replayed } complaint { FIELDS } }
    ... on WriteError { code message argument }
  }
}
""".replace("FIELDS", FIELDS)


def move(mutation: str, extra: str = "") -> str:
    args = "$id: ID!, $key: String, $version: Int" + extra
    call_extra = ", assignee: $assignee" if "assignee" in extra else ""
    return f"""
mutation Move({args}) {{
  {mutation}(complaintId: $id, idempotencyKey: $key, expectedVersion: $version{call_extra}) {{
    __typename
    ... on ComplaintPayload {{ receipt {{ replayed }} complaint {{ {FIELDS} }} }}
    ... on WriteError {{ code message argument }}
  }}
}}
"""


ASSIGN = move("assignComplaint", ", $assignee: String!")
RESPOND = move("respondToComplaint")
ESCALATE = move("escalateComplaint")
RESOLVE = move("resolveComplaint")
REOPEN = move("reopenComplaint")

POLICY = """
mutation Policy($input: SlaPolicyInput!) {
  setSlaPolicy(input: $input) {
    __typename
    ... on SlaPolicyPayload { policy { category priority firstResponseMinutes resolutionMinutes } }
    ... on WriteError { code message argument }
  }
}
"""

QUEUE = """
query Queue($filter: ComplaintFilter, $sort: ComplaintSort! = OPENED_DESC, $first: Int! = 20,
            $after: String) {
  complaints(filter: $filter, sort: $sort, first: $first, after: $after) {
    totalCount counts { status count }
    pageInfo { hasNextPage endCursor }
    nodes { FIELDS }
  }
}
""".replace("FIELDS", FIELDS)

HANDLING = """
query($from: DateTime!, $until: DateTime!) {
  complaintHandling(from: $from, until: $until) {
    brandId category opened responded resolved breached
    avgHoursToFirstResponse avgHoursToResolution maxHoursToResolution
  }
}
"""


async def run(store: Any, clock: FixedClock, query: str, principal: Principal = APP,
              **variables: Any) -> Any:  # fmt: skip
    ctx = Context(store, principal, clock=clock)
    result = await SCHEMA.execute(query, variable_values=variables, context_value=ctx)
    assert result.errors is None, result.errors
    assert result.data is not None
    return next(iter(result.data.values()))


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
async def graph(store, clock):
    for kind, rows in ROWS:
        await write_records(store, kind, rows, T0)
    for category, priority, first, resolution in [("delivery", "HIGH", 60, 240),
                                                  (None, "NORMAL", 240, 2880)]:  # fmt: skip
        p = await run(store, clock, POLICY, ADMIN, input={
            "category": category, "priority": priority, "firstResponseMinutes": first,
            "resolutionMinutes": resolution})  # fmt: skip
        assert p["__typename"] == "SlaPolicyPayload", p
    return store


def open_input(**kw: Any) -> dict[str, Any]:
    return {"customerId": "c1", "aboutKind": "PRODUCT", "aboutId": "p1", "channel": "phone",
            "category": "delivery", "priority": "HIGH", "text": "The parcel never came",
            **kw}  # fmt: skip


async def opened(graph: Any, clock: FixedClock, **kw: Any) -> dict[str, Any]:
    p = await run(graph, clock, OPEN, input=open_input(**kw))
    assert p["__typename"] == "ComplaintPayload", p
    complaint: dict[str, Any] = p["complaint"]
    return complaint


async def test_open_takes_its_due_times_from_the_policy(graph, clock):
    k = await opened(graph, clock)
    assert (k["status"], k["priority"], k["version"], k["brandId"]) == ("open", "high", 1, "b1")
    assert k["sla"]["firstResponseDueAt"] == "2023-11-14T23:13:20+00:00"  # T0 + 60 min
    assert k["sla"]["resolutionDueAt"] == "2023-11-15T02:13:20+00:00"  # T0 + 240 min
    assert k["statusHistory"] == [
        {"action": "open", "status": "open", "at": "2023-11-14T22:13:20+00:00",
         "actor": "key:app-1"}
    ]  # fmt: skip
    # A category without its own policy gets its priority's default; none: no due times.
    k2 = await opened(graph, clock, category="billing", priority="NORMAL")
    assert k2["sla"]["firstResponseDueAt"] == "2023-11-15T02:13:20+00:00"  # 240 min
    k3 = await opened(graph, clock, category="billing", priority="LOW")
    assert k3["sla"]["firstResponseDueAt"] is None and k3["sla"]["breached"] is False


async def test_the_workflow_records_each_transition(graph, clock):
    k = (await opened(graph, clock))["complaintId"]
    steps = [(ASSIGN, {"assignee": "agent-7"}, "open"), (RESPOND, {}, "in_progress"),
             (ESCALATE, {}, "escalated"), (RESPOND, {}, "escalated"),
             (RESOLVE, {}, "resolved"), (REOPEN, {}, "open")]  # fmt: skip
    for i, (mutation, extra, status) in enumerate(steps):
        clock.advance(MINUTE)
        p = await run(graph, clock, mutation, id=k, version=i + 1, **extra)
        assert p["__typename"] == "ComplaintPayload", p
        assert (p["complaint"]["status"], p["complaint"]["version"]) == (status, i + 2)
    history = p["complaint"]["statusHistory"]
    assert [(h["action"], h["status"]) for h in history] == [
        ("open", "open"), ("assign", "open"), ("respond", "in_progress"),
        ("escalate", "escalated"), ("respond", "escalated"), ("resolve", "resolved"),
        ("reopen", "open"),
    ]  # fmt: skip
    assert p["complaint"]["assignee"] == "agent-7"
    # Reopened at T0 + 6 min: the resolution is due 240 minutes later.
    assert p["complaint"]["sla"]["resolutionDueAt"] == "2023-11-15T02:19:20+00:00"


async def test_an_invalid_transition_is_refused_and_changes_nothing(graph, clock):
    k = (await opened(graph, clock))["complaintId"]
    p = await run(graph, clock, REOPEN, id=k)
    assert p["code"] == "INVALID_TRANSITION"
    assert "cannot reopen a complaint that is open" in p["message"]
    await run(graph, clock, RESOLVE, id=k)
    for mutation in (ESCALATE, RESOLVE, RESPOND):
        assert (await run(graph, clock, mutation, id=k))["code"] == "INVALID_TRANSITION"
    [row] = await graph.read(
        "MATCH (k:Complaint {id: $k}) RETURN k.version AS v, size(k.history_at) AS n", {"k": k}
    )
    assert row == {"v": 2, "n": 2}
    p = await run(graph, clock, OPEN, input=open_input(id=k))
    assert (p["code"], p["argument"]) == ("CONFLICT", "input.id")
    p = await run(graph, clock, ASSIGN, id="nope", assignee="x")
    assert (p["code"], p["argument"]) == ("NOT_FOUND", "complaintId")


async def test_a_stale_expected_version_is_a_conflict(graph, clock):
    k = (await opened(graph, clock))["complaintId"]
    await run(graph, clock, ASSIGN, id=k, assignee="agent-1", version=1)
    p = await run(graph, clock, ASSIGN, id=k, assignee="agent-2", version=1)
    assert (p["code"], p["argument"]) == ("CONFLICT", "expectedVersion")


async def test_a_retried_transition_is_replayed(graph, clock):
    k = (await opened(graph, clock))["complaintId"]
    first = await run(graph, clock, RESOLVE, id=k, key="r-1")
    again = await run(graph, clock, RESOLVE, id=k, key="r-1")
    assert again["receipt"]["replayed"] is True and first["receipt"]["replayed"] is False
    assert again["complaint"]["version"] == 2


async def test_sla_flags_on_a_fake_clock(graph, clock):
    k = (await opened(graph, clock))["complaintId"]  # first answer due in 60 minutes

    async def sla() -> dict[str, Any]:
        q = await run(graph, clock, QUEUE, filter={"category": "delivery", "status": ["OPEN"]})
        [node] = [n for n in q["nodes"] if n["complaintId"] == k]
        return dict(node["sla"])

    clock.advance(30 * MINUTE)
    assert (await sla())["atRisk"] is False
    clock.advance(20 * MINUTE)  # 10 of 60 minutes left: less than a quarter
    s = await sla()
    assert (s["atRisk"], s["breached"]) == (True, False)
    clock.advance(11 * MINUTE)
    s = await sla()
    assert (s["atRisk"], s["firstResponseBreached"], s["breached"]) == (False, True, True)
    breaching = await run(graph, clock, QUEUE, filter={"breaching": True})
    assert [n["complaintId"] for n in breaching["nodes"]] == [k]
    # Answered late: the breach stays on record; resolution is still on time.
    p = await run(graph, clock, RESPOND, id=k)
    assert p["complaint"]["sla"]["firstResponseBreached"] is True
    assert p["complaint"]["sla"]["resolutionBreached"] is False


async def test_loaded_history_is_kept_and_transitions_follow_it(graph, clock):
    q = await run(graph, clock, QUEUE, filter={"status": ["RESOLVED"]})
    [old] = q["nodes"]
    assert [(h["action"], h["status"]) for h in old["statusHistory"]] == [
        (None, "open"), (None, "in_progress"), (None, "resolved")
    ]  # fmt: skip
    assert old["brandId"] == "b1" and old["version"] is None
    p = await run(graph, clock, REOPEN, id="old1")
    assert [(h["action"], h["status"]) for h in p["complaint"]["statusHistory"]] == [
        (None, "open"), (None, "in_progress"), (None, "resolved"), ("reopen", "open")
    ]  # fmt: skip


async def test_the_queue_filters_sorts_pages_and_counts(graph, clock):
    a = (await opened(graph, clock))["complaintId"]
    clock.advance(MINUTE)
    b = (await opened(graph, clock, aboutKind="PURCHASE", aboutId="o1", category="billing",
                      priority="NORMAL"))["complaintId"]  # fmt: skip
    await run(graph, clock, ASSIGN, id=b, assignee="agent-7")
    q = await run(graph, clock, QUEUE, first=2)
    assert [n["complaintId"] for n in q["nodes"]] == [b, a]
    assert q["totalCount"] == 3 and q["pageInfo"]["hasNextPage"] is True
    assert {c["status"]: c["count"] for c in q["counts"]} == {"OPEN": 2, "RESOLVED": 1}
    rest = await run(graph, clock, QUEUE, first=2, after=q["pageInfo"]["endCursor"])
    assert [n["complaintId"] for n in rest["nodes"]] == ["old1"]
    assert (await run(graph, clock, QUEUE, filter={"brand": "b2"}))["nodes"][0]["complaintId"] == b
    mine = await run(graph, clock, QUEUE, filter={"assignee": "agent-7"})
    assert [n["complaintId"] for n in mine["nodes"]] == [b]
    due = await run(graph, clock, QUEUE, sort="DUE_ASC", filter={"status": ["OPEN"]})
    assert [n["complaintId"] for n in due["nodes"]] == [a, b]  # a's answer is due first


async def test_handling_times_per_brand_and_category(graph, clock):
    k = (await opened(graph, clock))["complaintId"]
    clock.advance(30 * MINUTE)
    await run(graph, clock, RESPOND, id=k)
    clock.advance(90 * MINUTE)
    await run(graph, clock, RESOLVE, id=k)
    rows = await run(graph, clock, HANDLING, **{"from": "2023-11-14T00:00:00Z",
                                                "until": "2023-11-16T00:00:00Z"})  # fmt: skip
    assert rows == [
        {"brandId": "b1", "category": "delivery", "opened": 2, "responded": 2, "resolved": 2,
         "breached": 0, "avgHoursToFirstResponse": 0.75, "avgHoursToResolution": 2.0,
         "maxHoursToResolution": 2.0},
    ]  # fmt: skip


async def test_concurrent_handlers_lose_no_update(graph, clock):
    k = (await opened(graph, clock))["complaintId"]
    # Six answers at once: every one lands in the history.
    await asyncio.gather(*(run(graph, clock, RESPOND, id=k) for _ in range(6)))
    [row] = await graph.read(
        "MATCH (k:Complaint {id: $k}) RETURN k.version AS v, k.history_action AS h", {"k": k}
    )
    assert row == {"v": 7, "h": ["open"] + ["respond"] * 6}
    # Six resolutions at once: one wins, the others find it resolved.
    results = await asyncio.gather(*(run(graph, clock, RESOLVE, id=k) for _ in range(6)))
    outcomes = sorted(r.get("code") or r["complaint"]["status"] for r in results)
    assert outcomes == ["INVALID_TRANSITION"] * 5 + ["resolved"]
    # Six reassignments guarded by the same version: one wins, the others conflict.
    await run(graph, clock, REOPEN, id=k)
    results = await asyncio.gather(
        *(run(graph, clock, ASSIGN, id=k, version=9, assignee=f"agent-{i}") for i in range(6))
    )
    codes = sorted(r.get("code") or str(r["complaint"]["version"]) for r in results)
    assert codes == ["10"] + ["CONFLICT"] * 5
