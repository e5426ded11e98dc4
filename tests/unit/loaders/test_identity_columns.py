"""The identity evidence columns of customers and social accounts, and their keys: the
reason each bad value is rejected with (never repeating a hash), and the keys a valid row
gets (plain SHA-256 of the value normalised as identity/contact.py normalises it)."""

import hashlib

import pytest
from pydantic import ValidationError

from loaders.kinds import MODELS, reasons_of


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def props(kind, row, region=None):
    model = MODELS[kind].model_validate(row, context={"default_region": region})
    return model.prepare()["props"]


def reasons(kind, row, region=None):
    with pytest.raises(ValidationError) as e:
        MODELS[kind].model_validate(row, context={"default_region": region})
    return reasons_of(e.value)


CUSTOMER = {"id": "c1"}
ACCOUNT = {"id": "a1", "platform": "wechat"}
MOBILE = "+8613812345678"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"birth_date": "12/06/1984"}, "birth_date: not an ISO date (YYYY-MM-DD, like 1984-06-12)"),
        ({"birth_date": "19840612"}, "birth_date: not an ISO date (YYYY-MM-DD, like 1984-06-12)"),
        ({"birth_date": "1984-02-30"}, "birth_date: not a day of the calendar (YYYY-MM-DD)"),
        ({"birth_date": "1850-01-01"}, "birth_date: is outside 1900-2100"),
        ({"birth_date": "1984-06-12", "birth_year": "1985"},
         "row: birth_date is in another year than birth_year"),
        ({"email": "wang.wei@163"}, "row: email is not an address (name@domain.tld)"),
        ({"phone": "12-34"}, "row: phone has fewer than 6 digits"),
    ],
)  # fmt: skip
def test_customer_rejects(change, expected):
    assert reasons("customers", {**CUSTOMER, **change}) == [expected]


BAD_HASH = "ab" * 31 + "zz"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"email_sha256": "abc123"}, "email_sha256: not a SHA-256 (64 hexadecimal characters)"),
        ({"phone_sha256": BAD_HASH}, "phone_sha256: not a SHA-256 (64 hexadecimal characters)"),
        ({"phone_sha256": sha(MOBILE) + "0"},
         "phone_sha256: not a SHA-256 (64 hexadecimal characters)"),
        ({"email_masked": "wang@163.com"},
         "email_masked: not a masked address: '*' for the hidden part, then @domain"),
        ({"email_masked": "wa***163.com"},
         "email_masked: not a masked address: '*' for the hidden part, then @domain"),
        ({"phone_masked": "13812345678"},
         "phone_masked: not a masked phone: digits and '*', with at least 4 digits shown"),
        ({"phone_masked": "1*******8"},
         "phone_masked: not a masked phone: digits and '*', with at least 4 digits shown"),
        ({"phone_masked": "138-abcd-5678"},
         "phone_masked: not a masked phone: digits and '*', with at least 4 digits shown"),
        ({"email": "wang.wei@163.com", "email_sha256": sha("li.na@163.com")},
         "row: email_sha256 is not the SHA-256 of email (trimmed, lower-cased)"),
        ({"phone": "+86 138 1234 5678", "phone_sha256": sha("+8613900000000")},
         "row: phone_sha256 is not the SHA-256 of phone (E.164)"),
    ],
)  # fmt: skip
def test_account_rejects(change, expected):
    assert reasons("social_accounts", {**ACCOUNT, **change}) == [expected]


def test_a_rejected_hash_is_not_repeated_in_the_reason():
    got = reasons("social_accounts", {**ACCOUNT, "email_sha256": BAD_HASH})
    assert BAD_HASH not in str(got) and "abab" not in str(got)


def test_customer_keys_are_plain_sha256_of_identity_normalisation():
    got = props("customers", {**CUSTOMER, "email": " Wang.Wei@163.COM ",
                              "phone": "138 1234 5678", "country": "CN"})  # fmt: skip
    assert got["email_hash"] == sha("wang.wei@163.com")
    assert got["phone_hash"] == sha(MOBILE)
    assert got["key_version"] == 2


