"""Probabilistic identity resolution over the graph: read the accounts and customers, run
the match model (identity/), and make each account's model link or review candidate what
the model decides, respecting exact evidence and every human decision.

What a run does to an account (docs/identity.md, "Decisions and thresholds"):
- linked by exact evidence or by a human, or its exact evidence conflicts: left alone;
- otherwise at or above the auto-link threshold: a `probabilistic` HAS_ACCOUNT; between
  the thresholds, or over a customer's per-platform limit: a LINK_CANDIDATE for review
  (with `blocked` saying which rule stopped it); below: neither;
- a pair a human rejected is never proposed again.
Only accounts whose state differs are written, so a re-run with nothing new changes
nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from graph.identity_links import (
    ACCOUNT_RECORDS,
    ACCOUNT_RECORDS_PAGE,
    APPLY_MODEL_DECISIONS,
    CUSTOMER_RECORDS,
    CUSTOMER_RECORDS_PAGE,
    LINKS_OF_CUSTOMERS,
    MODEL,
    SAVE_MODEL,
)
from graph.store import GraphStore, Record, WriteCounters
from identity.blocking import ACCOUNT_RULES, block
from identity.customer_index import CustomerIndex
from identity.decisions import LinkDecision, Thresholds
from identity.model import MatchModel, link_model_from_dict
from identity.pipeline import (
    FIT_SAMPLE,
    Reservoir,
    fit_account_model,
    resolve_duplicates,
    score_accounts,
)
from identity.profiles import AccountProfile, CustomerProfile, account_profile, customer_profile
from identity.records import AccountRecord, CustomerRecord
from loaders.duplicates import DuplicateOutcome, record_duplicates
from loaders.linking import MODEL_METHOD

PAGE = 5000
WRITE_BATCH = 1000
MIN_RECORDS = 20  # customers and accounts needed to fit a model at all
ACCOUNTS_MODEL = "accounts"

ProgressFn = Callable[[str, int], None]  # (step, records done in it)


@dataclass(frozen=True)
class ResolveOptions:
    thresholds: Thresholds = field(default_factory=Thresholds)
    since: int | None = None  # only accounts written at or after (epoch ms)
    refit: bool = False  # fit a new model even when one is stored
    max_per_platform: int = 2  # model links a customer may get on one platform
    default_region: str | None = None  # for phones without a country code
    seed: int = 0
    # Keys the names of the stored model's name-frequency table (see sealed_params); the
    # hub's PrivacyConfig.derived_key("identity-names").
    name_key: bytes = b"identity-names"
    duplicates: bool = True  # full runs also look for CRM duplicates (SAME_AS candidates)


@dataclass
class ResolveReport:
    """What one run did. ``skipped`` counts accounts left alone, by reason."""

    accounts: int = 0
    customers: int = 0
    added: int = 0  # model links made where there was none
    changed: int = 0  # model links moved to another customer or re-scored
    removed: int = 0  # model links withdrawn
    queued: int = 0  # candidates put in (or changed in) the review queue
    blocked: int = 0  # of those, stopped by a rule (per-platform limit)
    unqueued: int = 0  # candidates taken out of the queue
    skipped: Counter[str] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)  # link / review / none
    model_version: str | None = None
    fitted: bool = False
    seconds: float = 0.0
    counters: WriteCounters = field(default_factory=WriteCounters)
    note: str | None = None  # why nothing was decided, when nothing was
    duplicates: DuplicateOutcome | None = None  # SAME_AS candidates (full runs only)


class NoModel(Exception):
    """No model is stored and there is too little to fit one."""


def model_tag(model: MatchModel[Any, Any], key: bytes) -> str:
    """The version stored with every decision: the estimator's version and a digest of the
    fitted parameters as stored, so two fits on the same data carry the same tag."""
    params = sealed_params(model, key).encode()
    return f"{model.version}:{hashlib.sha256(params).hexdigest()[:12]}"


# -- reading ------------------------------------------------------------------------------


async def _page_by_page(
    store: GraphStore, query: str, params: dict[str, Any], step: str, progress: ProgressFn | None
) -> AsyncIterator[list[Record]]:
    """The rows of ``query`` a page at a time, in id order (keyset pages on ``$after``)."""
    after, seen = "", 0
    while True:
        page = await store.read(query, {**params, "after": after, "limit": PAGE})
        seen += len(page)
        if progress:
            progress(step, seen)
        if page:
            yield page
        if len(page) < PAGE:
            return
        after = page[-1]["id"]


async def _pages(
    store: GraphStore, query: str, params: dict[str, Any], step: str, progress: ProgressFn | None
) -> list[Record]:
    return [r async for page in _page_by_page(store, query, params, step, progress)
            for r in page]  # fmt: skip


def account_pages(
    store: GraphStore, since: int | None, step: str = "accounts",
    progress: ProgressFn | None = None,
) -> AsyncIterator[list[Record]]:  # fmt: skip
    """Every account (written at or after ``since``, when given) with its evidence, links,
    candidates and decisions, a page at a time: what a run holds of the accounts."""
    return _page_by_page(store, ACCOUNT_RECORDS_PAGE, {"since": since}, step, progress)


async def read_customers(
    store: GraphStore, progress: ProgressFn | None = None
) -> list[CustomerRecord]:
    """Every customer an account may be linked to (processing not restricted)."""
    rows = await _pages(store, CUSTOMER_RECORDS_PAGE, {}, "customers", progress)
    return [CustomerRecord.from_row(r) for r in rows]


async def read_accounts(store: GraphStore, ids: Sequence[str]) -> list[Record]:
    """The accounts ``ids`` with their evidence and their current links, candidates and
    decisions (every account, page by page: `account_pages`)."""
    rows: list[Record] = []
    for start in range(0, len(ids), PAGE):
        rows.extend(await store.read(ACCOUNT_RECORDS, {"ids": list(ids[start : start + PAGE])}))
    return rows


class KeyedNames(dict[str, float]):
    """A name-frequency table whose keys are keyed hashes of the names: the stored model
    holds no customer's name, and a lookup by name hashes it first."""

    def __init__(self, key: bytes, table: dict[str, float]) -> None:
        super().__init__(table)
        self.key = key

    def digest(self, name: str) -> str:
        return hmac.new(self.key, name.encode(), hashlib.sha256).hexdigest()[:32]

    def get(self, name: str, default: Any = None) -> Any:
        return super().get(self.digest(name), default)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and super().__contains__(self.digest(name))


