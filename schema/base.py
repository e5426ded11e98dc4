"""Types every domain shares: Node and global ids, Relay connections, timestamps."""

from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

import strawberry

from resolvers.ids import encode_cursor

T = TypeVar("T")


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


def offset_connection(items: list[T], skip: int, total: int, cursor_kind: str) -> Connection[T]:
    """A connection over an ordered list fetched from offset ``skip``."""
    edges = [Edge(cursor=encode_cursor(cursor_kind, skip + i), node=n) for i, n in enumerate(items)]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=skip + len(items) < total,
            has_previous_page=skip > 0,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        total_count=total,
    )
