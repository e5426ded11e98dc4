"""The example files of docs/examples load without a reject, and docs/loading.md covers
every kind (a dry run: no graph needed)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from loaders.kinds import KINDS
from loaders.mapping import Mapping, load_mapping
from loaders.pipeline import LoadOptions, load_files

ROOT = Path(__file__).resolve().parents[3]
DOCS = ROOT / "docs"
EXAMPLES = DOCS / "examples"

# file -> (kind, records in it: orders for one-row-per-item purchases, not lines)
FILES = {
    "brands.csv": ("brands", 3),
    "tags.jsonl": ("tags", 5),
    "segments.csv": ("segments", 3),
    "products.csv": ("products", 4),
    "customers.csv": ("customers", 4),
    "social_accounts.csv": ("social_accounts", 5),
    "follows.jsonl": ("follows", 4),
    "purchases.jsonl": ("purchases", 3),
    "purchases.csv": ("purchases", 3),
    "posts.jsonl": ("posts", 4),
    "interactions.csv": ("interactions", 5),
    "complaints.jsonl": ("complaints", 3),
    "consents.csv": ("consents", 4),
    "customer_tags.csv": ("customer_tags", 4),
    "customer_segments.jsonl": ("customer_segments", 4),
    "crm-export.csv": ("customers", 3),
}
MAPPINGS = {"crm-export.csv": "crm-mapping.toml"}


def _mapping(name: str) -> Mapping:
    return load_mapping(EXAMPLES / MAPPINGS[name]) if name in MAPPINGS else Mapping()


@pytest.mark.parametrize("name", sorted(FILES))
async def test_example_loads_without_rejects(name: str, tmp_path: Path) -> None:
    kind, records = FILES[name]
    rejects = tmp_path / "rejects.jsonl"
    options = LoadOptions(
        dry_run=True, rejects_path=rejects, conflicts_path=tmp_path / "conflicts.jsonl"
    )
    report = await load_files(None, kind, [EXAMPLES / name], _mapping(name), options)
    found = rejects.read_text() if rejects.exists() else ""
    assert report.tally.rejected == 0, found
    assert not found
    assert report.tally.read == records
    assert not report.ignored_columns


def test_every_example_file_is_checked() -> None:
    on_disk = {p.name for p in EXAMPLES.iterdir() if p.suffix in (".csv", ".jsonl")}
    assert on_disk == set(FILES)
    assert {p.name for p in EXAMPLES.glob("*.toml")} == set(MAPPINGS.values())


def test_every_kind_has_an_example_and_a_section() -> None:
    doc = (DOCS / "loading.md").read_text(encoding="utf-8")
    sections = set(re.findall(r"^### (\w+)$", doc, flags=re.MULTILINE))
    examples = {kind for kind, _ in FILES.values()}
    for kind in KINDS:
        assert kind in examples, f"no example file for {kind}"
        assert kind in sections, f"docs/loading.md has no section for {kind}"
    assert sections == set(KINDS)


def test_doc_links_resolve() -> None:
    doc = (DOCS / "loading.md").read_text(encoding="utf-8")
    links = re.findall(r"\]\((examples/[^)]+)\)", doc)
    assert {Path(link).name for link in links} >= set(FILES) | set(MAPPINGS.values())
    for link in links:
        assert (DOCS / link).is_file(), link


def test_mapped_example_values() -> None:
    """The CRM mapping renames, builds ids, maps enums, parses dd/mm/yyyy, fills defaults."""
    mapping = load_mapping(EXAMPLES / "crm-mapping.toml")
    fields = {
        "CustNo": "FR-0000006",
        "FullName": "Lucas Bernard",
        "Sex": "M",
        "CountryCode": "",
        "SignupDate": "03/11/2023",
    }
    out, errors = mapping.apply(fields, line=3, stem="crm-export")
    assert errors == []
    assert out["id"] == "c0000006"
    assert out["external_id"] == "FR-0000006"
    assert out["gender"] == "male"
    assert out["country"] == "FR"
    assert out["created_at"] == 1698969600000  # 2023-11-03T00:00:00Z
