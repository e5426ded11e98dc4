"""Data-subject rights on both engines: export, erasure (nothing of the customer left,
nothing of it reloaded), restriction; and the `hub subject` CLI."""

import asyncio
import json
import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
import strawberry
from click.testing import Result
from typer.testing import CliRunner

from graph.audit import INSERT_AUDIT_ENTRY
from graph.consent_rules import PARTNER_AUDIENCE_MATCH
from graph.migrations import migrate
from graph.reads import BRAND_COUNTS
from graph.store import open_store
from graph.subject import erasure_id
from hub.subject_cli import subject_app
from loaders.contact_keys import email_key, phone_key
from loaders.erasures import ErasureKeyMissing
from loaders.linking import relink
from loaders.mapping import Mapping
from loaders.pipeline import LoadOptions, write_records
from loaders.pipeline import load_files as load_files_
from resolvers.consent import grant_consent
from resolvers.context import Context
from resolvers.ids import to_global_id
from resolvers.principal import Principal, Role
from resolvers.privacy import PrivacyConfig
from schema.consent import ConsentMutations, ConsentQueries
from schema.subject import SubjectMutations
from tests.integration.graph_dump import dump

T0 = 1_700_000_000_000
DAY = 86_400_000
ADMIN = Principal("key:admin-7", Role.ADMIN)
PRIVACY = PrivacyConfig()
ERASURE_KEY = PRIVACY.derived_key("erasure")


@strawberry.type(description="Queries under test.")
class Query(ConsentQueries):
    pass


@strawberry.type(description="Mutations under test.")
class Mutation(SubjectMutations, ConsentMutations):
    pass


SCHEMA = strawberry.Schema(query=Query, mutation=Mutation)

X1_EMAIL = "zhao.lei@example.com"
X1_PHONE = "+86 139 1111 2222"

