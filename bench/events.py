"""Events per second through `POST /events` against raw UNWIND-MERGE of the same rows
(issue 15; the goal is a ratio >= 0.8).

The engine (``--engine``: embedded, or Neo4j from HUB_TEST_NEO4J_URI or started by
scripts/neo4j-dev) is seeded (`loaders.seed`, ``--customers``) and the hub runs under
uvicorn in its own process, as `hub serve` runs it (bench/read_server.py). Each round
sends ``--batch`` contact events (the track kind with the most to write: a node, an edge
to the customer, and one to the brand it is about) through /events, and the same rows as one
bare `UNWIND $rows ... MERGE` statement straight to the engine (no validation, receipt,
outbox event or audit entry, no HTTP), the two alternating, ``--rounds`` each. Before the
bare statement runs, the hub's outbox dispatcher has marked the batch's events delivered
(the bench waits for it, timed apart as `outbox_drain_ms`), so that its work does not
land on the bare statement's clock.

Figures (`bench/results/<name>.json`; the name defaults to `events` on the embedded
engine, `events_neo4j` on Neo4j): `events_per_s`, `raw_rows_per_s`, and `events_over_raw`
(their ratio in this run), `outbox_drain_ms` (mean time from a batch's answer until the
dispatcher had marked its events delivered), and `events_with_outbox_over_raw` (the ratio
with that time counted as the batch's: what a steady stream of batches sees). The same
three as CPU time, which a loaded machine's queueing does not stretch: `events_cpu_ms`
(the hub process and the engine, a batch), `outbox_cpu_ms` (the same, while the
dispatcher marks it; the bench's polls of the outbox included), `raw_cpu_ms` (the bench
process sending the bare statement and the engine), `events_over_raw_cpu` and
`events_with_outbox_over_raw_cpu`; `events_hub_cpu_ms` (the hub's part of the first)
and `raw_engine_cpu_ms` (the engine's part of the bare statement's). The engine's CPU
time is its process's (/proc) on the embedded engine, the JVM's (JMX) on Neo4j.
`duties_over_raw` (and `duties_over_raw_cpu`): the bare statement's time over that of the
same rows written with what /events owes each event besides its row (a receipt checked
and created, an outbox event, the batch's audit entry; `DUTIES_CONTACTS`), sent the same
way: the most any /events that keeps a receipt and an outbox event per event can reach;
`duties_batch_over_raw`: the same with one outbox event per batch.
``--profile PATH`` profiles the server process over the measured rounds (pyinstrument;
PATH.txt and PATH.pyisession).

    python -m bench.events [--engine embedded|neo4j] [--customers 1000] [--batch 500]
        [--rounds 20] [--name NAME] [--profile PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from rich.console import Console

from bench.common import engine_at, engine_cpu_reader, save_payload
from bench.ingest import environment
from bench.read import hub_server
from loaders.seed import seed
from loaders.synthetic import SyntheticConfig
from resolvers.keys import create_key
from resolvers.principal import Role

console = Console(stderr=True, highlight=False, soft_wrap=True)

# The batch's undelivered events (an index range on `at`: the polls cost the engine little).
PENDING_OUTBOX = (
    "MATCH (e:OutboxEvent) WHERE e.at >= $since AND e.delivered_at IS NULL RETURN count(e) AS n"
)
RAW_CONTACTS = """UNWIND $rows AS row
MATCH (c:Customer {id: row.customer_id})
MERGE (k:Contact {id: row.id})
SET k += row.props
MERGE (c)-[:HAD_CONTACT]->(k)
WITH k, row
MATCH (b:Brand {id: row.brand_id})
MERGE (k)-[:ABOUT]->(b)
"""

# The same rows with the writes /events owes each event besides the row itself, and
# nothing else (no HTTP, JSON, validation, refusal lookups or survivorship): the check
# for and the creation of an idempotency receipt, an outbox event, and the batch's audit
# entry. Its time over the bare statement's bounds what any /events of this design
# (a receipt and an outbox event per event) can reach. `DUTIES_BATCH_CONTACTS`: the same
# with one outbox event for the whole batch (naming its customers) instead.
_DUTIES = """UNWIND $rows AS row
MATCH (c:Customer {id: row.customer_id})
OPTIONAL MATCH (seen:IdempotencyKey {id: row.receipt})
WITH c, row WHERE seen IS NULL
CREATE (:IdempotencyKey {id: row.receipt, mutation: 'events', at: $now, customer_ids: [c.id]})
MERGE (k:Contact {id: row.id})
SET k += row.props
MERGE (c)-[:HAD_CONTACT]->(k)
EVENT_OUTBOX
WITH k, row, c
MATCH (b:Brand {id: row.brand_id})
MERGE (k)-[:ABOUT]->(b)
WITH collect(DISTINCT c.id) AS written
BATCH_OUTBOX
CREATE (:AuditEntry {id: $audit, at: $now, subject: 'bench', operation: 'events',
  customer_ids: written})
