"""Fraud and anomaly signals for admins and analysts: rings, bursts of purchases or
refunds, refund and complaint abuse, account farms, each scored in bits with its evidence.

graph/fraud.py computes the evidence in the graph (restricted customers left out but for
admins); analytics/fraud.py and analytics/farms.py score it, the same code the bench's
in-process path runs. Consent does not gate it: detecting fraud is the brand's legitimate
interest (docs/predictions.md, "Fraud and anomaly patterns").
"""

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from analytics import farms, fraud
from analytics.complaint_abuse import Complaints, complaint_abuse
from graph import fraud as q
from graph.store import Record
from resolvers.context import Context
from resolvers.errors import bad_input

KINDS = ("ring", "burst", "refund_burst", "refund_abuse", "complaint_abuse", "account_farm")
DAY_MS = 86_400_000
CONFIG = fraud.FraudConfig()
FARM_CONFIG = farms.FarmConfig()
MAX_SCORE = 1000.0


@dataclass(frozen=True)
class FraudItem:
    """One signal as the API shows it: ``details`` as analytics.fraud.Signal's (times in
    epoch ms), ``shared`` (rings) the hashed values shared per kind, ``reason`` in words."""

    kind: str
    score: float
    customers: tuple[str, ...]
    accounts: tuple[str, ...]
    reason: str
    details: dict[str, float] = field(default_factory=dict)
    shared: dict[str, int] = field(default_factory=dict)


async def _read(ctx: Context, query: str, params: dict[str, Any]) -> list[Record]:
    """A fraud statement with the caller's restriction rule (graph/restriction.py)."""
    return await ctx.store.read(
        query, {**params, "include_restricted": ctx.principal.sees_restricted}
    )


def _day(ms: Any) -> float:
    return int(ms) / DAY_MS if ms is not None else 0.0


def history(row: Record) -> fraud.History:
    """A FRAUD_HISTORIES row as analytics.fraud reads it (days since the epoch)."""
    return fraud.History(
        customer_id=row["customer"], purchases=int(row["purchases"]),
        first_day=_day(row["first"]), last_day=_day(row["last"]), burst=int(row["burst"]),
        burst_day=_day(row["burst_at"]), refunds=int(row["refunds"]),
        first_refund_day=_day(row["first_refund"]), last_refund_day=_day(row["last_refund"]),
        refund_burst=int(row["refund_burst"]), refund_burst_day=_day(row["refund_burst_at"]),
    )  # fmt: skip


async def purchase_evidence(ctx: Context, rings: bool, patterns: bool) -> fraud.Evidence:
    """The purchases' evidence from the graph: histories and population when
    ``patterns`` (bursts, refunds) are asked, shared values when ``rings`` are."""
    population = fraud.Population(0, 0, 0, 0.0, 0.0)
    histories: list[fraud.History] = []
    shared: list[fraud.SharedValue] = []
    if patterns:
        rows = await _read(ctx, q.FRAUD_POPULATION, {})
        if rows and rows[0]["purchases"]:
            r = rows[0]
            population = fraud.Population(
                int(r["customers"]), int(r["purchases"]), int(r["refunds"]),
                _day(r["first"]), _day(r["last"]),
            )  # fmt: skip
            found = await _read(
                ctx, q.FRAUD_HISTORIES,
                {"window_ms": round(CONFIG.window_days * DAY_MS), "min_burst": fraud.MIN_BURST},
            )  # fmt: skip
            histories = [history(r) for r in found]
    if rings:
        found = await _read(ctx, q.FRAUD_SHARED_VALUES, {"max_sharers": CONFIG.max_sharers})
        shared = [fraud.SharedValue(r["kind"], frozenset(r["customers"])) for r in found]
    return fraud.Evidence(histories, population, shared)


async def lockstep_pairs(ctx: Context) -> list[farms.Pair]:
    """The account pairs in lockstep, from the graph."""
    rows = await _read(
        ctx, q.FRAUD_LOCKSTEP_PAIRS,
        {"new_ms": FARM_CONFIG.new_ms, "lockstep_ms": FARM_CONFIG.lockstep_ms,
         "min_posts": FARM_CONFIG.min_posts, "max_next": FARM_CONFIG.max_next},
    )  # fmt: skip
    return [farms.Pair(r["a"], r["b"], int(r["posts"])) for r in rows]


