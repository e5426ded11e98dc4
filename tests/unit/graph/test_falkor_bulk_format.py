"""GRAPH.BULK's encoding of bulk tables, read back by a decoder written from FalkorDB's
reader (src/bulk_insert/bulk_insert.c); the engine itself reads them in
tests/integration/test_falkor_bulk.py."""

import csv
import struct
from pathlib import Path

import pytest

from graph.bulk import BulkTables, BulkValueError, Column, Table
from graph.falkor_bulk_format import CommandStream, encode_header, encoder

ABSENT = object()


def _cstring(data: bytes, at: int) -> tuple[str, int]:
    end = data.index(b"\x00", at)
    return data[at:end].decode(), end + 1


def _value(data: bytes, at: int) -> tuple[object, int]:
    kind, at = data[at], at + 1
    if kind == 0:
        return ABSENT, at
    if kind == 1:
        return bool(data[at]), at + 1
    if kind in (2, 4):
        (value,) = struct.unpack_from("=d" if kind == 2 else "=q", data, at)
        return value, at + 8
    if kind == 3:
        return _cstring(data, at)
    assert kind == 5, f"unknown type byte {kind}"
    (length,) = struct.unpack_from("=q", data, at)
    at += 8
    items = []
    for _ in range(length):
        item, at = _value(data, at)
        items.append(item)
    return items, at


def decode_token(token: bytes, relationships: bool) -> tuple[str, list[dict[str, object]]]:
    """A token's label or type and its rows (relationships with ``_ends``)."""
    name, at = _cstring(token, 0)
    (count,) = struct.unpack_from("=I", token, at)
    at += 4
    props = []
    for _ in range(count):
        prop, at = _cstring(token, at)
        props.append(prop)
    rows = []
    while at < len(token):
        row: dict[str, object] = {}
        if relationships:
            row["_ends"] = struct.unpack_from("=QQ", token, at)
            at += 16
        for prop in props:
            value, at = _value(token, at)
            if value is not ABSENT:
                row[prop] = value
        rows.append(row)
    return name, rows


def decode(commands):
    """Every command's counts checked against its tokens; the rows, in sending order."""
    nodes, rels = [], []
    for command in commands:
        args = command.args()
        begin = args[0] == "BEGIN"
        n, r, node_tokens, rel_tokens, *tokens = args[1:] if begin else args
        assert len(tokens) == node_tokens + rel_tokens
        decoded_nodes = [decode_token(t, False) for t in tokens[:node_tokens]]
        decoded_rels = [decode_token(t, True) for t in tokens[node_tokens:]]
        assert n == sum(len(rows) for _, rows in decoded_nodes)
        assert r == sum(len(rows) for _, rows in decoded_rels)
        nodes += [(label, row) for label, rows in decoded_nodes for row in rows]
        rels += [(rel, row) for rel, rows in decoded_rels for row in rows]
    return nodes, rels


def write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    return path


def tables(tmp_path: Path) -> BulkTables:
    customers = write(
        tmp_path / "customers.csv",
        [
            ["c1", "0123", "42", "a;b", "true"],
            ["c2", "", "", "", "false"],
            ["c3", "x", "-1", "", ""],
        ],
    )
    tags = write(tmp_path / "tags.csv", [["c1", "1.5;2"]])
    tagged = write(tmp_path / "tagged.csv", [["c3", "c1", "0.25"], ["c1", "c1", ""]])
    text = (Column("code", "string"), Column("n", "long"), Column("arr", "string[]"),
            Column("ok", "boolean"))  # fmt: skip
    return BulkTables(
        tmp_path,
        nodes=[
            Table(customers, text, label="Customer", rows=3),
            Table(tags, (Column("w", "double[]"),), label="Tag", rows=1),
        ],
        relationships=[
            Table(
                tagged,
                (Column("weight", "double"),),
                rel="TAGGED",
                source="Customer",
                target="Tag",
                rows=2,
            ),
        ],
    )


@pytest.mark.parametrize("max_bytes", [1 << 20, 1])
def test_tables_read_back_as_written_in_one_command_or_one_row_each(tmp_path, max_bytes):
    commands = list(CommandStream(tables(tmp_path), max_bytes))
    assert [c.begin for c in commands] == [True] + [False] * (len(commands) - 1)
    assert len(commands) == (1 if max_bytes > 1 else 6)
    nodes, rels = decode(commands)
    assert nodes == [
        ("Customer", {"id": "c1", "code": "0123", "n": 42, "arr": ["a", "b"], "ok": True}),
        ("Customer", {"id": "c2", "ok": False}),
        ("Customer", {"id": "c3", "code": "x", "n": -1}),
        ("Tag", {"id": "c1", "w": [1.5, 2.0]}),
    ]
    # Internal ids count nodes in sending order; the Tag c1 is not the Customer c1.
    assert rels == [("TAGGED", {"_ends": (2, 3), "weight": 0.25}), ("TAGGED", {"_ends": (0, 3)})]


