"""Partner lookalikes: the community's customers most like a seed set (the partner's
live audience, or a list's consenting matches), as counts per score band under the
rules and ledger of aggregates, and as the partner's pseudonyms only for those whose
consent to the partner for the purpose is live (docs/partner.md, "Lookalikes").

A customer's features: its tags, the content types it interacted with, the brands its
accounts follow. The seed's profile gives each feature the share of seed members with
it; a candidate's score is the mean of that share over its features (0 without any), in
[0, 1]. Candidates: every unrestricted customer outside the seed.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from graph import partner_lists as gl
from graph import partner_lookalikes as q
from resolvers.clock import now_ms
from resolvers.context import Context
from resolvers.errors import ApiError, ErrorCode, bad_input
from resolvers.partner import (
    AudiencePage,
    Cell,
    TrueCell,
    append_releases,
    decide_cells,
    partner_scope,
    pseudonym_page,
    read_audience_page,
    read_ledger,
)
from resolvers.partner_lists import match_rows, read_list_id

DIMENSION = "lookalike"
# (lowest score, band) from the top; a score falls in the first band it reaches
BANDS = ((0.8, "0.8-1.0"), (0.6, "0.6-0.8"), (0.4, "0.4-0.6"), (0.2, "0.2-0.4"), (0.0, "0.0-0.2"))


def profile(seed: Iterable[frozenset[str]]) -> dict[str, float]:
    """Feature -> share of the seed's members with it."""
    members = list(seed)
    counts: dict[str, int] = {}
    for features in members:
        for f in features:
            counts[f] = counts.get(f, 0) + 1
    return {f: n / len(members) for f, n in counts.items()} if members else {}


def score(features: frozenset[str], weights: Mapping[str, float]) -> float:
    """The mean seed share of ``features``; 0 for none."""
    return sum(weights.get(f, 0.0) for f in features) / len(features) if features else 0.0


def band(value: float) -> str:
    return next(name for low, name in BANDS if value >= low - 1e-9)


@dataclass(frozen=True)
class Lookalikes:
    seed_size: int
    candidates: int
    bands: list[Cell]
    suppressed_bands: int
    members: AudiencePage


async def lookalikes(
    ctx: Context, purpose: str, list_id: str | None, min_score: float, first: int,
    after: str | None,
) -> Lookalikes:  # fmt: skip
    """Counts per band of the candidates' scores (a fresh band joins the partner's ledger),
    and a page of the consenting candidates scoring at least ``min_score``."""
    partner = partner_scope(ctx, purpose)
    if not 0 <= min_score <= 1:
        raise bad_input("minScore must be between 0 and 1", "minScore")
    start = read_audience_page(first, after, ctx.max_page_size)
    seed_ids: frozenset[str] | None = None
    if list_id is not None:
        seed_ids = (await match_rows(ctx, partner, purpose, read_list_id(list_id))).consented
        ctx.audit.note("partner_list_match")
        ctx.audit.metered(lists=1)
    k = ctx.privacy.min_group_size
    for _ in range(3):
        rows = await ctx.store.read(
            q.FEATURES, {"partner": partner, "purpose": purpose, "now": now_ms()}
        )
        features = {str(r["id"]): frozenset(str(f) for f in r["features"]) for r in rows}
        consented = {str(r["id"]) for r in rows if r["consented"]}
        seed = seed_ids & features.keys() if seed_ids is not None else frozenset(consented)
        weights = profile(features[c] for c in seed)
        scores = {c: score(f, weights) for c, f in features.items() if c not in seed}
        by_band: dict[str, set[str]] = {}
        for c, s in scores.items():
            by_band.setdefault(band(s), set()).add(c)
        cells = [TrueCell(name, None, frozenset(ids)) for name, ids in by_band.items()]
        ledger_rows = await ctx.store.read(gl.LEDGER, {"partner": partner, "dimension": DIMENSION})
        ledger = read_ledger([r["entry"] for r in ledger_rows])
        decision = decide_cells(cells, ledger, k, frozenset(scores), single_valued=True)
        params = {"partner": partner, "dimension": DIMENSION, "now": now_ms()}
        if decision.fresh and not await append_releases(ctx, params, len(ledger), decision.fresh):
            continue  # the ledger moved: decide again
        chosen = sorted(c for c, s in scores.items() if c in consented and s >= min_score)
        salt_rows = await ctx.store.read(gl.KEY_SALT, {"partner": partner})
        salt = salt_rows[0]["salt"] if salt_rows else None
        page = await pseudonym_page(ctx, partner, purpose, chosen, salt, first, start)
        ctx.audit.metered(cells=len(decision.cells))
        return Lookalikes(len(seed), len(scores), decision.cells, decision.suppressed, page)
    raise ApiError("the partner's release ledger is busy; try again", ErrorCode.GRAPH_UNAVAILABLE)