"""
_OUTBOX = """CREATE (:OutboxEvent {{id: {id}, kind: 'contact.recorded', at: $now,
  pending_at: $now, payload: {payload}, customer_ids: {ids}}})"""
DUTIES_CONTACTS = _DUTIES.replace(
    "EVENT_OUTBOX", _OUTBOX.format(id="row.receipt", payload="row.payload", ids="[c.id]")
).replace("BATCH_OUTBOX\n", "")
DUTIES_BATCH_CONTACTS = _DUTIES.replace("EVENT_OUTBOX\n", "").replace(
    "BATCH_OUTBOX", _OUTBOX.format(id="$audit", payload="'{}'", ids="written")
)


async def drained(store: Any, since: int) -> None:
    """Wait until the hub's outbox dispatcher has marked every event since ``since``."""
    started = time.perf_counter()
    while (await store.read(PENDING_OUTBOX, {"since": since}))[0]["n"]:
        if time.perf_counter() - started > 60:
            raise SystemExit("the outbox dispatcher did not mark a batch in 60 s")
        await asyncio.sleep(0.01)


def contact(i: int, customer: str, brand: str) -> dict[str, Any]:
    return {
        "kind": "call",
        "channel": "phone",
        "at": 1_714_557_600_000 + i,
        "summary": f"bench contact {i}",
        "brand_id": brand,
        "customer_id": customer,
    }


