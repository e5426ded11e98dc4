"""Partner onboarding and key rotation through the hub's schema (request guard and all), on
both engines, over the hand-built community of tests/integration/test_partner.py (k = 3)
and its list L1 (tests/integration/test_partner_lists.py).

Onboarding bP for partner sharing only, grouping by REGION and TAG: its REGION aggregate
is North 5 (tests/integration/test_partner_usage.py), and SEGMENT, asked of its
aggregates, list aggregates or insights, is refused before any statement of the field.
"""

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from graph.partner_onboarding import ONBOARD_PARTNER
from hub.partner_cli import partners_app
from hub.runner import run_with_store
from hub.settings import load_settings
from loaders.pipeline import write_records
from resolvers import keys
from resolvers import partner as rp
from resolvers import partner_lists as pl
from resolvers.context import Context
from resolvers.partner_onboarding import set_policy
from resolvers.partner_policy import PartnerPolicy
from resolvers.partner_usage import set_quota
from resolvers.principal import Principal, Role
from schema import build_schema
from tests.integration.test_partner import PAVO, PRIVACY, QUILL
from tests.integration.test_partner_lists import L1, community, list_body

PERSISTED = Path(__file__).resolve().parents[2] / "schema" / "persisted"
ADMIN = Principal("admin-key", Role.ADMIN)
SCHEMA = build_schema()
CREATE = """mutation($input: CreatePartnerInput!) { createPartner(input: $input) {
  partnerId purposes dimensions requestsPerDay matchesPerDay key
  apiKey { keyId name role partnerBrandId purposes } } }"""
ONBOARD_BP = {
    "partnerId": "bP", "purposes": ["PARTNER_SHARING"], "dimensions": ["TAG", "REGION"],
    "requestsPerDay": 50, "matchesPerDay": 5, "keyName": "Pavo's first key",
}  # fmt: skip
_ = community  # the fixture, used by name below


def op(name: str) -> str:
    return (PERSISTED / f"{name}.graphql").read_text()


async def call(store: Any, text: str, principal: Principal, grace_s: int = 300,
               **variables: Any) -> Any:  # fmt: skip
    ctx = Context(store, principal, privacy=PRIVACY, key_rotation_grace_s=grace_s)
    return await SCHEMA.execute(text, variable_values=variables, context_value=ctx)


def code_of(result: Any) -> dict[str, Any]:
    """The extensions of the one error of a refused request (which returned no data)."""
    assert result.errors and not any((result.data or {}).values()), result
    return dict(result.errors[0].extensions)


async def onboard(store: Any, **changes: Any) -> dict[str, Any]:
    result = await call(store, CREATE, ADMIN, input={**ONBOARD_BP, **changes})
    assert result.errors is None, result.errors
    return dict(result.data["createPartner"])


async def test_an_admin_onboards_a_partner_in_one_step(community):
    store = community
    created = await onboard(store)
    assert {k: v for k, v in created.items() if k not in ("key", "apiKey")} == {
        "partnerId": "bP", "purposes": ["PARTNER_SHARING"], "dimensions": ["REGION", "TAG"],
        "requestsPerDay": 50, "matchesPerDay": 5,
    }  # fmt: skip
    assert created["apiKey"]["name"] == "Pavo's first key"
    assert (created["apiKey"]["role"], created["apiKey"]["partnerBrandId"]) == ("PARTNER", "bP")
    assert store.statements.count(ONBOARD_PARTNER) == 1  # policy, quotas and key: one write
    principal = await keys.principal_for_key(store, created["key"])
    assert principal is not None and principal.partner_brand_id == "bP"
    assert principal.purposes == frozenset({"partner_sharing"})
    stored = await store.inner.read(
        "MATCH (k:PartnerKey {id: 'bP'}) RETURN k.purposes AS p, k.dimensions AS d, "
        "k.requests_per_day AS r, k.matches_per_day AS m"
    )
    assert stored == [{"p": ["partner_sharing"], "d": ["region", "tag"], "r": 50, "m": 5}]
    entries = await store.inner.read(
        "MATCH (a:AuditEntry) WHERE 'partner_create' IN a.kinds RETURN a.subject AS s"
    )
    assert entries == [{"s": "admin-key"}]
    aggregates = await call(store, op("PartnerAggregates"), principal,
                            purpose="PARTNER_SHARING", dimension="REGION")  # fmt: skip
    assert aggregates.errors is None, aggregates.errors
    assert aggregates.data["partner"]["aggregates"]["cells"] == [
        {"value": "North", "name": "North", "count": 5}
    ]


