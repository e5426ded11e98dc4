"""Partner metering and quotas through the hub's schema (request guard and all), on both
engines, over the hand-built community of tests/integration/test_partner.py (k = 3).

Hand-worked usage: PartnerAudience with first 4 hands out 4 pseudonyms (rows 4);
PartnerAggregates by REGION releases North only (cells 1: South goes by complementary
suppression); PartnerListMatch of L1 (tests/integration/test_partner_lists.py) releases
its count (cells 1) and matches one list.
"""

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from hub.partner_cli import partners_app
from hub.runner import run_with_store
from hub.settings import load_settings
from loaders.pipeline import write_records
from resolvers import partner as rp
from resolvers import partner_lists as pl
from resolvers.context import Context
from resolvers.partner_usage import set_quota
from resolvers.principal import Principal, Role
from resolvers.quotas import PartnerQuotas
from schema import build_schema
from tests.integration.test_partner import PAVO, PRIVACY
from tests.integration.test_partner_lists import L1, community, list_body

PERSISTED = Path(__file__).resolve().parents[2] / "schema" / "persisted"
ADMIN = Principal("admin-key", Role.ADMIN)
DEFAULT_QUOTAS = PartnerQuotas()
SCHEMA = build_schema()
USAGE = """query($partner: ID!, $from: DateTime!, $until: DateTime!) {
  partnerUsage(partnerId: $partner, from: $from, until: $until) {
    partnerId requests rows cells listsMatched
    operations { operation requests rows cells listsMatched } } }"""
_ = community  # the fixture, used by name below


def op(name: str) -> str:
    return (PERSISTED / f"{name}.graphql").read_text()


async def call(store: Any, text: str, principal: Principal = PAVO,
               quotas: PartnerQuotas = DEFAULT_QUOTAS, **variables: Any):  # fmt: skip
    ctx = Context(store, principal, privacy=PRIVACY, partner_quotas=quotas)
    return await SCHEMA.execute(text, variable_values=variables, context_value=ctx)


def period() -> dict[str, str]:
    now = datetime.now(UTC)
    return {"from": (now - timedelta(hours=1)).isoformat(),
            "until": (now + timedelta(hours=1)).isoformat()}  # fmt: skip


async def test_every_pull_is_metered_and_usage_adds_up(community):
    store = community
    list_id = (await pl.create_list(store, "bP", 86_400_000)).id
    await pl.append_chunk(store, "bP", list_id, list_body(L1))
    pulls = [
        ("PartnerAudience", {"purpose": "PARTNER_SHARING", "first": 4}),
        ("PartnerAggregates", {"purpose": "PARTNER_SHARING", "dimension": "REGION"}),
        ("PartnerListMatch", {"purpose": "PARTNER_SHARING", "listId": list_id}),
    ]
    for name, variables in pulls:
        result = await call(store, op(name), **variables)
        assert result.errors is None, result.errors
    entries = await store.inner.read(
        "MATCH (a:AuditEntry {partner_id: 'bP'}) RETURN a.operation AS op, "
        "a.released_rows AS rows, a.released_cells AS cells, a.lists_matched AS lists "
        "ORDER BY a.at"
    )
    assert [(e["op"], e["rows"], e["cells"], e["lists"]) for e in entries] == [
        ("PartnerAudience", 4, 0, 0), ("PartnerAggregates", 0, 1, 0),
        ("PartnerListMatch", 0, 1, 1),
    ]  # fmt: skip
    result = await call(store, USAGE, ADMIN, partner="bP", **period())
    assert result.errors is None, result.errors
    usage = result.data["partnerUsage"]
    assert (usage["requests"], usage["rows"], usage["cells"], usage["listsMatched"]) == (
        3, 4, 2, 1)  # fmt: skip
    assert [o["operation"] for o in usage["operations"]] == [
        "PartnerAggregates", "PartnerAudience", "PartnerListMatch"]  # fmt: skip
    own = await call(store, op("PartnerUsage"), **period())
    assert own.errors is None, own.errors
    assert own.data["partner"]["usage"] == usage
    # a partner cannot ask the admin field, for itself or another partner
    refused = await call(store, USAGE, PAVO, partner="bQ", **period())
    assert refused.errors[0].extensions["code"] == "FORBIDDEN"


async def test_quotas_refuse_with_a_clear_code(community):
    store = community
    list_id = (await pl.create_list(store, "bP", 86_400_000)).id
    await pl.append_chunk(store, "bP", list_id, list_body(L1))
    audience = op("PartnerAudience")
    match = op("PartnerListMatch")
    quotas = PartnerQuotas(requests_per_day=2, matches_per_day=5)
    for _ in range(2):
        result = await call(store, audience, quotas=quotas, purpose="PARTNER_SHARING")
        assert result.errors is None, result.errors
    store.statements.clear()
    refused = await call(store, audience, quotas=quotas, purpose="PARTNER_SHARING")
    error = refused.errors[0]
    assert error.extensions["code"] == "QUOTA_EXCEEDED"
    assert error.extensions["quota"] == "requests_per_day" and refused.data is None
    assert len(store.statements) == 1  # the quota read, nothing else ran
    # the partner's own quota overrides the default; list matches have their own
    assert await set_quota(store, "bP", 10, 1)
    first = await call(store, match, quotas=quotas, purpose="PARTNER_SHARING", listId=list_id)
    assert first.errors is None, first.errors
    second = await call(store, match, quotas=quotas, purpose="PARTNER_SHARING", listId=list_id)
    assert second.errors[0].extensions["quota"] == "matches_per_day"
    # other pulls still run
    result = await call(store, audience, quotas=quotas, purpose="PARTNER_SHARING")
    assert result.errors is None, result.errors
    assert not await set_quota(store, "nope", 1, 1)


async def test_an_empty_period_is_bad_input(community):
    now = datetime.now(UTC).isoformat()
    result = await call(community, USAGE, ADMIN, partner="bP", **{"from": now, "until": now})
    assert result.errors[0].extensions["code"] == "BAD_USER_INPUT"


@pytest.mark.parametrize("engine", ["embedded"])
def test_hub_partners_quota(engine, tmp_path, monkeypatch):
    """`hub partners quota` on its own graph (the CLI opens the configured graph itself)."""
    monkeypatch.setenv("HUB_GRAPH_URL", f"embedded://{tmp_path / 'graph'}")
    monkeypatch.setenv("HUB_PARTNER_MATCHES_PER_DAY", "7")
    settings = load_settings()
    now = rp.now_ms()

    async def brands(store: Any) -> None:
        await write_records(store, "brands", [{"id": "bP", "name": "Pavo", "created_at": now}],
                            now)  # fmt: skip

    run_with_store(settings, brands)
    runner = CliRunner()
    set_ = runner.invoke(partners_app, ["quota", "bP", "--requests", "5"])
    assert set_.exit_code == 0, set_.output
    assert "partner bP: 5 requests and 7 list matches per UTC day" in set_.stderr

    async def stored(store: Any) -> list[Any]:
        rows = await store.read(
            "MATCH (k:PartnerKey {id: 'bP'}) RETURN k.requests_per_day AS r, k.matches_per_day AS m"
        )
        return [rows[0]["r"], rows[0]["m"]]

    assert run_with_store(settings, stored) == [5, None]
    missing = runner.invoke(partners_app, ["quota", "nope", "--matches", "1"])
    assert missing.exit_code == 1 and "no brand with id 'nope'" in missing.stderr
