"""The partner API against a hand-built graph, on both engines, with k = 3.

Partner bP ("Pavo") and its live audience for partner_sharing (PS), worked out by hand:

    c01..c05 North, c06..c08 South, c09 East, c10 no region          -> N = 10
    c09: an old withdrawn consent and a live re-grant (counted once)
    c10: withdrawn_at in the future (still live)
    traps, never in it: x01 withdrawn, x02 granted in the future, x03 marketing only,
    x04 consented to bQ only, x05 restricted; all North, tagged t-yoga, x01 watched pv

    marketing audience of bP: c01..c04, c06..c10, x03 (no region)     -> N = 10
    bQ ("Quill") PS audience: c01, x04

    segments: s-gold c01-c04 c06 c09, s-silver c05 c07 c08 c09, s-bronze c10
    tags: t-run c01-c07, t-skin c01-c08, t-yoga c01 c02 (and the traps)
    content: t-video c01-c04 (c01 twice), t-image c03-c06, t-text c07
    other brands, PS: bO c01-c04 live (c05 withdrawn, c06 marketing only), bQ c01

The minimum group size k = 3: a cell is released when 3 <= count <= N - 3 = 7.
"""

import json
import re
from functools import partial
from typing import Any

import pytest
import strawberry
from strawberry.extensions import ParserCache, ValidationCache
from typer.testing import CliRunner

from graph import partner as gp
from graph import subject
from hub.partner_cli import partners_app
from hub.runner import run_with_store
from hub.settings import load_settings
from loaders.pipeline import write_records
from resolvers import partner as rp
from resolvers.context import Context
from resolvers.ids import decode_key_cursor, encode_key_cursor
from resolvers.principal import Principal, Role
from resolvers.privacy import PrivacyConfig
from schema.partner import PartnerQueries

