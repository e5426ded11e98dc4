"""Email and phone evidence: normalised, hashed, masked, placeholders."""

from __future__ import annotations

import hashlib

import pytest

from identity import contact


@pytest.mark.parametrize(
    ("written", "region"),
    [("13812345678", "CN"), ("+86 138 1234 5678", None), ("0086 138 1234 5678", "US"),
     ("+86-13812345678", None), ("138-1234-5678", "CN"), ("(+86) 138 1234 5678", None)],
)  # fmt: skip
def test_chinese_mobile_in_every_format_is_one_e164(written: str, region: str | None) -> None:
    assert contact.normalise_phone(written, region) == "+8613812345678"


def test_national_numbers_are_read_in_the_records_country() -> None:
    assert contact.normalise_phone("(415) 555-0134", "US") == "+14155550134"
    assert contact.normalise_phone("07700 900123", "GB") == "+447700900123"
    assert contact.normalise_phone("06 12 34 56 78", "FR") == "+33612345678"
    assert contact.normalise_phone("(415) 555-0134", None) is None  # no country: unknown


@pytest.mark.parametrize("junk", ["", "abc", "+", "1", "☎️", "9" * 60])
def test_not_a_phone(junk: str) -> None:
    assert contact.normalise_phone(junk, "CN") is None


def test_placeholders() -> None:
    assert contact.is_placeholder_phone("+8613800138000")
    assert contact.is_placeholder_phone("+8611111111111")
    assert contact.normalise_phone("00000000000", "CN") is None  # not even a number
    assert not contact.is_placeholder_phone("+8613812345678")
    assert contact.is_placeholder_email("test@test.com")
    assert contact.is_placeholder_email("noemail@example.com")
    assert not contact.is_placeholder_email("wang.wei@163.com")


def test_a_placeholder_is_known_by_its_hash_too() -> None:
    def sha(text: str) -> str:
        return hashlib.sha256(text.encode()).hexdigest()

    assert contact.placeholder_hash(sha("+8613800138000")) == "phone"
    assert contact.placeholder_hash(sha("8613800138000")) == "phone"  # without its '+'
    assert contact.placeholder_hash(sha("+15555555555")) == "phone"  # US, one digit repeated
    assert contact.placeholder_hash(sha("+14155555555")) is None
    assert contact.placeholder_hash(sha("test@qq.com")) == "email"
    assert contact.placeholder_hash(sha("noemail@example.com")) == "email"
    assert contact.placeholder_hash(sha("+8613812345678")) is None
    assert contact.placeholder_hash(sha("wang.wei@163.com")) is None


def test_hashes_are_sha256_of_the_normalised_value_with_or_without_plus() -> None:
    digest = hashlib.sha256(b"+8613812345678").hexdigest()
    bare = hashlib.sha256(b"8613812345678").hexdigest()
    assert contact.phone_hashes("+8613812345678") == {digest, bare}
    assert contact.normalise_email("  Wang.Wei@163.COM ") == "wang.wei@163.com"
    assert contact.normalise_hash(digest.upper()) == digest
    assert contact.normalise_hash("not a hash") is None


def test_masked_phone_agrees_with_prefix_suffix_and_length_only() -> None:
    mask = contact.parse_masked_phone("138****5678")
    assert mask is not None
    assert contact.masked_phone_agrees(mask, "+8613812345678")
    assert not contact.masked_phone_agrees(mask, "+8613912345678")
    assert not contact.masked_phone_agrees(mask, "+861381235678")  # one digit short
    foreign = contact.parse_masked_phone("+33 612**5678")
    assert foreign is not None and foreign.country_code == "33"
    assert contact.masked_phone_agrees(foreign, "+33612345678")
    assert not contact.masked_phone_agrees(foreign, "+44612345678")
    assert contact.parse_masked_phone("1*******8") is None  # too little left


def test_masked_email_agrees_with_visible_parts_and_domain() -> None:
    mask = contact.parse_masked_email("wa***i@163.com")
    assert mask is not None
    assert contact.masked_email_agrees(mask, "wangwei@163.com")
    assert not contact.masked_email_agrees(mask, "wangwei@qq.com")
    assert not contact.masked_email_agrees(mask, "wangfang@163.com")
    assert contact.parse_masked_email("wangwei@163.com") is None  # nothing masked