async def measure(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    events_s = raw_s = drain_s = 0.0
    wall = {"duties": 0.0, "duties_batch": 0.0}
    cpu = {"events": 0.0, "outbox": 0.0, "raw": 0.0, "events_hub": 0.0, "raw_engine": 0.0,
           "duties": 0.0, "duties_batch": 0.0}  # fmt: skip
    sent = 0
    async with engine_at(args.engine) as engine:
        store = engine.store
        report = await seed(store, SyntheticConfig(customers=args.customers, seed=42))
        customers = [
            r["id"]
            for r in await store.read(
                "MATCH (c:Customer) WHERE c.row_hash IS NOT NULL RETURN c.id AS id ORDER BY id"
            )
        ]
        brand = (await store.read("MATCH (b:Brand) RETURN b.id AS id ORDER BY id LIMIT 1"))[0]["id"]
        key = (await create_key(store, "bench-app", Role.APP)).key
        engine_cpu = await engine_cpu_reader(store)
        headers = {"content-type": "application/json"}
        async with hub_server(args.engine, engine.address, work, key) as hub:

            async def hub_cpu() -> float:
                return float((await hub.client.get("/_bench/cpu")).json()["cpu_s"])

            for round_ in range(args.warmup + args.rounds):
                if args.profile and round_ == args.warmup:
                    await hub.client.post("/_bench/profile/start")
                base = round_ * args.batch
                rows = [contact(base + j, customers[(base + j) % len(customers)], brand)
                        for j in range(args.batch)]  # fmt: skip
                body = orjson.dumps({"events": [
                    {"id": f"ev-{base + j}", "type": "track", "event": "contact",
                     "customer_id": row["customer_id"],
                     "properties": {k: v for k, v in row.items() if k != "customer_id"}}
                    for j, row in enumerate(rows)]})  # fmt: skip
                hub_0, engine_0 = await hub_cpu(), await engine_cpu()
                since = int(time.time() * 1000) - 5_000
                started = time.perf_counter()
                response = await hub.client.post("/events", content=body, headers=headers)
                took_events = time.perf_counter() - started
                hub_1, engine_1 = await hub_cpu(), await engine_cpu()
                answer = orjson.loads(response.content)
                if response.status_code != 200 or answer["accepted"] != args.batch:
                    raise SystemExit(f"/events failed: {response.status_code} {answer}")
                started = time.perf_counter()
                await drained(store, since)
                took_drain = time.perf_counter() - started
                hub_2, engine_2 = await hub_cpu(), await engine_cpu()
                raw = [{"id": f"raw-{base + j}", "customer_id": row["customer_id"],
                        "brand_id": brand,
                        "props": {k: row[k] for k in ("kind", "channel", "at", "summary")}}
                       for j, row in enumerate(rows)]  # fmt: skip
                engine_3 = await engine_cpu()
                bench_0 = time.process_time()
                started = time.perf_counter()
                await store.write(RAW_CONTACTS, {"rows": raw})
                took_raw = time.perf_counter() - started
                bench_1, engine_4 = time.process_time(), await engine_cpu()
                duties = [{**row, "id": f"duty-{base + j}", "receipt": f"bench-duty-{base + j}",
                           "payload": orjson.dumps(row["props"]).decode()}
                          for j, row in enumerate(raw)]  # fmt: skip
                for side, statement in (("duties", DUTIES_CONTACTS),
                                        ("duties_batch", DUTIES_BATCH_CONTACTS)):  # fmt: skip
                    sent_rows = [{**row, "id": f"{side}-{row['id']}",
                                  "receipt": f"bench-{row['receipt']}-{side}"}
                                 for row in duties]  # fmt: skip
                    since = int(time.time() * 1000) - 5_000
                    engine_5 = await engine_cpu()
                    bench_2 = time.process_time()
                    started = time.perf_counter()
                    await store.write(statement, {"rows": sent_rows, "audit": f"{side}-{round_}",
                                                  "now": int(time.time() * 1000)})  # fmt: skip
                    took = time.perf_counter() - started
                    bench_3, engine_6 = time.process_time(), await engine_cpu()
                    await drained(store, since)  # the dispatcher marks them, off the clock
                    if round_ >= args.warmup:
                        wall[side] += took
                        cpu[side] += (bench_3 - bench_2) + (engine_6 - engine_5)
                if round_ >= args.warmup:
                    events_s += took_events
                    raw_s += took_raw
                    drain_s += took_drain
                    cpu["events"] += (hub_1 - hub_0) + (engine_1 - engine_0)
                    cpu["outbox"] += (hub_2 - hub_1) + (engine_2 - engine_1)
                    cpu["raw"] += (bench_1 - bench_0) + (engine_4 - engine_3)
                    cpu["events_hub"] += hub_1 - hub_0
                    cpu["raw_engine"] += engine_4 - engine_3
                    sent += args.batch
            if args.profile:
                target = Path.cwd() / args.profile
                await hub.client.post("/_bench/profile/stop", params={"to": str(target)})
                console.print(f"server profile in {target.with_suffix('.txt')}")
    figures = {
        "events_per_s": round(sent / events_s, 1),
        "raw_rows_per_s": round(sent / raw_s, 1),
        "events_over_raw": round(raw_s / events_s, 3),
        "outbox_drain_ms": round(drain_s * 1000 / args.rounds, 1),
        "events_with_outbox_over_raw": round(raw_s / (events_s + drain_s), 3),
        **{f"{name}_cpu_ms": round(s * 1000 / args.rounds, 1) for name, s in cpu.items()},
        "events_over_raw_cpu": round(cpu["raw"] / cpu["events"], 3),
        "events_with_outbox_over_raw_cpu": round(cpu["raw"] / (cpu["events"] + cpu["outbox"]), 3),
        **{f"{side}_over_raw": round(raw_s / wall[side], 3) for side in wall},
        **{f"{side}_over_raw_cpu": round(cpu["raw"] / cpu[side], 3) for side in wall},
    }
    return {"figures": figures, "rows": report.total_rows}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--engine", choices=("embedded", "neo4j"), default="embedded")
    parser.add_argument("--customers", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--name", help="results file bench/results/NAME.json")
    parser.add_argument("--profile", help="profile the server over the measured rounds to PATH")
    args = parser.parse_args(argv)
    name = args.name or ("events" if args.engine == "embedded" else f"events_{args.engine}")
    os.environ.setdefault("HUB_RATE_LIMIT_PER_MINUTE", "1000000")
    os.environ.setdefault("HUB_RATE_LIMIT_BURST", "1000000")
    with tempfile.TemporaryDirectory(prefix="bench-events-") as tmp:
        measured = asyncio.run(measure(args, Path(tmp)))
    payload = {
        **measured,
        "engine": args.engine,
        "settings": {"customers": args.customers, "batch": args.batch, "rounds": args.rounds},
        "environment": environment(),
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "notes": (
            "contact events: /events over HTTP (uvicorn in its own process; validation as "
            "loaders/kinds.py validates, receipt, outbox event per event, one audit entry, "
            "one statement per batch) against a bare UNWIND-MERGE of the same rows sent to "
            "the engine directly, after the dispatcher marked the batch's events; "
            "alternating, same run"
        ),
    }
    out = save_payload(name, payload)
    figures = measured["figures"]
    console.print(
        f"/events {figures['events_per_s']:.0f} events/s; raw UNWIND-MERGE "
        f"{figures['raw_rows_per_s']:.0f} rows/s; ratio {figures['events_over_raw']:.2f}; "
        f"outbox drained {figures['outbox_drain_ms']:.0f} ms after each answer; CPU a batch: "
        f"/events {figures['events_cpu_ms']:.0f} ms + outbox {figures['outbox_cpu_ms']:.0f} ms, "
        f"raw {figures['raw_cpu_ms']:.0f} ms (ratio {figures['events_over_raw_cpu']:.2f}); "
        f"the bare statement with the receipts, outbox events and audit entry alone: ratio "
        f"{figures['duties_over_raw']:.2f} (CPU {figures['duties_over_raw_cpu']:.2f}); with one "
        f"outbox event a batch: {figures['duties_batch_over_raw']:.2f} "
        f"(CPU {figures['duties_batch_over_raw_cpu']:.2f})"
    )
    console.print(f"figures in {out}")


if __name__ == "__main__":
    main()