# x1 is erased; k2 stays. `aconf` claims k2 but carries x1's email: a conflict naming x1.
ROWS: list[tuple[str, list[dict[str, Any]]]] = [
    ("brands", [{"id": "b1", "name": "Lumora"}, {"id": "b2", "name": "Vantelle"}]),
    ("tags", [{"id": "t-run", "name": "running"}, {"id": "t-video", "name": "video"}]),
    ("segments", [{"id": "s-vip", "name": "vip"}]),
    ("products", [{"id": "p1", "brand_id": "b1", "name": "Serum", "price": 30.0},
                  {"id": "p2", "brand_id": "b2", "name": "Jacket", "price": 100.0}]),
    ("customers", [
        {"id": "x1", "external_id": "CRM-X1", "name": "Zhao Lei", "email": X1_EMAIL,
         "phone": X1_PHONE, "city": "Chengdu", "country": "CN", "created_at": T0},
        {"id": "k2", "external_id": "CRM-K2", "name": "Anna Berg", "email": "anna@example.org",
         "phone": "+33 6 12 34 56 78", "city": "Lyon", "country": "FR", "created_at": T0},
    ]),
    ("social_accounts", [
        {"id": "ax1", "platform": "weibo", "handle": "@zhaolei", "display_name": "Lei Z",
         "customer_id": "x1"},
        {"id": "ax2", "platform": "wechat", "handle": "zl_wechat", "display_name": "ZL",
         "email": "Zhao.Lei@Example.com"},
        {"id": "ak1", "platform": "instagram", "handle": "@anna", "display_name": "Anna B",
         "customer_id": "k2"},
        {"id": "aconf", "platform": "tiktok", "handle": "@shared_one", "customer_id": "k2",
         "email": X1_EMAIL},
    ]),
    ("follows", [
        {"account_id": "ax1", "target_kind": "brand", "target_id": "b1", "since": T0},
        {"account_id": "ax1", "target_kind": "account", "target_id": "a-ghost", "since": T0},
        {"account_id": "ak1", "target_kind": "brand", "target_id": "b1", "since": T0},
        {"account_id": "ak1", "target_kind": "account", "target_id": "ax1", "since": T0},
    ]),
    ("purchases", [
        {"id": "ox1", "customer_id": "x1", "brand_id": "b1", "at": T0 + DAY, "total": 60.0,
         "items": [{"product_id": "p1", "quantity": 2, "unit_price": 30.0}]},
        {"id": "ox2", "customer_id": "x1", "brand_id": "b2", "at": T0 + 2 * DAY,
         "items": [{"product_id": "p-ghost", "quantity": 1, "unit_price": 5.0}]},
        {"id": "ok1", "customer_id": "k2", "brand_id": "b1", "at": T0 + 3 * DAY,
         "items": [{"product_id": "p1", "quantity": 1, "unit_price": 30.0}]},
    ]),
    ("posts", [
        {"id": "px1", "author_kind": "account", "author_id": "ax1", "at": T0 + DAY,
         "text": "Zhao's morning run", "tag_ids": ["t-run"]},
        {"id": "pk1", "author_kind": "account", "author_id": "ak1", "at": T0 + DAY,
         "text": "Lyon by night", "tag_ids": ["t-video"]},
        {"id": "pb1", "author_kind": "brand", "author_id": "b1", "at": T0, "text": "New serum"},
    ]),
    ("interactions", [
        {"account_id": "ax1", "post_id": "pb1", "kind": "like", "at": T0 + DAY},
        {"account_id": "ax2", "post_id": "pk1", "kind": "comment", "at": T0 + 2 * DAY,
         "text": "Beautiful, from Lei"},
        {"account_id": "ak1", "post_id": "px1", "kind": "comment", "at": T0 + 2 * DAY,
         "text": "Go Zhao!"},
        {"account_id": "ak1", "post_id": "pb1", "kind": "like", "at": T0 + 2 * DAY},
    ]),
    ("complaints", [
        {"id": "cx1", "customer_id": "x1", "about_kind": "purchase", "about_id": "ox1",
         "opened_at": T0 + 4 * DAY, "text": "Zhao Lei: parcel damaged"},
        {"id": "ck1", "customer_id": "k2", "about_kind": "brand", "about_id": "b1",
         "opened_at": T0 + 4 * DAY, "text": "No answer"},
    ]),
    ("consents", [
        {"customer_id": "x1", "brand_id": "b1", "purposes": ["marketing", "partner_sharing"],
         "granted_at": T0, "source": "crm", "policy_version": "2023-09"},
        {"customer_id": "k2", "brand_id": "b1", "purposes": ["partner_sharing"],
         "granted_at": T0, "source": "crm", "policy_version": "2023-09"},
    ]),
    ("customer_tags", [{"customer_id": "x1", "tag_id": "t-run", "weight": 0.8},
                       {"customer_id": "k2", "tag_id": "t-video", "weight": 0.5}]),
    ("customer_segments", [{"customer_id": "x1", "segment_id": "s-vip"},
                           {"customer_id": "k2", "segment_id": "s-vip"}]),
]  # fmt: skip

# Everything that identifies x1, and the ids of what hangs off it only.
X1_IDENTIFIERS = [
    "x1", "CRM-X1", "Zhao", "Lei", X1_EMAIL, X1_PHONE, email_key(X1_EMAIL),
    phone_key(X1_PHONE, "CN"), "@zhaolei", "zl_wechat", "ax1", "ax2", "px1", "ox1", "ox2", "cx1",
]  # fmt: skip


def audit_params(entry_id: str, customer_ids: list[str]) -> dict[str, Any]:
    return {"id": entry_id, "at": T0, "subject": "key:app-1", "role": "app",
            "partner_id": None, "purpose": None, "query_hash": "0" * 64, "operation": None,
            "kinds": ["customer_read"], "customer_ids": customer_ids}  # fmt: skip


async def build(store: Any) -> None:
    for kind, rows in ROWS:
        await write_records(store, kind, rows, T0)
    for customer in ("x1", "k2"):
        await grant_consent(
            Context(store, ADMIN), customer, "b2", ["analytics"], "app", "2024-01", None
        )
    await store.write(INSERT_AUDIT_ENTRY, audit_params("au-both", ["k2", "x1"]))
    await store.write(INSERT_AUDIT_ENTRY, audit_params("au-erased", ["x1"]))
    await store.write(INSERT_AUDIT_ENTRY, audit_params("au-k2", ["k2"]))
    # A partner release as the partner API would keep it: customer ids in `customer_ids`.
    await store.write(
        "CREATE (:PartnerRelease {id: 'rel-1', partner_id: 'b1', at: $at, customer_ids: $ids})",
        {"at": T0, "ids": ["k2", "x1"]},
    )