K = 3
PRIVACY = PrivacyConfig(min_group_size=K)
PS, MKT = "partner_sharing", "marketing"
PAVO = Principal("pavo-key", Role.PARTNER, partner_brand_id="bP", purposes=frozenset({PS, MKT}))
QUILL = Principal("quill-key", Role.PARTNER, partner_brand_id="bQ", purposes=frozenset({PS}))
APP = Principal("app-key", Role.APP)
DAY = 86_400_000


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
    totalCount edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage endCursor }
  } }
}"""
MEMBERS = """query($purpose: Purpose!, $ids: [ID!]!) {
  partner { members(purpose: $purpose, ids: $ids) { id } }
}"""
AGGREGATES = """query($purpose: Purpose!, $dimension: AudienceDimension!) {
  partner { aggregates(purpose: $purpose, dimension: $dimension) {
    dimension purpose audienceSize minGroupSize suppressedCells cells { value name count }
  } }
}"""

# Ids hold a 0, 1, 8 or 9, which no pseudonym (base32: a-z, 2-7) can: the scan for them
# in responses cannot hit one by chance.
CUSTOMERS = [f"c{i:02d}" for i in range(1, 11)] + [f"x{i:02d}" for i in range(1, 6)]
REGION = {**{c: "North" for c in CUSTOMERS[:5]}, "c06": "South", "c07": "South",
          "c08": "South", "c09": "East", "c10": None,
          **{x: "North" for x in ("x01", "x02", "x04", "x05")}, "x03": None}  # fmt: skip
NAMES = {c: f"Name Of {c.upper()} Zed" for c in CUSTOMERS}
EMAILS = {c: f"{c}.mail@example.test" for c in CUSTOMERS}
PHONES = {c: f"+44 7700 900{i:03d}" for i, c in enumerate(CUSTOMERS)}
HANDLES = {c: f"@handle_{c}_zz" for c in CUSTOMERS}
ACCOUNTS = {c: f"acct-{c}-01" for c in CUSTOMERS}
PERSONAL = [*CUSTOMERS, *NAMES.values(), *EMAILS.values(), *PHONES.values(), *HANDLES.values(),
            *ACCOUNTS.values(), *(f"CRM-{c}" for c in CUSTOMERS)]  # fmt: skip


HITS = [
    ("c01", "pv", "like"),
    ("c01", "pv", "comment"),
    ("c02", "pv", "like"),
    ("c03", "pv", "like"),
    ("c04", "pv", "like"),
    ("c03", "pi", "like"),
    ("c04", "pi", "like"),
    ("c05", "pi", "like"),
    ("c06", "pi", "like"),
    ("c07", "pt", "like"),
    ("x01", "pv", "like"),
]


def consent(c: str, brand: str, purposes: list[str], granted: int, withdrawn: int | None = None):
    return {"customer_id": c, "brand_id": brand, "purposes": purposes, "granted_at": granted,
            "withdrawn_at": withdrawn, "source": "app", "policy_version": "2024-01"}  # fmt: skip


def rows(now: int) -> list[tuple[str, list[dict[str, Any]]]]:
    past, future = now - 30 * DAY, now + 10 * DAY
    live = [c for c in CUSTOMERS[:10] if c not in ("c09", "c10")]
    return [
        ("brands", [{"id": b, "name": n, "category": "beauty", "created_at": past}
                    for b, n in (("bP", "Pavo"), ("bQ", "Quill"), ("bO", "Orla"))]),
        ("tags", [{"id": t, "name": t[2:], "category": cat} for t, cat in (
            ("t-run", "interest"), ("t-skin", "interest"), ("t-yoga", "interest"),
            ("t-video", "content_type"), ("t-image", "content_type"))]),
        ("segments", [{"id": s, "name": s[2:].title()} for s in ("s-gold", "s-silver",
                                                                  "s-bronze")]),
        ("customers", [{"id": c, "external_id": f"CRM-{c}", "name": NAMES[c], "email": EMAILS[c],
                        "phone": PHONES[c], "region": REGION[c], "country": "GB",
                        "created_at": past} for c in CUSTOMERS]),
        ("social_accounts", [{"id": ACCOUNTS[c], "platform": "weibo", "handle": HANDLES[c],
                              "display_name": NAMES[c], "created_at": past, "customer_id": c}
                             for c in CUSTOMERS]),
        ("posts", [{"id": p, "author_kind": "brand", "author_id": "bO", "at": past,
                    "platform": "weibo", "content_type": ct, "text": f"post {p}"}
                   for p, ct in (("pv", "t-video"), ("pi", "t-image"), ("pt", "t-text"))]),
        ("interactions", [{"account_id": ACCOUNTS[c], "post_id": p, "kind": kind, "at": past + i}
                          for i, (c, p, kind) in enumerate(HITS)]),
        ("customer_tags", [{"customer_id": c, "tag_id": t} for t, cs in (
            ("t-run", CUSTOMERS[:7]), ("t-skin", CUSTOMERS[:8]),
            ("t-yoga", ["c01", "c02", "x01", "x02", "x04", "x05"])) for c in cs]),
        ("customer_segments", [{"customer_id": c, "segment_id": s} for s, cs in (
            ("s-gold", ["c01", "c02", "c03", "c04", "c06", "c09"]),
            ("s-silver", ["c05", "c07", "c08", "c09"]), ("s-bronze", ["c10"])) for c in cs]),
        ("consents", [
            *(consent(c, "bP", [PS], past) for c in live),
            consent("c09", "bP", [PS], past - DAY, past),
            consent("c09", "bP", [PS, MKT], past + DAY),
            consent("c10", "bP", [PS, MKT], past, future),
            *(consent(c, "bP", [MKT], past + 1) for c in ("c01", "c02", "c03", "c04", "c06", "c07",
                                                      "c08", "x03")),
            consent("x01", "bP", [PS, MKT], past - DAY, past),
            consent("x02", "bP", [PS], future),
            consent("x04", "bQ", [PS], past),
            consent("x05", "bP", [PS], past),
            *(consent(c, "bO", [PS], past) for c in ("c01", "c02", "c03", "c04")),
            consent("c05", "bO", [PS], past - DAY, past),
            consent("c06", "bO", [MKT], past),
            consent("c01", "bQ", [PS], past),
        ]),
    ]  # fmt: skip


@pytest.fixture
async def partner_graph(store):
    now = rp.now_ms()
    for kind, batch in rows(now):
        await write_records(store, kind, batch, now)
    await store.write(subject.RESTRICT, {"id": "x05", "restricted": True, "now": now})
    store.statements.clear()
    store.loaded_at = now
    return store


async def execute(store: Any, query: str, principal: Principal = PAVO, **variables: Any):
    ctx = Context(store, principal, privacy=PRIVACY)
    result = await SCHEMA.execute(query, variable_values=variables, context_value=ctx)
    return result, ctx


RESPONSES: list[str] = []


@pytest.fixture(autouse=True)
def no_personal_data():
    """After each test: no response it got holds a name, email, phone, handle or id of the
    graph's customers and accounts (cursors are checked apart: one pseudonym each)."""
    RESPONSES.clear()
    yield
    for response in RESPONSES:
        cursorless = json.dumps(_without_cursors(json.loads(response)))
        leaked = [p for p in PERSONAL if p in cursorless]
        assert leaked == [], (leaked, response)


