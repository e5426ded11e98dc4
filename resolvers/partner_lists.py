"""Partner lists: a partner's own customers as SHA-256 hashes of their normalised email
or phone (scripts/partner_hash.py), uploaded in chunks, kept hashed, expiring, deletable,
and matched against the hub's customers (docs/partner.md, "Lists").

The match count goes through the partner's release ledger like an aggregate cell (key:
partner + ``list_match`` + ``matched``), so two lists whose matched sets differ by fewer
than k people never get different counts. Only matched customers with a live consent to
the partner for the purpose are aggregated or handed out, as the partner's pseudonyms.
"""

import re
import uuid
from collections.abc import AsyncIterable, Iterable
from dataclasses import dataclass
from typing import Any

from graph import partner_lists as q
from graph.store import GraphStore
from resolvers.clock import now_ms
from resolvers.context import Context
from resolvers.errors import ApiError, ErrorCode, bad_input
from resolvers.partner import (
    DIMENSIONS,
    AudiencePage,
    TrueCell,
    append_releases,
    ledger_answer,
    ledgered_aggregates,
    partner_scope,
    pseudonym_page,
    read_audience_page,
    read_ledger,
)
from resolvers.partner import Aggregates as Aggregates

HASH_LINE = re.compile(rb"[0-9a-fA-F]{64}")
LIST_ID = re.compile(r"pl_[0-9a-f]{32}")
CHUNK_SIZE = 10_000  # hashes per chunk node: one upload of 1 MB holds about 16,000
MAX_LINE_BYTES = 1024  # a streamed line longer than this is bad, and not kept past it
TOO_LONG = b"!"  # what stands for such a line in a chunk: bad, and one line
MAX_BAD_LINES = 100  # line numbers reported per upload; the count covers them all
MATCH_DIMENSION, MATCH_VALUE = "list_match", "matched"


@dataclass(frozen=True)
class ParsedChunk:
    """One upload's body: its valid hashes (lower-cased, deduplicated, in order), the
    numbers (from 1, within the body) of its bad lines, and how many lines it had."""

    hashes: list[str]
    bad_lines: list[int]
    bad_count: int
    lines: int


def parse_chunk(body: bytes) -> ParsedChunk:
    """Read one hash a line (64 hex digits, surrounding spaces allowed, either case; blank
    lines skipped). A bad line is counted and its number kept, never its text."""
    hashes: dict[str, None] = {}
    bad: list[int] = []
    bad_count = 0
    lines = body.splitlines()
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            continue
        if HASH_LINE.fullmatch(line):
            hashes[line.decode("ascii").lower()] = None
        else:
            bad_count += 1
            if len(bad) < MAX_BAD_LINES:
                bad.append(number)
    return ParsedChunk(list(hashes), bad, bad_count, len(lines))


@dataclass(frozen=True)
class ListStatus:
    """A list as its partner sees it: counts only (entries: valid hashes, duplicates across
    uploads included). ``bad_lines`` and ``first_line`` describe the last upload."""

    id: str
    expires_at: int
    entries: int
    bad_entries: int
    lines: int
    bad_lines: tuple[int, ...] = ()
    first_line: int | None = None


def read_list_id(list_id: str) -> str:
    """``list_id`` if it is one; BAD_USER_INPUT (naming `listId`) otherwise."""
    if not LIST_ID.fullmatch(list_id):
        raise bad_input("not a list id (pl_ and 32 hex digits)", "listId")
    return list_id


def _not_found() -> ApiError:
    return ApiError("no such list (it may have expired or been deleted)", ErrorCode.NOT_FOUND)


async def create_list(store: GraphStore, partner: str, ttl_ms: int) -> ListStatus:
    """A new empty list of ``partner`` that expires ``ttl_ms`` from now. Expired lists
    (of every partner) are deleted first."""
    now = now_ms()
    await store.write(q.PURGE_EXPIRED, {"now": now})
    list_id = "pl_" + uuid.uuid4().hex
    rows, _ = await store.write_returning(
        q.CREATE_LIST,
        {"list": list_id, "partner": partner, "now": now, "expires_at": now + ttl_ms},
    )
    return ListStatus(list_id, int(rows[0]["expires_at"]), 0, 0, 0)


async def append_chunk(store: GraphStore, partner: str, list_id: str, body: bytes) -> ListStatus:
    """Add one upload to the list; its status after it, with this upload's bad line
    numbers. Raises NOT_FOUND for a list that is not the partner's, or has expired."""
    parsed = parse_chunk(body)
    chunks = [
        {"id": uuid.uuid4().hex, "hashes": parsed.hashes[i : i + CHUNK_SIZE]}
        for i in range(0, len(parsed.hashes), CHUNK_SIZE)
    ]
    rows, _ = await store.write_returning(
        q.APPEND_CHUNK,
        {
            "list": read_list_id(list_id), "partner": partner, "now": now_ms(),
            "entries": len(parsed.hashes), "bad_entries": parsed.bad_count,
            "lines": parsed.lines, "chunks": chunks,
        },
    )  # fmt: skip
    if not rows:
        raise _not_found()
    row = rows[0]
    return ListStatus(
        list_id, int(row["expires_at"]), int(row["entries"]), int(row["bad_entries"]),
        int(row["lines"]), tuple(parsed.bad_lines), int(row["before"]) + 1,
    )  # fmt: skip


