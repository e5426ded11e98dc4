"""Generated graphs and generated partner sessions against a real (embedded) engine: the
partner API's privacy guarantees hold for every query (docs/partner.md).

Each example builds a graph from a generated model (customers with a region, segments,
tags and interactions with posts of some content types; consents per brand with purposes,
granted and withdrawn in the past or the future; restrictions), then runs a generated
session: partner queries (two partner principals with random purposes; audience pages,
membership checks, aggregates of every dimension) interleaved with consent changes
(withdrawals, new grants, restrictions lifted or imposed, key rotations). Ground truth is
computed in Python from the model at the time of each query. Asserted, for every query:

1. Consent: the pseudonyms the audience lists, and those members() resolves, are exactly
   those of the customers with a live consent to that partner for that purpose (granted at
   or before now, not withdrawn by now, not restricted): none without one, none missing.
   A purpose the key does not hold is refused (FORBIDDEN naming `purpose`).
2. No personal data: no response (cursors aside, which are checked to hold one pseudonym)
   contains a customer's name, email, phone, handle, account id or customer id.
3. Thresholds: every released cell has k <= count <= audienceSize - k; for REGION (single
   valued), audienceSize - sum(released counts) is 0 or at least k whenever a cell is out.
4. No differencing isolation. Let S1 and S2 be the true member sets (customer ids in the
   audience at query time having the value) behind two releases of the same (partner,
   dimension, value), over any two queries of a session (any purposes, any times), with
   released counts n1 and n2. An isolation is a pair with 0 < |S1 symmetric-difference S2|
   < k and n1 != n2: subtracting the counts would say something about fewer than k
   people. There must be none. (In particular n2 - n1 never equals the true difference
   |S2| - |S1| when that is not 0, the weaker form of the rule.)
5. The ledger: every released count is the size of a ledger set of its key that is within
   k - 1 people of the true set, and the ledger sets of a key are at least 3k - 2 apart.

The number of queries run is printed in the terminal summary.
"""

import asyncio
import json
import threading
from collections import Counter
from collections.abc import Coroutine, Iterator
from dataclasses import dataclass, field
from functools import partial
from itertools import combinations
from typing import Any, TypeVar

import pytest
import strawberry
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strawberry.extensions import ParserCache, ValidationCache

from graph import subject
from graph.migrations import migrate
from graph.store import GraphStore, open_store
from loaders.pipeline import write_records
from resolvers import partner as rp
from resolvers.context import Context
from resolvers.ids import decode_key_cursor
from resolvers.principal import Principal, Role
from resolvers.privacy import PrivacyConfig
from schema.partner import PartnerQueries

T = TypeVar("T")
DAY = 86_400_000
PURPOSES = ("partner_sharing", "marketing", "analytics")
BRANDS = ("BR1", "BR2", "BR3")
PARTNERS = ("BR1", "BR2")
REGIONS = ("North", "South", "East")
SEGMENTS = ("s-gold", "s-silver")
TAGS = ("t-run", "t-skin", "t-yoga")
CONTENT = {"t-video": "PV-1", "t-image": "PI-1", "t-text": "PT-1"}
DIMENSIONS = ("SEGMENT", "REGION", "TAG", "CONTENT_PREFERENCE", "CONSENTING_BRAND")
MIN_QUERIES = 2000


@strawberry.type(description="The partner root field alone.")
class PartnerOnly(PartnerQueries):
    pass


# Parsing and validating cost more than the rest of a query: cached as the hub's schema does.
SCHEMA = strawberry.Schema(
    query=PartnerOnly,
    extensions=[partial(ParserCache, maxsize=16), partial(ValidationCache, maxsize=16)],
)
AUDIENCE = """query($purpose: Purpose!, $first: Int!, $after: String) {
  partner { audience(purpose: $purpose, first: $first, after: $after) {
    totalCount edges { cursor node { id } } pageInfo { hasNextPage endCursor } } } }"""
MEMBERS = """query($purpose: Purpose!, $ids: [ID!]!) {
  partner { members(purpose: $purpose, ids: $ids) { id } } }"""
AGGREGATES = """query($purpose: Purpose!, $dimension: AudienceDimension!) {
  partner { aggregates(purpose: $purpose, dimension: $dimension) {
    audienceSize suppressedCells cells { value name count } } } }"""


# --- the model ----------------------------------------------------------------------------


