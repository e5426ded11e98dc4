"""Blocking: the rules propose the pairs they should, once each, and skip over-common keys."""

from __future__ import annotations

import hashlib
from typing import Any

from identity.blocking import ACCOUNT_RULES, CUSTOMER_RULES, block, block_within
from identity.profiles import AccountProfile, CustomerProfile, account_profile, customer_profile
from identity.records import AccountRecord, CustomerRecord

CUSTOMERS = [
    {"name": "王伟", "birth_year": 1984, "city": "上海", "phone": "13812345678",
     "email": "wangwei@163.com"},
    {"name": "李娜", "birth_year": 1990, "city": "北京"},
    {"name": "Robert Smith", "birth_year": 1979, "city": "London", "country": "GB"},
    {"name": "王伟", "birth_year": 1971, "city": "成都"},  # a namesake
]  # fmt: skip


def customers() -> list[CustomerProfile]:
    return [
        customer_profile(CustomerRecord(id=f"c{i}", **row), default_region="CN")
        for i, row in enumerate(CUSTOMERS)
    ]


def account(**fields: Any) -> AccountProfile:
    return account_profile(AccountRecord(id="a", **fields))


def pairs_and_rules(accounts: list[AccountProfile]) -> dict[tuple[int, int], set[str]]:
    candidates = block(accounts, customers(), ACCOUNT_RULES)
    out = {}
    for left, right, bits in zip(candidates.left, candidates.right, candidates.rules, strict=True):
        names = {n for b, n in enumerate(candidates.rule_names) if int(bits) >> b & 1}
        out[int(left), int(right)] = names
    return out


def test_a_name_in_the_display_and_the_handle_finds_both_namesakes_once() -> None:
    found = pairs_and_rules([account(display_name="Wei Wang", handle="wangwei84")])
    assert set(found) == {(0, 0), (0, 3)}
    assert {"display_name", "handle_name"} <= found[0, 0]
    assert "surname_initial" in found[0, 0]  # wang|w with the handle's year 1984
    assert "surname_initial" not in found[0, 3]  # the namesake was born in 1971


def test_contact_evidence_finds_the_customer_whatever_the_name() -> None:
    sha = hashlib.sha256(b"+8613812345678").hexdigest()
    for evidence in ({"phone_masked": "138****5678"}, {"phone_sha256": sha},
                     {"platform": "wechat", "phone": "138 1234 5678"},
                     {"email_masked": "wa***@163.com"}, {"email": "WangWei@163.com"}):  # fmt: skip
        found = pairs_and_rules([account(display_name="小太阳", handle="sunny_cat", **evidence)])
        assert set(found) == {(0, 0)}, evidence


def test_short_forms_initials_and_claims() -> None:
    assert (0, 2) in pairs_and_rules([account(display_name="Bob Smith")])
    assert (0, 2) in pairs_and_rules([account(handle="bsmith_79")])
    assert set(pairs_and_rules([account(display_name="?", customer_id="c2")])) == {(0, 2)}


def test_nothing_to_go_on_proposes_nothing() -> None:
    assert pairs_and_rules([account(display_name="快乐的小鱼", handle="wxid_1234567890")]) == {}
    assert pairs_and_rules([account()]) == {}
    assert len(block([], customers(), ACCOUNT_RULES)) == 0


def test_keys_held_by_too_many_records_are_skipped_and_counted() -> None:
    candidates = block([account(display_name="王伟")], customers(), ACCOUNT_RULES, max_block=1)
    assert len(candidates) == 0
    assert candidates.skipped_keys["display_name"] >= 1


def test_within_one_side_each_pair_once_and_never_a_record_with_itself() -> None:
    second = CustomerRecord(
        id="dup", name="Wang Wei", birth_year=1984, city="Shanghai", email="wangwei@163.com"
    )
    crm = [*customers(), customer_profile(second)]
    candidates = block_within(crm, CUSTOMER_RULES)
    pairs = set(zip(candidates.left.tolist(), candidates.right.tolist(), strict=True))
    assert (0, 4) in pairs and (3, 4) in pairs and (0, 3) in pairs
    assert all(left < right for left, right in pairs)
    assert len(pairs) == len(candidates)


def test_duplicates_meet_on_surname_initial_with_year_and_place_not_either() -> None:
    crm = [
        customer_profile(CustomerRecord(id=f"d{i}", **row))
        for i, row in enumerate(
            [
                {"name": "王伟", "birth_year": 1984, "city": "上海", "email": "wangwei@163.com"},
                {"name": "王文", "birth_year": 1984, "city": "上海"},  # same year and city
                {"name": "王武", "birth_year": 1990, "city": "上海"},  # same city only
                {"name": "王维", "birth_year": 1984, "city": "成都"},  # same year only
                {"name": "Wan Li", "email": "wanli@163.com", "birth_year": 1971},
            ]
        )
    ]
    candidates = block_within(crm, CUSTOMER_RULES)
    pairs = set(zip(candidates.left.tolist(), candidates.right.tolist(), strict=True))
    # 王伟/王维 are one name in pinyin (full_name); 王文 meets 王伟 on wang|w, 1984 and 上海;
    # same city or same year alone is not enough, nor 'wan@163.com' with another year.
    assert pairs == {(0, 1), (0, 3)}


def test_duplicates_meet_on_postcode_with_the_house_number_or_a_surname() -> None:
    """FEBRL's second records: a given name dropped or retyped past one slip, a street
    written otherwise; the house number or the surname, with the postcode, finds them."""
    rows = [
        {"name": "Sebastian Wilde", "postcode": "3929", "address": "47 darwinia terrace"},
        {"name": "Wilde", "postcode": "3929", "address": "the canberra hospital"},
        {"name": "Nicholas Campbell", "postcode": "4655", "address": "87 poynton street"},
        {"name": "Nichooas Campbel", "postcode": "4655", "address": "87 poyntonstreet"},
        {"name": "Anna Wilde", "postcode": "2000", "address": "47 darwinia terrace"},
        {"name": "Ben Cole", "postcode": "4655", "address": "88 poynton street"},
    ]
    crm = [customer_profile(CustomerRecord(id=f"f{i}", **row)) for i, row in enumerate(rows)]
    candidates = block_within(crm, CUSTOMER_RULES)
    found = {}
    for left, right, bits in zip(candidates.left, candidates.right, candidates.rules, strict=True):
        names = {n for b, n in enumerate(candidates.rule_names) if int(bits) >> b & 1}
        found[int(left), int(right)] = names
    assert found == {(0, 1): {"surname_postcode"}, (2, 3): {"street"}}