@pytest.fixture
async def graph(store):
    await build(store)
    store.statements.clear()
    return store


async def execute(store: Any, query: str, **variables: Any) -> tuple[dict[str, Any], Context]:
    ctx = Context(store, ADMIN, privacy=PRIVACY)
    result = await SCHEMA.execute(query, variable_values=variables, context_value=ctx)
    assert result.errors is None, result.errors
    assert result.data is not None
    return result.data, ctx


EXPORT = """
mutation($id: ID!) {
  exportCustomer(customerId: $id) {
    __typename
    ... on CustomerExport { customerId data }
    ... on SubjectError { code message argument }
  }
}
"""

ERASE = """
mutation($id: ID!) {
  eraseCustomer(customerId: $id) {
    __typename
    ... on CustomerErasure {
      erasureId erasedAt alreadyErased recordsScrubbed accountsToRelink
      removed { customers socialAccounts posts purchases complaints stubs }
    }
    ... on SubjectError { code message argument }
  }
}
"""

RESTRICT = """
mutation($id: ID!, $restricted: Boolean!) {
  restrictProcessing(customerId: $id, restricted: $restricted) {
    __typename
    ... on ProcessingRestriction { customerId restricted restrictedAt }
    ... on SubjectError { code message argument }
  }
}
"""


async def export_of(store: Any, customer: str) -> dict[str, Any]:
    data, _ = await execute(store, EXPORT, id=customer)
    assert data["exportCustomer"]["__typename"] == "CustomerExport"
    exported: dict[str, Any] = data["exportCustomer"]["data"]
    return exported


# --- export -------------------------------------------------------------------------------


async def test_export_holds_everything_about_the_customer_and_nothing_else(graph):
    data, ctx = await execute(graph, EXPORT, id=to_global_id("Customer", "x1"))
    assert data["exportCustomer"]["customerId"] == "x1"
    x = data["exportCustomer"]["data"]
    assert len(graph.statements) == 3
    assert ctx.audit.customer_ids == {"x1"} and {"export", "customer_read"} <= ctx.audit.kinds
    profile = x["profile"]
    assert (profile["id"], profile["external_id"], profile["name"]) == ("x1", "CRM-X1", "Zhao Lei")
    assert (profile["email"], profile["phone"]) == (X1_EMAIL, X1_PHONE)
    assert profile["email_hash"] == email_key(X1_EMAIL)
    assert "row_hash" not in profile
    accounts = {i["account"]["id"]: i for i in x["identities"]}
    assert sorted(accounts) == ["ax1", "ax2"]
    assert accounts["ax1"]["account"]["handle"] == "@zhaolei"
    assert (accounts["ax1"]["link"]["method"], accounts["ax2"]["link"]["method"]) == (
        "crm_id", "email")  # fmt: skip
    assert sorted((f["target_kind"], f["target_id"]) for f in accounts["ax1"]["follows"]) == [
        ("Brand", "b1"), ("SocialAccount", "a-ghost")]  # fmt: skip
    assert accounts["ax2"]["follows"] == []
    assert [(t["tag_id"], t["weight"]) for t in x["tags"]] == [("t-run", 0.8)]
    assert [s["segment_id"] for s in x["segments"]] == ["s-vip"]
    assert sorted((k["brand_id"], k["purposes"][0], k["source"]) for k in x["consents"]) == [
        ("b1", "marketing", "crm"), ("b2", "analytics", "app")]  # fmt: skip
    assert [(e["action"], e["brand_id"], e["actor"]) for e in x["consent_history"]] == [
        ("grant", "b2", "key:admin-7")]  # fmt: skip
    purchases = {p["purchase"]["id"]: p for p in x["purchases"]}
    assert sorted(purchases) == ["ox1", "ox2"]
    assert purchases["ox1"]["brand_id"] == "b1" and purchases["ox1"]["purchase"]["total"] == 60.0
    assert [(i["product_id"], i["quantity"]) for i in purchases["ox1"]["items"]] == [("p1", 2)]
    assert [(i["product_id"], i["unit_price"]) for i in purchases["ox2"]["items"]] == [
        ("p-ghost", 5.0)]  # fmt: skip
    assert [(p["post"]["id"], p["account_id"], p["tag_ids"]) for p in x["posts"]] == [
        ("px1", "ax1", ["t-run"])]  # fmt: skip
    assert sorted((i["account_id"], i["post_id"], i["kind"], i["text"])
                  for i in x["interactions"]) == [
        ("ax1", "pb1", "like", None), ("ax2", "pk1", "comment", "Beautiful, from Lei")]  # fmt: skip
    assert [(c["complaint"]["id"], c["about_id"]) for c in x["complaints"]] == [("cx1", "ox1")]
    assert sorted(a["id"] for a in x["audit_entries"]) == ["au-both", "au-erased"]
    assert all("customer_ids" not in a for a in x["audit_entries"])  # others' ids stay out
    text = json.dumps(x)
    for other in ("k2", "Anna", "ak1", "@anna", "CRM-K2", "ok1", "ck1", "Go Zhao"):
        assert other not in text, other


