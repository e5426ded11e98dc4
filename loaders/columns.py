"""Validation by column for the plain kinds: prepared rows without a pydantic model per row.

A block of CSV records (loaders/sources.py ``CsvBlock``) of a kind listed in ``PLAIN`` is
checked one column at a time with a few cheap converters that accept only the cells whose
meaning is beyond doubt (an id with nothing odd around it, a value of the allowed set, a
plain decimal, a timestamp ``parse_timestamp`` reads). A record whose every cell passes
becomes the same prepared row, hash included, that ``model_validate(...).prepare()`` gives
(``tests/unit/loaders/test_columns.py`` holds the two paths to that); any other record
returns None and goes through the pydantic model, so a rejected row keeps exactly the
model's reasons. The converters are conservative by design: a cell they are unsure of
costs a model validation, never a different outcome.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, get_args

from loaders.kinds import (
    _MAX_MS,
    _MIN_MS,
    _SMALLEST_EPOCH_MS,
    Consent,
    CustomerSegment,
    CustomerTag,
    Follow,
    Interaction,
    InteractionKind,
    Product,
    Purpose,
    Record,
    Segment,
    Tag,
    TagSource,
    content_hash,
    parse_timestamp,
)

Row = dict[str, Any]
Convert = Callable[[str], Any]


class _Fail:
    """A cell the converters will not decide on: the record goes to the model."""


FAIL: Any = _Fail()
_DECIMAL = re.compile(r"[0-9]{1,15}(?:\.[0-9]{1,15})?")
_ID_MAX = 256  # loaders.kinds.Id's max_length


def _stripped(cell: str) -> Any:
    """The cell without surrounding spaces and tabs; FAIL when other whitespace is left at
    an end (Python's and pydantic's notions of whitespace differ there)."""
    text = cell.strip(" \t")
    if text[0].isspace() or text[-1].isspace():
        return FAIL
    return text


def required_id(cell: str) -> Any:
    if 0 < len(cell) <= _ID_MAX and cell.strip() is cell:  # the common case: nothing to strip
        return cell
    if not cell.strip():  # a blank cell is a missing value: the model says so
        return FAIL
    text = _stripped(cell)
    return FAIL if text is FAIL or len(text) > _ID_MAX else text


def text(cell: str) -> Any:
    if cell.strip() is cell:
        return cell or None
    return None if not cell.strip() else _stripped(cell)


def one_of(values: tuple[str, ...], default: str | None = None, required: bool = False) -> Convert:
    """A value of the set as written (the model does not strip these), or the default."""
    allowed = frozenset(values)

    def convert(cell: str) -> Any:
        if not cell.strip():
            return FAIL if required else default
        return cell if cell in allowed else FAIL

    return convert


def timestamp(required: bool = False) -> Convert:
    """Epoch ms as parse_timestamp reads the cell; a date-time with a zone (the exports'
    form) is read here, anything else by parse_timestamp itself."""

    def convert(cell: str) -> Any:
        if not cell.strip():
            return FAIL if required else None
        if cell[-1:] == "Z" and cell.strip() is cell:
            try:
                value = int(datetime.fromisoformat(cell).timestamp() * 1000)
            except ValueError:
                return FAIL
            return value if _MIN_MS <= value < _MAX_MS and value >= _SMALLEST_EPOCH_MS else FAIL
        try:
            return parse_timestamp(cell)
        except ValueError:
            return FAIL

    return convert


def decimal(at_most: float = math.inf) -> Convert:
    """A plain non-negative decimal (``12``, ``0.5``) up to ``at_most``, or None if blank."""

    def convert(cell: str) -> Any:
        if not cell.strip():
            return None
        value = _stripped(cell)
        if value is FAIL or not _DECIMAL.fullmatch(value):
            return FAIL
        number = float(value)
        return number if number <= at_most else FAIL

    return convert


def id_list_of(values: tuple[str, ...]) -> Convert:
    """A ``a|b`` cell of allowed values, at least one (as ``_split_list`` reads it)."""
    allowed = frozenset(values)

    def convert(cell: str) -> Any:
        if cell.strip().startswith("["):  # a JSON array: the model reads it
            return FAIL
        parts = [part.strip() for part in cell.split("|") if part.strip()]
        return parts if parts and allowed.issuperset(parts) else FAIL

    return convert


def _consent_in_order(values: Row) -> bool:
    withdrawn = values["withdrawn_at"]
    return withdrawn is None or withdrawn >= values["granted_at"]


class PlainKind:
    """How to check the columns of one kind, and the model whose prepared rows it makes."""

    def __init__(
        self,
        model: type[Record],
        converters: dict[str, Convert],
        check: Callable[[Row], bool] | None = None,
    ) -> None:
        if list(converters) != list(model.model_fields):
            raise ValueError(f"{model.__name__}: converters for {list(converters)}, "
                             f"fields {list(model.model_fields)}")  # fmt: skip
        self.model = model
        self.converters = converters
        self.check = check  # the model's own "after" validator, on converted values
        self._skip = frozenset({"id", *model.endpoints, *model.keys})
        self._first = (*model.endpoints, *model.keys)

    def rows(self, names: Sequence[str], records: Sequence[Sequence[str]]) -> list[Row | None]:
        """The prepared row of each record (cells in the order of ``names``), or None for a
        record the model must decide on (a wrong number of cells, a cell not beyond doubt)."""
        width = len(names)
        fits = [len(cells) == width for cells in records]
        position = {name: i for i, name in enumerate(names)}
        columns: list[list[Any]] = []
        for field, convert in self.converters.items():
            at = position.get(field)
            if at is None:  # the file has no such column: every cell blank
                value = convert("")
                columns.append([value] * len(records))
            else:
                columns.append([convert(c[at]) if ok else FAIL
                                for c, ok in zip(records, fits, strict=True)])  # fmt: skip
        fields = list(self.converters)
        out: list[Row | None] = []
        for values in zip(*columns, strict=True):
            if FAIL in values:
                out.append(None)
                continue
            out.append(self.prepared(dict(zip(fields, values, strict=True))))
        return out

    def prepared(self, values: Row) -> Row | None:
        """Record.prepare() for these validated values (None if the model's check fails)."""
        if self.check is not None and not self.check(values):
            return None
        row: Row = {f: values[f] for f in self._first}
        if "id" in values:
            row["id"] = values["id"]
        row["props"] = {k: v for k, v in values.items() if k not in self._skip}
        row["hash"] = content_hash(row)
        return row


def _literal(annotation: Any) -> tuple[str, ...]:
    return tuple(get_args(annotation))


# Kinds whose prepare() is Record's own (no props/row of their own, no derived values);
# customers, accounts, purchases, posts, complaints and brands always go through the model.
PLAIN: dict[str, PlainKind] = {
    "tags": PlainKind(Tag, {"id": required_id, "name": text, "category": text}),
    "segments": PlainKind(Segment, {"id": required_id, "name": text}),
    "products": PlainKind(Product, {
        "id": required_id, "brand_id": required_id, "name": text, "category": text,
        "price": decimal(),
    }),
    "follows": PlainKind(Follow, {
        "account_id": required_id, "target_kind": one_of(("brand", "account"), required=True),
        "target_id": required_id, "since": timestamp(),
    }),
    "interactions": PlainKind(Interaction, {
        "account_id": required_id, "post_id": required_id,
        "kind": one_of(_literal(InteractionKind), required=True),
        "at": timestamp(required=True), "text": text,
    }),
    "customer_tags": PlainKind(CustomerTag, {
        "customer_id": required_id, "tag_id": required_id, "weight": decimal(at_most=1.0),
        "source": one_of(_literal(TagSource)), "at": timestamp(),
    }),
    "consents": PlainKind(Consent, {
        "customer_id": required_id, "brand_id": required_id,
        "granted_at": timestamp(required=True), "withdrawn_at": timestamp(),
        "purposes": id_list_of(_literal(Purpose)), "source": text, "policy_version": text,
    }, check=_consent_in_order),
    "customer_segments": PlainKind(
        CustomerSegment, {"customer_id": required_id, "segment_id": required_id}
    ),
}  # fmt: skip
