"""Every comparison on hand-built pairs with known answers, and on junk."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from identity.comparisons import (
    ACCOUNT_COMPARISONS,
    CUSTOMER_COMPARISONS,
    NULL,
    compare_account,
    compare_customers,
)
from identity.profiles import AccountProfile, CustomerProfile, account_profile, customer_profile
from identity.records import AccountRecord, CustomerRecord


def acct(**fields: Any) -> AccountProfile:
    return account_profile(AccountRecord(id="a", **fields))


def cust(**fields: Any) -> CustomerProfile:
    return customer_profile(CustomerRecord(id="c", **fields), default_region="CN")


def account_level(comparison: str, a: AccountProfile, c: CustomerProfile) -> str | None:
    """The label of ``comparison``'s level for the pair, None for NULL."""
    index = [x.name for x in ACCOUNT_COMPARISONS].index(comparison)
    level = compare_account(a, c)[index]
    return None if level == NULL else ACCOUNT_COMPARISONS[index].levels[level]


def customer_level(comparison: str, a: CustomerProfile, b: CustomerProfile) -> str | None:
    index = [x.name for x in CUSTOMER_COMPARISONS].index(comparison)
    level = compare_customers(a, b)[index]
    return None if level == NULL else CUSTOMER_COMPARISONS[index].levels[level]


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@pytest.mark.parametrize(
    ("display", "handle", "name", "level"),
    [
        ("王伟", "wangwei84", "王伟", "han+handle"),
        ("王伟", "sunny_cat", "王伟", "han"),
        ("Wei Wang", "weiwang", "王伟", "full+handle"),
        ("Wang Wei", "ww_1984", "王伟", "full"),
        ("汪伟", None, "王伟", "full"),  # same pinyin, another character: not "han"
        ("✨wáng wěi✨", None, "王伟", "full"),
        ("小美", "wangwei_0612", "王伟", "handle"),
        ("咖啡爱好者", "real_bob_smith84", "Robert Smith", "handle"),
        ("Frank Li", "li_ning_1999", "李宁", "handle≠display"),  # another full name shown
        ("Bob S.", None, "Robert Smith", "initials"),
        ("Coffee Lover", "bsmith", "Robert Smith", "initials"),
        ("阿伟", None, "王伟", "given"),
        ("Jenny", None, "Jennifer Lee", "given"),
        # Pet names: a character with 小/阿 or said twice, and their pinyin in handles,
        # against the name in Han or in pinyin.
        ("浩浩", None, "陈浩", "given"),
        ("小浩", None, "Chen Hao", "given"),
        ("阿浩", None, "Hao Chen", "given"),
        (None, "haohao2001", "陈浩", "given"),
        (None, "xiaohao_88", "CHEN Hao", "given"),
        (None, "mingming_90", "Wang Xiaoming", "given"),
        ("小浩", None, "Chen Wei", "none"),
        (None, "haohao2001", "Chen Wei", "none"),
        (None, "nana88", "Anna Smith", "none"),  # no Chinese surname: no pinyin pet name
        ("Vivian Wang", None, "王芳", "family"),
        ("Robret Smith", None, "Robert Smith", "fuzzy"),
        ("快乐的小鱼", "sunny_cat88", "王伟", "none"),
        ("Liz Taylor", "liztaylor", "Elizabeth Taylor", "full+handle"),
        (None, "wxid_abc123def", "王伟", None),  # nothing on the account side
        ("🌸🌸", None, "王伟", None),
        ("王伟", "wangwei", None, None),  # nothing on the customer side
    ],
)
def test_account_name(display: str | None, handle: str | None, name: str | None,
                      level: str | None) -> None:  # fmt: skip
    account = acct(display_name=display, handle=handle)
    assert account_level("name", account, cust(name=name)) == level


@pytest.mark.parametrize(
    ("handle", "birth_year", "birth_date", "level"),
    [
        ("wangwei_0612", 1984, "1984-06-12", "date"),
        ("bob_smith84", 1984, None, "year"),
        ("bob1984", 1984, None, "year"),
        ("bob_smith99", 1984, None, "differs"),
        ("wangwei_0612", None, "1990-01-02", "differs"),
        ("bob_smith", 1984, None, None),
        ("bob_smith84", None, None, None),
        ("cat520", 1984, None, None),
    ],
)
def test_account_birth(handle: str, birth_year: int | None, birth_date: str | None,
                       level: str | None) -> None:  # fmt: skip
    c = cust(birth_year=birth_year, birth_date=birth_date)
    assert account_level("birth", acct(handle=handle), c) == level