class UploadTooLarge(Exception):
    """A streamed upload went past its byte limit; ``status`` is the list after the chunks
    written before that (they stay, and count: the partner may go on or delete the list)."""

    def __init__(self, limit: int, status: ListStatus | None) -> None:
        super().__init__(f"the upload is larger than the {limit} bytes allowed")
        self.limit = limit
        self.status = status


async def append_stream(
    store: GraphStore, partner: str, list_id: str, pieces: AsyncIterable[bytes], max_bytes: int
) -> ListStatus:
    """Add one upload that arrives in ``pieces`` (a request body as it is received): lines
    are parsed as they come and every CHUNK_SIZE lines are written as a chunk at once, so
    memory stays flat whatever the size. Returns the list's status after it, with this
    upload's bad line numbers (within the upload). Raises NOT_FOUND (before reading a byte,
    for a list that is not the partner's or has expired) and UploadTooLarge past
    ``max_bytes`` (the chunks before it are kept)."""
    read_list_id(list_id)
    if not await store.read(q.LIST_HEAD, {"list": list_id, "partner": partner, "now": now_ms()}):
        raise _not_found()
    first: ListStatus | None = None
    last: ListStatus | None = None
    bad: list[int] = []  # numbers within this upload
    batch = bytearray()  # whole lines not yet written, at most CHUNK_SIZE of them
    batch_lines = 0
    carry = b""  # the start of a line whose end has not arrived (capped: see below)
    long_carry = False  # the carried line is already too long
    received = 0

    async def flush() -> None:
        nonlocal batch, batch_lines, first, last
        status = await append_chunk(store, partner, list_id, bytes(batch))
        first = first or status
        assert status.first_line is not None and first.first_line is not None
        offset = status.first_line - first.first_line
        bad.extend(offset + n for n in status.bad_lines[: MAX_BAD_LINES - len(bad)])
        last = status
        batch, batch_lines = bytearray(), 0

    async for piece in pieces:
        received += len(piece)
        if received > max_bytes:
            if batch_lines:
                await flush()  # the whole lines before the limit count, like earlier chunks
            raise UploadTooLarge(max_bytes, last)
        parts = (carry + piece).split(b"\n")
        carry = parts.pop()
        for line in parts:
            too_long = long_carry or len(line) > MAX_LINE_BYTES
            long_carry = False
            batch += (TOO_LONG if too_long else line) + b"\n"
            batch_lines += 1
            if batch_lines >= CHUNK_SIZE:
                await flush()
        if len(carry) > MAX_LINE_BYTES:
            # bad whatever follows: its number is all that is reported, so keep none of it
            carry, long_carry = b"", True
    if carry or long_carry:
        batch += TOO_LONG if long_carry else carry
        batch_lines += 1
    if batch_lines or last is None:
        await flush()
    assert first is not None and last is not None
    return ListStatus(
        list_id, last.expires_at, last.entries, last.bad_entries, last.lines, tuple(bad),
        first.first_line,
    )  # fmt: skip


async def list_status(store: GraphStore, partner: str, list_id: str) -> ListStatus:
    """The list's counts. Raises NOT_FOUND."""
    rows = await store.read(
        q.LIST_HEAD, {"list": read_list_id(list_id), "partner": partner, "now": now_ms()}
    )
    if not rows:
        raise _not_found()
    row = rows[0]
    return ListStatus(
        list_id, int(row["expires_at"]), int(row["entries"]), int(row["bad_entries"]),
        int(row["lines"]),
    )  # fmt: skip


async def delete_list(store: GraphStore, partner: str, list_id: str) -> None:
    """Delete the list and every hash of it. Raises NOT_FOUND."""
    rows, _ = await store.write_returning(
        q.DELETE_LIST, {"list": read_list_id(list_id), "partner": partner}
    )
    if not rows:
        raise _not_found()


# --- matching ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ListMatch:
    """What a match releases. ``matched`` (customers matched) and ``match_rate`` (of the
    list's distinct hashes) are None when withheld; ``overlap`` is how many matched
    customers are in the partner's live audience for the purpose (the pseudonyms
    `listMembers` hands out)."""

    entries: int
    matched: int | None
    match_rate: float | None
    overlap: int


