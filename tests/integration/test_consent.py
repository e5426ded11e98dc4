"""Consent grants, withdrawals and their history, on both engines, through GraphQL."""

import time
from typing import Any

import pytest
import strawberry

from graph.consent_rules import PARTNER_AUDIENCE_MATCH
from loaders.pipeline import write_records
from resolvers.context import Context
from resolvers.ids import to_global_id
from resolvers.principal import Principal, Role
from schema import build_schema
from schema.consent import ConsentMutations, ConsentQueries

T0 = 1_700_000_000_000
DAY = 86_400_000
ADMIN = Principal("key:admin-1", Role.ADMIN)


@strawberry.type(description="The consent queries under test.")
class Query(ConsentQueries):
    pass


@strawberry.type(description="The consent mutations under test.")
class Mutation(ConsentMutations):
    pass


SCHEMA = strawberry.Schema(query=Query, mutation=Mutation)
HUB_SCHEMA = build_schema()  # with the request guard, which gives every error its code

GRANT = """
mutation($input: GrantConsentInput!) {
  grantConsent(input: $input) {
    __typename
    ... on ConsentPayload {
      customerId brandId withdrawn
      event { eventId action purposes at source policyVersion actor customerId brandId }
      consents { purposes grantedAt withdrawnAt source policyVersion live }
    }
    ... on ConsentError { code message argument }
  }
}
"""

WITHDRAW = GRANT.replace("GrantConsentInput", "WithdrawConsentInput").replace(
    "grantConsent", "withdrawConsent"
)

HISTORY = """
query($customer: ID!, $brand: ID, $limit: Int! = 100) {
  consentHistory(customerId: $customer, brandId: $brand, limit: $limit) {
    eventId customerId brandId action purposes at source policyVersion actor
  }
}
"""

ROWS: list[tuple[str, list[dict[str, Any]]]] = [
    ("brands", [{"id": "b1", "name": "Lumora"}, {"id": "b2", "name": "Vantelle"}]),
    ("customers", [{"id": "c1", "name": "Wang Fang"}, {"id": "c2", "name": "Li Wei"}]),
]
# A consent as a CRM export has it: two purposes, granted on day 0.
CONSENT_ROW = {
    "customer_id": "c1", "brand_id": "b1", "purposes": ["marketing", "partner_sharing"],
    "granted_at": T0, "withdrawn_at": None, "source": "crm", "policy_version": "2023-09",
}  # fmt: skip


async def execute(store: Any, query: str, principal: Principal = ADMIN, **variables: Any):
    ctx = Context(store, principal)
    result = await SCHEMA.execute(query, variable_values=variables, context_value=ctx)
    assert result.errors is None, result.errors
    assert result.data is not None
    return result.data, ctx


@pytest.fixture
async def graph(store):
    for kind, rows in ROWS:
        await write_records(store, kind, rows, T0)
    await write_records(store, "consents", [CONSENT_ROW], T0)
    store.statements.clear()
    return store


async def audience(store: Any, purpose: str, brand: str = "b1") -> list[str]:
    """The partner audience by the live-consent rule, now."""
    rows = await store.read(
        PARTNER_AUDIENCE_MATCH + " RETURN c.id AS id ORDER BY id",
        {"partner": brand, "purpose": purpose, "now": int(time.time() * 1000) + 1},
    )
    return [r["id"] for r in rows]


async def relationships(store: Any, customer: str = "c1", brand: str = "b1") -> list[dict]:
    rows = await store.read(
        "MATCH (:Customer {id: $c})-[r:CONSENTED]->(:Brand {id: $b}) "
        "RETURN r.purposes AS purposes, r.granted_at AS granted_at, "
        "r.withdrawn_at AS withdrawn_at, r.source AS source, r.policy_version AS policy_version "
        "ORDER BY granted_at, size(purposes)",
        {"c": customer, "b": brand},
    )
    return rows


def grant_input(**kw: Any) -> dict[str, Any]:
    return {"customerId": "c1", "brandId": "b2", "purposes": ["MARKETING"], "source": "app",
            "policyVersion": "2024-01", **kw}  # fmt: skip


