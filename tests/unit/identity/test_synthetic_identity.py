"""The identity benchmark generator: seeded, sized as asked, in the loader formats, truthful."""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from pydantic import ValidationError

from loaders.kinds import Customer, SocialAccount
from loaders.synthetic_identity import (
    ACCOUNT_COLUMNS,
    CUSTOMER_COLUMNS,
    IdentityBenchConfig,
    IdentityBenchSet,
    generate,
    sha256_hex,
    write,
)

SMALL = IdentityBenchConfig(customers=600, accounts=800, seed=5)


@pytest.fixture(scope="module")
def small() -> IdentityBenchSet:
    return generate(SMALL)


def _people(data: IdentityBenchSet) -> dict[tuple[str, str], str]:
    return {(t["kind"], t["id"]): t["person_id"] for t in data.truth}


def test_same_seed_same_files_other_seed_other_files(tmp_path: Path) -> None:
    first = write(generate(SMALL), tmp_path / "a")
    again = write(generate(SMALL), tmp_path / "b")
    other = write(
        generate(IdentityBenchConfig(customers=600, accounts=800, seed=6)), tmp_path / "c"
    )
    for kind in ("customers", "social_accounts", "truth"):
        assert first[kind].read_bytes() == again[kind].read_bytes()
        assert first[kind].read_bytes() != other[kind].read_bytes()


def test_sizes_and_shares_are_the_configs(small: IdentityBenchSet) -> None:
    people = _people(small)
    assert len(small.customers) == 600
    assert len(small.accounts) == 800
    assert len(small.truth) == 1400
    crm_people = Counter(people["customer", c["id"]] for c in small.customers)
    assert sum(1 for n in crm_people.values() if n == 2) == round(600 * SMALL.duplicate_share)
    assert max(crm_people.values()) == 2
    owned = [a for a in small.accounts if people["social_account", a["id"]] in crm_people]
    assert len(owned) == round(800 * SMALL.owned_share)


def test_ids_are_unique_and_say_nothing_of_the_owner(small: IdentityBenchSet) -> None:
    ids = [r["id"] for r in small.customers + small.accounts]
    assert len(set(ids)) == len(ids)
    # Accounts are shuffled: the owned ones are not a prefix of the id range.
    people = _people(small)
    crm_people = {people["customer", c["id"]] for c in small.customers}
    first_half = small.accounts[:400]
    owned_first_half = sum(people["social_account", a["id"]] in crm_people for a in first_half)
    assert 180 < owned_first_half < 300


def test_written_files_load_as_customers_and_social_accounts(
    small: IdentityBenchSet, tmp_path: Path
) -> None:
    paths = write(small, tmp_path)
    for kind, model, columns in (
        ("customers", Customer, CUSTOMER_COLUMNS),
        ("social_accounts", SocialAccount, ACCOUNT_COLUMNS),
    ):
        with paths[kind].open(encoding="utf-8", newline="") as f:
            reader = csv.DictReader(f)
            assert tuple(reader.fieldnames or ()) == columns
            rows = list(reader)
        assert len(rows) == (600 if kind == "customers" else 800)
        for row in rows:
            try:
                model.model_validate(row)
            except ValidationError as e:  # pragma: no cover - the message is the point
                pytest.fail(f"{kind} row {row['id']} is refused by the loader: {e}")


def test_names_mix_scripts_short_forms_and_decorations(small: IdentityBenchSet) -> None:
    names = [c["name"] for c in small.customers]
    han = sum(any("\u4e00" <= ch <= "\u9fff" for ch in n) for n in names)
    assert 0.3 < han / len(names) < 0.6  # most Chinese customers in Han, the rest in pinyin
    displays = [a["display_name"] or "" for a in small.accounts]
    assert any(any(ord(ch) > 0x2600 and not "\u4e00" <= ch <= "\u9fff" for ch in d)
               for d in displays)  # fmt: skip
    handles = [a["handle"] for a in small.accounts]
    assert sum(any(ch.isdigit() for ch in h) for h in handles) > len(handles) / 3


def test_hashed_evidence_is_sha256_of_the_owners_normalised_value(
    small: IdentityBenchSet,
) -> None:
    people = _people(small)
    emails: dict[str, set[str]] = defaultdict(set)
    for c in small.customers:
        if c["email"]:
            emails[people["customer", c["id"]]].add(sha256_hex(c["email"].lower()))
    hashed = [
        a for a in small.accounts
        if a.get("email_sha256") and people["social_account", a["id"]] in emails
    ]  # fmt: skip
    assert hashed
    found = sum(a["email_sha256"] in emails[people["social_account", a["id"]]] for a in hashed)
    # 80% of accounts use the CRM address; the rest another one of the same person.
    assert found / len(hashed) > 0.5


def test_masked_phones_keep_prefix_and_suffix_only(small: IdentityBenchSet) -> None:
    masked = [a["phone_masked"] for a in small.accounts if a.get("phone_masked")]
    assert masked
    for value in masked:
        assert "*" in value
        assert sum(ch.isdigit() for ch in value) <= 9


def test_some_other_peoples_accounts_are_namesakes_of_customers(small: IdentityBenchSet) -> None:
    people = _people(small)
    crm_names = {c["name"] for c in small.customers}
    crm_people = {people["customer", c["id"]] for c in small.customers}
    strangers = [a for a in small.accounts if people["social_account", a["id"]] not in crm_people]
    assert sum(a["display_name"] in crm_names for a in strangers) >= 10


@pytest.mark.parametrize(
    "config",
    [
        {"customers": 0},
        {"accounts": -1},
        {"owned_share": 1.5},
        {"duplicate_share": 0.6},
    ],
)
def test_impossible_configs_are_refused(config: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        IdentityBenchConfig(**config)  # type: ignore[arg-type]
