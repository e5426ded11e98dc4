"""`hub predict fit`: fit the value and churn models on the graph and store them there
(docs/predictions.md)."""

import json
import time
from typing import Annotated, Literal

import typer
from rich.progress import Progress, TextColumn, TimeElapsedColumn

from graph.store import GraphStore
from hub.runner import err, fail, run_with_store, settings_or_exit
from resolvers.predictions import FitResult, fit_models

predict_app = typer.Typer(
    help="Prediction models: fit them on the graph and store them in it.",
    no_args_is_help=True,
    add_completion=False,
)


@predict_app.command()
def fit(
    scope: Annotated[
        str | None,
        typer.Option(help="global or brand (one model pair per brand) [env HUB_PREDICT_SCOPE]."),
    ] = None,
    horizon: Annotated[
        int | None,
        typer.Option(
            min=7, max=730, help="Churn horizon in days [env HUB_PREDICT_CHURN_HORIZON_DAYS]."
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress.")] = False,
) -> None:
    """Fit BG/NBD + Gamma-Gamma (value) and the churn model on every customer's purchase
    history as of now (restricted customers left out), store each with its fit date, and
    print the parameters. The customer-360's predictions read the stored fit."""
    settings = settings_or_exit()
    chosen: Literal["global", "brand"] | str = scope or settings.predict_scope
    if chosen not in ("global", "brand"):
        fail(f"--scope must be global or brand, not {chosen!r}", code=2)
    days = horizon or settings.predict_churn_horizon_days
    progress = Progress(
        TextColumn("[bold]{task.description}"), TimeElapsedColumn(), console=err,
        disable=quiet or not err.is_terminal,
    )  # fmt: skip

    async def work(store: GraphStore) -> list[FitResult]:
        task = progress.add_task("starting")
        with progress:
            return await fit_models(
                store, chosen, int(time.time() * 1000), float(days),
                lambda step: progress.update(task, description=step),
            )  # fmt: skip

    started = time.perf_counter()
    results = run_with_store(settings, work)
    for r in results:
        if r.params is None:
            err.print(f"{r.kind} {r.scope}: not fitted: {r.skipped}", highlight=False)
        else:
            shown = {k: v for k, v in r.params.items() if k not in ("features", "means", "scales")}
            print(f"{r.kind} {r.scope} ({r.customers:,} customers): "
                  f"{json.dumps(shown, separators=(', ', ': '))}")  # fmt: skip
    err.print(f"done in {time.perf_counter() - started:.1f}s", highlight=False)
    if not any(r.params is not None for r in results):
        fail("no model could be fitted (see above)")