@pytest.mark.parametrize(
    ("account", "level"),
    [
        ({"email": " Wang.Wei@163.COM "}, "exact"),
        ({"email_sha256": sha("wang.wei@163.com")}, "exact"),
        ({"email_sha256": sha("wang.wei@163.com").upper()}, "exact"),
        ({"email_masked": "wa***@163.com"}, "masked"),
        ({"email_masked": "wa***@qq.com"}, "differs"),
        ({"email": "other@163.com"}, "differs"),
        ({"email_sha256": sha("other@163.com")}, "differs"),
        ({"email": "not an address"}, None),
        ({}, None),
    ],
)
def test_account_email(account: dict[str, str], level: str | None) -> None:
    assert account_level("email", acct(**account), cust(email="wang.wei@163.com")) == level


def test_placeholder_emails_are_no_evidence_and_are_recorded() -> None:
    a, c = acct(email="test@test.com"), cust(email="test@test.com")
    assert account_level("email", a, c) is None
    assert a.placeholders == ("email",) and c.placeholders == ("email",)


def test_a_supplied_hash_of_a_placeholder_is_no_evidence_and_is_recorded() -> None:
    digest = hashlib.sha256(b"+8613800138000").hexdigest()
    a = acct(platform="wechat", phone_sha256=digest, phone="13800138000")
    assert a.phone.hashes == frozenset() and a.placeholders == ("phone",)
    c = cust(phone="13800138000", country="CN")
    assert account_level("phone", a, c) is None


@pytest.mark.parametrize(
    ("account", "level"),
    [
        ({"platform": "wechat", "phone": "138 1234 5678"}, "exact"),
        ({"platform": "instagram", "phone": "+86 13812345678"}, "exact"),
        ({"phone_sha256": sha("+8613812345678")}, "exact"),
        ({"phone_sha256": sha("8613812345678")}, "exact"),  # hashed without the '+'
        ({"phone_masked": "138****5678"}, "masked"),
        ({"phone_masked": "+86 138****5678"}, "masked"),
        ({"phone_masked": "139****5678"}, "differs"),
        ({"platform": "weibo", "phone": "13912345678"}, "differs"),
        ({"platform": "instagram", "phone": "13812345678"}, None),  # no country: unreadable
        ({"platform": "weibo", "phone": "13800138000"}, None),  # a placeholder
    ],
)
def test_account_phone(account: dict[str, str], level: str | None) -> None:
    c = cust(phone="+86 138-1234-5678", country="CN")
    assert account_level("phone", acct(**account), c) == level


@pytest.mark.parametrize(
    ("location", "city", "region", "level"),
    [
        ("Shanghai", "上海", None, "city"),
        ("中国·上海", "Shanghai", "Shanghai", "city"),
        ("广东", "深圳", "广东", "region"),
        ("Guangzhou, China", "深圳", None, "region"),
        ("Paris", "上海", None, "differs"),
        ("somewhere cosy", "上海", None, None),
        ("Shanghai", None, None, None),
    ],
)
def test_account_place(location: str, city: str | None, region: str | None,
                       level: str | None) -> None:  # fmt: skip
    assert account_level("place", acct(location=location), cust(city=city, region=region)) == level


@pytest.mark.parametrize(
    ("first", "second", "level"),
    [
        ("王伟", "王伟", "han"),
        ("王伟", "Wang Wei", "full"),
        ("王伟", "王玮", "full"),  # a homophone typed instead
        ("Robert Smith", "SMITH Bob", "full"),
        ("Robert Smith", "Robret Smith", "one edit"),  # two letters swapped
        ("Robert Smith", "Robrt Smith", "one edit"),  # one dropped
        ("Jonathan Clarke", "Johnathan Clark", "fuzzy"),  # two slips
        ("Robert Smith", "R. Smith", "initials"),
        ("王伟", "王芳", "family"),
        ("王伟", "李娜", "none"),
        ("Durr", "Durr", "family"),  # a record with one word (FEBRL drops given names)
        ("Wilde", "Sebastian Wilde", "family"),
        ("Wilde", "Sebastian Wild", "none"),
        ("王伟", "", None),
    ],
)
def test_customer_name(first: str, second: str, level: str | None) -> None:
    assert customer_level("name", cust(name=first), cust(name=second)) == level