async def test_onboarding_refusals_have_codes(community):
    store = community
    bad = [
        ({"partnerId": "nope"}, "BAD_USER_INPUT", "input.partnerId"),
        ({"dimensions": []}, "BAD_USER_INPUT", "input.dimensions"),
        ({"purposes": []}, "BAD_USER_INPUT", "input.purposes"),
        ({"requestsPerDay": 0}, "BAD_USER_INPUT", "input.requestsPerDay"),
        ({"keyName": " "}, "BAD_USER_INPUT", "input.keyName"),
    ]
    for changes, code, argument in bad:
        error = code_of(await call(store, CREATE, ADMIN, input={**ONBOARD_BP, **changes}))
        assert (error["code"], error["argument"]) == (code, argument), changes
    assert await store.inner.read("MATCH (k:ApiKey) RETURN k.id AS id") == []
    await onboard(store)
    again = await call(store, CREATE, ADMIN, input={**ONBOARD_BP, "dimensions": ["SEGMENT"]})
    assert code_of(again)["code"] == "CONFLICT"
    assert len(await store.inner.read("MATCH (k:ApiKey) RETURN k.id AS id")) == 1
    refused = await call(store, CREATE, Principal("app-key", Role.APP), input=ONBOARD_BP)
    assert code_of(refused)["code"] == "FORBIDDEN"  # only admins onboard


async def test_dimensions_and_purposes_outside_the_policy_are_refused(community):
    store = community
    await onboard(store)
    list_id = (await pl.create_list(store, "bP", 86_400_000)).id
    await pl.append_chunk(store, "bP", list_id, list_body(L1))
    asks = [
        ("PartnerAggregates", {"purpose": "PARTNER_SHARING", "dimension": "SEGMENT"}),
        ("PartnerListAggregates",
         {"purpose": "PARTNER_SHARING", "dimension": "SEGMENT", "listId": list_id}),
        ("PartnerInsights", {"purpose": "PARTNER_SHARING", "dimension": "CONTENT_PREFERENCE"}),
        ("PartnerInsights",
         {"purpose": "PARTNER_SHARING", "dimension": "CONSENTING_BRAND", "listId": list_id}),
    ]  # fmt: skip
    for name, variables in asks:
        store.statements.clear()
        error = code_of(await call(store, op(name), PAVO, **variables))
        assert (error["code"], error["argument"]) == ("FORBIDDEN", "dimension"), name
        assert len(store.statements) == 1, name  # the guard's quota read, nothing else
    # a key holding a purpose the partner was not onboarded with cannot use it
    marketing = code_of(await call(store, op("PartnerAudience"), PAVO, purpose="MARKETING"))
    assert (marketing["code"], marketing["argument"]) == ("FORBIDDEN", "purpose")
    with pytest.raises(keys.KeyRequestError, match="onboarded without purposes"):
        await keys.create_key(store, "more", Role.PARTNER, "bP", ["marketing"])
    # allowed dimensions run; a partner never onboarded keeps every dimension
    allowed = await call(store, op("PartnerInsights"), PAVO, purpose="PARTNER_SHARING",
                         dimension="TAG", listId=list_id)  # fmt: skip
    assert allowed.errors is None, allowed.errors
    other = await call(store, op("PartnerAggregates"), QUILL, purpose="PARTNER_SHARING",
                       dimension="SEGMENT")  # fmt: skip
    assert other.errors is None, other.errors
    # an admin can limit it later (`hub partners allow`), and widen bP's dimensions
    assert await set_policy(store, "bQ", None, ["region"]) == PartnerPolicy(None, {"region"})
    limited = await call(store, op("PartnerAggregates"), QUILL, purpose="PARTNER_SHARING",
                         dimension="SEGMENT")  # fmt: skip
    assert code_of(limited)["argument"] == "dimension"
    assert await set_policy(store, "bP", None, ["segment"]) is not None
    widened = await call(store, op("PartnerAggregates"), PAVO, purpose="PARTNER_SHARING",
                         dimension="SEGMENT")  # fmt: skip
    assert widened.errors is None, widened.errors
    assert await set_policy(store, "nope", ["marketing"], None) is None


async def test_a_partner_rotates_its_own_key(community):
    store = community
    first = await keys.create_key(store, "pavo", Role.PARTNER, "bP", ["partner_sharing"])
    principal = await keys.principal_for_key(store, first.key)
    assert principal is not None
    # over its quota, a partner can still rotate (someone else may be spending its key)
    assert await set_quota(store, "bP", 1, None)
    pull = await call(store, op("PartnerAudience"), principal, purpose="PARTNER_SHARING")
    assert pull.errors is None, pull.errors
    over = await call(store, op("PartnerAudience"), principal, purpose="PARTNER_SHARING")
    assert code_of(over)["code"] == "QUOTA_EXCEEDED"
    rotated = await call(store, op("RotateMyKey"), principal, grace_s=0)
    assert rotated.errors is None, rotated.errors
    answer = rotated.data["rotateMyKey"]
    assert (answer["apiKey"]["name"], answer["apiKey"]["purposes"]) == (
        "pavo", ["PARTNER_SHARING"])  # fmt: skip
    assert await keys.principal_for_key(store, first.key) is None  # no grace: gone at once
    second = await keys.principal_for_key(store, answer["key"])
    assert second is not None and second.partner_brand_id == "bP"
    assert second.subject == f"key:{answer['apiKey']['keyId']}" != principal.subject
    entries = await store.inner.read(
        "MATCH (a:AuditEntry) WHERE 'key_rotate' IN a.kinds "
        "RETURN a.subject AS s, a.partner_id AS p, a.kinds AS kinds"
    )
    assert entries == [{"s": principal.subject, "p": "bP", "kinds": ["key_rotate"]}]
    # with a grace period the old key works until it ends, and yields one successor only
    before = datetime.now(UTC)
    graced = await call(store, op("RotateMyKey"), second, grace_s=60)
    assert graced.errors is None, graced.errors
    ends = datetime.fromisoformat(graced.data["rotateMyKey"]["previousKeyExpiresAt"])
    assert before + timedelta(seconds=59) <= ends <= datetime.now(UTC) + timedelta(seconds=60)
    assert await keys.principal_for_key(store, answer["key"]) == second
    assert code_of(await call(store, op("RotateMyKey"), second))["code"] == "CONFLICT"
    listed = {k.id: k for k in await keys.list_keys(store)}
    assert listed[answer["apiKey"]["keyId"]].expires_at == int(ends.timestamp() * 1000)


