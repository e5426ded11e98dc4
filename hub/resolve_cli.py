"""`hub resolve`: link social accounts to customers with the match model, or explain one
account's link (docs/identity.md)."""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.progress import Progress, TextColumn, TimeElapsedColumn

from graph.store import GraphStore
from hub.runner import err, fail, run_with_store, settings_or_exit
from hub.settings import Settings

if TYPE_CHECKING:
    from loaders.resolution import ResolveReport

STEPS = {"customers": "reading customers", "sample": "sampling accounts for the fit",
         "accounts": "deciding accounts",
         "writing": "writing decisions", "duplicates": "CRM duplicates"}  # fmt: skip


def _since(value: str | None) -> int | None:
    if value is None:
        return None
    from loaders.kinds import parse_timestamp

    try:
        return parse_timestamp(value)
    except ValueError as e:
        fail(f"--since: {e}", code=2)


def resolve(
    since: Annotated[
        str | None,
        typer.Option(help="Only accounts written at or after this time (ISO 8601 or epoch ms)."),
    ] = None,
    explain: Annotated[
        str | None,
        typer.Option(help="Explain the link (or candidate) of this account and change nothing."),
    ] = None,
    auto_link: Annotated[
        float | None,
        typer.Option(
            min=0.0,
            max=1.0,
            help="Link at this probability or more [env HUB_IDENTITY_AUTO_LINK, 0.95].",
        ),
    ] = None,
    review: Annotated[
        float | None,
        typer.Option(
            min=0.0,
            max=1.0,
            help="Queue for review at this probability or more [env HUB_IDENTITY_REVIEW, 0.5].",
        ),
    ] = None,
    refit: Annotated[
        bool, typer.Option("--refit", help="Fit the model anew, even when one is stored.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress.")] = False,
) -> None:
    """Link social accounts to CRM customers with the match model: links at or above the
    auto-link probability, review candidates between the thresholds, nothing below.
    Exact evidence and every human decision are kept. A re-run with nothing new changes
    nothing."""
    settings = settings_or_exit()
    if explain is not None:
        _explain(settings, explain)
        return
    options = _options(settings, since, auto_link, review, refit)
    progress = Progress(
        TextColumn("[bold]{task.description}"),
        TextColumn("{task.fields[done]:,} records  {task.fields[rate]:,.0f} rows/s"),
        TimeElapsedColumn(),
        console=err,
        disable=quiet or not err.is_terminal,
    )

    async def work(store: GraphStore) -> ResolveReport:
        from loaders.resolution import NoModel
        from loaders.resolution import resolve as run

        started = time.perf_counter()
        task = progress.add_task("resolving", done=0, rate=0.0)

        def on_progress(step: str, done: int) -> None:
            rate = done / max(time.perf_counter() - started, 1e-6)
            progress.update(task, description=STEPS.get(step, step), done=done, rate=rate)

        with progress:
            try:
                return await run(store, options, int(time.time() * 1000), on_progress)
            except NoModel as e:
                fail(f"cannot fit a match model: {e}")

    report = run_with_store(settings, work)
    _print_report(report)


def _options(
    settings: Settings,
    since: str | None,
    auto_link: float | None,
    review: float | None,
    refit: bool,
) -> Any:
    from identity.decisions import Thresholds

    link = settings.identity_auto_link if auto_link is None else auto_link
    queue = settings.identity_review if review is None else review
    if not 0 < queue <= link:
        fail("--review must be above 0 and not above --auto-link", code=2)
    return settings.resolve_options(
        thresholds=Thresholds(link, queue), since=_since(since), refit=refit
    )


def _print_report(report: ResolveReport) -> None:
    model = report.model_version or "none"
    how = "fitted now" if report.fitted else "stored"
    rate = report.accounts / report.seconds if report.seconds else 0.0
    err.print(
        f"{report.accounts:,} accounts against {report.customers:,} customers in "
        f"{report.seconds:.1f}s ({rate:,.0f} accounts/s), model {model} ({how})",
        highlight=False,
    )
    err.print(
        f"links: {report.added:,} added, {report.changed:,} changed, {report.removed:,} "
        f"removed; review: {report.queued:,} queued ({report.blocked:,} blocked by a rule), "
        f"{report.unqueued:,} taken out",
        highlight=False,
    )
    for reason, count in sorted(report.skipped.items()):
        err.print(f"skipped {count:,}: {reason}", highlight=False)
    dup = report.duplicates
    if dup is not None:
        err.print(
            f"CRM duplicates (SAME_AS candidates): {dup.added:,} added, {dup.changed:,} "
            f"changed, {dup.removed:,} removed"
            + "".join(f"; {n:,} skipped: {why}" for why, n in sorted(dup.skipped.items())),
            highlight=False,
        )
    if report.note:
        err.print(report.note, highlight=False)


def _explain(settings: Settings, account: str) -> None:
    from loaders.resolution import explain_account

    async def work(store: GraphStore) -> dict[str, Any] | None:
        return await explain_account(store, account, settings.resolve_options())

    found = run_with_store(settings, work)
    if found is None:
        fail(f"no social account with id {account!r}")
    typer.echo(format_explanation(found))


def format_explanation(found: dict[str, Any]) -> str:
    """The explanation of one account's state as lines of text."""
    lines = [f"account {found['account_id']}: {found['state']}"]
    for key in ("customer_id", "method", "confidence", "model_version", "blocked"):
        if found.get(key) is not None:
            lines.append(f"  {key.replace('_', ' ')}: {found[key]}")
    evidence = found.get("evidence")
    if evidence:
        lines.append(f"  prior: {evidence.get('prior')} bits (log2 odds)")
        for e in evidence.get("evidence") or []:
            tf = f", name frequency {e['tf']:+.2f} bits" if e.get("tf") else ""
            level = e.get("level") or "nothing to compare"
            lines.append(f"  {e['comparison']}: {level} ({e.get('weight', 0):+.2f} bits{tf})")
        lines.append(f"  competing candidates: {evidence.get('competing')}")
        lines.append(f"  probability: {evidence.get('probability')}")
        for note in evidence.get("notes") or []:
            lines.append(f"  dropped: {note}")
        if evidence.get("decision"):
            lines.append("  decision: " + json.dumps(evidence["decision"], sort_keys=True))
    for d in found.get("decisions") or []:
        lines.append(f"  human decision: {d['decision']} with customer {d['customer_id']}")
    return "\n".join(lines)