def sealed_params(model: MatchModel[Any, Any], key: bytes) -> str:
    """The model's parameters as stored: JSON, with every name replaced by its keyed hash
    (an erased customer's name must not outlive them in a system record)."""
    params = model.to_dict()
    table = model.name_frequency
    if not isinstance(table, KeyedNames):
        keyed = KeyedNames(key, {})
        params["name_frequency"] = {keyed.digest(n): share for n, share in table.items()}
    params["names_keyed"] = True
    return json.dumps(params, sort_keys=True)


async def stored_model(
    store: GraphStore, key: bytes
) -> MatchModel[AccountProfile, CustomerProfile] | None:
    """The stored account model, or None (none yet, or fitted with other comparisons)."""
    rows = await store.read(MODEL, {"kind": ACCOUNTS_MODEL})
    if not rows or not rows[0]["params"]:
        return None
    try:
        params = json.loads(rows[0]["params"])
        model = link_model_from_dict(params)
    except (ValueError, KeyError):
        return None
    if params.get("names_keyed"):
        model.name_frequency = KeyedNames(key, model.name_frequency)
    return model


# -- deciding -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Wanted:
    """The model's link or candidate an account should have."""

    outcome: str  # link, review, none
    customer_id: str | None = None
    confidence: float | None = None
    model_version: str | None = None
    evidence: str | None = None
    blocked: str | None = None

    def change(self, account_id: str) -> dict[str, Any]:
        return {"account_id": account_id, "outcome": self.outcome,
                "customer_id": self.customer_id, "confidence": self.confidence,
                "model_version": self.model_version, "evidence": self.evidence,
                "blocked": self.blocked}  # fmt: skip