async def run(store: Any, query: str, principal: Principal = PAVO, **variables: Any):
    result, _ = await execute(store, query, principal, **variables)
    assert result.errors is None, result.errors
    RESPONSES.append(json.dumps(result.data))
    return result.data["partner"]


async def errors_of(store: Any, query: str, principal: Principal = PAVO, **variables: Any):
    result, _ = await execute(store, query, principal, **variables)
    assert result.errors, "expected errors"
    return [{"message": e.message, **(e.extensions or {})} for e in result.errors]


async def salt_of(store: Any, partner: str) -> str:
    found = await store.inner.read(
        "MATCH (k:PartnerKey {id: $id}) RETURN k.salt AS salt", {"id": partner}
    )
    return found[0]["salt"]


async def pseudonyms(store: Any, partner: str, customers: list[str]) -> dict[str, str]:
    salt = await salt_of(store, partner)
    return {c: rp.partner_pseudonym(PRIVACY, partner, salt, c) for c in customers}


async def withdraw(store: Any, customer: str, brand: str, purposes: list[str], granted: int):
    now = rp.now_ms()
    await write_records(
        store, "consents", [consent(customer, brand, purposes, granted, now - 1)], now
    )


async def whole_audience(store: Any, purpose: str = PS, principal: Principal = PAVO) -> list[str]:
    data = await run(store, AUDIENCE, principal, purpose=purpose.upper(), first=100)
    return [e["node"]["id"] for e in data["audience"]["edges"]]


def cells(data: dict[str, Any]) -> list[tuple[str, str | None, int]]:
    return [(c["value"], c["name"], c["count"]) for c in data["aggregates"]["cells"]]


# --- audience and members -----------------------------------------------------------------

PS_AUDIENCE = [f"c{i:02d}" for i in range(1, 11)]