async def test_grant_records_the_consent_and_its_event(graph):
    data, ctx = await execute(graph, GRANT, input=grant_input(purposes=["ANALYTICS", "MARKETING"]))
    p = data["grantConsent"]
    assert p["__typename"] == "ConsentPayload"
    assert (p["customerId"], p["brandId"], p["withdrawn"]) == ("c1", "b2", 0)
    assert p["event"]["action"] == "GRANT"
    assert p["event"]["purposes"] == ["MARKETING", "ANALYTICS"]  # canonical order
    assert p["event"]["actor"] == "key:admin-1"
    assert (p["event"]["source"], p["event"]["policyVersion"]) == ("app", "2024-01")
    assert [(k["purposes"], k["live"], k["withdrawnAt"]) for k in p["consents"]] == [
        (["MARKETING", "ANALYTICS"], True, None)
    ]
    assert len(graph.statements) == 2  # withdraw what it replaces; record grant + event
    assert await audience(graph, "marketing", "b2") == ["c1"]
    assert ctx.audit.customer_ids == {"c1"} and "consent_grant" in ctx.audit.kinds
    history, _ = await execute(graph, HISTORY, customer="c1")
    assert [(e["action"], e["brandId"], e["eventId"]) for e in history["consentHistory"]] == [
        ("GRANT", "b2", p["event"]["eventId"])
    ]


async def test_a_back_dated_grant_keeps_its_time(graph):
    when = "2024-03-01T12:00:00+00:00"
    data, _ = await execute(graph, GRANT, input=grant_input(grantedAt=when))
    p = data["grantConsent"]
    assert p["consents"][0]["grantedAt"] == when
    assert p["event"]["at"] == when


async def test_partial_withdrawal_keeps_the_old_grant_as_proof_and_regrants_the_rest(graph):
    assert await audience(graph, "partner_sharing") == ["c1"]
    data, ctx = await execute(
        graph, WITHDRAW,
        input={"customerId": "c1", "brandId": "b1", "purposes": ["PARTNER_SHARING"],
               "source": "call-centre"},
    )  # fmt: skip
    p = data["withdrawConsent"]
    assert p["__typename"] == "ConsentPayload" and p["withdrawn"] == 1
    assert (p["event"]["action"], p["event"]["purposes"]) == ("WITHDRAW", ["PARTNER_SHARING"])
    assert "consent_withdraw" in ctx.audit.kinds
    rels = await relationships(graph)
    assert len(rels) == 2
    old, rest = rels
    # The grant as it was given, now withdrawn; the rest granted anew from the same terms.
    assert (old["purposes"], old["granted_at"], old["source"]) == (
        ["marketing", "partner_sharing"],
        T0,
        "crm",
    )
    assert old["withdrawn_at"] is not None and old["withdrawn_at"] > T0
    assert (rest["purposes"], rest["granted_at"], rest["withdrawn_at"]) == (
        ["marketing"],
        old["withdrawn_at"],
        None,
    )
    assert (rest["source"], rest["policy_version"]) == ("crm", "2023-09")
    assert await audience(graph, "partner_sharing") == []
    assert await audience(graph, "marketing") == ["c1"]
    assert [k["live"] for k in p["consents"]] == [True, False]  # newest grant first


async def test_withdrawing_everything_is_the_default(graph):
    data, _ = await execute(
        graph, WITHDRAW, input={"customerId": "c1", "brandId": "b1", "source": "app"}
    )
    p = data["withdrawConsent"]
    assert p["withdrawn"] == 1
    assert len(p["event"]["purposes"]) == 4
    assert [k["live"] for k in p["consents"]] == [False]
    assert await audience(graph, "marketing") == []


async def test_withdrawing_what_is_not_granted_is_still_recorded(graph):
    data, _ = await execute(
        graph, WITHDRAW,
        input={"customerId": "c2", "brandId": "b1", "purposes": ["ANALYTICS"], "source": "app"},
    )  # fmt: skip
    assert (data["withdrawConsent"]["withdrawn"], data["withdrawConsent"]["consents"]) == (0, [])
    history, _ = await execute(graph, HISTORY, customer="c2")
    assert [e["action"] for e in history["consentHistory"]] == ["WITHDRAW"]