async def test_export_of_an_unknown_customer_is_not_found(graph):
    data, ctx = await execute(graph, EXPORT, id="nobody")
    assert (data["exportCustomer"]["__typename"], data["exportCustomer"]["code"]) == (
        "SubjectError", "NOT_FOUND")  # fmt: skip
    assert ctx.audit.empty


# --- erasure ------------------------------------------------------------------------------


def carriers(graph_dump: tuple[list[Any], list[Any]], needles: list[str]) -> list[str]:
    """Every place in a dump (node or relationship property, endpoint) holding a needle."""
    found = []

    def visit(where: str, value: Any) -> None:
        if isinstance(value, list | tuple):
            for v in value:
                visit(where, v)
        elif isinstance(value, str):
            found.extend(f"{where}: {n!r}" for n in needles if n in value)

    nodes, rels = graph_dump
    for labels, props in nodes:
        for key, value in props:
            visit(f"{labels}.{key}", value)
    for rel_type, source, target, props in rels:
        visit(f"{rel_type} endpoint", [source, target])
        for key, value in props:
            visit(f"{rel_type}.{key}", value)
    return found


async def brand_counts(store: Any, brand: str) -> dict[str, int]:
    rows = await store.read(
        f"MATCH (e:Brand {{id: $b}}) RETURN {{{BRAND_COUNTS}}} AS c", {"b": brand}
    )
    counts: dict[str, int] = rows[0]["c"]
    return counts


async def audience(store: Any, brand: str, purpose: str) -> list[str]:
    rows = await store.read(
        PARTNER_AUDIENCE_MATCH + " RETURN c.id AS id ORDER BY id",
        {"partner": brand, "purpose": purpose, "now": int(time.time() * 1000) + 1},
    )
    return [r["id"] for r in rows]


async def erase(store: Any, customer: str) -> dict[str, Any]:
    data, ctx = await execute(store, ERASE, id=customer)
    result: dict[str, Any] = data["eraseCustomer"]
    assert ctx.audit.customer_ids == set()  # the entry is written once the customer is gone
    if result["__typename"] == "CustomerErasure":
        assert ctx.audit.kinds == {"erase"}
    return result


