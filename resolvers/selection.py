"""Read the client's selection to plan one statement: which list parts, which windows."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection

from resolvers.errors import bad_input
from resolvers.ids import decode_offset_cursor


@dataclass(frozen=True, order=True)
class Window:
    """The slice of an ordered list a field asked for: items [skip, skip + first)."""

    skip: int
    first: int

    @property
    def end(self) -> int:
        return self.skip + self.first


# (part name, window) pairs, sorted: the "shape" of a statement, hashable for batching.
Shape = tuple[tuple[str, Window], ...]


def page_window(first: int, after: str | None, cursor_kind: str, max_page: int) -> Window:
    """Validate Relay arguments; raise BAD_USER_INPUT with the argument's name."""
    if first < 0:
        raise bad_input("first must be 0 or more", "first")
    if first > max_page:
        raise bad_input(f"first must be at most {max_page}", "first")
    return Window(decode_offset_cursor(after, cursor_kind), first)


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


def plan_shape(
    selections: Iterable[Selection],
    type_name: str,
    ordered: Mapping[str, str],
    unordered: Mapping[str, str],
    default_first: int,
    max_page: int,
) -> Shape:
    """The parts a selection needs. ``ordered``/``unordered`` map GraphQL field names to
    part names. Several selections of one list (aliases) share one window covering all.
    """
    windows: dict[str, Window] = {}
    for field in fields_of(selections, type_name):
        if field.name in unordered:
            windows[unordered[field.name]] = Window(0, 0)
        elif field.name in ordered:
            args = field.arguments
            w = page_window(
                int(args.get("first", default_first)), args.get("after"), field.name, max_page
            )
            part = ordered[field.name]
            if part in windows:
                old = windows[part]
                skip = min(old.skip, w.skip)
                w = Window(skip, max(old.end, w.end) - skip)
            windows[part] = w
    return tuple(sorted(windows.items()))


def shape_params(shape: Shape) -> dict[str, int]:
    """Statement parameters for the ordered parts' windows (`$<part>_skip`, `_first`)."""
    params: dict[str, int] = {}
    for part, w in shape:
        params[f"{part}_skip"] = w.skip
        params[f"{part}_first"] = w.first
    return params
