"""Read export files row by row: CSV (any delimiter, or whitespace-separated) and JSONL,
plain or gzip, streamed with the line number and raw text of every record.

A record the reader cannot make sense of (invalid UTF-8, malformed JSON, a JSON value that
is not an object, the wrong number of CSV fields) still comes out, with ``errors`` set, so
the caller can reject it with its line and text: nothing is dropped here.
"""

from __future__ import annotations

import csv
import gzip
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, Any, Protocol

import orjson

WHITESPACE = "whitespace"
_SURROGATE = re.compile("[\udc80-\udcff]")
_FORMATS = {".csv": "csv", ".tsv": "csv", ".txt": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl",
            ".json": "jsonl"}  # fmt: skip


class SourceError(Exception):
    """The file as a whole cannot be read (missing, unknown format, no header)."""


@dataclass
class SourceRow:
    source: str
    line: int  # 1-based line where the record starts
    raw: str  # the record as it stands in the file (undecodable bytes shown as \\xNN)
    fields: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Dialect:
    """How to split a file: from the file name, overridden by the mapping file."""

    format: str | None = None  # "csv" | "jsonl"; None: from the file name
    delimiter: str | None = None  # a character, "whitespace"; None: tab for .tsv, else comma
    header: tuple[str, ...] | None = None  # column names when the file has no header row
    skip_rows: int = 0  # lines to skip before the header (or the data)


def format_of(path: Path, dialect: Dialect) -> str:
    if dialect.format:
        return dialect.format
    suffixes = [s.lower() for s in path.suffixes if s.lower() not in (".gz", ".gzip")]
    fmt = _FORMATS.get(suffixes[-1]) if suffixes else None
    if fmt is None:
        raise SourceError(
            f"{path}: cannot tell the format from the name; use .csv, .tsv or .jsonl "
            "(optionally .gz), or set format in a --mapping file"
        )
    return fmt


class Progress:
    """Bytes of the file consumed so far (compressed bytes for gzip), for progress bars."""

    def __init__(self, raw: IO[bytes], size: int) -> None:
        self._raw = raw
        self.size = size

    @property
    def position(self) -> int:
        try:
            return self._raw.tell()
        except (OSError, ValueError):
            return self.size


class _Gunzip(gzip.GzipFile):
    """Gunzips ``raw`` and closes it too."""

    def __init__(self, raw: IO[bytes]) -> None:
        super().__init__(fileobj=raw, mode="rb")
        self._raw = raw

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._raw.close()


def open_source(path: Path) -> tuple[IO[bytes], Progress]:
    """Open ``path`` for binary line reading, gunzipping when it starts with the gzip magic."""
    try:
        raw = open(path, "rb")  # noqa: SIM115 - closed by the caller through the returned stream
    except OSError as e:
        raise SourceError(f"{path}: {e.strerror or e}") from None
    size = os.fstat(raw.fileno()).st_size
    if raw.peek(2)[:2] == b"\x1f\x8b":
        return _Gunzip(raw), Progress(raw, size)  # type: ignore[return-value]
    return raw, Progress(raw, size)


def _decode(data: bytes) -> tuple[str, str | None]:
    """Text of ``data``, and an error when it is not valid UTF-8 (the bad byte shown)."""
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as e:
        text = data.decode("utf-8", "backslashreplace")
        return text, f"invalid UTF-8: byte 0x{data[e.start]:02x} at offset {e.start} of the record"


def _strip_eol(text: str) -> str:
    return text.rstrip("\r\n")


def read_rows(path: Path, dialect: Dialect = Dialect()) -> Iterator[SourceRow]:
    """Every record of ``path`` in order. Raises SourceError when the file cannot be read."""
    fmt = format_of(path, dialect)
    stream, _ = open_source(path)
    with stream:
        yield from parse_stream(path, stream, fmt, dialect)


def parse_stream(path: Path, stream: IO[bytes], fmt: str, dialect: Dialect) -> Iterator[SourceRow]:
    """Records of an open binary ``stream`` of ``path`` in format ``fmt``."""
    source = str(path)
    try:
        if dialect.delimiter is None:
            tsv = path.name.lower().removesuffix(".gz").endswith(".tsv")
            dialect = replace(dialect, delimiter="\t" if tsv else ",")
        if fmt == "jsonl":
            yield from _jsonl(source, stream, dialect)
        elif dialect.delimiter == WHITESPACE:
            yield from _whitespace(source, stream, dialect)
        else:
            yield from _csv(source, stream, dialect)
    except (OSError, EOFError, gzip.BadGzipFile) as e:
        raise SourceError(f"{path}: the file is damaged ({e})") from None