async def test_erasure_leaves_nothing_of_the_customer_and_keeps_everyone_else(graph):
    assert carriers(await dump(graph), X1_IDENTIFIERS)  # the needles do find x1 before
    k2_before = await export_of(graph, "k2")
    b1_before = await brand_counts(graph, "b1")
    assert await audience(graph, "b1", "partner_sharing") == ["k2", "x1"]

    result = await erase(graph, "x1")

    assert result["__typename"] == "CustomerErasure"
    assert result["erasureId"] == erasure_id(ERASURE_KEY, "x1")
    assert result["alreadyErased"] is False
    assert result["removed"] == {"customers": 1, "socialAccounts": 2, "posts": 1,
                                 "purchases": 2, "complaints": 1, "stubs": 2}  # fmt: skip
    # Its consent event and the grant's outbox event deleted; its id taken out of two audit
    # entries and one release.
    assert result["recordsScrubbed"] == 5
    assert result["accountsToRelink"] == 1  # aconf: its email evidence named x1

    after = await dump(graph)
    assert carriers(after, X1_IDENTIFIERS) == []
    # No orphan left behind: the domain nodes linked to nothing are loaded ones that were
    # on their own anyway (a tag only x1 had, an account never linked); the stubs that only
    # x1's data pointed at (a product, a followed account) are gone.
    orphans = await graph.read(
        "MATCH (n) WITH n, size([(n)--() | 1]) AS degree WHERE degree = 0 "
        "RETURN head(labels(n)) AS label, n.id AS id, n.row_hash IS NULL AS stub"
    )
    system = {"AuditEntry", "PartnerRelease", "ConsentEvent", "Erasure", "OutboxEvent"}
    assert sorted(
        (o["label"], o["id"], o["stub"]) for o in orphans if o["label"] not in system
    ) == [("SocialAccount", "aconf", False), ("Tag", "t-run", False)]
    stubs = await graph.read("MATCH (n) WHERE n.id IN ['a-ghost', 'p-ghost'] RETURN n.id")
    assert stubs == []
    # Tombstones: the customer's and one per erased satellite; no identifier in them.
    tombstones = await graph.read(
        "MATCH (e:Erasure) RETURN e.of AS of, e.actor AS actor ORDER BY of"
    )
    assert [t["of"] for t in tombstones] == [
        "account",
        "account",
        "complaint",
        "customer",
        "post",
        "purchase",
        "purchase",
    ]
    assert {t["actor"] for t in tombstones} == {"key:admin-7"}
    ids = await graph.read(
        "MATCH (n) WHERE n:AuditEntry OR n:PartnerRelease "
        "RETURN n.id AS id, n.customer_ids AS customers ORDER BY id"
    )
    assert [(r["id"], r["customers"]) for r in ids] == [
        ("au-both", ["k2"]),
        ("au-erased", []),
        ("au-k2", ["k2"]),
        ("rel-1", ["k2"]),
    ]

    # Everyone else's data is intact, less what was x1's too: k2's follow of x1's account
    # and k2's comment on x1's post.
    k2_after = await export_of(graph, "k2")
    k2_before["interactions"] = [i for i in k2_before["interactions"] if i["post_id"] != "px1"]
    for identity in k2_before["identities"]:
        identity["follows"] = [f for f in identity["follows"] if f["target_id"] != "ax1"]
    k2_before.pop("exported_at"), k2_after.pop("exported_at")
    assert k2_after == k2_before
    # Aggregates follow: b1 lost x1's follower and purchase; audiences no longer see it.
    assert await brand_counts(graph, "b1") == {
        **b1_before, "follower_count": b1_before["follower_count"] - 1,
        "purchase_count": b1_before["purchase_count"] - 1,
    }  # fmt: skip
    assert await audience(graph, "b1", "partner_sharing") == ["k2"]
    # The account whose evidence named x1 now links to k2 alone, once relinked.
    outcome = await relink(graph, ["aconf"], T0)
    assert outcome.conflicts == [] and outcome.linked == 1
    links = await graph.read("MATCH (c:Customer)-[:HAS_ACCOUNT]->(:SocialAccount {id: 'aconf'}) "
                             "RETURN c.id AS id")  # fmt: skip
    assert links == [{"id": "k2"}]


def export_files(tmp_path: Path) -> dict[str, Path]:
    """The rows the graph was built from, as JSONL export files."""
    files = {}
    for kind, rows in ROWS:
        path = tmp_path / f"{kind}.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in rows))
        files[kind] = path
    return files


