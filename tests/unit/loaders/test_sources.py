"""Reading export files: every record comes out with its line and raw text, or its errors."""

import gzip

import pytest

from loaders.sources import WHITESPACE, Dialect, SourceError, read_rows


def write(tmp_path, name, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_csv_records_carry_their_line_and_raw_text(tmp_path):
    path = write(tmp_path, "c.csv", b'id,name\n\nc1,Ann\nc2,"Bo\nB"\nc3,Cy\n')
    rows = list(read_rows(path))
    assert [(r.line, r.fields) for r in rows] == [
        (3, {"id": "c1", "name": "Ann"}),
        (4, {"id": "c2", "name": "Bo\nB"}),  # a quoted field over two lines
        (6, {"id": "c3", "name": "Cy"}),
    ]
    assert rows[1].raw == 'c2,"Bo\nB"'
    assert all(not r.errors for r in rows)


def test_csv_wrong_column_count_and_invalid_utf8_are_reported_not_dropped(tmp_path):
    path = write(tmp_path, "c.csv", b"id,name\nc1,Ann,extra\nc2,B\xffb\nc3,Cy\n")
    rows = list(read_rows(path))
    assert [r.line for r in rows] == [2, 3, 4]
    assert rows[0].errors == ["wrong column count: 3 fields, the header has 2"]
    assert rows[1].errors and rows[1].errors[0].startswith("invalid UTF-8: byte 0xff")
    assert rows[1].raw == "c2,B\\xffb"
    assert rows[2].fields == {"id": "c3", "name": "Cy"} and not rows[2].errors


def test_jsonl_malformed_and_non_object_lines(tmp_path):
    data = b'{"id": "c1"}\n{"id": \n[1, 2]\n{"id": "c\xfe"}\n{"id": "c5"}\n'
    rows = list(read_rows(write(tmp_path, "c.jsonl", data)))
    assert [r.line for r in rows] == [1, 2, 3, 4, 5]
    assert rows[0].fields == {"id": "c1"}
    assert rows[1].errors[0].startswith("malformed JSON")
    assert rows[2].errors == ["expected a JSON object, got list"]
    assert rows[3].errors[0].startswith("invalid UTF-8: byte 0xfe")
    assert rows[4].fields == {"id": "c5"}


def test_gzip_is_detected_by_content(tmp_path):
    path = write(tmp_path, "c.csv.gz", gzip.compress(b"id\nc1\nc2\n"))
    assert [r.fields["id"] for r in read_rows(path)] == ["c1", "c2"]


def test_whitespace_dialect_with_crlf(tmp_path):
    path = write(tmp_path, "x.txt", b" customer_id  date n\r\n 00001 19970101  1\r\n")
    rows = list(read_rows(path, Dialect(delimiter=WHITESPACE)))
    assert rows[0].fields == {"customer_id": "00001", "date": "19970101", "n": "1"}


def test_given_header_and_skipped_rows(tmp_path):
    path = write(tmp_path, "x.csv", b"# exported 2026\nc1;Ann\n")
    rows = list(read_rows(path, Dialect(delimiter=";", header=("id", "name"), skip_rows=1)))
    assert [(r.line, r.fields) for r in rows] == [(2, {"id": "c1", "name": "Ann"})]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("x.parquet", b"", "cannot tell the format"),
        ("x.csv", b"", "no header row"),
        ("x.csv", b"id,id\n", "the header repeats id"),
    ],
)
def test_unreadable_files_fail_with_the_reason(tmp_path, name, data, message):
    with pytest.raises(SourceError, match=message):
        list(read_rows(write(tmp_path, name, data)))


def test_missing_file(tmp_path):
    with pytest.raises(SourceError, match="No such file"):
        list(read_rows(tmp_path / "nope.csv"))


def test_tsv_is_tab_separated_and_a_bom_is_ignored(tmp_path):
    tsv = write(tmp_path, "x.tsv.gz", gzip.compress(b"id\tname\nc1\tA, B\n"))
    assert [r.fields for r in read_rows(tsv)] == [{"id": "c1", "name": "A, B"}]
    jsonl = write(tmp_path, "x.jsonl", b'\xef\xbb\xbf{"id": "c1"}\n')
    assert [r.fields for r in read_rows(jsonl)] == [{"id": "c1"}]
