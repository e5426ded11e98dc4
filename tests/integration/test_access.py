"""Roles end to end through the schema, on both engines: the audit log, analyst
pseudonymisation, restriction, and admin key management."""

import asyncio

import pytest

from graph.audit import INSERT_AUDIT_ENTRY
from graph.errors import GraphUnavailable
from graph.partner_usage import QUOTA_STATE
from graph.store import StoreWrapper
from resolvers.audit import AuditBatcher, AuditTrail, write_entry
from resolvers.context import Context
from resolvers.keys import principal_for_key
from resolvers.principal import Principal, Role
from schema.guard import PERSISTED_DIR as SCHEMA_DIR
from tests.integration.sample_graph import load_sample
from tests.integration.test_customer360 import ADMIN, ANALYST, APP, SCHEMA, errors_of, run

PROFILE = 'query { customer(id: "c1") { customerId name email phone externalId city birthYear'
PROFILE += " gender"
PROFILE += " identities { account { handle displayName } } complaints { nodes { text } } } }"
AUDIT = """query($customer: String) {
  auditLog(filter: {customerId: $customer}) {
    nodes { subject role kinds customerIds queryHash operation at }
  }
}"""


@pytest.fixture
async def sample(store):
    await load_sample(store)
    store.statements.clear()
    return store


async def test_a_customer_read_is_audited_and_admins_can_query_the_log(sample):
    await run(sample, PROFILE, principal=APP)
    await run(sample, "{ customers(first: 2) { nodes { customerId } } }", principal=APP)
    entries = (await run(sample, AUDIT, principal=ADMIN, customer="c1"))["auditLog"]["nodes"]
    assert [(e["subject"], e["role"], e["kinds"]) for e in entries] == [
        ("test-app", "app", ["customer_read"]),  # the page (newest first) ...
        ("test-app", "app", ["customer_read"]),  # ... and the 360
    ]
    assert entries[0]["customerIds"] == ["c1", "c2"] and entries[1]["customerIds"] == ["c1"]
    assert all(len(e["queryHash"]) == 64 for e in entries)
    # The admin's own read of the log names no customer, so it adds no entry.
    again = (await run(sample, AUDIT, principal=ADMIN, customer="c1"))["auditLog"]["nodes"]
    assert len(again) == 2


async def test_reads_that_touch_no_customer_write_no_entry(sample):
    await run(sample, '{ brand(id: "b1") { name } }', principal=APP)
    assert (await run(sample, AUDIT, principal=ADMIN))["auditLog"]["nodes"] == []


async def test_only_admins_read_the_audit_log(sample):
    for who in (APP, ANALYST):
        result = await SCHEMA.execute(AUDIT, context_value=Context(sample, who))
        assert result.data is None
        assert result.errors[0].extensions["code"] == "FORBIDDEN"


async def test_analysts_see_pseudonyms_in_place_of_personal_data(sample):
    plain = (await run(sample, PROFILE, principal=APP))["customer"]
    masked = (await run(sample, PROFILE, principal=ANALYST))["customer"]
    assert plain["name"] == "Wang Fang" and plain["email"]
    assert plain["gender"] == "female"
    for field in ("name", "email", "phone", "externalId", "city", "gender"):
        assert masked[field].startswith("anon_") and masked[field] != plain[field], field
    assert masked["birthYear"] is None
    assert masked["customerId"] == "c1"  # the hub's own key stays, to join on
    handles = [i["account"]["handle"] for i in masked["identities"]]
    assert handles and all(h.startswith("anon_") for h in handles)
    texts = [c["text"] for c in masked["complaints"]["nodes"] if c["text"]]
    assert texts and all(t.startswith("anon_") for t in texts)
    # Stable: the same value gives the same pseudonym, so analysts can still count.
    assert (await run(sample, PROFILE, principal=ANALYST))["customer"] == masked
    assert "Wang" not in str(masked) and "Example.com" not in str(masked)


async def test_analysts_cannot_find_people_by_personal_identifiers(sample):
    by_email = '{ customerByIdentity(identity: {email: "li@example.com"}) { customerId } }'
    errors = await errors_of(sample, by_email, principal=ANALYST)
    assert errors[0]["code"] == "FORBIDDEN"
    search = '{ customers(filter: {search: "wang"}) { nodes { customerId } } }'
    sample.statements.clear()
    errors = await errors_of(sample, search, principal=ANALYST)
    assert errors[0]["code"] == "FORBIDDEN" and errors[0]["argument"] == "filter.search"
    assert sample.statements == []


