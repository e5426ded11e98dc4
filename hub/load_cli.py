"""`hub load`, `hub relink` and `hub seed --export`: bulk files in and out."""

from __future__ import annotations

import enum
import time
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import orjson
import typer
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from graph.store import GraphStore, WriteCounters
from hub.runner import Interrupted, err, fail, run_interruptible, run_with_store, settings_or_exit
from loaders.kinds import KINDS

if TYPE_CHECKING:  # the loaders are imported when a command runs, not at start-up
    from loaders.pipeline import LoadReport
    from loaders.resolution import ResolveReport

Kind = enum.StrEnum("Kind", {k: k for k in KINDS})  # type: ignore[misc]


class RowsPerSecond(ProgressColumn):
    def render(self, task: Task) -> Text:
        rate = task.fields.get("records", 0) / task.elapsed if task.elapsed else 0.0
        return Text(f"{task.fields.get('records', 0):,} records  {rate:,.0f} rows/s")


def _progress(quiet: bool) -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        RowsPerSecond(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err,
        disable=quiet or not err.is_terminal,
    )


def load(
    kind: Annotated[Kind, typer.Argument(help="What the files hold.", show_default=False)],
    files: Annotated[list[Path], typer.Argument(help="CSV or JSONL files, gzip or not.")],
    mapping: Annotated[
        Path | None, typer.Option(help="TOML file mapping a foreign export (docs/loading.md).")
    ] = None,
    rejects: Annotated[
        Path | None,
        typer.Option(help="Where rejected rows go \\[default: hub-rejects-KIND.jsonl]."),
    ] = None,
    conflicts: Annotated[
        Path | None,
        typer.Option(
            help="Where identity-link conflicts go \\[default: hub-conflicts-KIND.jsonl]."
        ),
    ] = None,
    max_rejects: Annotated[
        int, typer.Option(min=0, help="Rejected rows allowed before the exit code is 1.")
    ] = 0,
    batch_size: Annotated[int, typer.Option(min=1, max=50_000, help="Rows per write.")] = 1000,
    dry_run: Annotated[bool, typer.Option(help="Validate only; the graph is not opened.")] = False,
    retry_for: Annotated[
        float, typer.Option(min=0, help="Seconds to keep retrying while the graph is down.")
    ] = 120.0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    json: Annotated[
        bool, typer.Option("--json", help="Print the report as JSON on stdout.")
    ] = False,
) -> None:
    """Load export files of one KIND: validated, idempotent, nothing lost.

    Every row is written, found unchanged, or written to the rejects file with its line and
    reasons. The exit code is 1 when more than --max-rejects rows were rejected.
    """
    from loaders.mapping import Mapping, MappingError, load_mapping
    from loaders.pipeline import LoadOptions, load_files
    from loaders.sources import SourceError

    name = kind.value
    try:
        rules = load_mapping(mapping) if mapping else Mapping()
    except MappingError as e:
        fail(str(e), code=2)
    settings = None if dry_run else settings_or_exit()
    options = LoadOptions(
        batch_size=batch_size,
        dry_run=dry_run,
        rejects_path=rejects or Path(f"hub-rejects-{name}.jsonl"),
        conflicts_path=conflicts or Path(f"hub-conflicts-{name}.jsonl"),
        retry_for_s=retry_for,
        # Rows of erased customers are rejected (docs/privacy.md).
        erasure_key=settings.privacy_config().erasure_key() if settings else None,
        # New accounts (and accounts a new customer may own) are resolved with the stored
        # match model once the rows are in (docs/identity.md).
        resolve=settings.resolve_options() if settings else None,
        default_region=(settings or settings_or_exit()).phone_region,
    )
    progress = _progress(quiet)

    async def run(store: GraphStore | None) -> LoadReport:
        with progress:
            task = progress.add_task(f"{name}", total=None, records=0)

            def on_progress(records: int, position: int, total: int) -> None:
                progress.update(task, completed=position, total=total or None, records=records)

            def on_retry(message: str) -> None:
                err.print(f"[yellow]graph unavailable:[/] {message}", highlight=False)

            report = await load_files(store, name, files, rules, options, on_progress, on_retry)
            if store is not None and report.counters != WriteCounters():
                await store.compact()  # the next engine start loads a snapshot, not a replay
            return report

    try:
        report = run_interruptible(run(None)) if settings is None else run_with_store(settings, run)
    except (SourceError, MappingError) as e:
        fail(str(e), code=2)
    except Interrupted:
        fail("interrupted", code=130)
    _print_report(report)
    if settings is not None and settings.prometheus_textfile_dir is not None:
        _write_metrics(settings.prometheus_textfile_dir, report)
    if json:
        typer.echo(orjson.dumps(report_json(report), option=orjson.OPT_INDENT_2).decode())
    if report.tally.rejected > max_rejects:
        fail(
            f"{report.tally.rejected:,} row(s) rejected (allowed: {max_rejects:,}); "
            f"see {report.rejects_path}"
        )


def _write_metrics(directory: Path, report: LoadReport) -> None:
    """The load's rows by outcome, for the node exporter's textfile collector
    (docs/observability.md): one file per kind, replaced by the next load of that kind."""
    from hub.prometheus import write_load_metrics

    tally = report.tally
    rows = {"read": tally.read, "written": tally.written, "unchanged": tally.unchanged,
            "rejected": tally.rejected}  # fmt: skip
    path = directory / f"hub_load_{report.kind}.prom"
    write_load_metrics(path, report.kind, rows, report.seconds, time.time())