def evidence_json(decision: LinkDecision, notes: Sequence[str]) -> str | None:
    """The stored explanation: every comparison with its level and weight, the prior,
    the competition, and the rules that dropped evidence (``notes``)."""
    if decision.explanation is None:
        return None
    data = decision.explanation.to_dict()
    data["probability"] = round(float(data["probability"]), 6)
    data["competing"] = round(float(data["competing"]), 6)
    if notes:
        data["notes"] = list(notes)
    return json.dumps(data, sort_keys=True, ensure_ascii=False)


def skip_reason(row: Record) -> str | None:
    """Why the model must leave this account alone, or None."""
    links = row.get("links") or []
    if any(link.get("method") != MODEL_METHOD for link in links):
        return "linked by exact evidence or a human"
    if any(d.get("decision") == "linked" for d in row.get("decisions") or []):
        return "linked by exact evidence or a human"
    if row.get("conflict"):
        return "exact evidence in conflict"
    if any(x.get("restricted") for x in links + (row.get("candidates") or [])):
        return "customer's processing restricted"
    return None


def current(row: Record) -> Wanted:
    """The model's link or candidate the account has now."""
    for link in row.get("links") or []:
        if link.get("method") == MODEL_METHOD:
            return Wanted("link", link["customer_id"], link.get("confidence"),
                          link.get("model_version"), link.get("evidence"))  # fmt: skip
    for c in row.get("candidates") or []:
        return Wanted("review", c["customer_id"], c.get("confidence"), c.get("model_version"),
                      c.get("evidence"), c.get("blocked"))  # fmt: skip
    return Wanted("none")


def wanted(
    decision: LinkDecision, row: Record, profile: AccountProfile | None, version: str
) -> Wanted:
    """What the model's decision asks for this account, a human's rejection applied."""
    rejected = {d["customer_id"] for d in row.get("decisions") or []
                if d.get("decision") == "rejected"}  # fmt: skip
    if decision.outcome == "none" or decision.customer_id is None:
        return Wanted("none")
    if decision.customer_id in rejected:
        return Wanted("none")
    if decision.method == "crm_id":
        return Wanted("none")  # a claimed id is exact evidence: loaders/linking.py links it
    notes = profile.placeholders if profile is not None else ()
    return Wanted(
        decision.outcome,
        decision.customer_id,
        round(float(decision.probability or 0.0), 6),
        version,
        evidence_json(decision, notes),
    )


def apply_platform_limit(
    wants: dict[str, Wanted],
    platforms: dict[str, str],
    other_links: Iterable[tuple[str, str]],
    limit: int,
) -> int:
    """Turn model links beyond ``limit`` per customer and platform (counting the links not
    re-decided here, ``other_links`` as (customer, platform)) into blocked candidates, the
    least probable first. Returns how many were blocked."""
    held: Counter[tuple[str, str]] = Counter(other_links)
    by_key: dict[tuple[str, str], list[str]] = defaultdict(list)
    for account, want in wants.items():
        if want.outcome == "link" and want.customer_id:
            by_key[(want.customer_id, platforms.get(account, ""))].append(account)
    blocked = 0
    for key, accounts in by_key.items():
        room = max(0, limit - held[key])
        ranked = sorted(accounts, key=lambda a: (-(wants[a].confidence or 0.0), a))
        for account in ranked[room:]:
            want = wants[account]
            wants[account] = Wanted(
                "review", want.customer_id, want.confidence, want.model_version, want.evidence,
                f"per-platform limit: customer {key[0]} would have more than {limit} "
                f"{key[1] or 'unknown-platform'} accounts",
            )  # fmt: skip
            blocked += 1
    return blocked


