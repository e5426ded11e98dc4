"""Mapping files: rename, template, translate values, parse dates, default."""

import pytest

from loaders.mapping import MappingError, load_mapping


def mapping(tmp_path, text):
    path = tmp_path / "m.toml"
    path.write_text(text)
    return load_mapping(path)


def test_every_step_in_order(tmp_path):
    m = mapping(
        tmp_path,
        """
delimiter = ";"
[columns]
customer_id = "Kunde"
channel = "Kanal"
[templates]
id = "shop-{Kunde}-{Datum[0:4]}-{_line}"
[values.channel]
W = "online"
[dates]
at = "%d.%m.%Y"
[defaults]
currency = "EUR"
""",
    )
    assert m.dialect.delimiter == ";"
    assert m.sources_used() == {"Kunde", "Kanal", "Datum"}
    out, errors = m.apply({"Kunde": "42", "Kanal": "W", "Datum": "2024", "at": "31.01.2024",
                           "currency": " "}, line=7, stem="orders")  # fmt: skip
    assert errors == []
    assert out == {
        "Datum": "2024", "customer_id": "42", "channel": "online", "id": "shop-42-2024-7",
        "at": 1706659200000, "currency": "EUR",
    }  # fmt: skip


def test_a_date_not_in_the_format_is_a_reason(tmp_path):
    m = mapping(tmp_path, '[dates]\nat = "%Y%m%d"\n')
    _, errors = m.apply({"at": "1997-01-01"}, line=1, stem="x")
    assert errors == ["at: '1997-01-01' does not match the date format '%Y%m%d'"]


def test_values_not_listed_pass_through(tmp_path):
    m = mapping(tmp_path, '[values.channel]\nW = "online"\n')
    assert m.apply({"channel": "store"}, line=1, stem="x")[0] == {"channel": "store"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("colums = 1", "unknown entries colums"),
        ('format = "xml"', "format must be csv or jsonl"),
        ('delimiter = "ab"', "delimiter must be one character"),
        ("[columns]\nid = 3", r"\[columns\] id must be a string"),
        ('[dates]\nat = "YYYY"', "has no strptime codes"),
        ("[values]\nchannel = 1", r"\[values.channel\] must be a table"),
        ("header = []", "header must be a list"),
        ("this is not toml", "not valid TOML"),
    ],
)
def test_bad_mapping_files_name_the_entry(tmp_path, text, message):
    with pytest.raises(MappingError, match=message):
        mapping(tmp_path, text)