def released_match_count(
    matched: frozenset[str], entries: int, hit_entries: int, ledger: Iterable[Any], k: int
) -> tuple[int | None, bool]:
    """(the count to release or None, whether it is fresh). The ledger rule of
    aggregates (resolvers/partner.py), then: at least k customers, and at least k of the
    list's hashes matching no one, counted both truly and as the partner can derive
    (hashes minus the count), so that "all of my list is in" is never said."""
    if not matched:
        return None, False
    answer = ledger_answer(TrueCell(MATCH_VALUE, None, matched), list(ledger), k)
    if answer is None:
        return None, False
    count, fresh = answer
    if count < k or entries - hit_entries < k or entries - count < k:
        return None, False
    return count, fresh


@dataclass(frozen=True)
class Matched:
    """A list matched now (hub ids; never released): its hashes, those that matched, the
    customers matched, and those of them with a live consent to the partner."""

    entries: int
    hit_entries: int
    customers: frozenset[str]
    consented: frozenset[str]


async def match_rows(ctx: Context, partner: str, purpose: str, list_id: str) -> Matched:
    """The list matched a chunk a statement, all at one instant. Raises NOT_FOUND."""
    params = {"list": list_id, "partner": partner, "purpose": purpose, "now": now_ms()}
    if not await ctx.store.read(q.LIST_HEAD, params):
        raise _not_found()
    chunks = await ctx.store.read(q.LIST_CHUNKS, params)
    hits: set[str] = set()
    customers: set[str] = set()
    consented: set[str] = set()
    for chunk in chunks:
        for row in await ctx.store.read(q.MATCH_CHUNK, {**params, "chunk": chunk["id"]}):
            hits.add(str(row["h"]))
            customers.add(str(row["customer_id"]))
            if row["consented"]:
                consented.add(str(row["customer_id"]))
    return Matched(
        entries=sum(int(c["size"]) for c in chunks), hit_entries=len(hits),
        customers=frozenset(customers), consented=frozenset(consented),
    )  # fmt: skip


async def match_list(ctx: Context, purpose: str, list_id: str) -> ListMatch:
    """The list matched against the customers now. A fresh match count joins the ledger;
    when another request wrote to it first, the match is decided again."""
    partner = partner_scope(ctx, purpose)
    read_list_id(list_id)
    ctx.audit.partner_pull(purpose, [])
    ctx.audit.note("partner_list_match")
    k = ctx.privacy.min_group_size
    for _ in range(3):
        found = await match_rows(ctx, partner, purpose, list_id)
        ledger_rows = await ctx.store.read(
            q.LEDGER, {"partner": partner, "dimension": MATCH_DIMENSION}
        )
        ledger = read_ledger([r["entry"] for r in ledger_rows])
        count, fresh = released_match_count(
            found.customers, found.entries, found.hit_entries, ledger, k
        )
        result = ListMatch(
            entries=found.entries,
            matched=count,
            match_rate=round(count / found.entries, 4) if count is not None else None,
            overlap=len(found.consented),
        )
        if not fresh:
            ctx.audit.metered(cells=int(count is not None), lists=1)
            return result
        params = {"partner": partner, "dimension": MATCH_DIMENSION, "now": now_ms()}
        cell = TrueCell(MATCH_VALUE, None, found.customers)
        if await append_releases(ctx, params, len(ledger), [cell]):
            ctx.audit.metered(cells=1, lists=1)
            return result
    raise ApiError("the partner's release ledger is busy; try again", ErrorCode.GRAPH_UNAVAILABLE)


async def list_members(
    ctx: Context, purpose: str, list_id: str, first: int, after: str | None
) -> AudiencePage:
    """A page of the matched customers with a live consent to the partner for
    ``purpose``, as the partner's pseudonyms, in pseudonym order; nobody else."""
    partner = partner_scope(ctx, purpose)
    start = read_audience_page(first, after, ctx.max_page_size)
    found = await match_rows(ctx, partner, purpose, read_list_id(list_id))
    salt_rows = await ctx.store.read(q.KEY_SALT, {"partner": partner})
    salt = salt_rows[0]["salt"] if salt_rows else None
    consented = sorted(found.consented)
    page = await pseudonym_page(ctx, partner, purpose, consented, salt, first, start)
    ctx.audit.metered(lists=1)
    return page


async def list_aggregates(ctx: Context, purpose: str, list_id: str, dimension: str) -> Aggregates:
    """The matched customers with a live consent to the partner for ``purpose``, grouped
    by ``dimension`` under the rules of the audience's aggregates and the same ledger."""
    partner = partner_scope(ctx, purpose, dimension)
    if dimension not in DIMENSIONS:
        raise bad_input(f"unknown dimension {dimension!r}", "dimension")
    found = await match_rows(ctx, partner, purpose, read_list_id(list_id))
    ctx.audit.partner_pull(purpose, [])
    ctx.audit.note("partner_list_match")
    params = {
        "ids": sorted(found.consented), "partner": partner, "purpose": purpose,
        "dimension": dimension,
    }  # fmt: skip
    answer = await ledgered_aggregates(ctx, q.LIST_AGGREGATES[dimension], params)
    ctx.audit.metered(cells=len(answer.cells), lists=1)
    return answer