async def test_granting_a_purpose_again_supersedes_the_older_grant_of_it(graph):
    data, _ = await execute(
        graph, GRANT,
        input=grant_input(brandId="b1", purposes=["PARTNER_SHARING"], policyVersion="2024-06"),
    )  # fmt: skip
    assert data["grantConsent"]["withdrawn"] == 1
    live = [r for r in await relationships(graph) if r["withdrawn_at"] is None]
    # Each purpose is held by one live consent: the newest grant of it.
    assert sorted((r["purposes"], r["policy_version"]) for r in live) == [
        (["marketing"], "2023-09"),
        (["partner_sharing"], "2024-06"),
    ]
    assert await audience(graph, "partner_sharing") == ["c1"]


async def test_history_is_newest_first_per_brand_and_capped(graph):
    for purposes in (["MARKETING"], ["ANALYTICS"], ["PERSONALISATION"]):
        await execute(graph, GRANT, input=grant_input(purposes=purposes))
    await execute(graph, WITHDRAW, input={"customerId": "c1", "brandId": "b1", "source": "app"})
    data, ctx = await execute(graph, HISTORY, customer=to_global_id("Customer", "c1"))
    events = data["consentHistory"]
    assert [(e["action"], e["brandId"], e["purposes"]) for e in events] == [
        ("WITHDRAW", "b1", ["MARKETING", "ANALYTICS", "PARTNER_SHARING", "PERSONALISATION"]),
        ("GRANT", "b2", ["PERSONALISATION"]),
        ("GRANT", "b2", ["ANALYTICS"]),
        ("GRANT", "b2", ["MARKETING"]),
    ]
    assert ctx.audit.customer_ids == {"c1"}
    only_b2, _ = await execute(graph, HISTORY, customer="c1", brand="b2", limit=2)
    assert [e["purposes"] for e in only_b2["consentHistory"]] == [
        ["PERSONALISATION"],
        ["ANALYTICS"],
    ]


async def test_unknown_customer_or_brand_is_not_found_and_changes_nothing(graph):
    before = await graph.read("MATCH (n) RETURN count(n) AS n")
    for field, value in (("customerId", "nobody"), ("brandId", "no-brand")):
        data, _ = await execute(graph, GRANT, input=grant_input(**{field: value}))
        error = data["grantConsent"]
        assert error["__typename"] == "ConsentError"
        assert error["code"] == "NOT_FOUND"
        assert value in error["message"]
        assert ("customer" if field == "customerId" else "brand") in error["message"]
    data, _ = await execute(
        graph, WITHDRAW, input={"customerId": "nobody", "brandId": "b1", "source": "app"}
    )
    assert data["withdrawConsent"]["code"] == "NOT_FOUND"
    assert await graph.read("MATCH (n) RETURN count(n) AS n") == before


@pytest.mark.parametrize(
    ("mutation", "changes", "argument"),
    [
        (GRANT, {"purposes": []}, "input.purposes"),
        (GRANT, {"source": "  "}, "input.source"),
        (GRANT, {"policyVersion": ""}, "input.policyVersion"),
        (GRANT, {"policyVersion": "v" * 300}, "input.policyVersion"),
        (GRANT, {"grantedAt": "2999-01-01T00:00:00Z"}, "input.grantedAt"),
        (GRANT, {"customerId": to_global_id("Brand", "b1")}, "input.customerId"),
        (GRANT, {"brandId": ""}, "input.brandId"),
        (GRANT, {"customerId": "c\x001"}, "input.customerId"),
        (GRANT, {"source": "app\ud800"}, "input.source"),
        (WITHDRAW, {"purposes": []}, "input.purposes"),
    ],
)
async def test_bad_input_is_refused_before_any_statement(graph, mutation, changes, argument):
    payload = grant_input(**changes)
    if mutation is WITHDRAW:
        payload = {k: payload[k] for k in ("customerId", "brandId", "purposes", "source")}
    data, ctx = await execute(graph, mutation, input=payload)
    error = next(iter(data.values()))
    assert (error["__typename"], error["code"], error["argument"]) == (
        "ConsentError",
        "BAD_USER_INPUT",
        argument,
    )
    assert graph.statements == []
    assert ctx.audit.empty