def test_a_phone_without_country_code_is_read_in_the_country_then_the_default_region():
    written = {**CUSTOMER, "phone": "06 12 34 56 78"}
    assert props("customers", {**written, "country": "FR"})["phone_hash"] == sha("+33612345678")
    assert props("customers", written, region="FR")["phone_hash"] == sha("+33612345678")
    # Nowhere to read it: the phone is kept, without a key (it links nothing).
    kept = props("customers", written)
    assert kept["phone"] == "06 12 34 56 78" and kept["phone_hash"] is None


def test_layouts_of_one_number_meet():
    keys = {
        props("customers", {**CUSTOMER, "phone": p, "country": "CN"})["phone_hash"]
        for p in ("13812345678", "+86 138 1234 5678", "0086-138-1234-5678", "(+86) 138 1234 5678")
    }
    account = props("social_accounts", {**ACCOUNT, "phone": "138 1234 5678"})
    assert keys == {account["phone_hash"]} == {sha(MOBILE)}


def test_an_account_phone_is_read_in_its_platforms_country_else_the_default_region():
    assert props("social_accounts", {**ACCOUNT, "phone": "13812345678"})["phone_hash"] == sha(
        MOBILE
    )
    on_instagram = {"id": "a1", "platform": "instagram", "phone": "06 12 34 56 78"}
    assert props("social_accounts", on_instagram)["phone_hash"] is None
    assert props("social_accounts", on_instagram, "FR")["phone_hash"] == sha("+33612345678")


def test_the_new_columns_are_stored_and_a_supplied_hash_is_the_key():
    got = props("social_accounts", {
        **ACCOUNT, "location": "上海", "email_sha256": sha("wa@163.com").upper(),
        "phone_sha256": sha(MOBILE), "email_masked": "wa***@163.com",
        "phone_masked": "138****5678",
    })  # fmt: skip
    assert got["email_hash"] == sha("wa@163.com")  # lower-cased
    assert got["phone_hash"] == sha(MOBILE)
    assert (got["location"], got["email_masked"], got["phone_masked"]) == (
        "上海", "wa***@163.com", "138****5678",
    )  # fmt: skip
    assert {"email_sha256", "phone_sha256"}.isdisjoint(got)


def test_masks_alone_give_no_key():
    got = props("social_accounts", {**ACCOUNT, "email_masked": "wa***@163.com",
                                    "phone_masked": "+33 612**5678"})  # fmt: skip
    assert got["email_hash"] is None and got["phone_hash"] is None


def test_a_hash_beside_its_value_agrees_with_or_without_the_plus():
    with_plus = {**ACCOUNT, "phone": "+86 138 1234 5678", "phone_sha256": sha(MOBILE)}
    without = {**with_plus, "phone_sha256": sha(MOBILE.lstrip("+"))}
    assert props("social_accounts", with_plus)["phone_hash"] == sha(MOBILE)
    # The value's key: the same number as every other source writes it.
    assert props("social_accounts", without)["phone_hash"] == sha(MOBILE)
    email = {**ACCOUNT, "email": "Wa@163.com", "email_sha256": sha("wa@163.com")}
    assert props("social_accounts", email)["email_hash"] == sha("wa@163.com")


def test_a_national_number_beside_a_hash_keeps_the_hash_as_key():
    # The hash holds the country the number does not say (a US number on Instagram).
    row = {"id": "a1", "platform": "instagram", "phone": "(415) 555-0134",
           "phone_sha256": sha("+14155550134")}  # fmt: skip
    assert props("social_accounts", row, region="CN")["phone_hash"] == sha("+14155550134")


def test_birth_date_postcode_and_address_are_stored():
    got = props(
        "customers",
        {
            **CUSTOMER,
            "birth_date": " 1984-06-12 ",
            "birth_year": "1984",
            "postcode": "200040",
            "address": "静安区南京西路 1266 号",
        },
    )
    assert (got["birth_date"], got["postcode"], got["address"]) == (
        "1984-06-12", "200040", "静安区南京西路 1266 号",
    )  # fmt: skip
