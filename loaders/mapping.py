"""Mapping files: make a foreign export look like the hub's format without code.

A mapping is a TOML file (see docs/loading.md). Steps, in this order, on every record:

1. ``[columns]``  hub field = source column (source columns not named pass through as is)
2. ``[templates]`` hub field = text with ``{column}``, ``{column[0:4]}``, ``{_line}`` (the
   record's line number) and ``{_file}`` (the file name without its extensions)
3. ``[values.<field>]`` source value = hub value (values not listed pass through)
4. ``[dates]``    hub field = strptime format its value is in (no zone: UTC)
5. ``[defaults]`` hub field = value used when the field is missing or blank

The file's shape can be set too: ``format``, ``delimiter`` ("\\t", ";" or "whitespace"),
``header`` (column names, for files without a header row) and ``skip_rows``.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping as MappingABC
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from loaders.sources import Dialect

_PLACEHOLDER = re.compile(r"\{(\w+)(?:\[(-?\d*):(-?\d*)\])?\}")
_SECTIONS = {"format", "delimiter", "header", "skip_rows", "columns", "templates", "values",
             "dates", "defaults", "description"}  # fmt: skip


class MappingError(Exception):
    """The mapping file is unreadable or inconsistent; says which entry and why."""


@dataclass(frozen=True)
class Mapping:
    dialect: Dialect = field(default_factory=Dialect)
    columns: dict[str, str] = field(default_factory=dict)
    templates: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, Any]] = field(default_factory=dict)
    dates: dict[str, str] = field(default_factory=dict)
    defaults: dict[str, Any] = field(default_factory=dict)

    @property
    def is_identity(self) -> bool:
        return not (self.columns or self.templates or self.values or self.dates or self.defaults)

    def sources_used(self) -> set[str]:
        """Source columns the mapping reads (to check against a file's header)."""
        used = set(self.columns.values())
        for template in self.templates.values():
            used |= {m.group(1) for m in _PLACEHOLDER.finditer(template)} - {"_line", "_file"}
        return used

    def apply(
        self, fields: MappingABC[str, Any], line: int, stem: str
    ) -> tuple[dict[str, Any], list[str]]:
        """The record in hub field names, and what could not be mapped."""
        if self.is_identity:
            return dict(fields), []
        errors: list[str] = []
        renamed = set(self.columns.values())
        out = {k: v for k, v in fields.items() if k not in renamed}
        for target, source in self.columns.items():
            out[target] = fields.get(source)
        for target, template in self.templates.items():
            out[target] = _fill(template, fields, line, stem)
        for target, table in self.values.items():
            value = out.get(target)
            if isinstance(value, str) and value.strip() in table:
                out[target] = table[value.strip()]
        for target, fmt in self.dates.items():
            value = out.get(target)
            if isinstance(value, str) and value.strip():
                try:
                    parsed = datetime.strptime(value.strip(), fmt)
                except ValueError:
                    errors.append(f"{target}: {value!r} does not match the date format {fmt!r}")
                    continue
                if parsed.tzinfo is None:
                    parsed = parsed.replace(tzinfo=UTC)
                out[target] = int(parsed.timestamp() * 1000)
        for target, default in self.defaults.items():
            value = out.get(target)
            if value is None or (isinstance(value, str) and not value.strip()):
                out[target] = default
        return out, errors


def _fill(template: str, fields: MappingABC[str, Any], line: int, stem: str) -> str:
    def one(m: re.Match[str]) -> str:
        name = m.group(1)
        value = {"_line": line, "_file": stem}.get(name, fields.get(name))
        text = "" if value is None else str(value).strip()
        if m.group(2) is not None or m.group(3) is not None:
            lo = int(m.group(2)) if m.group(2) else None
            hi = int(m.group(3)) if m.group(3) else None
            text = text[lo:hi]
        return text

    return _PLACEHOLDER.sub(one, template).strip()


def _table(doc: dict[str, Any], name: str, path: Path) -> dict[str, Any]:
    value = doc.get(name, {})
    if not isinstance(value, dict):
        raise MappingError(f"{path}: [{name}] must be a table")
    return value


def load_mapping(path: Path) -> Mapping:
    """Read and check a mapping file. Raises MappingError naming the bad entry."""
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise MappingError(f"{path}: {e.strerror or e}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise MappingError(f"{path}: not valid TOML ({e})") from None
    unknown = set(doc) - _SECTIONS
    if unknown:
        raise MappingError(
            f"{path}: unknown entries {', '.join(sorted(unknown))} "
            f"(known: {', '.join(sorted(_SECTIONS))})"
        )
    fmt = doc.get("format")
    if fmt not in (None, "csv", "jsonl"):
        raise MappingError(f"{path}: format must be csv or jsonl, not {fmt!r}")
    delimiter = doc.get("delimiter")
    if delimiter is not None and (
        not isinstance(delimiter, str) or (len(delimiter) != 1 and delimiter != "whitespace")
    ):
        raise MappingError(f'{path}: delimiter must be one character or "whitespace"')
    header = doc.get("header")
    if header is not None and not (
        isinstance(header, list) and header and all(isinstance(h, str) for h in header)
    ):
        raise MappingError(f"{path}: header must be a list of column names")
    skip_rows = doc.get("skip_rows", 0)
    if not isinstance(skip_rows, int) or skip_rows < 0:
        raise MappingError(f"{path}: skip_rows must be a whole number >= 0")
    columns = _table(doc, "columns", path)
    templates = _table(doc, "templates", path)
    dates = _table(doc, "dates", path)
    for section, table in (("columns", columns), ("templates", templates), ("dates", dates)):
        for key, value in table.items():
            if not isinstance(value, str):
                raise MappingError(f"{path}: [{section}] {key} must be a string")
    for key, fmt_ in dates.items():
        if "%" not in fmt_:
            raise MappingError(f"{path}: [dates] {key} = {fmt_!r} has no strptime codes (%Y...)")
    values = _table(doc, "values", path)
    for key, table in values.items():
        if not isinstance(table, dict):
            raise MappingError(f"{path}: [values.{key}] must be a table of source = hub value")
    return Mapping(
        dialect=Dialect(
            format=fmt,
            delimiter=delimiter,
            header=tuple(header) if header else None,
            skip_rows=skip_rows,
        ),
        columns=columns,
        templates=templates,
        values={k: {str(s): t for s, t in v.items()} for k, v in values.items()},
        dates=dates,
        defaults=_table(doc, "defaults", path),
    )
