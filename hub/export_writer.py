"""Rows to files, a page at a time: flattened GraphQL results as Arrow record batches,
written as Parquet or CSV while the next page is read (memory holds one page).

pyarrow ships no type information: what this module takes from it is typed here, at its
boundary (rows in, a file out).
"""

import enum
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

Row = dict[str, Any]


class TableFormat(enum.StrEnum):
    parquet = "parquet"
    csv = "csv"


def flatten(value: Mapping[str, Any], prefix: str = "") -> Row:
    """One flat row of a GraphQL result object: nested objects become dotted columns
    (`brand.name`), lists become JSON text (a column holds one value a row in both
    formats)."""
    row: Row = {}
    for key, item in value.items():
        name = f"{prefix}{key}"
        if isinstance(item, Mapping):
            row.update(flatten(item, f"{name}."))
        elif isinstance(item, list):
            row[name] = orjson.dumps(item).decode()
        else:
            row[name] = item
    return row


def _arrow_type(values: Iterable[Any]) -> Any:
    """The Arrow type of a column from its first page: bool, int64, float64, else text.
    A column without any value on its first page is text (its later values as text)."""
    kinds = {type(v) for v in values if v is not None}
    if kinds == {bool}:
        return pa.bool_()
    if kinds == {int}:
        return pa.int64()
    if kinds and kinds <= {int, float}:
        return pa.float64()
    return pa.string()


def _coerce(value: Any, arrow_type: Any) -> Any:
    if value is None:
        return None
    if arrow_type == pa.string() and not isinstance(value, str):
        return orjson.dumps(value).decode()  # true, 12, 1.5: as JSON writes them
    if arrow_type == pa.float64() and isinstance(value, int):
        return float(value)
    return value


class TableSink:
    """A Parquet or CSV file written batch by batch. Columns and their types are set by the
    first batch (GraphQL gives every row of a selection the same fields); a later column
    the first batch did not have is refused as a ValueError, since files cannot grow one."""

    def __init__(self, path: Path, fmt: TableFormat) -> None:
        self.path, self.format = path, fmt
        self.rows = 0
        self._schema: Any = None
        self._writer: Any = None

    def write(self, rows: list[Row]) -> None:
        """Append ``rows`` (flat). Raises ValueError for a column the file does not have."""
        if not rows:
            return
        if self._schema is None:
            columns: dict[str, None] = {}
            for row in rows:
                columns.update(dict.fromkeys(row))
            self._schema = pa.schema(
                [(name, _arrow_type(r.get(name) for r in rows)) for name in columns]
            )
            self._writer = self._open()
        names = set(self._schema.names)
        for row in rows:
            extra = set(row) - names
            if extra:
                raise ValueError(f"a later page has columns the first did not: {sorted(extra)}")
        arrays = [
            pa.array([_coerce(r.get(f.name), f.type) for r in rows], type=f.type)
            for f in self._schema
        ]
        self._writer.write_batch(pa.RecordBatch.from_arrays(arrays, schema=self._schema))
        self.rows += len(rows)

    def _open(self) -> Any:
        if self.format is TableFormat.parquet:
            return pq.ParquetWriter(str(self.path), self._schema)
        return pa_csv.CSVWriter(str(self.path), self._schema)

    def close(self) -> None:
        """Finish the file; a sink that got no rows writes an empty file (no columns)."""
        if self._writer is not None:
            self._writer.close()
        elif self.format is TableFormat.parquet:
            pq.write_table(pa.table({}), str(self.path))
        else:
            self.path.write_text("")