async def test_audience_is_the_live_consents_as_pseudonyms_in_pseudonym_order(partner_graph):
    store = partner_graph
    page1 = (await run(store, AUDIENCE, purpose="PARTNER_SHARING", first=4))["audience"]
    # the first call creates the partner's key: the audience read, then the key
    assert len(store.statements) == 2
    expected = await pseudonyms(store, "bP", PS_AUDIENCE)
    ordered = sorted(expected.values())
    assert page1["totalCount"] == 10
    assert [e["node"]["id"] for e in page1["edges"]] == ordered[:4]
    assert page1["pageInfo"] == {"hasNextPage": True, "hasPreviousPage": False,
                                 "endCursor": page1["edges"][-1]["cursor"]}  # fmt: skip
    store.statements.clear()
    after = page1["pageInfo"]["endCursor"]
    page2 = await run(store, AUDIENCE, purpose="PARTNER_SHARING", first=4, after=after)
    assert len(store.statements) == 1  # the key exists now: one statement
    page3 = await run(store, AUDIENCE, purpose="PARTNER_SHARING", first=4,
                      after=page2["audience"]["pageInfo"]["endCursor"])  # fmt: skip
    ids = [e["node"]["id"] for p in (page2, page3) for e in p["audience"]["edges"]]
    assert ids == ordered[4:]
    assert page3["audience"]["pageInfo"]["hasNextPage"] is False
    assert page3["audience"]["pageInfo"]["hasPreviousPage"] is True
    # every pseudonym is of the partner's form and every cursor holds one pseudonym only
    for page in (page1, page2["audience"], page3["audience"]):
        for edge in page["edges"]:
            assert rp.PSEUDONYM_PATTERN.fullmatch(edge["node"]["id"])
            assert decode_key_cursor(edge["cursor"], rp.AUDIENCE_CURSOR) == [edge["node"]["id"]]


async def test_the_consent_filter_keeps_out_every_trap(partner_graph):
    store = partner_graph
    got = set(await whole_audience(store))
    everyone = await pseudonyms(store, "bP", CUSTOMERS)
    assert got == {everyone[c] for c in PS_AUDIENCE}  # no trap; c09 once; c10 (ends later)
    marketing = set(await whole_audience(store, MKT))
    expected = ["c01", "c02", "c03", "c04", "c06", "c07", "c08", "c09", "c10", "x03"]
    assert marketing == {everyone[c] for c in expected}


async def test_the_audit_trail_names_the_customers_handed_out(partner_graph):
    result, ctx = await execute(partner_graph, AUDIENCE, purpose="PARTNER_SHARING", first=3)
    assert result.errors is None
    ids = [e["node"]["id"] for e in result.data["partner"]["audience"]["edges"]]
    by_pseudonym = {p: c for c, p in (await pseudonyms(partner_graph, "bP", CUSTOMERS)).items()}
    assert ctx.audit.customer_ids == {by_pseudonym[p] for p in ids}
    assert ctx.audit.purpose == PS and ctx.audit.kinds == {"partner_pull"}
    result, ctx = await execute(partner_graph, AGGREGATES, purpose="PARTNER_SHARING",
                                dimension="REGION")  # fmt: skip
    assert ctx.audit.customer_ids == set() and ctx.audit.kinds == {"partner_pull"}


async def test_a_withdrawal_takes_effect_on_the_next_read(partner_graph):
    store = partner_graph
    await whole_audience(store)  # creates the key
    everyone = await pseudonyms(store, "bP", CUSTOMERS)
    asked = [everyone["c01"], everyone["x01"], everyone["c02"], everyone["c01"],
             "pt_" + "a" * 26]  # fmt: skip
    store.statements.clear()
    data = await run(store, MEMBERS, purpose="PARTNER_SHARING", ids=asked)
    assert [m["id"] for m in data["members"]] == [everyone["c01"], everyone["c02"]]
    assert len(store.statements) == 1
    await withdraw(store, "c01", "bP", [PS], store.loaded_at - 30 * DAY)
    data = await run(store, MEMBERS, purpose="PARTNER_SHARING", ids=asked)
    assert [m["id"] for m in data["members"]] == [everyone["c02"]]
    assert everyone["c01"] not in await whole_audience(store)
    # c01's marketing consent is another grant: still in that audience
    assert everyone["c01"] in await whole_audience(store, MKT)
    # a restriction too: c02 drops out of every audience at once
    await store.write(subject.RESTRICT, {"id": "c02", "restricted": True, "now": rp.now_ms()})
    data = await run(store, MEMBERS, purpose="PARTNER_SHARING", ids=asked)
    assert data["members"] == []


