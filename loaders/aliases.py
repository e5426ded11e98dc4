"""Rows that name a customer merged into another (docs/identity.md, "Duplicates and
merges"): facts about it (purchases, complaints, consents, tags, segments) are attached to
the survivor; a `customers` row of the merged id is refused with the reason, never turned
into a new customer. (A social account claiming the merged id claims the survivor: the
linking statement resolves it, graph/linking.py.)
"""

from collections.abc import Sequence
from typing import Any

from graph.merge import survivors
from graph.store import GraphStore

Row = dict[str, Any]

# kind -> the prepared row's field naming a customer, for the kinds whose rows are mapped.
CUSTOMER_FIELD: dict[str, str] = {
    kind: "customer_id"
    for kind in ("purchases", "complaints", "consents", "customer_tags", "customer_segments")
}


def merged_reason(merged: str, survivor: str) -> str:
    """Why a `customers` row of a merged id is refused (ids only, no personal data)."""
    return (
        f"id: customer {merged!r} was merged into {survivor!r}; load its values on the "
        "survivor's row, or unmerge it first"
    )


async def map_merged(
    store: GraphStore, kind: str, rows: Sequence[Row]
) -> tuple[list[Row], dict[int, list[str]]]:
    """(rows with merged customer ids replaced by their survivors, {row index: reasons} of
    the rows to refuse). One read for a batch naming no merged customer."""
    if kind == "customers":
        field = "id"
    elif kind in CUSTOMER_FIELD:
        field = CUSTOMER_FIELD[kind]
    else:
        return list(rows), {}
    named = {row[field] for row in rows if row.get(field) is not None}
    if not named:
        return list(rows), {}
    alias = await survivors(store, named)
    if not alias:
        return list(rows), {}
    if kind == "customers":
        refused = {
            i: [merged_reason(row["id"], alias[row["id"]])]
            for i, row in enumerate(rows)
            if row["id"] in alias
        }
        return list(rows), refused
    mapped = [{**row, field: alias[row[field]]} if row.get(field) in alias else row for row in rows]
    return mapped, {}
