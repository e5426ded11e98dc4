"""The partner API: a partner brand's live audience as pseudonyms, and thresholded
aggregates of it (docs/partner.md has the rules and the threat model).

Every call acts for ``ctx.principal.partner_brand_id`` alone and for a purpose the
principal holds; both are checked before any database call. Statements return hub customer
ids; only pseudonyms and counts leave this module.
"""

import bisect
import re
import secrets
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from graph import partner as q
from graph.store import GraphStore
from resolvers.clock import now_ms
from resolvers.context import Context
from resolvers.errors import ApiError, ErrorCode, bad_input, forbidden
from resolvers.ids import decode_key_cursor
from resolvers.partner_policy import PartnerPolicy
from resolvers.principal import Role
from resolvers.privacy import PrivacyConfig, pseudonym

PSEUDONYM_PREFIX = "pt"
PSEUDONYM_PATTERN = re.compile(r"pt_[a-z2-7]{26}")
AUDIENCE_CURSOR = "partner-audience"
MAX_MEMBER_IDS = 1000
DIMENSIONS = q.DIMENSIONS
# Dimensions where each customer has at most one value, so the cells and the audience size
# give away the withheld total: complementary suppression applies. Segments are not: the
# model allows several per customer and the synthetic data gives up to two.
SINGLE_VALUED = frozenset({"region"})
LEDGER_ATTEMPTS = 3


def new_salt() -> str:
    """16 random bytes, hex: a partner key's salt."""
    return secrets.token_hex(16)


def partner_key(privacy: PrivacyConfig, partner: str, salt: str) -> bytes:
    """The key of ``partner``'s pseudonyms under ``salt``."""
    return privacy.derived_key("partner", partner, salt)


def partner_pseudonym(privacy: PrivacyConfig, partner: str, salt: str, customer_id: str) -> str:
    return pseudonym(partner_key(privacy, partner, salt), customer_id, prefix=PSEUDONYM_PREFIX)


def _pseudonyms(
    privacy: PrivacyConfig, partner: str, salt: str, customer_ids: Sequence[str]
) -> dict[str, str]:
    """pseudonym -> customer id, for ``partner`` under ``salt``."""
    key = partner_key(privacy, partner, salt)
    return {pseudonym(key, c, PSEUDONYM_PREFIX): c for c in customer_ids}


# --- who asks -------------------------------------------------------------------------


def partner_scope(ctx: Context, purpose: str | None = None, dimension: str | None = None) -> str:
    """The partner brand the caller acts for. FORBIDDEN for a non-partner principal, and
    (naming the argument) for a purpose the principal does not hold or a purpose or
    dimension its partner was not onboarded with (``ctx.partner_policy``, which the
    request guard reads with the quota: no statement here)."""
    principal = ctx.principal
    if principal.role is not Role.PARTNER or principal.partner_brand_id is None:
        raise forbidden("only partner keys may use the partner API")
    policy = ctx.partner_policy or PartnerPolicy()
    if purpose is not None and not (
        purpose in principal.purposes and policy.allows_purpose(purpose)
    ):
        raise forbidden(
            f"this key may not pull data for the purpose {purpose!r}", argument="purpose"
        )
    if dimension is not None and not policy.allows_dimension(dimension):
        raise forbidden(
            f"this partner may not group by the dimension {dimension!r}", argument="dimension"
        )
    return principal.partner_brand_id


# --- audience and members -------------------------------------------------------------


@dataclass(frozen=True)
class AudiencePage:
    """Pseudonyms of one page of the audience, in pseudonym order."""

    ids: list[str]
    total: int
    has_next: bool
    has_previous: bool


def read_audience_page(first: int, after: str | None, max_page: int) -> str | None:
    """Validate a page request; return the pseudonym to start after. Raises BAD_USER_INPUT."""
    if not 0 <= first <= max_page:
        raise bad_input(f"first must be between 0 and {max_page}", "first")
    if after is None:
        return None
    key = decode_key_cursor(after, AUDIENCE_CURSOR)
    if len(key) != 1 or not isinstance(key[0], str) or not PSEUDONYM_PATTERN.fullmatch(key[0]):
        raise bad_input(f"{after!r} is not a cursor of this list", "after")
    return key[0]