def _jsonl(source: str, stream: IO[bytes], dialect: Dialect) -> Iterator[SourceRow]:
    for number, data in enumerate(stream, start=1):
        if number == 1:
            data = data.removeprefix(b"\xef\xbb\xbf")  # a UTF-8 byte-order mark
        if number <= dialect.skip_rows or not data.strip():
            continue
        text, bad = _decode(data)
        row = SourceRow(source, number, _strip_eol(text))
        if bad:
            row.errors.append(bad)
        else:
            try:
                value = orjson.loads(data)
            except orjson.JSONDecodeError as e:
                row.errors.append(f"malformed JSON: {e}")
            else:
                if isinstance(value, dict):
                    row.fields = value
                else:
                    row.errors.append(f"expected a JSON object, got {type(value).__name__}")
        yield row


def _header_or_fail(source: str, header: list[str] | None) -> list[str]:
    if not header or not any(h.strip() for h in header):
        raise SourceError(f"{source}: no header row (give the column names with header = [...])")
    names = [h.strip().lstrip("\ufeff") for h in header]
    seen = {n for n in names if names.count(n) > 1}
    if seen:
        raise SourceError(f"{source}: the header repeats {', '.join(sorted(seen))}")
    return names


def _make(source: str, line: int, raw: str, names: list[str], values: list[str]) -> SourceRow:
    row = SourceRow(source, line, raw)
    bad = _SURROGATE.search(raw)
    if bad:
        row.errors.append(
            f"invalid UTF-8: byte 0x{ord(bad.group()) - 0xDC00:02x} at character {bad.start()}"
        )
        row.raw = raw.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    elif len(values) != len(names):
        row.errors.append(f"wrong column count: {len(values)} fields, the header has {len(names)}")
    else:
        row.fields = dict(zip(names, values, strict=True))
    return row


def _whitespace(source: str, stream: IO[bytes], dialect: Dialect) -> Iterator[SourceRow]:
    names = list(dialect.header) if dialect.header else None
    for number, data in enumerate(stream, start=1):
        if number <= dialect.skip_rows or not data.strip():
            continue
        text = _strip_eol(data.decode("utf-8", "surrogateescape"))
        if names is None:
            names = _header_or_fail(source, text.split())
            continue
        yield _make(source, number, text, names, text.split())
    if names is None:
        _header_or_fail(source, None)


class _LineStream(Protocol):
    def readline(self) -> bytes: ...


class _Lines:
    """Feeds csv.reader decoded lines and remembers which ones the current record used."""

    def __init__(self, stream: _LineStream, skip: int) -> None:
        self._stream = stream
        self.number = 0
        self.start = 1
        self.used: list[str] = []
        for _ in range(skip):
            if not stream.readline():
                break
            self.number += 1

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        data = self._stream.readline()
        if not data:
            raise StopIteration
        self.number += 1
        if not self.used:
            self.start = self.number
        text = data.decode("utf-8", "surrogateescape")
        self.used.append(text)
        return text

    def take(self) -> tuple[int, str]:
        raw = _strip_eol("".join(self.used))
        self.used = []
        return self.start, raw


def _csv(
    source: str,
    stream: _LineStream,
    dialect: Dialect,
    names: list[str] | None = None,
    consumed: int = 0,
) -> Iterator[SourceRow]:
    """Records of a delimited file; ``names`` and ``consumed`` (lines already read) when
    the caller has read the header and some lines itself."""
    lines = _Lines(stream, dialect.skip_rows)
    lines.number += consumed
    reader = csv.reader(
        lines, delimiter=dialect.delimiter or ",", skipinitialspace=True, strict=False
    )
    if names is None and dialect.header:
        names = list(dialect.header)
    while True:
        try:
            values = next(reader)
        except StopIteration:
            if names is None:
                _header_or_fail(source, None)
            return
        except csv.Error as e:
            line, raw = lines.take()
            yield SourceRow(source, line, raw, errors=[f"malformed CSV: {e}"])
            continue
        line, raw = lines.take()
        if not values or (values == [""] and not raw.strip()):
            continue
        if names is None:
            names = _header_or_fail(source, values)
            continue
        yield _make(source, line, raw, names, values)