@pytest.mark.parametrize("selection", ["nodes { customerId }", "totalCount"])
async def test_analysts_cannot_sort_customers_by_name(sample, selection):
    """The order of the real names (and the name each cursor carries) would undo the
    pseudonyms: refused before any statement. Other sorts stay open to analysts."""
    by_name = f"{{ customers(sort: {{field: NAME}}) {{ {selection} }} }}"
    errors = await errors_of(sample, by_name, principal=ANALYST)
    assert [(e["code"], e["argument"]) for e in errors] == [("FORBIDDEN", "sort.field")]
    assert "name" in errors[0]["message"]
    assert sample.statements == []
    assert (await run(sample, by_name, principal=APP))["customers"]
    by_spend = by_name.replace("NAME", "SPEND")
    assert (await run(sample, by_spend, principal=ANALYST))["customers"]


async def test_a_restricted_customer_is_refused_and_left_out_except_for_admins(sample):
    await sample.write("MATCH (c:Customer {id: 'c1'}) SET c.restricted_at = 1")
    errors = await errors_of(sample, '{ customer(id: "c1") { name } }', principal=APP)
    assert errors[0]["code"] == "FORBIDDEN" and errors[0]["reason"] == "RESTRICTED"
    page = "{ customers { totalCount nodes { customerId } } }"
    listed = (await run(sample, page, principal=APP))["customers"]
    assert "c1" not in [n["customerId"] for n in listed["nodes"]]
    assert listed["totalCount"] == len(listed["nodes"])
    admin = (await run(sample, page, principal=ADMIN))["customers"]
    assert "c1" in [n["customerId"] for n in admin["nodes"]]
    assert admin["totalCount"] == listed["totalCount"] + 1
    assert (await run(sample, '{ customer(id: "c1") { name } }', principal=ADMIN))["customer"]


async def test_admins_create_and_revoke_keys(sample):
    create = """mutation { createApiKey(input: {name: "crm sync", role: PARTNER,
        partnerBrandId: "b2", purposes: [MARKETING]}) { key apiKey { keyId role purposes } } }"""
    created = (await run(sample, create, principal=ADMIN))["createApiKey"]
    assert created["apiKey"]["purposes"] == ["MARKETING"]
    principal = await principal_for_key(sample, created["key"])
    assert principal == Principal(
        subject=f"key:{created['apiKey']['keyId']}", role=Role.PARTNER,
        partner_brand_id="b2", purposes=frozenset({"marketing"}),
    )  # fmt: skip
    listed = (await run(sample, "{ apiKeys { keyId revokedAt } }", principal=ADMIN))["apiKeys"]
    assert [k["keyId"] for k in listed] == [created["apiKey"]["keyId"]]
    revoke = f'mutation {{ revokeApiKey(keyId: "{created["apiKey"]["keyId"]}") }}'
    assert (await run(sample, revoke, principal=ADMIN))["revokeApiKey"] is True
    assert await principal_for_key(sample, created["key"]) is None
    bad = 'mutation { createApiKey(input: {name: "x", role: PARTNER, partnerBrandId: "nob", '
    bad += "purposes: [MARKETING]}) { key } }"
    errors = await errors_of(sample, bad, principal=ADMIN)
    assert errors[0]["code"] == "BAD_USER_INPUT" and errors[0]["argument"] == "input.partner"
    errors = await errors_of(sample, create, principal=APP)
    assert errors[0]["code"] == "FORBIDDEN"


PARTNER = Principal("p-key", Role.PARTNER, partner_brand_id="b1", purposes=frozenset({"marketing"}))


def _published(name: str) -> str:
    return (SCHEMA_DIR / f"{name}.graphql").read_text()


async def test_partners_run_the_published_operations_and_nothing_else(sample):
    audience = await run(sample, _published("PartnerAudience"), principal=PARTNER,
                         purpose="MARKETING")  # fmt: skip
    members = audience["partner"]["audience"]
    assert members["totalCount"] == 1 and members["nodes"][0]["id"].startswith("pt_")
    found = await run(sample, _published("PartnerMembers"), principal=PARTNER,
                      purpose="MARKETING", ids=[members["nodes"][0]["id"]])  # fmt: skip
    assert found["partner"]["members"] == members["nodes"]
    cells = await run(sample, _published("PartnerAggregates"), principal=PARTNER,
                      purpose="MARKETING", dimension="REGION")  # fmt: skip
    assert cells["partner"]["aggregates"]["cells"] == []  # one person: below any k
    # The same operation reformatted is still the published one; anything else is not.
    spaced = "# a comment\n" + _published("PartnerMembers").replace("\n", "\n\n  ")
    assert await run(sample, spaced, principal=PARTNER, purpose="MARKETING", ids=[])
    sample.statements.clear()
    for document in (
        "query { partner { audience(purpose: MARKETING, first: 100) { nodes { id } } } }",
        "{ __schema { types { name } } }",
        '{ customer(id: "c1") { name } }',
    ):
        errors = await errors_of(sample, document, principal=PARTNER)
        assert errors[0]["code"] == "FORBIDDEN", document
    assert sample.statements == []
    entries = (await run(sample, AUDIT, principal=ADMIN, customer="c1"))["auditLog"]["nodes"]
    assert entries[-1]["kinds"] == ["partner_pull"] and entries[-1]["customerIds"] == ["c1"]


