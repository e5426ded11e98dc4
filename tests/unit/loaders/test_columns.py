"""Validation by column (loaders/columns.py) makes the rows the models make, and leaves
every record it is unsure of to the model, so rejects keep the model's reasons."""

import itertools
from pathlib import Path

import pytest

from loaders.columns import PLAIN
from loaders.export import export_files
from loaders.kinds import MODELS
from loaders.mapping import Mapping
from loaders.reader import Reader
from loaders.sources import open_source, read_rows
from loaders.synthetic import SyntheticConfig

# Cells that are fine, odd, or wrong for some field of some plain kind.
ODD_CELLS = [
    "", " ", "x", " x ", "\tx", "x\u2003", "\x1cx", "李娜", "a" * 256, "a" * 257, "like",
    " like", "Like", "brand", "account", "view", "declared", "0", "1", "0.5", " 0.5", ".5",
    "5.", "1e-1", "1.01", "-1", "nan", "inf", "12.30", "9" * 20, "2024-05-01",
    "2024-05-01T10:00:00Z", "2024-05-01T10:00:00.123Z", "2024-05-01T10:00:00+08:00",
    "2024-02-30T10:00:00Z", "1714557600000", "1714557600", "20240501", "1899-12-31T00:00:00Z",
    "2100-01-01T00:00:00Z", "1960-01-01T00:00:00Z", "marketing", "marketing|analytics",
    "marketing| partner_sharing |", "|", "[\"marketing\"]", "spam", "marketing|spam",
]  # fmt: skip


def _model_row(kind: str, names: list[str], cells: list[str]) -> dict | None:
    fields = {n: c for n, c in zip(names, cells, strict=True)}
    try:
        return MODELS[kind].model_validate(fields).prepare()
    except ValueError:  # pydantic's ValidationError, or a list cell that is not JSON
        return None


@pytest.mark.parametrize("kind", sorted(PLAIN))
def test_a_row_checked_by_column_is_the_models_row(kind):
    plain = PLAIN[kind]
    names = list(plain.converters)
    checked = 0
    for field in names:  # one odd cell at a time in an otherwise valid record
        base = _valid_record(kind)
        records = [[c if n != field else odd for n, c in zip(names, base, strict=True)]
                   for odd in ODD_CELLS]  # fmt: skip
        for cells, row in zip(records, plain.rows(names, records), strict=True):
            if row is not None:
                checked += 1
                assert row == _model_row(kind, names, cells), (field, cells)
    assert checked > len(names)  # the converters do decide on most good cells


def _valid_record(kind: str) -> list[str]:
    valid = {
        "id": "x1", "name": "n", "category": "c", "brand_id": "b1", "price": "9.5",
        "account_id": "a1", "target_kind": "brand", "target_id": "b1", "since": "",
        "post_id": "p1", "kind": "like", "at": "2024-05-01T10:00:00Z", "text": "hi",
        "customer_id": "c1", "tag_id": "t1", "weight": "0.5", "source": "crm",
        "granted_at": "2024-05-01", "withdrawn_at": "", "purposes": "marketing",
        "policy_version": "v1", "segment_id": "s1",
    }  # fmt: skip
    return [valid[n] for n in PLAIN[kind].converters]


def test_an_undecided_record_is_none_and_wrong_widths_too():
    plain = PLAIN["interactions"]
    names = list(plain.converters)
    good = ["a1", "p1", "like", "2024-05-01T10:00:00Z", ""]
    rows = plain.rows(names, [good, good[:4], [*good, "x"], ["a1", "p1", "Like", good[3], ""]])
    assert rows[0] == _model_row("interactions", names, good)
    assert rows[1:] == [None, None, None]


def test_consents_withdrawn_before_granted_go_to_the_model():
    plain = PLAIN["consents"]
    names = list(plain.converters)
    cells = ["c1", "b1", "2024-05-01", "2024-04-01", "marketing", "", ""]
    assert plain.rows(names, [cells]) == [None]
    assert _model_row("consents", names, cells) is None


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    return export_files(SyntheticConfig(customers=150), tmp_path_factory.mktemp("x"), "csv")


def _read(kind: str, path: Path, tmp: Path) -> tuple[list, list]:
    reader = Reader(kind, [path], Mapping(), 1000)
    stream, _ = open_source(path)
    with stream:
        out = list(reader._prepared(path, "csv", stream))
    return out, reader.rejects


@pytest.mark.parametrize("kind", sorted(PLAIN))
def test_the_reader_gives_the_models_rows_for_an_export(kind, export, tmp_path, monkeypatch):
    path = export.files[kind]
    expected = [
        (MODELS[kind].model_validate(r.fields).prepare(), (r.source, r.line, r.raw))
        for r in read_rows(path)
    ]
    out, rejects = _read(kind, path, tmp_path)
    assert out == expected and not rejects


def test_clean_rows_do_not_go_through_the_model(export, tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the model validated a clean row")

    monkeypatch.setattr(MODELS["interactions"], "model_validate", refuse)
    out, rejects = _read("interactions", export.files["interactions"], tmp_path)
    assert len(out) > 1000 and all(row is not None for row, _ in out) and not rejects


def test_rejects_are_the_models_with_their_lines(tmp_path):
    header = "account_id,post_id,kind,at,text"
    good = [f"a{i},p{i},like,2024-05-01T10:00:0{i % 10}Z," for i in range(30)]
    bad = [
        "a1,p1,Like,2024-05-01,", "a2,,view,2024-05-01,", "a3,p3,view,20240501,", "a4,p4,view",
        'a5,p5,view,2024-05-01,"said ""hi"", twice"', " a6,p6,view,x,",
    ]  # fmt: skip
    lines = [header, *itertools.chain.from_iterable(zip(good[:6], bad, strict=True)), *good[6:]]
    path = tmp_path / "interactions.csv"
    path.write_text("\n".join(lines) + "\n")
    out, rejects = _read("interactions", path, tmp_path)
    # The same file through the model alone, record by record:
    reader = Reader("interactions", [path], Mapping(), 1000)
    stream, _ = open_source(path)
    with stream:
        expected = [(reader._prepare(r), (r.source, r.line, r.raw))
                    for r in reader._records(path, "csv", stream)]  # fmt: skip
    assert out == expected
    assert rejects == reader.rejects
    assert len(rejects) == 5  # the quoted comment is a good row