# -- running ------------------------------------------------------------------------------


async def resolve(
    store: GraphStore,
    options: ResolveOptions,
    now: int,
    progress: ProgressFn | None = None,
    account_ids: Sequence[str] | None = None,
    customer_ids: Sequence[str] | None = None,
) -> ResolveReport:
    """One run: the accounts written since ``options.since`` (every account when None), or
    the accounts ``account_ids`` and those that may match the customers ``customer_ids``
    (after a load). Fits a model when none is stored or ``options.refit``; raises NoModel
    when there is too little to fit one."""
    started = time.perf_counter()
    report = ResolveReport()
    model = None if options.refit else await stored_model(store, options.name_key)
    incremental = account_ids is not None or customer_ids is not None
    if model is None and incremental:
        # Said before reading anything: a load with no stored model read every customer
        # only to decide nothing.
        report.note = "no model stored yet: run `hub resolve` once to fit one"
        return report
    customers = await read_customers(store, progress)
    report.customers = len(customers)
    index: CustomerIndex | None = None  # built once, for the fit and the decisions
    if model is None:
        # One pass over the accounts, a page at a time, keeping a uniform sample to fit
        # on; the decisions are a second pass (memory stays flat in the accounts).
        sample: Reservoir[AccountRecord] = Reservoir(FIT_SAMPLE, options.seed)
        async for page in account_pages(store, None, "sample", progress):
            for row in page:
                sample.add(AccountRecord.from_row(row))
        if len(customers) < MIN_RECORDS or sample.seen < MIN_RECORDS:
            raise NoModel(
                f"too few records to fit a model ({len(customers)} customers, "
                f"{sample.seen} accounts; at least {MIN_RECORDS} of each)"
            )
        index = CustomerIndex.build(customers, options.default_region)
        model = fit_account_model(index, sample.sample(), seed=options.seed)
        report.fitted = True
    pages: AsyncIterator[list[Record]]
    if incremental:  # (with a stored model: without one, the run ended above)
        pages = _one_page(
            await _incremental_rows(store, account_ids or [], customer_ids or [], options)
        )
    else:
        pages = account_pages(store, options.since, "accounts", progress)
    version = model_tag(model, options.name_key)
    report.model_version = version
    if report.fitted:
        await store.write(
            SAVE_MODEL,
            {"kind": ACCOUNTS_MODEL, "version": version, "now": now,
             "params": sealed_params(model, options.name_key)},
        )  # fmt: skip
    await _decide_and_write(store, pages, customers, index, model, version, options, now,
                            report, progress)  # fmt: skip
    if options.duplicates and not incremental and options.since is None:
        report.duplicates = await find_duplicates(store, customers, options, now, progress)
    report.seconds = time.perf_counter() - started
    return report


async def find_duplicates(
    store: GraphStore,
    customers: list[CustomerRecord],
    options: ResolveOptions,
    now: int,
    progress: ProgressFn | None = None,
) -> DuplicateOutcome:
    """CRM records of one person among ``customers``: the model fitted on them, its pairs at
    or above the review threshold kept as SAME_AS candidates for a person to merge or
    reject (loaders/duplicates.py). Too few customers to fit: nothing proposed."""
    if len(customers) < MIN_RECORDS:
        return DuplicateOutcome(skipped={"too few customers to fit a model": len(customers)})
    run = resolve_duplicates(
        customers, thresholds=options.thresholds, default_region=options.default_region,
        seed=options.seed,
    )  # fmt: skip
    if progress:
        progress("duplicates", len(run.decisions))
    return await record_duplicates(store, run.decisions, model_tag(run.model, options.name_key),
                                   now)  # fmt: skip