def _reason(s: fraud.Signal) -> str:
    d = s.details
    if s.kind == "ring":
        kinds = ", ".join(f"{n} {k} value{'s' if n > 1 else ''}" for k, n in s.shared.items())
        return f"ring of {len(s.customers)} customers sharing {kinds}"
    if s.kind in ("burst", "refund_burst"):
        what = "purchases" if s.kind == "burst" else "refunds"
        return (
            f"{d['count']:.0f} {what} in {CONFIG.window_days:g} days, "
            f"{d['expected']:.2f} expected from the customer's own history"
        )
    return (
        f"{d['refunds']:.0f} of {d['purchases']:.0f} purchases refunded "
        f"({d['refund_share']:.0%}; everyone: {d['population_share']:.1%})"
    )


def _item(s: fraud.Signal) -> FraudItem:
    details = dict(s.details)
    for key in ("start_day", "end_day"):
        if key in details:
            details[key.replace("_day", "_ms")] = round(details.pop(key) * DAY_MS)
    return FraudItem(s.kind, s.score, s.customers, (), _reason(s), details, dict(s.shared))


async def _farm_items(ctx: Context) -> list[FraudItem]:
    found = farms.farms(await lockstep_pairs(ctx), FARM_CONFIG)
    accounts = sorted({a for f in found for a in f.accounts})
    owners: dict[str, list[str]] = {}
    if accounts:
        for r in await _read(ctx, q.ACCOUNT_OWNERS, {"accounts": accounts}):
            owners.setdefault(r["account"], []).append(r["customer"])
    items = []
    for f in found:
        customers = tuple(sorted({c for a in f.accounts for c in owners.get(a, [])}))
        reason = (
            f"{len(f.accounts)} new accounts in lockstep ({f.pairs} pairs, up to {f.posts} "
            f"posts together within {FARM_CONFIG.lockstep_minutes:g} minutes)"
        )
        details = {"accounts": float(len(f.accounts)), "pairs": float(f.pairs),
                   "posts": float(f.posts)}  # fmt: skip
        items.append(FraudItem("account_farm", f.score, customers, f.accounts, reason, details))
    return items


async def _complaint_items(ctx: Context, purchases: int) -> list[FraudItem]:
    rows = await _read(ctx, q.FRAUD_COMPLAINTS, {})
    found = complaint_abuse(
        [Complaints(r["customer"], int(r["complaints"]), int(r["purchases"])) for r in rows],
        purchases,
    )
    return [
        FraudItem(
            "complaint_abuse",
            a.score,
            (a.customer_id,),
            (),
            f"{a.complaints} complaints on {a.purchases} purchases, {a.expected:.2f} expected "
            "at everyone's complaints per purchase",
            {
                "complaints": float(a.complaints),
                "purchases": float(a.purchases),
                "expected": a.expected,
            },
        )
        for a in found
    ]


async def fraud_signals(
    ctx: Context, kinds: Collection[str] | None, min_score: float
) -> list[FraudItem]:
    """The signals of ``kinds`` (None: all) scoring ``min_score`` bits or more, highest
    first. Raises BAD_USER_INPUT for a score out of 0..MAX_SCORE or an empty kind list."""
    if not 0 <= min_score <= MAX_SCORE:
        raise bad_input(f"minScore must be within 0..{MAX_SCORE:g} (bits)", "minScore")
    wanted = set(KINDS if kinds is None else kinds)
    if not wanted:
        raise bad_input("kinds must name at least one kind (or be left out)", "kinds")
    patterns = bool(wanted & {"burst", "refund_burst", "refund_abuse", "complaint_abuse"})
    items: list[FraudItem] = []
    if patterns or "ring" in wanted:
        evidence = await purchase_evidence(ctx, "ring" in wanted, patterns)
        items += [_item(s) for s in fraud.signals(evidence, CONFIG) if s.kind in wanted]
        if "complaint_abuse" in wanted:
            items += await _complaint_items(ctx, evidence.population.purchases)
    if "account_farm" in wanted:
        items += await _farm_items(ctx)
    kept = [i for i in items if i.score >= min_score]
    return sorted(kept, key=lambda i: (-i.score, i.kind, i.customers, i.accounts))