@dataclass
class Person:
    id: str
    region: str | None
    segments: frozenset[str]
    tags: frozenset[str]
    content: frozenset[str]
    restricted: bool

    @property
    def number(self) -> int:
        return int(self.id[1:])

    @property
    def personal(self) -> list[str]:
        n = self.number
        return [self.id, f"Person {n:03d} Qx", f"person{n:03d}@example.test",
                f"+86 138 0000 {n:04d}", f"@user_{n:03d}_x", f"ACC-{n:03d}",
                f"CRM-{n:03d}"]  # fmt: skip


@dataclass
class Grant:
    customer: str
    brand: str
    purposes: tuple[str, ...]
    granted: int
    withdrawn: int | None

    def live(self, brand: str, purpose: str, t: int) -> bool:
        return (
            self.brand == brand
            and purpose in self.purposes
            and self.granted <= t
            and (self.withdrawn is None or self.withdrawn > t)
        )

    def row(self) -> dict[str, Any]:
        return {"customer_id": self.customer, "brand_id": self.brand,
                "purposes": list(self.purposes), "granted_at": self.granted,
                "withdrawn_at": self.withdrawn, "source": "app",
                "policy_version": "p1"}  # fmt: skip


@dataclass
class Model:
    people: dict[str, Person]
    grants: list[Grant]

    def audience(self, brand: str, purpose: str, t: int) -> set[str]:
        return {
            g.customer
            for g in self.grants
            if g.live(brand, purpose, t) and not self.people[g.customer].restricted
        }

    def cells(self, brand: str, purpose: str, dimension: str, t: int) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for c in self.audience(brand, purpose, t):
            person = self.people[c]
            if dimension == "SEGMENT":
                values: frozenset[str] = person.segments
            elif dimension == "REGION":
                values = frozenset({person.region} if person.region else ())
            elif dimension == "TAG":
                values = person.tags
            elif dimension == "CONTENT_PREFERENCE":
                values = person.content
            else:
                values = frozenset(b for b in BRANDS if b != brand and c in
                                   self.audience(b, purpose, t))  # fmt: skip
            for v in values:
                out.setdefault(v, set()).add(c)
        return out


# --- strategies ---------------------------------------------------------------------------


@dataclass
class Scenario:
    k: int
    people: list[Person]
    grants: list[tuple[str, str, tuple[str, ...], int, int | None]]  # days relative to now
    purposes: dict[str, frozenset[str]]
    ops: list[tuple[Any, ...]]


def subsets(items: tuple[str, ...]) -> st.SearchStrategy[frozenset[str]]:
    return st.frozensets(st.sampled_from(items))


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    n = draw(st.integers(6, 36))
    people = [
        Person(
            id=f"C{i:03d}",
            region=draw(st.sampled_from((*REGIONS, None))),
            segments=draw(subsets(SEGMENTS)),
            tags=draw(subsets(TAGS)),
            content=draw(subsets(tuple(CONTENT))),
            restricted=draw(st.integers(0, 9)) == 0,
        )
        for i in range(n)
    ]
    grants = []
    for person in people:
        for brand in BRANDS:
            for _ in range(draw(st.integers(0, 2))):
                purposes = tuple(sorted(draw(st.frozensets(st.sampled_from(PURPOSES),
                                                           min_size=1))))  # fmt: skip
                granted = draw(st.sampled_from((-40, -20, -5, -5, 3)))  # days from now
                withdrawn = draw(st.sampled_from((None, None, None, -2, 5)))
                if withdrawn is not None and withdrawn < granted:
                    withdrawn = granted
                grants.append((person.id, brand, purposes, granted, withdrawn))
    # keys hold all three purposes or two of them: about a fifth of the queries are refused
    held = [frozenset(PURPOSES)] * 2 + [frozenset(c) for c in combinations(PURPOSES, 2)]
    purposes = {p: draw(st.sampled_from(held)) for p in PARTNERS}
    query = st.tuples(
        st.just("query"), st.sampled_from(PARTNERS), st.sampled_from(PURPOSES),
        st.sampled_from(("audience", "members", *DIMENSIONS, *DIMENSIONS)),
    )  # fmt: skip
    change = st.one_of(
        st.tuples(st.just("withdraw"), st.integers(0, 10_000)),
        st.tuples(st.just("grant"), st.integers(0, n - 1), st.sampled_from(BRANDS),
                  st.frozensets(st.sampled_from(PURPOSES), min_size=1)),
        st.tuples(st.just("restrict"), st.integers(0, n - 1), st.booleans()),
        st.tuples(st.just("rotate"), st.sampled_from(PARTNERS)),
    )  # fmt: skip
    # four queries to a change (one_of would weigh the four kinds of change as four)
    op = st.integers(0, 4).flatmap(lambda i: change if i == 0 else query)
    ops = draw(st.lists(op, min_size=30, max_size=70))
    return Scenario(draw(st.sampled_from((2, 3))), people, grants, purposes, ops)