async def _incremental_rows(
    store: GraphStore,
    account_ids: Sequence[str],
    customer_ids: Sequence[str],
    options: ResolveOptions,
) -> list[Record]:
    """The accounts a load may have changed the link of: those it wrote, and those that
    block with a customer it wrote (a new customer may be an old account's owner)."""
    wanted_ids = set(account_ids)
    if customer_ids:
        changed = [
            customer_profile(CustomerRecord.from_row(r), options.default_region)
            for start in range(0, len(customer_ids), PAGE)
            for r in await store.read(
                CUSTOMER_RECORDS, {"ids": list(customer_ids[start : start + PAGE])}
            )
        ]
        async for page in account_pages(store, None):
            profiles = [
                account_profile(AccountRecord.from_row(r), options.default_region) for r in page
            ]
            pairs = block(profiles, changed, ACCOUNT_RULES)
            wanted_ids |= {profiles[i].id for i in set(pairs.left.tolist())}
    return await read_accounts(store, sorted(wanted_ids))


async def _one_page(rows: list[Record]) -> AsyncIterator[list[Record]]:
    if rows:
        yield rows


async def _decide_and_write(
    store: GraphStore,
    pages: AsyncIterator[list[Record]],
    customers: list[CustomerRecord],
    index: CustomerIndex | None,
    model: MatchModel[AccountProfile, CustomerProfile],
    version: str,
    options: ResolveOptions,
    now: int,
    report: ResolveReport,
    progress: ProgressFn | None,
) -> None:
    """Decide the accounts of ``pages`` a page at a time and write what changed. What a
    page wants is written with it, except model links: those wait for the end, where the
    per-platform limit is applied over all of them (it counts a customer's links across
    pages). Held meanwhile: the accounts decided (ids) and, for the links wanted, the
    wanted and the current state; not the accounts' rows."""
    links: dict[str, Wanted] = {}  # account -> the model link it wants
    held: dict[str, tuple[Wanted, str]] = {}  # account -> (its state now, its platform)
    decided: set[str] = set()
    other_links: list[tuple[str, str]] = []
    changes: list[dict[str, Any]] = []
    written = 0
    async for rows in pages:
        report.accounts += len(rows)
        open_rows = []
        for row in rows:
            reason = skip_reason(row)
            if reason:
                report.skipped[reason] += 1
                other_links += [(link["customer_id"], row.get("platform") or "")
                                for link in row.get("links") or []]  # fmt: skip
            else:
                open_rows.append(row)
        if not open_rows:
            continue
        if index is None:
            index = CustomerIndex.build(customers, options.default_region)
        # Scored a chunk at a time against the index (identity.pipeline.score_accounts).
        decisions = score_accounts(
            model, (AccountRecord.from_row(r) for r in open_rows), index, options.thresholds
        )
        for row, decision in zip(open_rows, decisions, strict=True):
            if decision.outcome == "none" and decision.reason in ("nothing to compare",):
                report.skipped["nothing to compare"] += 1
            profile = None
            if decision.outcome != "none":  # its dropped evidence goes with the explanation
                profile = index.profiles([AccountRecord.from_row(row)])[0]
            want, have = wanted(decision, row, profile, version), current(row)
            decided.add(row["id"])
            if want.outcome == "link":
                links[row["id"]] = want
                held[row["id"]] = (have, row.get("platform") or "")
            else:
                _settle(report, changes, row["id"], want, have)
        written = await _write_changes(store, changes, now, report, progress, written)
    if not links:
        return
    other_links += await _links_elsewhere(store, links, decided)
    report.blocked = apply_platform_limit(
        links, {a: platform for a, (_, platform) in held.items()}, other_links,
        options.max_per_platform,
    )  # fmt: skip
    for account, want in links.items():
        _settle(report, changes, account, want, held[account][0])
    await _write_changes(store, changes, now, report, progress, written, final=True)