async def test_pseudonyms_differ_across_partners_and_after_a_rotation(partner_graph):
    store = partner_graph
    pavo = await whole_audience(store)
    quill = await whole_audience(store, PS, QUILL)
    assert len(quill) == 2  # c01 and x04
    assert not set(pavo) & set(quill)
    pavo_ids = await pseudonyms(store, "bP", ["c01"])
    quill_ids = await pseudonyms(store, "bQ", ["c01"])
    assert pavo_ids["c01"] in pavo and quill_ids["c01"] in quill
    assert pavo_ids["c01"] != quill_ids["c01"]
    # Quill cannot resolve Pavo's pseudonym of their shared customer
    data = await run(store, MEMBERS, QUILL, purpose="PARTNER_SHARING", ids=[pavo_ids["c01"]])
    assert data["members"] == []

    rotated_at = await rp.rotate_partner_key(store, "bP")
    assert rotated_at is not None
    after = await whole_audience(store)
    assert len(after) == 10 and not set(after) & set(pavo)
    data = await run(store, MEMBERS, purpose="PARTNER_SHARING", ids=pavo[:5])
    assert data["members"] == []  # the old pseudonyms resolve no more
    assert await whole_audience(store, PS, QUILL) == quill  # other partners are untouched
    assert await rp.rotate_partner_key(store, "no-such-brand") is None


# --- aggregates ---------------------------------------------------------------------------


async def aggregates(store: Any, dimension: str, purpose: str = "PARTNER_SHARING"):
    return (await run(store, AGGREGATES, purpose=purpose, dimension=dimension))["aggregates"]


async def test_region_suppression_with_the_complementary_cell(partner_graph):
    store = partner_graph
    data = await aggregates(store, "REGION")
    # North 5 and South 3 pass 3 <= n <= 7, East 1 does not. Withheld: East (1) and the
    # member without a region (1) = 2, in (0, 3): South, the smallest released, goes too.
    assert (data["audienceSize"], data["minGroupSize"]) == (10, 3)
    assert [(c["value"], c["count"]) for c in data["cells"]] == [("North", 5)]
    assert data["suppressedCells"] == 2
    # the cells statement, then North's fresh release appended to the ledger
    assert len(store.statements) == 2


async def test_segments_are_not_single_valued_and_bounds_apply(partner_graph):
    data = await aggregates(partner_graph, "SEGMENT")
    # gold 6, silver 4 (c09 in both), bronze 1: no complementary suppression for segments
    assert cells({"aggregates": data}) == [("s-gold", "Gold", 6), ("s-silver", "Silver", 4)]
    assert data["suppressedCells"] == 1


async def test_a_cell_whose_complement_is_small_is_withheld(partner_graph):
    data = await aggregates(partner_graph, "TAG")
    # t-run 7 = N - k is released; t-skin 8 > 7 (its complement, 2 people, would show);
    # t-yoga 2 < 3. The traps' t-yoga does not count.
    assert cells({"aggregates": data}) == [("t-run", "run", 7)]
    assert data["suppressedCells"] == 2


async def test_content_preferences_and_consenting_brands(partner_graph):
    data = await aggregates(partner_graph, "CONTENT_PREFERENCE")
    # customers, not interactions: c01's two on pv count once; x01's is outside the audience;
    # t-text (c07 alone) is withheld; t-text has no Tag node, so no name either
    assert cells({"aggregates": data}) == [("t-image", "image", 4), ("t-video", "video", 4)]
    assert data["suppressedCells"] == 1
    data = await aggregates(partner_graph, "CONSENTING_BRAND")
    # bO: c01..c04 live for PS (c05 withdrawn, c06 marketing only); bQ: c01 alone
    assert cells({"aggregates": data}) == [("bO", "Orla", 4)]
    assert data["suppressedCells"] == 1


