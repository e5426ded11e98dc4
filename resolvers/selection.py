"""Read a client's selection and arguments: pages of ordered lists, their filters, and
the fields a selection holds (resolvers/plan.py plans entity reads with them)."""

from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLResolveInfo,
    InlineFragmentNode,
    SelectionSetNode,
)
from strawberry.types.nodes import (
    FragmentSpread,
    InlineFragment,
    SelectedField,
    Selection,
    convert_arguments,
)

from graph.reads import Filters, Page
from resolvers.errors import bad_input
from resolvers.ids import decode_key_cursor, key_for

__all__ = ["Page"]  # the page type is graph's: a fetch of a part carries it

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


def read_page(
    cursor_kind: str,
    arguments: Mapping[str, Any],
    default_first: int,
    max_page: int,
    read_filter: FilterReader | None = None,
) -> Page:
    """A list field's page from its raw arguments (`first`, `after` a cursor of
    ``cursor_kind``, `filter` read by ``read_filter``); raise BAD_USER_INPUT naming the
    argument."""
    try:
        first = int(arguments.get("first", default_first))
    except (TypeError, ValueError):
        raise bad_input("first must be an integer", "first") from None
    if first < 0:
        raise bad_input("first must be 0 or more", "first")
    if first > max_page:
        raise bad_input(f"first must be at most {max_page}", "first")
    after = arguments.get("after")
    key = tuple(decode_key_cursor(after, cursor_kind)) if after is not None else None
    raw_filter = arguments.get("filter")
    filters = read_filter(raw_filter) if read_filter is not None and raw_filter is not None else ()
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


# What applies to an entity type besides its own fragments: its interface.
_ALSO = ("Node",)


def own_fields(
    raw: GraphQLResolveInfo[Any], selection_set: SelectionSetNode | None, type_name: str
) -> list[SelectedField]:
    """The fields of one selection set of ``type_name`` (fragments that apply expanded),
    with their arguments and without their own selections: all a plan reads, without
    converting the whole tree below (Strawberry's `info.selected_fields` converts every
    level, which cost a fifth of a customer-360's time in the hub)."""
    out: list[SelectedField] = []
    for node in selection_set.selections if selection_set is not None else ():
        if isinstance(node, FieldNode):
            alias = node.alias.value if node.alias else None
            arguments = convert_arguments(raw, node.arguments)
            out.append(SelectedField(node.name.value, {}, arguments, [], alias))
        elif isinstance(node, InlineFragmentNode):
            condition = node.type_condition.name.value if node.type_condition else type_name
            if condition == type_name or condition in _ALSO:
                out += own_fields(raw, node.selection_set, type_name)
        elif isinstance(node, FragmentSpreadNode):
            fragment = raw.fragments.get(node.name.value)
            if fragment is None:
                continue  # validation refuses an unknown fragment
            condition = fragment.type_condition.name.value
            if condition == type_name or condition in _ALSO:
                out += own_fields(raw, fragment.selection_set, type_name)
    return out


def names_below(
    raw: GraphQLResolveInfo[Any], selection_set: SelectionSetNode | None, names: frozenset[str]
) -> bool:
    """True when a field named in ``names`` is selected anywhere below ``selection_set``
    (fragments followed, each once)."""
    pending = [selection_set] if selection_set is not None else []
    seen: set[str] = set()
    while pending:
        for node in pending.pop().selections:
            if isinstance(node, FieldNode) and node.name.value in names:
                return True
            if isinstance(node, FragmentSpreadNode):
                fragment = raw.fragments.get(node.name.value)
                if fragment is not None and node.name.value not in seen:
                    seen.add(node.name.value)
                    pending.append(fragment.selection_set)
            elif isinstance(node, FieldNode | InlineFragmentNode) and node.selection_set:
                pending.append(node.selection_set)
    return False


def field_selections(info_raw: GraphQLResolveInfo[Any]) -> list[SelectionSetNode | None]:
    """The selection sets of the field being resolved (one per node it was asked with)."""
    return [node.selection_set for node in info_raw.field_nodes]