# --- running a session --------------------------------------------------------------------


@dataclass
class Release:
    key: tuple[str, str, str]  # partner, dimension, value
    members: frozenset[str]
    count: int


@dataclass
class Session:
    store: GraphStore
    scenario: Scenario
    model: Model
    stats: Counter[str]
    privacy: PrivacyConfig
    releases: list[Release] = field(default_factory=list)
    handed_out: set[str] = field(default_factory=set)  # every pseudonym seen, any salt
    personal: list[str] = field(default_factory=list)

    def principal(self, partner: str) -> Principal:
        purposes = self.scenario.purposes[partner]
        return Principal(f"key-{partner}", Role.PARTNER, partner_brand_id=partner,
                         purposes=purposes)  # fmt: skip

    async def execute(self, partner: str, query: str, **variables: Any) -> Any:
        ctx = Context(self.store, self.principal(partner), privacy=self.privacy)
        result = await SCHEMA.execute(query, variable_values=variables, context_value=ctx)
        self.stats["queries"] += 1
        text = json.dumps(_without_cursors(result.data))
        leaked = [p for p in self.personal if p in text]
        assert leaked == [], (leaked, text)
        return result

    async def salt(self, partner: str) -> str | None:
        found = await self.store.read(
            "MATCH (k:PartnerKey {id: $id}) RETURN k.salt AS salt", {"id": partner}
        )
        return found[0]["salt"] if found else None

    async def expected(self, partner: str, purpose: str) -> dict[str, str]:
        """pseudonym -> customer of the live audience, under the partner's current salt."""
        salt = await self.salt(partner)
        assert salt is not None
        live = self.model.audience(partner, purpose, rp.now_ms())
        return {rp.partner_pseudonym(self.privacy, partner, salt, c): c for c in live}

    async def query(self, partner: str, purpose: str, kind: str, seed: int) -> None:
        if purpose not in self.scenario.purposes[partner]:
            result = await self.execute(partner, AGGREGATES, purpose=purpose.upper(),
                                        dimension="REGION")  # fmt: skip
            assert [(e.extensions or {}).get("argument") for e in result.errors] == ["purpose"]
            assert result.errors[0].extensions["code"] == "FORBIDDEN"
            self.stats["refused"] += 1
            return
        if kind == "audience":
            await self.audience(partner, purpose, 1 + seed % 7)
        elif kind == "members":
            await self.members(partner, purpose, seed)
        else:
            await self.aggregates(partner, purpose, kind)

    async def audience(self, partner: str, purpose: str, first: int) -> None:
        got: list[str] = []
        after = None
        while True:
            result = await self.execute(partner, AUDIENCE, purpose=purpose.upper(), first=first,
                                        after=after)  # fmt: skip
            assert result.errors is None, result.errors
            page = result.data["partner"]["audience"]
            for edge in page["edges"]:
                assert decode_key_cursor(edge["cursor"], rp.AUDIENCE_CURSOR) == [edge["node"]["id"]]
                got.append(edge["node"]["id"])
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
        expected = await self.expected(partner, purpose)
        assert got == sorted(expected)  # exactly the live audience, in pseudonym order
        assert page["totalCount"] == len(expected)
        self.handed_out.update(got)
        self.stats["members_listed"] += len(got)

    async def members(self, partner: str, purpose: str, seed: int) -> None:
        salt = await self.salt(partner)
        everyone = (
            [rp.partner_pseudonym(self.privacy, partner, salt, c) for c in self.model.people]
            if salt is not None
            else []
        )
        asked = everyone + sorted(self.handed_out) + ["pt_" + "a" * 26]
        asked = asked[seed % 3 :: 1 + seed % 2]  # some of them, in an order
        result = await self.execute(partner, MEMBERS, purpose=purpose.upper(), ids=asked)
        assert result.errors is None, result.errors
        got = [m["id"] for m in result.data["partner"]["members"]]
        live = await self.expected(partner, purpose) if salt is not None else {}
        assert got == [p for p in dict.fromkeys(asked) if p in live]

    async def aggregates(self, partner: str, purpose: str, dimension: str) -> None:
        result = await self.execute(partner, AGGREGATES, purpose=purpose.upper(),
                                    dimension=dimension)  # fmt: skip
        assert result.errors is None, result.errors
        data = result.data["partner"]["aggregates"]
        t = rp.now_ms()
        k = self.scenario.k
        audience = self.model.audience(partner, purpose, t)
        truth = self.model.cells(partner, purpose, dimension, t)
        assert data["audienceSize"] == len(audience)
        assert data["suppressedCells"] == len(truth) - len(data["cells"])
        for cell in data["cells"]:
            assert cell["value"] in truth
            assert k <= cell["count"] <= len(audience) - k
            key = (partner, dimension, cell["value"])
            self.releases.append(Release(key, frozenset(truth[cell["value"]]), cell["count"]))
            self.stats["cells_released"] += 1
        self.stats["cells_withheld"] += data["suppressedCells"]
        if dimension == "REGION" and data["cells"]:
            outside = len(audience) - sum(c["count"] for c in data["cells"])
            assert not 0 < outside < k

    async def change(self, op: tuple[Any, ...], serial: int) -> None:
        now = rp.now_ms()
        if op[0] == "withdraw" and self.model.grants:
            grant = self.model.grants[op[1] % len(self.model.grants)]
            at = max(grant.granted, now - 1)
            grant.withdrawn = at if grant.withdrawn is None else min(grant.withdrawn, at)
            await write_records(self.store, "consents", [grant.row()], now)
        elif op[0] == "grant":
            person = list(self.model.people)[op[1]]
            grant = Grant(person, op[2], tuple(sorted(op[3])), now - DAY // 2 - serial, None)
            self.model.grants.append(grant)
            await write_records(self.store, "consents", [grant.row()], now)
        elif op[0] == "restrict":
            person = self.model.people[list(self.model.people)[op[1]]]
            person.restricted = op[2]
            await self.store.write(
                subject.RESTRICT, {"id": person.id, "restricted": op[2], "now": now}
            )
        elif op[0] == "rotate":
            await rp.rotate_partner_key(self.store, op[1])
        self.stats["changes"] += 1

    def check_isolation(self) -> None:
        k = self.scenario.k
        by_key: dict[tuple[str, str, str], list[Release]] = {}
        for r in self.releases:
            by_key.setdefault(r.key, []).append(r)
        for releases in by_key.values():
            for a, b in combinations(releases, 2):
                if 0 < len(a.members ^ b.members) < k:
                    self.stats["near_pairs"] += 1
                    assert a.count == b.count, (a, b)

    async def check_ledger(self) -> None:
        k = self.scenario.k
        rows = await self.store.read(
            "MATCH (r:PartnerRelease) RETURN r.partner_id AS partner, r.dimension AS dimension, "
            "r.value AS value, r.customer_ids AS ids"
        )
        ledger: dict[tuple[str, str, str], list[frozenset[str]]] = {}
        for row in rows:
            key = (row["partner"], row["dimension"].upper(), row["value"])
            ledger.setdefault(key, []).append(frozenset(row["ids"]))
        for sets in ledger.values():
            for a, b in combinations(sets, 2):
                assert len(a ^ b) >= rp.fresh_distance(k)
        for r in self.releases:
            assert any(
                len(s) == r.count and len(s ^ r.members) <= k - 1 for s in ledger.get(r.key, [])
            ), r


async def load(store: GraphStore, scenario: Scenario) -> Model:
    now = rp.now_ms()
    past = now - 60 * DAY
    await store.write("MATCH (n) DETACH DELETE n")
    people = {p.id: p for p in scenario.people}
    grants = [
        Grant(c, b, purposes, now + g * DAY, None if w is None else now + w * DAY)
        for c, b, purposes, g, w in scenario.grants
    ]
    tables: list[tuple[str, list[dict[str, Any]]]] = [
        ("brands", [{"id": b, "name": f"Brand {b}", "created_at": past} for b in BRANDS]),
        ("tags", [{"id": t, "name": t[2:].title()} for t in (*TAGS, *CONTENT)]),
        ("segments", [{"id": s, "name": s[2:].title()} for s in SEGMENTS]),
        ("customers", [{"id": p.id, "external_id": f"CRM-{p.number:03d}",
                        "name": p.personal[1], "email": p.personal[2], "phone": p.personal[3],
                        "region": p.region, "created_at": past} for p in people.values()]),
        ("social_accounts", [{"id": p.personal[5], "platform": "weibo",
                              "handle": p.personal[4], "display_name": p.personal[1],
                              "created_at": past, "customer_id": p.id} for p in people.values()]),
        ("posts", [{"id": post, "author_kind": "brand", "author_id": "BR3", "at": past,
                    "content_type": ct, "text": "a post"} for ct, post in CONTENT.items()]),
        ("interactions", [{"account_id": p.personal[5], "post_id": CONTENT[ct], "kind": "like",
                           "at": past} for p in people.values() for ct in sorted(p.content)]),
        ("customer_tags", [{"customer_id": p.id, "tag_id": t} for p in people.values()
                           for t in sorted(p.tags)]),
        ("customer_segments", [{"customer_id": p.id, "segment_id": s}
                               for p in people.values() for s in sorted(p.segments)]),
    ]  # fmt: skip
    for kind, rows in tables:
        if rows:
            await write_records(store, kind, rows, now)
    # one row per (customer, brand, granted_at): the key the loader merges a consent on
    unique = list({(g.customer, g.brand, g.granted): g for g in grants}.values())
    if unique:
        await write_records(store, "consents", [g.row() for g in unique], now)
    for p in people.values():
        if p.restricted:
            await store.write(subject.RESTRICT, {"id": p.id, "restricted": True, "now": now})
    return Model(people, unique)


async def run_session(store: GraphStore, scenario: Scenario, stats: Counter[str]) -> None:
    model = await load(store, scenario)
    session = Session(store, scenario, model, stats, PrivacyConfig(min_group_size=scenario.k))
    session.personal = [s for p in model.people.values() for s in p.personal]
    for serial, op in enumerate(scenario.ops):
        if op[0] == "query":
            await session.query(op[1], op[2], op[3], serial)
        else:
            await session.change(op, serial)
    session.check_isolation()
    await session.check_ledger()
    stats["sessions"] += 1


def _without_cursors(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: _without_cursors(v) for k, v in value.items() if k not in ("cursor", "endCursor")
        }
    if isinstance(value, list):
        return [_without_cursors(v) for v in value]
    return value


# --- the engine, on a loop of its own -----------------------------------------------------


class EngineThread:
    """A store (embedded, or Neo4j at a bolt:// url) opened on an event loop in a thread of
    its own, so the (synchronous) hypothesis test can run each generated session to
    completion."""

    def __init__(self, url: str, neo4j_auth: tuple[str, str] | None = None) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.opened = open_store(url, neo4j_auth=neo4j_auth)
        self.store: GraphStore = self.call(self.opened.__aenter__())
        self.call(migrate(self.store))

    def call(self, work: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(work, self.loop).result(timeout=120)

    def close(self) -> None:
        try:
            self.call(self.opened.__aexit__(None, None, None))
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(timeout=30)
            self.loop.close()


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EngineThread]:
    running = EngineThread(f"embedded://{tmp_path_factory.mktemp('property')}")
    try:
        yield running
    finally:
        running.close()


@pytest.mark.parametrize("engine_name", ["embedded"])
def test_partner_privacy_holds_on_generated_graphs_and_sessions(
    engine, engine_name, property_report
):
    stats: Counter[str] = Counter()

    @settings(
        max_examples=60,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                               HealthCheck.data_too_large],
    )  # fmt: skip
    @given(scenario=scenarios())
    def check(scenario: Scenario) -> None:
        engine.call(run_session(engine.store, scenario, stats))

    check()
    property_report.append(
        f"partner privacy [{engine_name}]: {stats['queries']:,} partner queries "
        f"({stats['refused']:,} refused) in {stats['sessions']:,} sessions with "
        f"{stats['changes']:,} consent changes; {stats['cells_released']:,} cells released, "
        f"{stats['cells_withheld']:,} withheld; {stats['near_pairs']:,} pairs of near sets "
        f"compared; {stats['members_listed']:,} pseudonyms listed"
    )
    assert stats["queries"] >= MIN_QUERIES, stats
    assert stats["near_pairs"] > 0 and stats["cells_released"] > 0, stats