@dataclass
class CsvBlock:
    """Consecutive one-line records of a delimited file: ``lines[i]`` (without its line
    end) is the record at line ``numbers[i]``, ``cells[i]`` its fields as the csv module
    reads them."""

    source: str
    names: list[str]
    numbers: list[int]
    lines: list[str]
    cells: list[list[str]]

    def has_full_record(self) -> bool:
        """Whether some record has as many cells as the header."""
        width = len(self.names)
        return any(len(cells) == width for cells in self.cells)

    def record(self, i: int) -> SourceRow:
        """Record ``i`` as parse_stream gives it (a wrong column count included)."""
        return _make(self.source, self.numbers[i], self.lines[i], self.names, self.cells[i])


class _Pending:
    """A binary stream that gives back ``data`` before the rest of ``stream``."""

    def __init__(self, data: bytes, stream: IO[bytes]) -> None:
        self._data = data
        self._stream = stream

    def readline(self) -> bytes:
        if not self._data:
            return self._stream.readline()
        end = self._data.find(b"\n") + 1
        if not end:  # the rest of a line that the stream holds
            line, self._data = self._data + self._stream.readline(), b""
            return line
        line, self._data = self._data[:end], self._data[end:]
        return line


_BLOCK_BYTES = 1 << 16


def csv_blocks(path: Path, stream: IO[bytes], dialect: Dialect) -> Iterator[CsvBlock | SourceRow]:
    """The records of a delimited file, in order: the same records, lines, raw text and
    fields as parse_stream, read a block of lines at a time. Lines that need the csv module
    (quotes, spaces it skips) are read by it one by one; from the first block that breaks a
    block's rules (a record over several lines, invalid UTF-8, a lone carriage return,
    NUL) the rest of the file comes from parse_stream's reader, record by record.
    Raises SourceError as parse_stream does."""
    delimiter = dialect.delimiter
    if delimiter is None:
        tsv = path.name.lower().removesuffix(".gz").endswith(".tsv")
        delimiter = "\t" if tsv else ","
    if delimiter in (WHITESPACE, " ") or dialect.header or dialect.skip_rows:
        yield from parse_stream(path, stream, "csv", dialect)
        return
    source = str(path)
    rest = replace(dialect, delimiter=delimiter)
    try:
        first = stream.readline()
        header = _block(first.removeprefix(b"\xef\xbb\xbf"), delimiter, source, [], 0)
        if header is None or len(header.cells) != 1:
            yield from _csv(source, _Pending(first, stream), rest)
            return
        names = _header_or_fail(source, header.cells[0])
        consumed = 1
        left = b""  # the start of a line the last read cut
        while True:
            data = stream.read(_BLOCK_BYTES)
            if not data:
                chunk, left = left, b""
            else:
                data = left + data
                end = data.rfind(b"\n") + 1
                chunk, left = data[:end], data[end:]
            if not chunk:
                if not data:
                    return
                continue
            block = _block(chunk, delimiter, source, names, consumed)
            if block is None:
                yield from _csv(source, _Pending(chunk + left, stream), rest, names, consumed)
                return
            consumed += chunk.count(b"\n") + (not chunk.endswith(b"\n"))
            if block.lines:
                yield block
    except (OSError, EOFError, gzip.BadGzipFile) as e:
        raise SourceError(f"{path}: the file is damaged ({e})") from None


def _block(
    data: bytes, delimiter: str, source: str, names: list[str], consumed: int
) -> CsvBlock | None:
    """The records of whole lines ``data`` (after ``consumed`` lines), or None when a record
    may span lines or the bytes are not plain UTF-8."""
    if b"\x00" in data:
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if "\r" in text:
        if text.count("\r") != text.count("\r\n"):
            return None
        text = text.replace("\r\n", "\n")
    lines = text.removesuffix("\n").split("\n")
    cells = [line.split(delimiter) for line in lines]
    # The csv module reads quotes, and skips spaces at the start of a field: such lines
    # are read by it, and must end their record.
    spaced = delimiter + " "
    if '"' in text or spaced in text or text.startswith(" ") or "\n " in text:
        for i, line in enumerate(lines):
            if '"' in line or spaced in line or line.startswith(" "):
                reader = csv.reader(
                    [line + "\n", "\n"], delimiter=delimiter, skipinitialspace=True, strict=False
                )
                cells[i] = next(reader)
                if reader.line_num != 1:
                    return None
    block = CsvBlock(source, names, [], [], [])
    for i, line in enumerate(lines):
        values = cells[i]
        if not values or not line or (values == [""] and not line.strip()):
            continue  # a blank line, as the csv path skips it
        block.numbers.append(consumed + 1 + i)
        block.lines.append(line)
        block.cells.append(values)
    return block
