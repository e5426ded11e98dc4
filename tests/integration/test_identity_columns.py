"""The identity evidence columns through `hub load` on both engines: the hub-shaped
benchmark set loads whole, with its new properties, and exact links use the keys every
source shares (a national number on WeChat meets the CRM's +86 number; masks never link)."""

import csv
from pathlib import Path
from typing import Any

from graph.identity_keys import contact_key
from loaders.mapping import Mapping
from loaders.pipeline import LoadOptions, LoadReport, load_files
from loaders.synthetic_identity import IdentityBenchConfig, generate, write


async def load(store: Any, tmp_path: Path, kind: str, path: Path) -> LoadReport:
    options = LoadOptions(rejects_path=tmp_path / f"rejects-{kind}.jsonl",
                          conflicts_path=tmp_path / f"conflicts-{kind}.jsonl")  # fmt: skip
    return await load_files(store, kind, [path], Mapping(), options)


def csv_file(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


async def test_the_benchmark_set_loads_with_its_evidence_columns(store, tmp_path):
    data = generate(IdentityBenchConfig(customers=400, accounts=500, seed=5))
    files = write(data, tmp_path / "set")
    reports = {
        k: await load(store, tmp_path, k, files[k]) for k in ("customers", "social_accounts")
    }
    for kind, report in reports.items():
        assert (report.tally.rejected, report.ignored_columns) == (0, set()), kind
        assert report.tally.written == report.tally.read > 0, kind

    def given(rows: list[dict[str, Any]], column: str) -> int:
        return sum(1 for r in rows if r.get(column))

    counts = (await store.read(
        "MATCH (c:Customer) RETURN count(c.birth_date) AS birth_date, "
        "count(c.key_version) AS versioned"
    ))[0]  # fmt: skip
    assert counts == {"birth_date": given(data.customers, "birth_date"), "versioned": 400}
    accounts = (await store.read(
        "MATCH (a:SocialAccount) RETURN count(a.location) AS location, "
        "count(a.email_masked) AS email_masked, count(a.phone_masked) AS phone_masked, "
        "count(a.email_hash) AS email_hash, count(a.key_version) AS versioned"
    ))[0]  # fmt: skip
    assert accounts == {
        "location": given(data.accounts, "location"),
        "email_masked": given(data.accounts, "email_masked"),
        "phone_masked": given(data.accounts, "phone_masked"),
        "email_hash": sum(1 for r in data.accounts if r.get("email") or r.get("email_sha256")),
        "versioned": 500,
    }
    # A supplied hash is the key, as given.
    supplied = next(r for r in data.accounts if r.get("email_sha256") and not r.get("email"))
    stored = await store.read(
        "MATCH (a:SocialAccount {id: $id}) RETURN a.email_hash AS h", {"id": supplied["id"]}
    )
    assert stored == [{"h": supplied["email_sha256"]}]


async def test_exact_links_meet_across_layouts_and_masks_never_link(store, tmp_path):
    customers = csv_file(tmp_path / "customers.csv", [
        {"id": "c1", "name": "王伟", "email": "wang.wei@163.com", "phone": "+86 13812345678",
         "country": ""},
        {"id": "c2", "name": "Léa Martin", "email": "lea.martin@orange.fr",
         "phone": "06 12 34 56 78", "country": "FR"},
    ])  # fmt: skip
    accounts = csv_file(tmp_path / "social_accounts.csv", [
        {"id": "a1", "platform": "wechat", "phone": "138 1234 5678", "email_sha256": "",
         "phone_masked": "", "email_masked": ""},
        {"id": "a2", "platform": "instagram", "phone": "",
         "email_sha256": contact_key("lea.martin@orange.fr").upper(), "phone_masked": "",
         "email_masked": ""},
        {"id": "a3", "platform": "weibo", "phone": "", "email_sha256": "",
         "phone_masked": "138****5678", "email_masked": "wa***@163.com"},
        {"id": "a4", "platform": "facebook", "phone": "", "email_sha256": "",
         "phone_masked": "+33 612**5678", "email_masked": "le***n@orange.fr"},
    ])  # fmt: skip
    for kind, path in (("social_accounts", accounts), ("customers", customers)):
        report = await load(store, tmp_path, kind, path)
        assert report.tally.rejected == 0, kind
    links = await store.read(
        "MATCH (c:Customer)-[h:HAS_ACCOUNT]->(a:SocialAccount) "
        "RETURN a.id AS account, c.id AS customer, h.method AS method, h.confidence AS p "
        "ORDER BY account"
    )
    assert links == [
        {"account": "a1", "customer": "c1", "method": "phone", "p": 0.9},
        {"account": "a2", "customer": "c2", "method": "email", "p": 0.95},
    ]
