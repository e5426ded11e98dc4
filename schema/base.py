"""Types every domain shares: Node and global ids, Relay connections, timestamps."""

import bisect
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any, Generic, TypeVar

import strawberry

from resolvers.errors import bad_input
from resolvers.ids import decode_key_cursor, encode_key_cursor
from resolvers.selection import Page

T = TypeVar("T")

First = Annotated[int, strawberry.argument(description="Page size (at most the server maximum).")]
After = Annotated[str | None, strawberry.argument(description="Cursor of the item to start after.")]


def ms_to_datetime(ms: Any) -> datetime | None:
    """Timestamps are stored as epoch milliseconds; clients get ISO-8601 DateTime."""
    return None if ms is None else datetime.fromtimestamp(int(ms) / 1000, tz=UTC)


@strawberry.interface(description="An object with a global id, fetchable with `node(id:)`.")
class Node:
    id: strawberry.ID = strawberry.field(description="Global id, opaque; stable across requests.")


@strawberry.type(description="Where a page sits in its list (Relay).")
class PageInfo:
    has_next_page: bool = strawberry.field(description="True when more items follow this page.")
    has_previous_page: bool = strawberry.field(description="True when items precede this page.")
    start_cursor: str | None = strawberry.field(description="Cursor of the first item.")
    end_cursor: str | None = strawberry.field(
        description="Cursor of the last item; pass as `after`."
    )

    @classmethod
    def of(cls, cursors: list[str], has_next: bool, has_previous: bool) -> "PageInfo":
        """The page info of a page whose items have ``cursors``, in order."""
        return cls(
            has_next_page=has_next,
            has_previous_page=has_previous,
            start_cursor=cursors[0] if cursors else None,
            end_cursor=cursors[-1] if cursors else None,
        )


@strawberry.type(description="An item of a list with its cursor.")
class Edge(Generic[T]):
    cursor: str = strawberry.field(description="Opaque position of this item; pass as `after`.")
    node: T = strawberry.field(description="The item.")


@strawberry.type(description="A page of a list (Relay connection).")
class Connection(Generic[T]):
    edges: list[Edge[T]] = strawberry.field(description="The items of this page with cursors.")
    page_info: PageInfo = strawberry.field(description="Where this page sits in the list.")
    total_count: int = strawberry.field(description="Number of items in the whole list.")

    @strawberry.field(description="The items of this page without cursors.")
    def nodes(self) -> list[T]:
        return [e.node for e in self.edges]


def keyset_connection(
    items: list[dict[str, Any]],
    page: Page,
    total: int,
    cursor_kind: str,
    make: Callable[[dict[str, Any]], T],
) -> Connection[T]:
    """A connection over a page fetched by the statement: ``items`` are `{node, key}` maps,
    up to ``page.first + 1`` of them (one more than shown means more follow)."""
    shown = items[: page.first]
    edges = [
        Edge(cursor=encode_key_cursor(cursor_kind, tuple(i["key"])), node=make(i["node"]))
        for i in shown
    ]
    return Connection(
        edges=edges,
        page_info=PageInfo.of(
            [e.cursor for e in edges], len(items) > page.first, page.after is not None
        ),
        total_count=total,
    )


def ranked_connection(
    items: list[T],
    key: Callable[[T], tuple[Any, ...]],
    first: int,
    after: str | None,
    cursor_kind: str,
    max_page: int,
) -> Connection[T]:
    """A page of ``items``, already sorted ascending by ``key``, after the cursor ``after``.

    The cursor holds the key of the item it points at (keyset, not an offset), so a page
    stays where it was when items are added or removed before it. Raises BAD_USER_INPUT
    for a page size out of range or a cursor that is not of this list.
    """
    if not 0 <= first <= max_page:
        raise bad_input(f"first must be between 0 and {max_page}", "first")
    start = 0
    if after is not None:
        cursor_key = decode_key_cursor(after, cursor_kind)
        keys = [list(key(i)) for i in items]
        try:
            start = bisect.bisect_right(keys, cursor_key)
        except TypeError:  # a key of another shape: forged or from another list
            raise bad_input(f"{after!r} is not a cursor of this list", "after") from None
    page = items[start : start + first]
    edges = [Edge(cursor=encode_key_cursor(cursor_kind, key(n)), node=n) for n in page]
    return Connection(
        edges=edges,
        page_info=PageInfo.of([e.cursor for e in edges], start + len(page) < len(items), start > 0),
        total_count=len(items),
    )
