"""The upgrade of old (namespaced) email/phone keys on both engines: customers recomputed,
accounts recomputed from the customer whose old key they shared, the rest counted; links
kept, erasures still refusing re-loads across it, idempotent."""

import json
from pathlib import Path
from typing import Any

import pytest

from graph.identity_keys import SET_KEY_PROPERTY, contact_key
from hub.startup import upgrade_lines
from loaders.key_upgrade import legacy_email_key, legacy_phone_key, upgrade_contact_keys
from loaders.linking import relink
from loaders.mapping import Mapping
from loaders.pipeline import LoadOptions, load_files, write_records
from resolvers.context import Context
from resolvers.principal import Principal, Role
from resolvers.privacy import PrivacyConfig
from resolvers.subject import erase_customer
from tests.integration.graph_dump import dump

T0 = 1_700_000_000_000
PRIVACY = PrivacyConfig()
ERASURE_KEY = PRIVACY.derived_key("erasure")
ADMIN = Principal("key:admin-7", Role.ADMIN)

CUSTOMERS = [
    {"id": "c1", "name": "王伟", "email": "Wang.Wei@163.com", "phone": "+86 138 1234 5678",
     "country": "CN"},
    {"id": "c2", "name": "李娜", "phone": "13900001111", "country": "CN"},
    {"id": "c3", "name": "Zhao Lei", "email": "zhao@example.cn"},  # erased before the upgrade
    {"id": "c4", "name": "Anna Berg", "phone": "+33 6 12 34 56 78", "country": "FR"},
]  # fmt: skip
ACCOUNTS = [
    {"id": "a1", "platform": "wechat", "email": "wang.wei@163.com"},  # c1's, by email
    {"id": "a2", "platform": "wechat", "phone": "138 1234 5678"},  # c1's; the old keys missed it
    {"id": "a3", "platform": "weibo", "phone": "139-0000-1111"},  # c2's, by phone
    {"id": "a4", "platform": "instagram", "phone": "+33612345678"},  # c4's, by phone
    {"id": "a5", "platform": "weibo", "email": "ZHAO@example.cn"},  # c3's, erased with it
    # claims c1 and carries c4's phone: a conflict, until c4 is erased
    {"id": "a6", "platform": "facebook", "customer_id": "c1", "phone": "0033 6 12 34 56 78"},
]  # fmt: skip


async def build_old_graph(store: Any) -> None:
    """The graph as loaders before key versions left it: old keys, no key_version."""
    await write_records(store, "customers", CUSTOMERS, T0)
    await write_records(store, "social_accounts", ACCOUNTS, T0)
    for label, rows in (("Customer", CUSTOMERS), ("SocialAccount", ACCOUNTS)):
        old = {
            "email_hash": [{"id": r["id"], "value": legacy_email_key(r["email"]) if r.get("email")
                            else None} for r in rows],
            "phone_hash": [{"id": r["id"], "value": legacy_phone_key(r["phone"]) if r.get("phone")
                            else None} for r in rows],
            "key_version": [{"id": r["id"], "value": None} for r in rows],
        }  # fmt: skip
        for prop, values in old.items():
            await store.write(SET_KEY_PROPERTY[label, prop], {"rows": values})
        # The old loaders hashed rows without the new columns and keys.
        await store.write(f"MATCH (n:{label}) SET n.row_hash = 'old-' + n.id")
    await relink(store, [a["id"] for a in ACCOUNTS], T0)


async def links(store: Any) -> dict[str, tuple[str, str]]:
    rows = await store.read(
        "MATCH (c:Customer)-[h:HAS_ACCOUNT]->(a:SocialAccount) "
        "RETURN a.id AS a, c.id AS c, h.method AS m"
    )
    return {r["a"]: (r["c"], r["m"]) for r in rows}


async def keys(store: Any, label: str) -> dict[str, tuple[Any, Any, Any]]:
    rows = await store.read(
        f"MATCH (n:{label}) RETURN n.id AS id, n.email_hash AS e, n.phone_hash AS p, "
        "n.key_version AS v"
    )
    return {r["id"]: (r["e"], r["p"], r["v"]) for r in rows}


def key(value: str) -> str:
    return contact_key(value)


async def load(store: Any, tmp_path: Path, kind: str, rows: list[dict[str, Any]]) -> list[Any]:
    path = tmp_path / f"{kind}.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    rejects = tmp_path / f"rejects-{kind}.jsonl"
    options = LoadOptions(rejects_path=rejects, conflicts_path=tmp_path / "conflicts.jsonl",
                          erasure_key=ERASURE_KEY)  # fmt: skip
    await load_files(store, kind, [path], Mapping(), options)
    lines = rejects.read_text().splitlines() if rejects.exists() else []
    return [json.loads(line)["reasons"] for line in lines]