async def _audience(ctx: Context, partner: str, purpose: str) -> tuple[list[str], str | None]:
    rows = await ctx.store.read(
        q.AUDIENCE_IDS, {"partner": partner, "purpose": purpose, "now": now_ms()}
    )
    return list(rows[0]["ids"]) if rows else [], rows[0]["salt"] if rows else None


async def ensure_partner_key(store: GraphStore, partner: str) -> str:
    """The partner's salt, created (random) on first use."""
    rows, _ = await store.write_returning(
        q.ENSURE_KEY, {"partner": partner, "salt": new_salt(), "now": now_ms()}
    )
    return str(rows[0]["salt"])


async def audience(ctx: Context, purpose: str, first: int, after: str | None) -> AudiencePage:
    """A page of the partner's live audience for ``purpose``: per-partner pseudonyms in
    pseudonym order (which says nothing about the customers), after the cursor."""
    partner = partner_scope(ctx, purpose)
    start = read_audience_page(first, after, ctx.max_page_size)
    customer_ids, salt = await _audience(ctx, partner, purpose)
    return await pseudonym_page(ctx, partner, purpose, customer_ids, salt, first, start)


async def pseudonym_page(
    ctx: Context, partner: str, purpose: str, customer_ids: Sequence[str], salt: str | None,
    first: int, start: str | None,
) -> AudiencePage:  # fmt: skip
    """The page of ``first`` pseudonyms of ``customer_ids`` after ``start`` (a pseudonym,
    or None), in pseudonym order; the partner's key is made when it has none (``salt``).
    The page's customers are noted in the audit trail."""
    if salt is None:
        salt = await ensure_partner_key(ctx.store, partner)
    members = sorted(_pseudonyms(ctx.privacy, partner, salt, customer_ids).items())
    position = 0
    if start is not None:
        position = bisect.bisect_right([p for p, _ in members], start)
    page = members[position : position + first]
    ctx.audit.partner_pull(purpose, [c for _, c in page])
    return AudiencePage(
        ids=[p for p, _ in page],
        total=len(members),
        has_next=position + len(page) < len(members),
        has_previous=position > 0,
    )


def read_member_ids(ids: Sequence[str]) -> list[str]:
    """The asked pseudonyms, duplicates dropped, in order. Raises BAD_USER_INPUT."""
    if len(ids) > MAX_MEMBER_IDS:
        raise bad_input(f"at most {MAX_MEMBER_IDS} ids, got {len(ids)}", "ids")
    for i, value in enumerate(ids):
        if not PSEUDONYM_PATTERN.fullmatch(value):
            raise bad_input(f"ids[{i}] is not a partner pseudonym", "ids")
    return list(dict.fromkeys(ids))


async def members(ctx: Context, purpose: str, ids: Sequence[str]) -> list[str]:
    """Those of ``ids`` that are in the live audience for ``purpose`` now, in the order
    asked. A withdrawn, restricted or erased customer's pseudonym no longer resolves."""
    partner = partner_scope(ctx, purpose)
    asked = read_member_ids(ids)
    if not asked:
        ctx.audit.partner_pull(purpose, [])
        return []
    customer_ids, salt = await _audience(ctx, partner, purpose)
    if salt is None:  # no pseudonym was ever handed out
        ctx.audit.partner_pull(purpose, [])
        return []
    live = _pseudonyms(ctx.privacy, partner, salt, customer_ids)
    found = [p for p in asked if p in live]
    ctx.audit.partner_pull(purpose, [live[p] for p in found])
    return found


# --- aggregates -----------------------------------------------------------------------


@dataclass(frozen=True)
class TrueCell:
    """The audience members with one value of a dimension (hub ids; never released)."""

    value: str
    name: str | None
    ids: frozenset[str]


@dataclass(frozen=True)
class LedgerEntry:
    """A set whose size was once released to the partner for a value (a fresh release)."""

    id: str
    value: str
    ids: frozenset[str]
    at: int