async def test_reloading_the_original_exports_brings_back_nothing_of_the_customer(graph, tmp_path):
    await erase(graph, "x1")
    erased = await dump(graph)
    files = export_files(tmp_path)
    rejected: dict[str, list[dict[str, Any]]] = {}
    for kind, path in files.items():
        rejects = tmp_path / f"rejects-{kind}.jsonl"
        options = LoadOptions(
            rejects_path=rejects, conflicts_path=tmp_path / "conflicts.jsonl",
            erasure_key=ERASURE_KEY,
        )  # fmt: skip
        report = await load_files_(graph, kind, [path], Mapping(), options)
        lines = rejects.read_text().splitlines() if rejects.exists() else []
        rejected[kind] = [json.loads(line) for line in lines]
        assert report.tally.rejected == len(rejected[kind])
        assert report.tally.written == 0, kind  # the rest is unchanged
    assert carriers(await dump(graph), X1_IDENTIFIERS) == []
    assert await dump(graph) == erased
    reasons = {kind: [r["reasons"] for r in rows] for kind, rows in rejected.items() if rows}
    assert reasons == {
        "customers": [["id: customer was erased"]],
        "social_accounts": [
            ["id: the social account was erased with its customer",
             "customer_id: customer was erased"],
            ["id: the social account was erased with its customer"],
        ],
        "follows": [
            ["account_id: the social account was erased with its customer"],
            ["account_id: the social account was erased with its customer"],
            ["target_id: the social account was erased with its customer"],
        ],
        "purchases": [
            ["id: the purchase was erased with its customer", "customer_id: customer was erased"],
        ] * 2,
        "posts": [["id: the post was erased with its customer",
                   "author_id: the social account was erased with its customer"]],
        "interactions": [
            ["account_id: the social account was erased with its customer"],
            ["account_id: the social account was erased with its customer"],
            ["post_id: the post was erased with its customer"],
        ],
        "complaints": [["id: the complaint was erased with its customer",
                        "customer_id: customer was erased",
                        "about_id: the purchase was erased with its customer"]],
        "consents": [["customer_id: customer was erased"]],
        "customer_tags": [["customer_id: customer was erased"]],
        "customer_segments": [["customer_id: customer was erased"]],
    }  # fmt: skip
    # Each reject points at its line in the file it came from.
    assert [(r["line"], r["source"]) for r in rejected["customers"]] == [
        (1, str(files["customers"]))
    ]
    assert json.loads(rejected["customers"][0]["raw"])["id"] == "x1"


async def test_loads_without_the_erasure_key_stop_once_anything_was_erased(graph):
    await erase(graph, "x1")
    with pytest.raises(ErasureKeyMissing, match="erasure key"):
        await write_records(graph, "customers", [{"id": "new"}], T0)
    with pytest.raises(ValueError, match="erased"):
        await write_records(graph, "customers", [{"id": "x1"}], T0, erasure_key=ERASURE_KEY)
    assert await graph.read("MATCH (c:Customer) WHERE c.id IN ['x1', 'new'] RETURN c.id") == []


async def test_erasing_again_rescrubs_and_unknown_customers_are_not_found(graph):
    first = await erase(graph, "x1")
    await graph.write(INSERT_AUDIT_ENTRY, audit_params("au-late", ["x1"]))  # a straggler
    graph.statements.clear()
    again = await erase(graph, "x1")
    assert (again["alreadyErased"], again["erasureId"]) == (True, first["erasureId"])
    assert again["removed"]["customers"] == 0 and again["recordsScrubbed"] == 1
    late = await graph.read("MATCH (a:AuditEntry {id: 'au-late'}) RETURN a.customer_ids AS c")
    assert late == [{"c": []}]
    missing = await erase(graph, "nobody")
    assert (missing["__typename"], missing["code"]) == ("SubjectError", "NOT_FOUND")
    graph.statements.clear()
    bad = await erase(graph, to_global_id("Brand", "b1"))
    assert (bad["code"], bad["argument"]) == ("BAD_USER_INPUT", "customerId")
    assert graph.statements == []


# --- restriction --------------------------------------------------------------------------


async def test_restriction_takes_the_customer_out_of_partner_audiences(graph):
    data, ctx = await execute(graph, RESTRICT, id="k2", restricted=True)
    first = data["restrictProcessing"]
    assert (first["customerId"], first["restricted"]) == ("k2", True)
    assert ctx.audit.kinds == {"restrict"} and ctx.audit.customer_ids == {"k2"}
    assert await audience(graph, "b1", "partner_sharing") == ["x1"]
    again, _ = await execute(graph, RESTRICT, id="k2", restricted=True)
    assert again["restrictProcessing"]["restrictedAt"] == first["restrictedAt"]  # the first
    lifted, _ = await execute(graph, RESTRICT, id="k2", restricted=False)
    assert lifted["restrictProcessing"]["restricted"] is False
    assert lifted["restrictProcessing"]["restrictedAt"] is None
    assert await audience(graph, "b1", "partner_sharing") == ["k2", "x1"]
    missing, _ = await execute(graph, RESTRICT, id="nobody", restricted=True)
    assert missing["restrictProcessing"]["code"] == "NOT_FOUND"