def test_progress_marks_say_rows_sent_so_far_per_table(tmp_path):
    marks = [m for c in CommandStream(tables(tmp_path), 1) for m in c.progress]
    tagged = "(Customer)-[TAGGED]->(Tag)"
    assert marks == [
        *[("Customer", 1), ("Customer", 2), ("Customer", 3), ("Tag", 1)],
        *[(tagged, 1), (tagged, 2)],
    ]


def test_no_rows_no_command(tmp_path):
    empty = write(tmp_path / "none.csv", [])
    stream = CommandStream(BulkTables(tmp_path, nodes=[Table(empty, (), label="Customer")]))
    assert list(stream) == []


@pytest.mark.parametrize(
    ("column_type", "cell", "value"),
    [
        ("string", "0123", "0123"),  # by the column's type, never by the look of the cell
        ("string", " padded ", " padded "),
        ("string", "true", "true"),
        ("string", 'é, "q"\n😀', 'é, "q"\n😀'),
        ("long", "0123", 123),
        ("long", "-9223372036854775808", -(2**63)),
        ("double", "1e-05", 1e-05),
        ("double", "3", 3.0),
        ("boolean", "false", False),
        ("string[]", "0123;x", ["0123", "x"]),
        ("long[]", "1;-2", [1, -2]),
        ("double[]", "0.5", [0.5]),
    ],
)
def test_cells_encode_by_column_type(column_type, cell, value):
    encoded = encoder(column_type)(cell)
    decoded, end = _value(encoded, 0)
    assert decoded == value and type(decoded) is type(value) and end == len(encoded)


@pytest.mark.parametrize(
    ("column_type", "cell", "says"),
    [
        ("string", "a\x00b", "NUL"),
        ("long", "1.5", "not a 64-bit integer"),
        ("long", str(2**63), "not a 64-bit integer"),
        ("double", "x", "not a number"),
        ("boolean", "True", "not a boolean"),
        ("long[]", "1;x", "not a 64-bit integer"),
        ("map", "x", "no GRAPH.BULK encoding"),
        ("boolean[]", "true", "no GRAPH.BULK encoding"),
    ],
)
def test_cells_not_of_their_type_are_refused(column_type, cell, says):
    with pytest.raises(BulkValueError, match=says):
        encoder(column_type)(cell)


def test_header_names_must_be_plain_and_distinct():
    assert (
        encode_header("Customer", ["id", "n"])
        == b"Customer\x00" + struct.pack("=I", 2) + b"id\x00n\x00"
    )
    with pytest.raises(BulkValueError, match="not a plain name"):
        encode_header("Customer:Admin", ["id"])
    with pytest.raises(BulkValueError, match="repeated"):
        encode_header("Customer", ["id", "id"])


@pytest.mark.parametrize(
    ("customers", "tagged", "says"),
    [
        ([["c1", "x"], ["c1", "y"]], [], r"customers.csv:2: Customer id 'c1' repeated"),
        ([["", "x"]], [], r"customers.csv:1: a Customer node without an id"),
        ([["c1"]], [], r"customers.csv:1: 1 cells, expected 2"),
        ([["c1", "a\x00"]], [], r"customers.csv:1: a string holds a NUL"),
        ([["c1", "x"]], [["c1", "t9"]], r"tagged.csv:1: no node Tag 't9'"),
        ([["c1", "x"]], [["c9", "t1"]], r"tagged.csv:1: no node Customer 'c9'"),
    ],
)
def test_bad_rows_are_refused_with_file_and_line(tmp_path, customers, tagged, says):
    bulk = BulkTables(
        tmp_path,
        nodes=[
            Table(
                write(tmp_path / "customers.csv", customers),
                (Column("name", "string"),),
                label="Customer",
            ),
            Table(write(tmp_path / "tags.csv", [["t1"]]), (), label="Tag"),
        ],
        relationships=[
            Table(
                write(tmp_path / "tagged.csv", tagged),
                (),
                rel="TAGGED",
                source="Customer",
                target="Tag",
            ),
        ],
    )
    with pytest.raises(BulkValueError, match=says):
        list(CommandStream(bulk))


def test_bad_quoting_is_refused_with_file_and_line(tmp_path):
    path = tmp_path / "customers.csv"
    path.write_text('c1,ok\nc2,"open\n', encoding="utf-8")
    bulk = BulkTables(tmp_path, nodes=[Table(path, (Column("name", "string"),), label="X")])
    with pytest.raises(BulkValueError, match=r"customers.csv:\d+: unexpected end of data"):
        list(CommandStream(bulk))