def _settle(
    report: ResolveReport, changes: list[dict[str, Any]], account: str, want: Wanted,
    have: Wanted,
) -> None:  # fmt: skip
    """Count the account's outcome; queue its change when its state differs."""
    report.outcomes[want.outcome] += 1
    if want != have:
        changes.append(want.change(account))
        _count(report, have, want)


async def _write_changes(
    store: GraphStore, changes: list[dict[str, Any]], now: int, report: ResolveReport,
    progress: ProgressFn | None, written: int, final: bool = False,
) -> int:  # fmt: skip
    """Write the queued changes in batches (all of them when ``final``, else whole batches
    only) and take them off the queue; returns how many were written in all."""
    while len(changes) >= WRITE_BATCH or (final and changes):
        batch = changes[:WRITE_BATCH]
        del changes[:WRITE_BATCH]
        report.counters += await store.write(APPLY_MODEL_DECISIONS, {"changes": batch, "now": now})
        written += len(batch)
        if progress:
            progress("writing", written)
    return written


async def _links_elsewhere(
    store: GraphStore, wants: dict[str, Wanted], decided: set[str]
) -> list[tuple[str, str]]:
    """(customer, platform) of the links the customers about to get a model link already
    have on accounts this run does not re-decide."""
    ids = sorted({w.customer_id for w in wants.values() if w.outcome == "link" and w.customer_id})
    out = []
    for start in range(0, len(ids), PAGE):
        for r in await store.read(LINKS_OF_CUSTOMERS, {"ids": ids[start : start + PAGE]}):
            if r["account_id"] not in decided:
                out.append((r["customer_id"], r["platform"] or ""))
    return out


def _count(report: ResolveReport, have: Wanted, want: Wanted) -> None:
    if want.outcome == "link":
        if have.outcome == "link":
            report.changed += 1
        else:
            report.added += 1
    elif have.outcome == "link":
        report.removed += 1
    if want.outcome == "review":
        report.queued += 1
    elif have.outcome == "review":
        report.unqueued += 1


async def explain_account(
    store: GraphStore, account_id: str, options: ResolveOptions
) -> dict[str, Any] | None:
    """What ``account_id``'s link is and why: its link or review candidate with the stored
    explanation, or else what the stored model says of it now (nothing is written). None
    when there is no such account."""
    rows = await read_accounts(store, [account_id])
    if not rows:
        return None
    row = rows[0]
    out: dict[str, Any] = {"account_id": account_id, "decisions": row.get("decisions") or []}
    for link in row.get("links") or []:
        return {**out, "state": "linked", "customer_id": link["customer_id"],
                "method": link.get("method"), "confidence": link.get("confidence"),
                "model_version": link.get("model_version"),
                "evidence": _loads(link.get("evidence"))}  # fmt: skip
    for c in row.get("candidates") or []:
        return {**out, "state": "review candidate", "customer_id": c["customer_id"],
                "confidence": c.get("confidence"), "model_version": c.get("model_version"),
                "blocked": c.get("blocked"), "evidence": _loads(c.get("evidence"))}  # fmt: skip
    if row.get("conflict"):
        return {**out, "state": f"not linked: exact evidence in conflict ({row['conflict']})"}
    model = await stored_model(store, options.name_key)
    if model is None:
        return {**out, "state": "not linked; no model is stored yet (run `hub resolve`)"}
    index = CustomerIndex.build(await read_customers(store), options.default_region)
    record = AccountRecord.from_row(row)
    [decision] = score_accounts(model, [record], index, options.thresholds)
    notes = index.profiles([record])[0].placeholders
    version = model_tag(model, options.name_key)
    return {**out, "state": f"not linked: {decision.reason}",
            "customer_id": decision.customer_id if decision.explanation else None,
            "confidence": decision.probability, "model_version": version,
            "evidence": _loads(evidence_json(decision, notes))}  # fmt: skip


def _loads(text: str | None) -> dict[str, Any] | None:
    value = json.loads(text) if text else None
    return value if isinstance(value, dict) else None
