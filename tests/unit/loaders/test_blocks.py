"""loaders.sources.csv_blocks gives the records parse_stream gives, block by block."""

import gzip
import io
from pathlib import Path

import pytest

from loaders.sources import CsvBlock, Dialect, SourceRow, csv_blocks, parse_stream

HEADER = b"id,name,city\n"
CASES = {
    "plain": HEADER + b"c1,Ann,Paris\nc2,Bo,Rome\n",
    "crlf": b"id,name,city\r\nc1,Ann,Paris\r\nc2,Bo,Rome\r\n",
    "no final newline": HEADER + b"c1,Ann,Paris\nc2,Bo,Rome",
    "blank lines": HEADER + b"\nc1,Ann,Paris\n\n\nc2,Bo,Rome\n\n",
    "quoted cells": HEADER + b'c1,"Ann, Marie",Paris\nc2,"Bo ""B""",Rome\nc3,x"y,z\n',
    "spaces the csv module skips": HEADER + b"c1, Ann,  Paris\n c2,Bo,Rome\n   \nc3,,\n",
    "wrong column count": HEADER + b"c1,Ann\nc2,Bo,Rome,extra\n,\n\t\n",
    "a record over lines": HEADER + b'c1,"Ann\nMarie",Paris\nc2,Bo,Rome\n',
    "invalid utf-8": HEADER + b"c1,Ann,Par\xffis\nc2,Bo,Rome\n",
    "lone carriage return": HEADER + b"c1,Ann,Pa\rris\nc2,Bo,Rome\n",
    "nul": HEADER + b"c1,Ann,Pa\x00ris\nc2,Bo,Rome\n",
    "bom": b"\xef\xbb\xbf" + HEADER + b"c1,Ann,Paris\n",
    "unicode": HEADER + "c1,李娜,上海\nc2,Zoë,Köln\n".encode(),
    "blank first line": b"\n" + HEADER + b"c1,Ann,Paris\n",
    "quoted header": b'"id","name",city\nc1,Ann,Paris\n',
}


def _rows(items: list[CsvBlock | SourceRow]) -> list[SourceRow]:
    out: list[SourceRow] = []
    for item in items:
        if isinstance(item, CsvBlock):
            out += [item.record(i) for i in range(len(item.lines))]
        else:
            out.append(item)
    return out


@pytest.mark.parametrize("data", CASES.values(), ids=CASES.keys())
@pytest.mark.parametrize("name", ["x.csv", "x.tsv"])
def test_blocks_give_the_records_parse_stream_gives(data, name):
    if name.endswith(".tsv"):
        data = data.replace(b",", b"\t")
    path = Path(name)
    expected = list(parse_stream(path, io.BytesIO(data), "csv", Dialect()))
    assert _rows(list(csv_blocks(path, io.BytesIO(data), Dialect()))) == expected


def test_many_blocks_keep_their_line_numbers(tmp_path, monkeypatch):
    monkeypatch.setattr("loaders.sources._BLOCK_BYTES", 64)
    lines = [f"c{i},name {i},city" if i % 7 else "" for i in range(400)]
    lines[250] = 'c250,"quoted, cell",city'
    data = HEADER + "\n".join(lines).encode()
    path = tmp_path / "x.csv.gz"
    path.write_bytes(gzip.compress(data))
    with gzip.open(path) as stream:
        items = list(csv_blocks(path, stream, Dialect()))
    assert sum(isinstance(i, CsvBlock) for i in items) > 10
    with gzip.open(path) as stream:
        assert _rows(items) == list(parse_stream(path, stream, "csv", Dialect()))


def test_after_a_record_over_lines_the_rest_is_read_record_by_record(monkeypatch):
    monkeypatch.setattr("loaders.sources._BLOCK_BYTES", 8)
    data = HEADER + b"c1,Ann,Paris\n" + b'c2,"Bo\nB",Rome\n' + b"c3,Cy,Oslo\n" * 5
    items = list(csv_blocks(Path("x.csv"), io.BytesIO(data), Dialect()))
    assert isinstance(items[0], CsvBlock)
    assert all(isinstance(i, SourceRow) for i in items[1:])
    assert _rows(items) == list(parse_stream(Path("x.csv"), io.BytesIO(data), "csv", Dialect()))
