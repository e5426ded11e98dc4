"""An export's rows: a GraphQL query run through the schema page after page, as the caller's
role, so that what a file holds is what the API would answer (access rules, consent,
restriction and pseudonymisation are the schema's own, by construction).

A query's rows are its first connection (an object with `pageInfo` and `nodes` or
`edges`), paged through `$after`; a query without a connection gives the first list of
objects in its answer (a matrix, a neighbourhood's nodes), or its one object, as one page.
"""

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLError, OperationDefinitionNode, parse

from hub.export_writer import Row, flatten

# Runs one page's query with its variables; returns the result's data or raises ExportError.
Execute = Callable[[str, dict[str, Any]], Awaitable[dict[str, Any]]]


class ExportError(Exception):
    """The export cannot go on: the API refused a page (its code), or the query is not one
    an export can page through (BAD_USER_INPUT)."""

    def __init__(self, message: str, code: str = "BAD_USER_INPUT") -> None:
        super().__init__(message)
        self.message, self.code = message, code


@dataclass(frozen=True)
class Page:
    """One page's objects (as the API gives them) and the total, when the query asks it."""

    items: list[dict[str, Any]]
    total: int | None = None


@dataclass(frozen=True)
class Nested:
    """Rows from a connection inside each item (a customer's purchases): the item's own
    fields go with each of its rows under ``parent``; when the item's first page of the
    connection is not all of it, ``follow_up`` (with `$id` and `$after`) reads the rest."""

    field: str
    parent: str
    follow_up: str
    key: str = "id"


def declared_variables(query: str) -> set[str]:
    """The variables the query's operations declare. Raises ExportError when the text does
    not parse (the API would refuse it the same way)."""
    try:
        document = parse(query)
    except GraphQLError as e:
        raise ExportError(f"the query does not parse: {e.message}", "GRAPHQL_PARSE_FAILED") from e
    return {
        v.variable.name.value
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode)
        for v in d.variable_definitions or ()
    }


def _connection(value: Any) -> tuple[list[Any], dict[str, Any] | None, Any] | None:
    """(items, pageInfo, totalCount) of the first connection or list of objects met,
    depth first; None when there is neither."""
    if isinstance(value, list):
        if any(isinstance(item, Mapping) for item in value):
            return [item for item in value if item is not None], None, None
        return None
    if not isinstance(value, Mapping):
        return None
    if "pageInfo" in value and ("nodes" in value or "edges" in value):
        items = (
            value["nodes"]
            if "nodes" in value
            else [edge["node"] for edge in value["edges"] or () if edge is not None]
        )
        return list(items or ()), value["pageInfo"], value.get("totalCount")
    for child in value.values():
        found = _connection(child)
        if found is not None:
            return found
    return None


def _items(data: Mapping[str, Any]) -> tuple[list[Any], dict[str, Any] | None, Any]:
    found = _connection(data)
    if found is not None:
        return found
    objects = [v for v in data.values() if isinstance(v, Mapping)]
    return objects[:1], None, None  # one object (or nothing found): one row or none


def _next_cursor(page_info: Mapping[str, Any], after: str | None) -> str | None:
    """The cursor of the next page, or None after the last. Raises ExportError when the
    query does not select what paging needs, or the API's cursor does not move on."""
    if "hasNextPage" not in page_info or "endCursor" not in page_info:
        raise ExportError("select `pageInfo { hasNextPage endCursor }` on the connection")
    if not page_info["hasNextPage"]:
        return None
    cursor = page_info["endCursor"]
    if not isinstance(cursor, str) or cursor == after:
        raise ExportError("the connection's endCursor does not move on", "INTERNAL")
    return cursor


async def pages(
    execute: Execute, query: str, variables: Mapping[str, Any] | None = None,
    after: str | None = None,
) -> AsyncIterator[Page]:  # fmt: skip
    """The query's items, a page at a time, from ``after`` on. Raises ExportError when the
    API refuses a page or the query cannot be paged (a connection with more pages and no
    `$after` variable to ask for them)."""
    can_page = "after" in declared_variables(query)
    while True:
        given = {**(variables or {}), **({"after": after} if can_page else {})}
        items, page_info, total = _items(await execute(query, given))
        yield Page(items, total if isinstance(total, int) else None)
        if page_info is None:
            return
        cursor = _next_cursor(page_info, after)
        if cursor is None:
            return
        if not can_page:
            raise ExportError(
                "the connection has more pages: declare `$after: String` and pass it to "
                "the connection as `after: $after`"
            )
        after = cursor


async def rows(
    execute: Execute, query: str, variables: Mapping[str, Any] | None = None,
    nested: Nested | None = None,
) -> AsyncIterator[tuple[list[Row], int, int | None]]:  # fmt: skip
    """Flat rows, a page at a time, with the page's items (the rows' items for ``nested``)
    and the total of items when the query counts them. Raises ExportError (see
    ``pages``)."""
    async for page in pages(execute, query, variables):
        if nested is None:
            yield [flatten(item) for item in page.items], len(page.items), page.total
            continue
        out: list[Row] = []
        for item in page.items:
            out.extend([r async for r in _nested_rows(execute, item, nested, variables or {})])
        yield out, len(page.items), page.total


async def _nested_rows(
    execute: Execute, item: Mapping[str, Any], nested: Nested, variables: Mapping[str, Any]
) -> AsyncIterator[Row]:
    own = flatten({k: v for k, v in item.items() if k != nested.field}, f"{nested.parent}.")
    inner, page_info, _ = _items({nested.field: item.get(nested.field)})
    for child in inner:
        yield {**own, **flatten(child)}
    cursor = _next_cursor(page_info, None) if page_info is not None else None
    if cursor is None:
        return
    given = {**variables, "id": item[nested.key]}
    async for page in pages(execute, nested.follow_up, given, cursor):
        for child in page.items:
            yield {**own, **flatten(child)}