@pytest.fixture
async def old_graph(store):
    await build_old_graph(store)
    return store


async def test_the_old_graph_is_what_the_old_loaders_left(old_graph):
    # The old keys: the national number on WeChat did not meet c1's; a6 is a conflict.
    assert await links(old_graph) == {
        "a1": ("c1", "email"), "a3": ("c2", "phone"), "a4": ("c4", "phone"),
        "a5": ("c3", "email"),
    }  # fmt: skip


async def test_upgrade_recomputes_keys_keeps_links_and_counts_what_it_cannot(old_graph, tmp_path):
    store = old_graph
    await erase_customer(Context(store, ADMIN, privacy=PRIVACY), "c3")  # takes a5 with it
    report = await upgrade_contact_keys(store, default_region=None)
    assert (report.customers, report.accounts, report.accounts_left) == (3, 4, 1)
    assert upgrade_lines(report) == [
        "upgraded the email/phone keys of 3 customers and 4 social accounts (0 links changed)",
        "1 social accounts keep email/phone keys of the old scheme and link by them to "
        "nothing: load their rows again to refresh them",
    ]
    c1 = (key("wang.wei@163.com"), key("+8613812345678"), 2)
    assert await keys(store, "Customer") == {
        "c1": c1, "c2": (None, key("+8613900001111"), 2), "c4": (None, key("+33612345678"), 2),
    }  # fmt: skip
    assert await keys(store, "SocialAccount") == {
        "a1": (c1[0], None, 2),
        "a2": (None, legacy_phone_key("138 1234 5678"), 1),  # no customer had its old key
        "a3": (None, key("+8613900001111"), 2),  # read in China: Weibo's country
        "a4": (None, key("+33612345678"), 2),
        "a6": (None, key("+33612345678"), 2),
    }
    assert await links(store) == {"a1": ("c1", "email"), "a3": ("c2", "phone"),
                                  "a4": ("c4", "phone")}  # fmt: skip

    # Idempotent: a second run reads, finds nothing to do, and changes nothing.
    before = await dump(store)
    again = await upgrade_contact_keys(store, default_region=None)
    assert (again.customers, again.accounts, again.accounts_left) == (0, 0, 1)
    assert upgrade_lines(again) == [] and len(upgrade_lines(again, always=True)) == 1
    assert await dump(store) == before

    # The erasure before the upgrade still refuses the erased customer's rows.
    assert await load(store, tmp_path, "customers", [CUSTOMERS[2]]) == [["id: customer was erased"]]
    assert await load(store, tmp_path, "social_accounts", [ACCOUNTS[4]]) == [
        ["id: the social account was erased with its customer"]
    ]
    assert await dump(store) == before

    # Loading a2's row again refreshes its key: 138 1234 5678 on WeChat is c1's +86 number.
    assert await load(store, tmp_path, "social_accounts", [ACCOUNTS[1]]) == []
    assert (await links(store))["a2"] == ("c1", "phone")
    assert (await upgrade_contact_keys(store, default_region=None)).accounts_left == 0

    # An erasure after the upgrade finds the accounts carrying its keys by the new keys:
    # a6 loses c4's phone and is linked by the CRM id it claims.
    erased = await erase_customer(Context(store, ADMIN, privacy=PRIVACY), "c4")
    assert erased.accounts_to_relink == ["a6"]
    await relink(store, erased.accounts_to_relink, T0)
    assert (await keys(store, "SocialAccount"))["a6"] == (None, None, 2)
    assert (await links(store))["a6"] == ("c1", "crm_id")
    assert await load(store, tmp_path, "customers", [CUSTOMERS[3]]) == [["id: customer was erased"]]


async def test_an_upgrade_cut_off_half_way_is_finished_by_the_next_run(old_graph):
    store = old_graph
    # Cut off after a page's accounts were written, before its customers: a1 has its new
    # key and version, c1 has neither.
    for prop, value in (("email_hash", key("wang.wei@163.com")), ("key_version", 2)):
        await store.write(SET_KEY_PROPERTY["SocialAccount", prop],
                          {"rows": [{"id": "a1", "value": value}]})  # fmt: skip
    report = await upgrade_contact_keys(store, default_region=None, page=1)
    assert (report.customers, report.accounts, report.accounts_left) == (4, 4, 1)
    accounts = await keys(store, "SocialAccount")
    assert accounts["a1"] == (key("wang.wei@163.com"), None, 2)
    assert (await keys(store, "Customer"))["c1"][0] == accounts["a1"][0]
    assert await links(store) == {
        "a1": ("c1", "email"), "a3": ("c2", "phone"), "a4": ("c4", "phone"),
        "a5": ("c3", "email"),
    }  # fmt: skip
