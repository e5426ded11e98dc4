"""The synthetic dataset as export files, in exactly the formats `hub load` reads.

`export_rows` turns generated rows into export rows (social accounts carry the evidence an
export would: the CRM id, or the owner's email or phone, never a ready-made link);
`export_files` writes them as one CSV or JSONL file per kind, gzipped by default.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import orjson

from loaders.kinds import MODELS, LineItem
from loaders.synthetic import SyntheticConfig, generate

Row = dict[str, Any]
_TIME_FIELDS = {"created_at", "at", "since", "opened_at", "first_response_at", "resolved_at",
                "granted_at", "withdrawn_at"}  # fmt: skip
_RECENT = 4000  # customers remembered for their accounts (a generator chunk is 1000)


class ExportRows:
    """Generated rows -> export rows; remembers recent customers' email and phone."""

    def __init__(self) -> None:
        self._keys: OrderedDict[str, tuple[str | None, str | None]] = OrderedDict()

    def __call__(self, kind: str, row: Row) -> Row:
        if kind == "customers":
            self._keys[row["id"]] = (row.get("email"), row.get("phone"))
            while len(self._keys) > _RECENT:
                self._keys.popitem(last=False)
            return row
        if kind != "social_accounts":
            return row
        out = {k: row[k] for k in ("id", "platform", "handle", "display_name", "created_at")}
        method, owner = row.get("link_method"), row.get("customer_id")
        email, phone = self._keys.get(owner, (None, None)) if owner else (None, None)
        out["customer_id"] = owner if method == "crm_id" else None
        out["email"] = email if method == "email" else None
        out["phone"] = phone if method == "phone" else None
        return out


def iso(ms: int | None) -> str | None:
    if ms is None:
        return None
    return (
        datetime.fromtimestamp(ms / 1000, tz=UTC)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z")
    )


def columns(kind: str) -> list[str]:
    """The CSV header of ``kind``: its fields, with a purchase's items as per-item columns."""
    names = [n for n in MODELS[kind].model_fields if n != "items"]
    return names + (list(LineItem.model_fields) if kind == "purchases" else [])


def _cell(name: str, value: Any) -> str:
    if value is None:
        return ""
    if name in _TIME_FIELDS:
        return iso(value) or ""
    if isinstance(value, list):
        return "|".join(str(v) for v in value)
    return str(value)


def csv_rows(kind: str, row: Row) -> Iterator[list[str]]:
    names = columns(kind)
    if kind != "purchases":
        yield [_cell(n, row.get(n)) for n in names]
        return
    for item in row.get("items") or [{}]:
        merged = {**row, **item}
        yield [_cell(n, merged.get(n)) for n in names]


def jsonl_row(row: Row) -> bytes:
    out = {k: iso(v) if k in _TIME_FIELDS else v for k, v in row.items()}
    return orjson.dumps(out) + b"\n"


def _open_for_writing(path: Path, compress: bool) -> IO[bytes]:
    if compress:
        return gzip.GzipFile(path, "wb", compresslevel=3)  # type: ignore[return-value]
    return path.open("wb")


@dataclass
class ExportReport:
    files: dict[str, Path] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)


def export_files(
    config: SyntheticConfig, directory: Path, fmt: str = "csv", compress: bool = True,
    on_batch: Any = None,
) -> ExportReport:  # fmt: skip
    """Write the dataset of ``config`` as one file per kind into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    to_export = ExportRows()
    report = ExportReport()
    handles: dict[str, IO[bytes]] = {}
    writers: dict[str, Any] = {}
    texts: dict[str, io.TextIOWrapper] = {}
    try:
        for kind, batch in generate(config):
            if kind not in handles:
                path = directory / f"{kind}.{fmt}{'.gz' if compress else ''}"
                handle = _open_for_writing(path, compress)
                handles[kind] = handle
                report.files[kind] = path
                report.rows[kind] = 0
                if fmt == "csv":
                    texts[kind] = io.TextIOWrapper(handle, encoding="utf-8", newline="")
                    writers[kind] = csv.writer(texts[kind])
                    writers[kind].writerow(columns(kind))
            for generated in batch:
                row = to_export(kind, generated)
                if fmt == "csv":
                    writers[kind].writerows(csv_rows(kind, row))
                else:
                    handles[kind].write(jsonl_row(row))
            report.rows[kind] += len(batch)
            if on_batch is not None:
                on_batch(kind, len(batch))
    finally:
        for text in texts.values():
            text.close()
        for handle in handles.values():
            handle.close()
    return report