async def test_the_ledger_answers_a_differencing_pair_with_the_released_count(partner_graph):
    store = partner_graph
    assert [(c["value"], c["count"]) for c in (await aggregates(store, "REGION"))["cells"]] == [
        ("North", 5)
    ]
    # Marketing's North is {c01..c04}: one person from the released {c01..c05}. Its true
    # count (4) would tell c05's region; the ledger answers the released 5.
    store.statements.clear()
    data = await aggregates(store, "REGION", "MARKETING")
    assert [(c["value"], c["count"]) for c in data["cells"]] == [("North", 5)]
    assert len(store.statements) == 1  # nothing fresh: no ledger write
    # c01 withdraws: North is {c02..c05} now; the answer stays 5
    await withdraw(store, "c01", "bP", [PS], store.loaded_at - 30 * DAY)
    data = await aggregates(store, "REGION")
    assert data["audienceSize"] == 9
    assert [(c["value"], c["count"]) for c in data["cells"]] == [("North", 5)]
    # the same question again gets the same answer
    assert (await aggregates(store, "REGION")) == data
    # the ledger holds the one fresh release, its customers by hub id
    ledger = await store.inner.read(
        "MATCH (r:PartnerRelease) RETURN r.partner_id AS partner, r.dimension AS dimension, "
        "r.value AS value, r.customer_ids AS ids"
    )
    assert ledger == [{"partner": "bP", "dimension": "region", "value": "North",
                       "ids": ["c01", "c02", "c03", "c04", "c05"]}]  # fmt: skip


async def test_a_ledger_append_on_a_moved_ledger_writes_nothing(partner_graph):
    store = partner_graph
    await aggregates(store, "REGION")  # one entry
    params = {
        "partner": "bP",
        "dimension": "region",
        "now": rp.now_ms(),
        "salt": rp.new_salt(),
        "rows": [{"id": "r-x", "value": "South", "customer_ids": ["c06", "c07", "c08"]}],
    }
    found, _ = await store.write_returning(gp.APPEND_RELEASES, {**params, "seen": 0})
    assert found == []
    found, _ = await store.write_returning(gp.APPEND_RELEASES, {**params, "seen": 1})
    assert found == [{"seen": 1}]
    count = await store.inner.read("MATCH (r:PartnerRelease) RETURN count(r) AS n")
    assert count == [{"n": 2}]


async def test_an_empty_audience(partner_graph):
    store = partner_graph
    nobody = Principal("n", Role.PARTNER, partner_brand_id="bO", purposes=frozenset({"analytics"}))
    data = await run(store, AGGREGATES, nobody, purpose="ANALYTICS", dimension="TAG")
    assert data["aggregates"]["audienceSize"] == 0 and data["aggregates"]["cells"] == []
    data = await run(store, AUDIENCE, nobody, purpose="ANALYTICS", first=5)
    assert data["audience"]["totalCount"] == 0 and data["audience"]["edges"] == []


# --- refusals -----------------------------------------------------------------------------


async def test_only_partners_and_only_for_their_purposes(partner_graph):
    store = partner_graph
    errors = await errors_of(store, AUDIENCE, APP, purpose="PARTNER_SHARING", first=5)
    assert [e["code"] for e in errors] == ["FORBIDDEN"]
    for query, extra in ((AUDIENCE, {"first": 5}), (MEMBERS, {"ids": []}),
                         (AGGREGATES, {"dimension": "REGION"})):  # fmt: skip
        errors = await errors_of(store, query, QUILL, purpose="MARKETING", **extra)
        assert [(e["code"], e.get("argument")) for e in errors] == [("FORBIDDEN", "purpose")]
    assert store.statements == []


@pytest.mark.parametrize(
    ("query", "variables", "argument"),
    [
        (AUDIENCE, {"first": -1}, "first"),
        (AUDIENCE, {"first": 101}, "first"),
        (AUDIENCE, {"first": 5, "after": "not-a-cursor"}, "after"),
        (AUDIENCE, {"first": 5, "after": encode_key_cursor(rp.AUDIENCE_CURSOR, (1,))}, "after"),
        (
            AUDIENCE,
            {"first": 5, "after": encode_key_cursor("members", ("pt_" + "a" * 26,))},
            "after",
        ),
        (MEMBERS, {"ids": ["pt_short"]}, "ids"),
        (MEMBERS, {"ids": ["c01"]}, "ids"),
        (MEMBERS, {"ids": ["pt_" + "a" * 26] * 1001}, "ids"),
    ],
)
async def test_bad_arguments_cost_no_statement(partner_graph, query, variables, argument):
    errors = await errors_of(partner_graph, query, purpose="PARTNER_SHARING", **variables)
    assert [(e["code"], e["argument"]) for e in errors] == [("BAD_USER_INPUT", argument)]
    assert partner_graph.statements == []