@dataclass(frozen=True)
class Cell:
    value: str
    name: str | None
    count: int


@dataclass(frozen=True)
class Decision:
    """What an aggregate answer releases, and the fresh releases the ledger must record."""

    cells: list[Cell]
    suppressed: int
    fresh: list[TrueCell]


def stale_radius(k: int) -> int:
    """A set this close (people in the symmetric difference) to a ledger set is answered
    with the ledger set's count."""
    return k - 1


def fresh_distance(k: int) -> int:
    """A set gets a fresh count only this far from every ledger set of its key. Two
    answered sets that differ by fewer than k people are then always answered from the
    same ledger set: 2 * (k - 1) + (k - 1) < 3k - 2 (docs/partner.md)."""
    return 3 * k - 2


def ledger_answer(
    cell: TrueCell, entries: Sequence[LedgerEntry], k: int
) -> tuple[int, bool] | None:
    """(count, fresh) for one cell from the ledger rule, or None: withheld."""
    distances = [(len(cell.ids ^ e.ids), e.at, e.id, e) for e in entries]
    near = [d for d in distances if d[0] <= stale_radius(k)]
    if near:
        return len(min(near, key=lambda d: d[:3])[3].ids), False
    if all(d[0] >= fresh_distance(k) for d in distances):
        return len(cell.ids), True
    return None  # between the two: a fresh count could be differenced against a stale one


def decide_cells(
    cells: Iterable[TrueCell],
    ledger: Iterable[LedgerEntry],
    k: int,
    audience: frozenset[str],
    single_valued: bool,
) -> Decision:
    """Which cells to release, with which counts (docs/partner.md, "Suppression"):

    1. the ledger rule: a cell within k - 1 people of a ledger set of its value answers that
       set's count; one at least 3k - 2 from all of them answers its own (fresh); in
       between it is withheld;
    2. a count is released only if k <= count <= |audience| - k;
    3. single-valued dimensions: while the members outside the released cells, or the
       audience size minus the released counts, number 1..k-1, the smallest released cell
       is withheld too (complementary suppression).
    """
    by_value: dict[str, list[LedgerEntry]] = defaultdict(list)
    for entry in ledger:
        by_value[entry.value].append(entry)
    size = len(audience)
    released: list[tuple[TrueCell, int, bool]] = []
    present = [c for c in cells if c.ids]
    for cell in present:
        answer = ledger_answer(cell, by_value.get(cell.value, []), k)
        if answer is not None and k <= answer[0] <= size - k:
            released.append((cell, *answer))
    if single_valued:
        while released:
            covered = frozenset().union(*(cell.ids for cell, _, _ in released))
            outside = len(audience - covered)
            derived = size - sum(count for _, count, _ in released)
            if not (0 < outside < k or 0 < derived < k):
                break
            released.remove(min(released, key=lambda r: (r[1], r[0].value)))
    released.sort(key=lambda r: r[0].value)
    return Decision(
        cells=[Cell(cell.value, cell.name, count) for cell, count, _ in released],
        suppressed=len(present) - len(released),
        fresh=[cell for cell, _, fresh in released if fresh],
    )


@dataclass(frozen=True)
class Aggregates:
    audience_size: int
    cells: list[Cell]
    suppressed_cells: int


def _cells(rows: list[dict[str, Any]]) -> tuple[list[TrueCell], frozenset[str]]:
    cells: list[TrueCell] = []
    audience: set[str] = set()
    for row in rows:
        ids = frozenset(str(i) for i in row["ids"])
        audience |= ids
        if row["value"] is not None:
            value = str(row["value"])
            name = row["name"]
            cells.append(TrueCell(value, str(name) if name is not None else None, ids))
    return cells, frozenset(audience)


def read_ledger(rows: list[dict[str, Any]]) -> list[LedgerEntry]:
    return [
        LedgerEntry(r["id"], str(r["value"]), frozenset(r["customer_ids"] or ()), int(r["at"]))
        for r in rows
        if r is not None
    ]