def test_customer_birth_email_phone() -> None:
    a = cust(birth_year=1984, birth_date="1984-06-12", email="wangwei@163.com",
             phone="13812345678", gender="male")  # fmt: skip
    assert customer_level("birth", a, cust(birth_date="1984-06-12")) == "date"
    assert customer_level("birth", a, cust(birth_year=1984)) == "year"
    assert customer_level("birth", a, cust(birth_year=1985)) == "year±1"
    assert customer_level("birth", a, cust(birth_year=1990)) == "differs"
    assert customer_level("email", a, cust(email="WangWei@163.com")) == "exact"
    # One edit apart is no level: wang.wei@ and wangwei@ are as often two namesakes.
    assert customer_level("email", a, cust(email="wang.wei@163.com")) == "differs"
    assert customer_level("phone", a, cust(phone="+86 138 1234 5678")) == "exact"
    assert customer_level("phone", a, cust(phone="13912345678")) == "differs"


def test_a_record_with_nothing_compares_as_all_null() -> None:
    assert set(compare_account(acct(), cust())) == {NULL}
    assert set(compare_customers(cust(), cust())) == {NULL}


junk = st.one_of(st.none(), st.text(max_size=300), st.text(alphabet="王伟🌸*@+0123456789 ._"))


@settings(max_examples=200, deadline=None)
@given(display=junk, handle=junk, location=junk, email=junk, phone=junk, masked=junk,
       digest=junk, name=junk, birth=junk)  # fmt: skip
def test_any_text_in_any_field_never_raises(
    display: str | None, handle: str | None, location: str | None, email: str | None,
    phone: str | None, masked: str | None, digest: str | None, name: str | None,
    birth: str | None,
) -> None:  # fmt: skip
    a = acct(display_name=display, handle=handle, location=location, email=email, phone=phone,
             phone_masked=masked, email_masked=masked, email_sha256=digest)  # fmt: skip
    c = cust(name=name, email=email, phone=phone, city=location, birth_date=birth)
    for level, comparison in zip(compare_account(a, c), ACCOUNT_COMPARISONS, strict=True):
        assert NULL <= level < len(comparison.levels)
    for level, comparison in zip(compare_customers(c, c), CUSTOMER_COMPARISONS, strict=True):
        assert NULL <= level < len(comparison.levels)


def test_customer_postcode_address_identifier_and_towns_not_in_the_table() -> None:
    """Slips count: a digit mistyped or two swapped in a postcode or an id, a town typed
    with a slip or without its space (FEBRL's duplicates are made so, as CRMs are)."""
    a = cust(postcode="2600", address="6 Tullaroop Street", national_id="6988048",
             city="St James")  # fmt: skip
    assert customer_level("postcode", a, cust(postcode=" 2600 ")) == "exact"
    assert customer_level("postcode", a, cust(postcode="2601")) == "one edit"
    assert customer_level("postcode", a, cust(postcode="6200")) == "one edit"  # 26 / 62
    assert customer_level("postcode", a, cust(postcode="2711")) == "differs"
    assert customer_level("address", a, cust(address="6 tullaroop street")) == "exact"
    assert customer_level("address", a, cust(address="6 tullaroop stret")) == "similar"
    assert customer_level("address", a, cust(address="48 goldfinch circuit")) == "differs"
    assert customer_level("address", a, cust(address="tullaroop street")) == "similar"
    assert customer_level("address", a, cust(address="6 tullaroopstreet")) == "similar"
    assert (
        customer_level("address", a, cust(address="8 Tullaroop Street")) == "differs"
    )  # next door
    assert customer_level("identifier", a, cust(national_id="6988048")) == "exact"
    assert customer_level("identifier", a, cust(national_id="6988043")) == "one edit"
    assert customer_level("identifier", a, cust(national_id="6980848")) == "one edit"  # 80 / 08
    assert customer_level("identifier", a, cust(national_id="1234567")) == "differs"
    assert customer_level("place", a, cust(city="st james")) == "city"  # as written
    assert customer_level("place", a, cust(city="Bittern")) == "differs"
    assert customer_level("place", a, cust(city="stjames")) == "city"  # spaces
    assert customer_level("place", a, cust(city="St Jomes")) == "city"  # one slip
    assert customer_level("place", cust(city="Bexley"), cust(city="Bexlee")) == "city"
    assert customer_level("place", cust(city="Ryde"), cust(city="Rye")) == "differs"  # short
    assert customer_level("place", a, cust(city="上海")) is None  # one known, one not