async def test_every_response_is_free_of_personal_data(partner_graph):
    """Every dimension for both purposes and both partners, the whole audiences and a
    membership check of everyone (the autouse fixture scans them)."""
    store = partner_graph
    for principal, purposes in ((PAVO, ("PARTNER_SHARING", "MARKETING")),
                                (QUILL, ("PARTNER_SHARING",))):  # fmt: skip
        for purpose in purposes:
            await run(store, AUDIENCE, principal, purpose=purpose, first=100)
            for dimension in ("SEGMENT", "REGION", "TAG", "CONTENT_PREFERENCE",
                              "CONSENTING_BRAND", "ENGAGED_BRAND"):  # fmt: skip
                await run(store, AGGREGATES, principal, purpose=purpose, dimension=dimension)
    everyone = await pseudonyms(store, "bP", CUSTOMERS)
    data = await run(store, MEMBERS, purpose="PARTNER_SHARING", ids=list(everyone.values()))
    assert len(data["members"]) == 10
    assert len(RESPONSES) == 3 * 7 + 1


def _without_cursors(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: _without_cursors(v)
            for k, v in value.items()
            if k not in ("cursor", "endCursor", "startCursor")
        }
    if isinstance(value, list):
        return [_without_cursors(v) for v in value]
    return value


# --- hub partners ... ---------------------------------------------------------------------


@pytest.mark.parametrize("engine", ["embedded"])
def test_the_partners_cli(engine, tmp_path, monkeypatch):
    """`show` and `rotate-secret` on their own graph (an embedded one: the CLI opens the
    configured graph itself)."""
    monkeypatch.setenv("HUB_GRAPH_URL", f"embedded://{tmp_path / 'graph'}")
    monkeypatch.setenv("HUB_PARTNER_MIN_GROUP_SIZE", "3")
    settings = load_settings()
    now = rp.now_ms()

    async def seed(store: Any) -> str:
        for kind, batch in rows(now):
            await write_records(store, kind, batch, now)
        await store.write(subject.RESTRICT, {"id": "x05", "restricted": True, "now": now})
        return await rp.ensure_partner_key(store, "bP")

    salt = run_with_store(settings, seed)
    runner = CliRunner()
    shown = runner.invoke(partners_app, ["show", "bP"])
    assert shown.exit_code == 0, shown.output
    assert "partner bP (Pavo)" in shown.stderr
    assert "minimum group size k: 3" in shown.stderr
    assert re.search(r"partner_sharing\s*│\s*10\b", shown.stderr)
    assert re.search(r"marketing\s*│\s*10\b", shown.stderr)
    assert "release ledger: empty" in shown.stderr
    assert salt not in shown.stderr + shown.stdout

    rotated = runner.invoke(partners_app, ["rotate-secret", "bP"])
    assert rotated.exit_code == 0, rotated.output
    assert "rotated the pseudonym key of partner bP" in rotated.stderr

    async def salt_now(store: Any) -> str:
        found = await store.read("MATCH (k:PartnerKey {id: 'bP'}) RETURN k.salt AS salt")
        return str(found[0]["salt"])

    assert run_with_store(settings, salt_now) != salt
    missing = runner.invoke(partners_app, ["rotate-secret", "nope"])
    assert missing.exit_code == 1 and "no brand with id 'nope'" in missing.stderr
    missing = runner.invoke(partners_app, ["show", "nope"])
    assert missing.exit_code == 1 and "no brand with id 'nope'" in missing.stderr