async def test_after_an_erasure_no_partner_id_of_the_customer_resolves(sample):
    page = await run(sample, _published("PartnerAudience"), principal=PARTNER,
                     purpose="MARKETING")  # fmt: skip
    pseudonym = page["partner"]["audience"]["nodes"][0]["id"]
    erase = 'mutation { eraseCustomer(customerId: "c1") { ... on CustomerErasure { erasureId } } }'
    assert (await run(sample, erase, principal=ADMIN))["eraseCustomer"]["erasureId"]
    found = await run(sample, _published("PartnerMembers"), principal=PARTNER,
                      purpose="MARKETING", ids=[pseudonym])  # fmt: skip
    assert found["partner"]["members"] == []
    after = await run(sample, _published("PartnerAudience"), principal=PARTNER,
                      purpose="MARKETING")  # fmt: skip
    assert after["partner"]["audience"] == {
        "totalCount": 0, "pageInfo": {"hasNextPage": False, "endCursor": None}, "nodes": [],
    }  # fmt: skip
    # The partner pull's audit entry no longer names them either.
    entries = (await run(sample, AUDIT, principal=ADMIN))["auditLog"]["nodes"]
    assert entries and all("c1" not in e["customerIds"] for e in entries)


class _AuditWriteFails(StoreWrapper):
    """The real store, whose audit write fails as if the engine died mid-request."""

    async def write(self, query, params=None):
        if query == INSERT_AUDIT_ENTRY:
            raise GraphUnavailable("the embedded engine is not reachable: /secret/engine.sock")
        return await self.inner.write(query, params)


async def test_a_failed_audit_write_withholds_the_data_with_a_code(sample):
    """Found killing the engine under load: the audit write's failure reached the client
    as a 200 with the driver's raw message (a socket path) and no code."""
    result = await SCHEMA.execute(
        PROFILE, context_value=Context(_AuditWriteFails(sample.inner), APP)
    )
    assert result.data is None, "customer data went out unrecorded"
    assert [(e.message, e.extensions) for e in result.errors or []] == [
        ("The graph is unavailable; try again shortly.", {"code": "GRAPH_UNAVAILABLE"})
    ]


class _GraphGoneBeforeExecution(StoreWrapper):
    """The real store, gone when the partner's quota is read (before any resolver)."""

    async def read(self, query, params=None):
        if query == QUOTA_STATE:
            raise GraphUnavailable("the embedded engine is not reachable: /secret/engine.sock")
        return await self.inner.read(query, params)


async def test_a_graph_failure_before_execution_is_a_code_not_the_drivers_message(sample):
    """Found killing the engine under a partner's pulls: the quota check runs in the request
    guard, before Strawberry's masking applies, and its failure reached the client as a 200
    with the driver's raw message (a socket path) and no code."""
    result = await SCHEMA.execute(
        _published("PartnerAudience"), variable_values={"purpose": "MARKETING"},
        context_value=Context(_GraphGoneBeforeExecution(sample.inner), PARTNER),
    )  # fmt: skip
    assert result.data is None
    assert [(e.message, e.extensions) for e in result.errors or []] == [
        ("The graph is unavailable; try again shortly.", {"code": "GRAPH_UNAVAILABLE"})
    ]


async def test_concurrent_requests_audit_entries_are_committed_together_and_all_kept(store):
    """The group commit (resolvers/audit.py) on the real engine: twelve requests ending at
    once cost fewer audit writes than requests, and every entry is in the graph, each
    naming its own customer, when its request returns."""
    batcher = AuditBatcher()

    async def request(n: int) -> int:
        trail = AuditTrail()
        trail.customers_read([f"c{n}"])
        await write_entry(store, APP, trail, f"query Q{n} {{ x }}", f"Q{n}", batcher)
        rows = await store.read(
            "MATCH (a:AuditEntry) WHERE $id IN a.customer_ids RETURN count(a) AS n", {"id": f"c{n}"}
        )
        return int(rows[0]["n"])

    found = await asyncio.gather(*(request(n) for n in range(12)))
    assert found == [1] * 12, "a request returned before its entry was in the graph"
    assert batcher.entries == 12 and len(store.audit_writes) < 12
    rows = await store.read(
        "MATCH (a:AuditEntry) RETURN a.operation AS op, a.role AS role, a.kinds AS kinds"
    )
    assert sorted(r["op"] for r in rows) == sorted(f"Q{n}" for n in range(12))
    assert {r["role"] for r in rows} == {"app"} and all(
        r["kinds"] == ["customer_read"] for r in rows
    )