async def test_a_reload_keeps_the_restriction(graph):
    await execute(graph, RESTRICT, id="k2", restricted=True)
    changed = {**ROWS[4][1][1], "city": "Grenoble"}
    await write_records(graph, "customers", [changed], T0 + DAY)
    rows = await graph.read(
        "MATCH (c:Customer {id: 'k2'}) RETURN c.restricted_at AS r, c.city AS city"
    )
    assert rows[0]["r"] is not None and rows[0]["city"] == "Grenoble"


# --- the CLI ------------------------------------------------------------------------------


def test_cli_refuses_to_erase_without_yes():
    result = CliRunner().invoke(subject_app, ["erase", "x1"])
    assert result.exit_code == 2
    assert "--yes" in result.output


@asynccontextmanager
async def graph_at(url: str, engine_store: Any) -> AsyncIterator[Any]:
    """The graph the CLI opens: the session's Neo4j, or an embedded directory of its own
    (the session's embedded engine owns its directory), opened only while in use."""
    if engine_store.engine == "neo4j":
        yield engine_store
        return
    async with open_store(url) as opened:
        await migrate(opened)
        yield opened


async def hub_subject(url: str, *args: str) -> Result:
    """`hub subject ...` in a thread of its own (the CLI runs its own event loop)."""
    env = {"HUB_GRAPH_URL": url, "HUB_ENV": "test"}
    password = os.environ.get("HUB_TEST_NEO4J_PASSWORD")
    if password:
        env["HUB_NEO4J_PASSWORD"] = password
    return await asyncio.to_thread(CliRunner().invoke, subject_app, list(args), env=env)


async def test_cli_exports_restricts_and_erases(request, engine_store, tmp_path):
    neo4j = engine_store.engine == "neo4j"
    url = request.getfixturevalue("neo4j_uri") if neo4j else f"embedded://{tmp_path / 'g'}"
    async with graph_at(url, engine_store) as store:
        await store.write("MATCH (n) DETACH DELETE n")
        await build(store)

    out = tmp_path / "x1.json"
    exported = await hub_subject(url, "export", "x1", "--out", str(out))
    assert exported.exit_code == 0, exported.output
    assert json.loads(out.read_text())["profile"]["name"] == "Zhao Lei"
    to_stdout = await hub_subject(url, "export", "k2")
    assert json.loads(to_stdout.stdout)["profile"]["name"] == "Anna Berg"
    restricted = await hub_subject(url, "restrict", "k2")
    assert restricted.exit_code == 0 and "restricted" in restricted.output
    erased = await hub_subject(url, "erase", "x1", "--yes")
    assert erased.exit_code == 0, erased.output
    assert "hub relink" in erased.output  # aconf lost evidence naming x1
    gone = await hub_subject(url, "export", "x1")
    assert gone.exit_code == 1 and "no customer with id 'x1'" in gone.output

    async with graph_at(url, engine_store) as store:
        assert carriers(await dump(store), X1_IDENTIFIERS) == []
        k2 = await store.read("MATCH (c:Customer {id: 'k2'}) RETURN c.restricted_at AS r")
        assert k2[0]["r"] is not None
        entries = await store.read(
            "MATCH (a:AuditEntry) WHERE a.subject STARTS WITH 'cli:' "
            "RETURN a.operation AS op, a.kinds AS kinds, a.customer_ids AS ids ORDER BY a.at"
        )
    by_op: dict[str, list[Any]] = {}
    for e in entries:
        by_op.setdefault(e["op"], []).append((sorted(e["kinds"]), e["ids"]))
    assert by_op == {
        # the export of x1 was scrubbed from its entry by the erasure
        "hub subject export": [(["customer_read", "export"], []),
                               (["customer_read", "export"], ["k2"])],
        "hub subject restrict": [(["restrict"], ["k2"])],
        "hub subject erase": [(["erase"], [])],
    }  # fmt: skip