async def test_only_a_partners_own_live_api_key_rotates(community):
    store = community
    jwt = Principal("jwt:pavo", Role.PARTNER, partner_brand_id="bP",
                    purposes=frozenset({"partner_sharing"}), via="jwt")  # fmt: skip
    assert code_of(await call(store, op("RotateMyKey"), jwt))["code"] == "FORBIDDEN"
    assert code_of(await call(store, op("RotateMyKey"), ADMIN))["code"] == "FORBIDDEN"
    # a revoked key cannot come back by rotating (its principal may still be cached)
    made = await keys.create_key(store, "pavo", Role.PARTNER, "bP", ["partner_sharing"])
    principal = await keys.principal_for_key(store, made.key)
    assert principal is not None and await keys.revoke_key(store, made.info.id)
    assert code_of(await call(store, op("RotateMyKey"), principal))["code"] == "CONFLICT"
    assert await store.inner.read("MATCH (k:ApiKey) RETURN count(k) AS n") == [{"n": 1}]


@pytest.mark.parametrize("engine", ["embedded"])
def test_hub_partners_create(engine, tmp_path, monkeypatch):
    """`hub partners create` on its own graph (the CLI opens the configured graph itself)."""
    monkeypatch.setenv("HUB_GRAPH_URL", f"embedded://{tmp_path / 'graph'}")
    settings = load_settings()
    now = rp.now_ms()

    async def brands(store: Any) -> None:
        await write_records(store, "brands", [{"id": "bP", "name": "Pavo", "created_at": now}],
                            now)  # fmt: skip

    run_with_store(settings, brands)
    runner = CliRunner()
    args = ["create", "bP", "--purpose", "partner_sharing", "--dimension", "region",
            "--dimension", "tag", "--requests", "5"]  # fmt: skip
    made = runner.invoke(partners_app, args)
    assert made.exit_code == 0, made.output
    said = " ".join(made.stderr.split())  # as printed, wrapped to the terminal
    assert "onboarded partner bP: purposes partner_sharing; dimensions region, tag; 5 " in said

    async def principal(store: Any) -> Principal | None:
        return await keys.principal_for_key(store, made.stdout.strip())

    found = run_with_store(settings, principal)
    assert found is not None and found.purposes == frozenset({"partner_sharing"})
    shown = runner.invoke(partners_app, ["show", "bP"])
    assert "purposes partner_sharing; dimensions region, tag" in " ".join(shown.stderr.split())
    again = runner.invoke(partners_app, args)
    assert again.exit_code == 1 and "onboarded already" in again.stderr
    bad = runner.invoke(partners_app, ["create", "bP", "--purpose", "partner_sharing",
                                       "--dimension", "colour"])  # fmt: skip
    assert bad.exit_code == 2 and "--dimension: unknown dimensions ['colour']" in bad.stderr
    missing = runner.invoke(partners_app, ["create", "nope", "--purpose", "marketing",
                                           "--dimension", "tag"])  # fmt: skip
    assert missing.exit_code == 1 and "no brand with id 'nope'" in missing.stderr
    # what it may pull changes later, one list or both
    allowed = runner.invoke(partners_app, ["allow", "bP", "--dimension", "segment"])
    assert allowed.exit_code == 0, allowed.output
    said = " ".join(allowed.stderr.split())
    assert "partner bP: purposes partner_sharing; dimensions segment" in said
    shown = runner.invoke(partners_app, ["show", "bP"])
    assert "purposes partner_sharing; dimensions segment" in " ".join(shown.stderr.split())
    nothing = runner.invoke(partners_app, ["allow", "bP"])
    assert nothing.exit_code == 2 and "give purposes, dimensions or both" in nothing.stderr
    assert runner.invoke(partners_app, ["allow", "nope", "--dimension", "tag"]).exit_code == 1