# Purposes are the `Purpose` enum: an unknown one, or the graph's own spelling, does not
# coerce, so the request is refused before any resolver (a variable: BAD_USER_INPUT; a
# literal: GRAPHQL_VALIDATION_FAILED).
UNKNOWN_PURPOSES = [["MARKETING", "spam"], ["partner_sharing"], ["nope"]]


@pytest.mark.parametrize("mutation", [GRANT, WITHDRAW], ids=["grant", "withdraw"])
@pytest.mark.parametrize("purposes", UNKNOWN_PURPOSES, ids=lambda p: ",".join(p))
async def test_an_unknown_purpose_is_refused_before_any_statement(graph, mutation, purposes):
    payload = grant_input(purposes=purposes)
    if mutation is WITHDRAW:
        payload = {k: payload[k] for k in ("customerId", "brandId", "purposes", "source")}
    ctx = Context(graph, ADMIN)
    result = await HUB_SCHEMA.execute(
        mutation, variable_values={"input": payload}, context_value=ctx
    )
    assert result.data is None
    assert [(e.extensions or {}).get("code") for e in result.errors or ()] == ["BAD_USER_INPUT"]
    assert "Purpose" in result.errors[0].message
    literal = "[" + ", ".join(purposes) + "]"
    document = (
        'mutation { grantConsent(input: {customerId: "c1", brandId: "b2", source: "app", '
        f'policyVersion: "v1", purposes: {literal}}}) {{ __typename }} }}'
    )
    result = await HUB_SCHEMA.execute(document, context_value=ctx)
    assert result.data is None
    assert [(e.extensions or {}).get("code") for e in result.errors or ()] == [
        "GRAPHQL_VALIDATION_FAILED"
    ]
    assert graph.statements == []
    assert ctx.audit.empty


async def test_history_arguments_are_checked(graph):
    for variables, code in (({"customer": "nobody"}, "NOT_FOUND"),
                            ({"customer": "c1", "limit": 0}, "BAD_USER_INPUT")):  # fmt: skip
        result = await SCHEMA.execute(
            HISTORY, variable_values=variables, context_value=Context(graph, ADMIN)
        )
        assert result.errors and result.errors[0].extensions["code"] == code


@pytest.mark.parametrize("changed", [False, True])
async def test_reloading_an_old_export_never_reactivates_a_withdrawn_consent(
    graph, tmp_path, changed
):
    """The same row (skipped as unchanged) or an edited one (written again): either way
    the withdrawal recorded since stands."""
    await execute(graph, WITHDRAW, input={"customerId": "c1", "brandId": "b1", "source": "app"})
    withdrawn = await relationships(graph)
    assert await audience(graph, "marketing") == []
    row = {**CONSENT_ROW, "source": "crm-v2"} if changed else CONSENT_ROW
    await write_records(graph, "consents", [row], T0 + 2 * DAY)
    after = await relationships(graph)
    assert [r["withdrawn_at"] for r in after] == [r["withdrawn_at"] for r in withdrawn]
    assert after[0]["source"] == ("crm-v2" if changed else "crm")
    assert await audience(graph, "marketing") == []
    assert await audience(graph, "partner_sharing") == []


async def test_an_earlier_withdrawal_in_a_reload_wins(graph):
    await execute(graph, WITHDRAW, input={"customerId": "c1", "brandId": "b1", "source": "app"})
    await write_records(graph, "consents", [{**CONSENT_ROW, "withdrawn_at": T0 + DAY}], T0)
    [rel] = await relationships(graph)
    assert rel["withdrawn_at"] == T0 + DAY
