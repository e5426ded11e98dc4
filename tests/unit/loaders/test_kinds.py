"""Row validation: the reasons a row is rejected, and what a valid row becomes."""

import pytest
from pydantic import ValidationError

from loaders.kinds import MODELS, content_hash, parse_timestamp, reasons_of


def reasons(kind, row):
    with pytest.raises(ValidationError) as e:
        MODELS[kind].model_validate(row)
    return reasons_of(e.value)


PURCHASE = {"id": "o1", "customer_id": "c1", "brand_id": "b1", "at": "2024-05-01"}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"id": ""}, "id: Field required"),  # a blank cell is a missing value
        ({"id": "  "}, "id: Field required"),
        ({"customer_id": None}, "customer_id: Input should be a valid string"),
        ({"at": "2024-13-01"}, "at: '2024-13-01' is not a date"),
        ({"total": "-3"}, "total: Input should be greater than or equal to 0 (got '-3')"),
        ({"channel": "fax"}, "channel: Input should be 'online', "),
        ({"currency": "euro"}, "currency: String should match pattern"),
        ({"payment_hash": "4111111111111111"}, "payment_hash: not a SHA-256"),
        ({"address_hash": "1 Main St"}, "address_hash: not a SHA-256"),
        ({"refunded_at": "2024-04-30"}, "row: refunded_at is before at"),
    ],
)
def test_purchase_reasons(change, expected):
    assert reasons("purchases", {**PURCHASE, **change})[0].startswith(expected)


def test_missing_key_and_every_reason_at_once():
    got = reasons("purchases", {"customer_id": "c1", "at": "x", "total": -1})
    assert [r.split(":")[0] for r in got] == ["id", "brand_id", "at", "total"]


def test_blank_cells_take_the_defaults():
    row = MODELS["purchases"].model_validate(
        {**PURCHASE, "total": "", "channel": " ", "items": [{"product_id": "p1", "quantity": ""}]}
    )
    assert (row.total, row.channel, row.items[0].quantity) == (None, None, 1)


@pytest.mark.parametrize("value", [1714557600, "20240501", 0])
def test_epoch_seconds_and_compact_dates_are_refused_not_read_as_1970(value):
    with pytest.raises(ValueError, match="looks like epoch seconds or a compact date"):
        parse_timestamp(value)


def test_timestamps():
    assert parse_timestamp("2024-01-01") == 1704067200000
    assert parse_timestamp("2024-01-01T08:00:00+08:00") == 1704067200000
    assert parse_timestamp("2024-01-01T00:00:00Z") == 1704067200000
    assert parse_timestamp("1704067200000") == 1704067200000
    assert parse_timestamp("") is None
    with pytest.raises(ValueError, match="outside 1900-2100"):
        parse_timestamp(10**15)


def test_purchase_from_csv_cells_with_items_and_computed_total():
    row = (
        MODELS["purchases"]
        .model_validate(
            {
                **PURCHASE,
                "items": [
                    {"product_id": "p1", "quantity": "2", "unit_price": "1.5"},
                    {"product_id": "p2", "unit_price": "3"},
                ],
            }
        )
        .prepare()
    )
    assert row["props"]["total"] == 6.0
    assert row["items"] == [
        {"id": "p1", "quantity": 2, "unit_price": 1.5},
        {"id": "p2", "quantity": 1, "unit_price": 3.0},
    ]


def test_social_account_keeps_hashes_not_contact_details():
    row = (
        MODELS["social_accounts"]
        .model_validate(
            {
                "id": "a1",
                "platform": "wechat",
                "customer_id": "c1",
                "email": "A@B.com",
                "phone": "+86 138 0013 8000",
            }
        )
        .prepare()
    )
    props = row["props"]
    assert props["claimed_customer_id"] == "c1"
    assert len(props["email_hash"]) == 64 and len(props["phone_hash"]) == 64
    assert "A@B.com" not in str(row) and "138" not in str(row)


def test_complaint_and_consent_order_of_events():
    assert reasons("complaints", {"id": "k", "customer_id": "c", "about_kind": "brand",
                                  "about_id": "b", "opened_at": "2024-02-01",
                                  "resolved_at": "2024-01-01"}) == [
        "row: resolved_at is before opened_at"
    ]  # fmt: skip
    assert reasons("consents", {"customer_id": "c", "brand_id": "b", "granted_at": "2024-02-01",
                                "withdrawn_at": "2024-01-01", "purposes": "marketing"}) == [
        "row: withdrawn_at is before granted_at"
    ]  # fmt: skip


def test_hash_changes_with_content_only():
    a = MODELS["brands"].model_validate({"id": "b1", "name": "A"}).prepare()
    b = MODELS["brands"].model_validate({"name": "A", "id": " b1 "}).prepare()
    c = MODELS["brands"].model_validate({"id": "b1", "name": "B"}).prepare()
    assert a["hash"] == b["hash"] != c["hash"]
    assert content_hash({"x": 1, "y": 2}) == content_hash({"y": 2, "x": 1})


def test_an_external_id_too_long_to_index_is_refused_with_its_reason():
    """Found by the injection test on Neo4j: a 10 KB externalId reached the customer's
    range index, which Neo4j refuses (an INTERNAL error instead of a reason)."""
    got = reasons("customers", {"id": "c1", "external_id": "x" * 257})
    assert len(got) == 1
    assert got[0].startswith("external_id: String should have at most 256 characters")
    assert MODELS["customers"].model_validate({"id": "c1", "external_id": "x" * 256})


def test_a_purchase_keeps_its_hashed_fingerprints_lower_cased_and_its_refund():
    row = MODELS["purchases"].model_validate(
        {**PURCHASE, "payment_hash": "AB" * 32, "device_hash": "cd" * 32,
         "refunded_at": "2024-05-02"}
    ).prepare()  # fmt: skip
    props = row["props"]
    assert (props["payment_hash"], props["device_hash"], props["address_hash"]) == (
        "ab" * 32, "cd" * 32, None,
    )  # fmt: skip
    assert props["refunded_at"] == parse_timestamp("2024-05-02")