def report_json(report: LoadReport) -> dict[str, object]:
    tally = report.tally
    return {
        "kind": report.kind,
        "dry_run": report.dry_run,
        "read": tally.read,
        "written": tally.written,
        "unchanged": 0 if report.dry_run else tally.unchanged,
        "rejected": tally.rejected,
        "linked": tally.linked,
        "unlinked": tally.unlinked,
        "conflicts": tally.conflicts,
        "counters": asdict(report.counters),
        "seconds": round(report.seconds, 3),
        "rejects_file": str(report.rejects_path) if report.rejects_path else None,
        "conflicts_file": str(report.conflicts_path) if report.conflicts_path else None,
        "ignored_columns": sorted(report.ignored_columns),
        "resolution": None if report.resolution is None else resolution_json(report.resolution),
    }


def resolution_json(r: ResolveReport) -> dict[str, object]:
    """What identity resolution did after a load, for --json."""
    return {"accounts": r.accounts, "added": r.added, "changed": r.changed,
            "removed": r.removed, "queued": r.queued, "blocked": r.blocked,
            "unqueued": r.unqueued, "skipped": dict(r.skipped), "model_version": r.model_version,
            "note": r.note}  # fmt: skip


def _print_report(report: LoadReport) -> None:
    tally, dry = report.tally, report.dry_run
    table = Table(title=f"hub load {report.kind}" + (" (dry run)" if dry else ""))
    values = {"read": tally.read, "valid": tally.read - tally.rejected, "written": tally.written,
              "unchanged": tally.unchanged, "rejected": tally.rejected, "linked": tally.linked,
              "unlinked": tally.unlinked, "conflicts": tally.conflicts}  # fmt: skip
    heads = ["read", "valid", "rejected"] if dry else ["read", "written", "unchanged", "rejected"]
    if report.kind in ("customers", "social_accounts") and not dry:
        heads += ["linked", "unlinked", "conflicts"]
    for head in heads:
        table.add_column(head, justify="right")
    table.add_row(*(f"{values[h]:,}" for h in heads))
    err.print(table)
    rate = tally.read / report.seconds if report.seconds else 0.0
    err.print(f"{report.seconds:.1f}s, {rate:,.0f} rows/s", highlight=False)
    if not dry:
        counters = asdict(report.counters)
        err.print(
            "database: " + ", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in counters.items()),
            highlight=False,
        )
    resolved = report.resolution
    if resolved is not None:
        err.print(
            f"identity resolution: {resolved.accounts:,} account(s) resolved: "
            f"{resolved.added:,} linked, {resolved.changed:,} changed, {resolved.removed:,} "
            f"unlinked, {resolved.queued:,} queued for review ({resolved.blocked:,} blocked)"
            + (f"; {resolved.note}" if resolved.note else ""),
            highlight=False,
        )
    if report.ignored_columns:
        err.print(f"ignored columns: {', '.join(sorted(report.ignored_columns))}", highlight=False)
    for label, path in (("rejected rows", report.rejects_path),
                        ("link conflicts", report.conflicts_path)):  # fmt: skip
        if path:
            err.print(f"{label}: {path}", highlight=False)


def relink(
    conflicts: Annotated[
        Path, typer.Option(help="Where every current link conflict is written.")
    ] = Path("hub-conflicts-relink.jsonl"),
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress.")] = False,
) -> None:
    """Re-decide the customer link of every social account from its evidence, and list every
    conflict (a load reports the conflicts of the rows it wrote)."""
    from graph.linking import ACCOUNT_IDS_PAGE
    from loaders.linking import relink as relink_accounts
    from loaders.pipeline import JsonLines, conflict_record

    out = JsonLines(conflicts)

    async def work(store: GraphStore) -> tuple[int, int, int, int]:
        after, seen, linked, unlinked = "", 0, 0, 0
        now = int(time.time() * 1000)
        while True:
            page = [
                r["id"] for r in await store.read(ACCOUNT_IDS_PAGE, {"after": after, "limit": 1000})
            ]
            if not page:
                return seen, linked, unlinked, out.count
            outcome = await relink_accounts(store, page, now)
            seen += len(page)
            linked += outcome.linked
            unlinked += outcome.unlinked
            for decision in outcome.conflicts or []:
                out.add(conflict_record(decision))
            after = page[-1]
            if not quiet:
                err.print(f"{seen:,} accounts checked", highlight=False)

    try:
        seen, linked, unlinked, found = run_with_store(settings_or_exit(), work)
    finally:
        out.close()
    err.print(
        f"{seen:,} accounts: {linked:,} linked or moved, {unlinked:,} unlinked, "
        f"{found:,} in conflict" + (f" (listed in {conflicts})" if found else ""),
        highlight=False,
    )


def export_dataset(
    directory: Path, customers: int, brands: int, seed: int, fmt: str, compress: bool, quiet: bool
) -> None:
    from loaders.export import export_files
    from loaders.synthetic import SyntheticConfig

    config = SyntheticConfig(customers=customers, brands=brands, seed=seed)
    started = time.perf_counter()
    with _progress(quiet) as progress:
        task = progress.add_task("exporting", total=customers, records=0)
        done = 0

        def on_batch(kind: str, rows: int) -> None:
            nonlocal done
            done += rows
            progress.update(task, advance=rows if kind == "customers" else 0, records=done)

        try:
            report = export_files(config, directory, fmt, compress, on_batch)
        except OSError as e:
            fail(f"{directory}: {e.strerror or e}", code=2)
    total = sum(report.rows.values())
    err.print(
        f"wrote {total:,} rows ({customers:,} customers, seed {seed}) as {len(report.files)} "
        f"files in {directory} in {time.perf_counter() - started:.1f}s; load them with:",
        highlight=False,
    )
    for kind, path in report.files.items():
        typer.echo(f"hub load {kind} {path}")