async def aggregates(ctx: Context, purpose: str, dimension: str) -> Aggregates:
    """The audience size and the cells of ``dimension`` the rules release, with how many
    were withheld. Fresh releases are appended to the partner's ledger in the same go;
    when another request appended first, the answer is decided again on the new ledger."""
    partner = partner_scope(ctx, purpose, dimension)
    if dimension not in DIMENSIONS:
        raise bad_input(f"unknown dimension {dimension!r}", "dimension")
    ctx.audit.partner_pull(purpose, [])
    params = {"partner": partner, "purpose": purpose, "dimension": dimension}
    answer = await ledgered_aggregates(ctx, q.AGGREGATES[dimension], params)
    ctx.audit.metered(cells=len(answer.cells))
    return answer


async def ledgered_aggregates(ctx: Context, statement: str, params: dict[str, Any]) -> Aggregates:
    """The cells of ``statement`` (an aggregate statement of graph/partner.py, with
    ``params`` naming partner, purpose and dimension) that the rules release, the fresh
    ones appended to the partner's ledger. Raises GRAPH_UNAVAILABLE when the ledger keeps
    moving under the decision."""
    k = ctx.privacy.min_group_size
    dimension = params["dimension"]
    for _ in range(LEDGER_ATTEMPTS):
        params = {**params, "now": now_ms()}
        rows = await ctx.store.read(statement, params)
        if not rows:
            return Aggregates(audience_size=0, cells=[], suppressed_cells=0)
        row = rows[0]
        cells, audience_ids = _cells(row["cells"])
        ledger = read_ledger(row["ledger"])
        decision = decide_cells(cells, ledger, k, audience_ids, dimension in SINGLE_VALUED)
        answer = Aggregates(
            audience_size=int(row["audience"]),
            cells=decision.cells,
            suppressed_cells=decision.suppressed,
        )
        if not decision.fresh or await append_releases(ctx, params, len(ledger), decision.fresh):
            return answer
    raise ApiError("the partner's release ledger is busy; try again", ErrorCode.GRAPH_UNAVAILABLE)


async def append_releases(
    ctx: Context, params: dict[str, Any], seen: int, fresh: Sequence[TrueCell]
) -> bool:
    """Record ``fresh`` in the partner's ledger of ``params["dimension"]`` if it still
    holds the ``seen`` entries the decision saw; whether it did."""
    rows = [
        {"id": uuid.uuid4().hex, "value": c.value, "customer_ids": sorted(c.ids)} for c in fresh
    ]
    appended, _ = await ctx.store.write_returning(
        q.APPEND_RELEASES, {**params, "salt": new_salt(), "seen": seen, "rows": rows}
    )
    return bool(appended)


# --- operations (hub partners ...) ----------------------------------------------------


async def rotate_partner_key(store: GraphStore, partner: str) -> int | None:
    """Give ``partner`` a new salt (every pseudonym changes); its rotation time, or None
    when no brand has that id."""
    found = await store.read(q.PARTNER_SUMMARY, {"partner": partner})
    if not found or not found[0]["brand_found"]:
        return None
    rows, _ = await store.write_returning(
        q.ROTATE_KEY, {"partner": partner, "salt": new_salt(), "now": now_ms()}
    )
    return int(rows[0]["rotated_at"])


async def partner_summary(
    store: GraphStore, partner: str, purposes: Iterable[str]
) -> dict[str, Any]:
    """The brand, its key's dates, its ledger by dimension and its live audience size per
    purpose (no salt, no customer ids)."""
    head = (await store.read(q.PARTNER_SUMMARY, {"partner": partner}))[0]
    ledger = await store.read(q.LEDGER_SUMMARY, {"partner": partner})
    now = now_ms()
    sizes = {}
    for purpose in purposes:
        rows = await store.read(
            q.AUDIENCE_SIZE, {"partner": partner, "purpose": purpose, "now": now}
        )
        sizes[purpose] = int(rows[0]["members"]) if rows else 0
    return {**head, "ledger": ledger, "audience": sizes}
