"""Read the client's selection to plan one statement: which list parts, which pages.

A part selected twice with the same arguments (aliases) is fetched once; with different
arguments, each distinct page is its own instance of the part (`purchases`,
`purchases_2`, ...), all inside the one statement.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection

from graph.reads import Part
from resolvers.errors import bad_input
from resolvers.ids import decode_key_cursor, key_for

Filters = tuple[tuple[str, Any], ...]


@dataclass(frozen=True)
class Page:
    """The page of an ordered list a field asked for: ``first`` items after the keyset
    cursor ``after`` (the sort key of the last item seen), matching ``filters``."""

    first: int
    after: tuple[Any, ...] | None = None
    filters: Filters = ()


# (instance, part, page or None for an unordered part): the "shape" of a statement,
# hashable for batching entities of one shape into one statement.
Shape = tuple[tuple[str, str, Page | None], ...]

# Converts a list field's raw `filter` argument into (parameter name, value) pairs.
FilterReader = Callable[[Mapping[str, Any]], Filters]


def to_epoch_ms(value: Any, argument: str) -> int:
    """A DateTime argument (parsed, or an ISO-8601 string when written inline) as epoch
    milliseconds; naive times are UTC. Raises BAD_USER_INPUT."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise bad_input(f"{value!r} is not an ISO-8601 date-time", argument) from None
    if not isinstance(value, datetime):
        raise bad_input(f"{argument} must be a date-time", argument)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return int(value.timestamp() * 1000)


def time_range(raw: Mapping[str, Any], argument: str = "filter") -> tuple[int | None, int | None]:
    """`from` (inclusive) and `until` (exclusive) of a filter; refuses an inverted range."""
    start = to_epoch_ms(raw["from"], f"{argument}.from") if raw.get("from") is not None else None
    end = to_epoch_ms(raw["until"], f"{argument}.until") if raw.get("until") is not None else None
    if start is not None and end is not None and start > end:
        raise bad_input(f"{argument}.from is after {argument}.until", argument)
    return start, end


def read_purchase_filter(raw: Mapping[str, Any]) -> Filters:
    start, end = time_range(raw)
    brand = raw.get("brand")
    brand_key = key_for("Brand", str(brand), "filter.brand") if brand is not None else None
    return (("brand", brand_key), ("from", start), ("until", end))


def _enum_value(value: Any) -> str:
    """An enum argument: a Python enum when it came in a variable, its name when inline."""
    return str(value.value if isinstance(value, Enum) else value).lower()


def read_contact_filter(raw: Mapping[str, Any]) -> Filters:
    kinds = raw.get("kinds")
    return (
        ("kinds", tuple(sorted({_enum_value(k) for k in kinds})) if kinds is not None else None),
    )


FILTER_READERS: dict[str, FilterReader] = {
    "purchases": read_purchase_filter,
    "contact_history": read_contact_filter,
}


def read_page(part: str, arguments: Mapping[str, Any], default_first: int, max_page: int) -> Page:
    """Validate a list field's raw arguments; raise BAD_USER_INPUT naming the argument."""
    try:
        first = int(arguments.get("first", default_first))
    except (TypeError, ValueError):
        raise bad_input("first must be an integer", "first") from None
    if first < 0:
        raise bad_input("first must be 0 or more", "first")
    if first > max_page:
        raise bad_input(f"first must be at most {max_page}", "first")
    after = arguments.get("after")
    key = tuple(decode_key_cursor(after, part)) if after is not None else None
    raw_filter = arguments.get("filter")
    reader = FILTER_READERS.get(part)
    filters = reader(raw_filter) if reader is not None and raw_filter is not None else ()
    return Page(first, key, filters)


def fields_of(selections: Iterable[Selection], type_name: str) -> list[SelectedField]:
    """Flatten fragments that apply to ``type_name`` into their fields."""
    out: list[SelectedField] = []
    for s in selections:
        if isinstance(s, SelectedField):
            out.append(s)
        elif isinstance(s, InlineFragment | FragmentSpread) and s.type_condition in (
            None,
            type_name,
            "Node",
        ):
            out.extend(fields_of(s.selections, type_name))
    return out


def selects_any(selections: Iterable[Selection], names: frozenset[str]) -> bool:
    """True when a field named in ``names`` is selected anywhere below ``selections``."""
    for s in selections:
        if isinstance(s, SelectedField) and s.name in names:
            return True
        if selects_any(s.selections, names):
            return True
    return False


def plan_shape(
    selections: Iterable[Selection],
    type_name: str,
    fields: Mapping[str, str],
    parts: Mapping[str, Part],
    default_first: int,
    max_page: int,
) -> Shape:
    """The part instances a selection needs. ``fields`` maps GraphQL field names to part
    names of ``parts``."""
    planned: dict[tuple[str, Page | None], str] = {}
    for field in fields_of(selections, type_name):
        name = fields.get(field.name)
        if name is None:
            continue
        page = (
            read_page(name, field.arguments, default_first, max_page)
            if parts[name].ordered
            else None
        )
        if (name, page) not in planned:
            n = sum(1 for part, _ in planned if part == name)
            planned[(name, page)] = name if n == 0 else f"{name}_{n + 1}"
    return tuple(sorted((inst, part, page) for (part, page), inst in planned.items()))


def find_instance(shape: Shape, part: str, page: Page | None) -> str | None:
    """The instance of ``part`` fetched for ``page`` in ``shape``, if any."""
    for instance, name, fetched in shape:
        if name == part and fetched == page:
            return instance
    return None


def shape_params(shape: Shape, parts: Mapping[str, Part]) -> dict[str, Any]:
    """Statement parameters for the ordered instances: `$<instance>_first`, `_after` and
    one per filter of the part (null when not given)."""
    params: dict[str, Any] = {}
    for instance, name, page in shape:
        if page is None:
            continue
        params[f"{instance}_first"] = page.first
        params[f"{instance}_after"] = list(page.after) if page.after is not None else None
        given = dict(page.filters)
        for f in parts[name].filters:
            value = given.get(f)
            params[f"{instance}_{f}"] = list(value) if isinstance(value, tuple) else value
    return params


def selected_parts(shape: Shape) -> list[tuple[str, str]]:
    return [(instance, part) for instance, part, _ in shape]
