"""Predictions: fit time against `lifetimes`, and churn against the hub's rule of thumb.

    python -m bench.predict [--customers 20000] [--seed 42]

**Fit**: BG/NBD and Gamma-Gamma on the CDNOW sample (2,357 customers), analytics/ against
`lifetimes` 0.11.3 on the same summaries (best of 3, imports before the clock).

**Churn** = no purchase in the next horizon. Scores: the rule (resolvers/metrics.py's
churn risk, the risk as of the cutoff), the BG/NBD probability of no purchase alone, and
the churn model of analytics/churn.py. AUC (ranking) and Brier score (calibration):
- CDNOW master (23,570 customers): features at the end of week 39, outcome weeks
  40-78 (273 days). CDNOW has no history before week 1 to train on at an earlier cutoff,
  so the model is trained on half of the customers (even ids) and every score is
  measured on the other half.
- synthetic (loaders/synthetic.py): a time split with no customer split: the model is
  trained at ``end - 2 x horizon`` with the outcome of the next 180 days, and measured
  at ``end - horizon`` against the last 180 days.
Figures go to bench/results/predict.json.
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np
from rich.console import Console
from rich.table import Table

from analytics import bgnbd, churn, clv, gamma_gamma
from analytics.evaluation import auc, brier
from bench.common import write_results
from loaders.cdnow import CALIBRATION_END_DAY, HOLDOUT_END_DAY, read_purchases
from loaders.recipes import cdnow_path, cdnow_sample_path
from loaders.synthetic import DAY_MS, SyntheticConfig, generate
from resolvers.metrics import MetricsConfig, churn_risk

SYNTHETIC_HORIZON_DAYS = 180.0


def best_of(runs: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


def fit_times() -> dict[str, float]:
    import lifetimes  # the peer: imported before the clock

    sample = read_purchases(cdnow_sample_path())
    s = [clv.summarize(p, CALIBRATION_END_DAY, 7.0) for p in sample.values()]
    summaries = [x for x in s if x is not None]
    x = np.array([c.frequency for c in summaries], dtype=float)
    t_x = np.array([c.recency for c in summaries])
    age = np.array([c.age for c in summaries])
    m_x = np.array([c.mean_repeat_value for c in summaries])
    repeat = x > 0
    ours = lifetimes.BetaGeoFitter()
    return {
        "bgnbd_fit_s": best_of(3, lambda: bgnbd.fit(x, t_x, age)),
        "lifetimes_bgnbd_fit_s": best_of(3, lambda: ours.fit(x, t_x, age)),
        "gamma_gamma_fit_s": best_of(3, lambda: gamma_gamma.fit(x, m_x)),
        "lifetimes_gamma_gamma_fit_s": best_of(
            3, lambda: lifetimes.GammaGammaFitter().fit(x[repeat], m_x[repeat])
        ),
    }


def rule_scores(histories: Sequence[churn.History], as_of: float) -> list[float | None]:
    config = MetricsConfig()
    out: list[float | None] = []
    for h in histories:
        days = [int(d) for d, _ in h.purchases if d <= as_of]
        out.append(churn_risk(days, int(as_of), config).risk if days else None)
    return out


def labelled(
    params: bgnbd.BgNbdParams, histories: Sequence[churn.History], as_of: float, horizon: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Features, churn labels and the rule's risk of every customer who bought by ``as_of``."""
    rows, labels, rule = [], [], []
    for h, risk in zip(histories, rule_scores(histories, as_of), strict=True):
        row = churn.features(params, h, as_of, horizon)
        if row is None or risk is None:
            continue
        rows.append(row)
        labels.append(0.0 if churn.bought_within(h, as_of, as_of + horizon) else 1.0)
        rule.append(risk)
    return np.array(rows), np.array(labels), np.array(rule)


def score(
    model: churn.ChurnModel, histories: Sequence[churn.History], as_of: float
) -> dict[str, float]:
    """AUC and Brier of the rule, the BG/NBD part and the model at ``as_of``."""
    x, y, rule = labelled(model.purchases, histories, as_of, model.horizon_days)
    scores = {"rule": rule, "bgnbd": x[:, 0], "model": churn.predict_many(model, x)}
    figures = {"customers": float(len(y)), "churn_rate": float(y.mean())}
    for name, p in scores.items():
        figures[f"{name}_auc"] = auc(y, p)
        figures[f"{name}_brier"] = brier(y, p)
    return figures


def cdnow_churn() -> dict[str, float]:
    purchases = read_purchases(cdnow_path())
    horizon = float(HOLDOUT_END_DAY - CALIBRATION_END_DAY)
    histories = {c: churn.History(p) for c, p in purchases.items()}
    # The purchase model is unsupervised (no outcome): fitted on every customer's weeks 1-39.
    params = churn.fit_purchases(list(histories.values()), CALIBRATION_END_DAY)
    train = [h for c, h in histories.items() if int(c) % 2 == 0]
    test = [h for c, h in histories.items() if int(c) % 2 == 1]
    x, y, _ = labelled(params, train, CALIBRATION_END_DAY, horizon)
    return score(churn.fit(params, x, y, horizon), test, CALIBRATION_END_DAY)


def synthetic_histories(customers: int, seed: int) -> tuple[list[churn.History], float]:
    """Every synthetic customer's history (days), and the generator's last day."""
    config = SyntheticConfig(customers=customers, seed=seed)
    purchases: dict[str, list[tuple[float, float]]] = defaultdict(list)
    interactions: dict[str, list[float]] = defaultdict(list)
    complaints: dict[str, list[float]] = defaultdict(list)
    owner: dict[str, str] = {}
    ids: list[str] = []
    for kind, rows in generate(config):
        for row in rows:
            match kind:
                case "customers":
                    ids.append(row["id"])
                case "purchases":
                    purchases[row["customer_id"]].append((row["at"] / DAY_MS, row["total"]))
                case "social_accounts" if row.get("customer_id"):
                    owner[row["id"]] = row["customer_id"]
                case "interactions" if row["account_id"] in owner:
                    interactions[owner[row["account_id"]]].append(row["at"] / DAY_MS)
                case "complaints":
                    complaints[row["customer_id"]].append(row["opened_at"] / DAY_MS)
    histories = [churn.History(purchases[c], interactions[c], complaints[c]) for c in ids]
    return histories, config.end_ms / DAY_MS


def synthetic_churn(customers: int, seed: int) -> dict[str, float]:
    histories, end = synthetic_histories(customers, seed)
    horizon = SYNTHETIC_HORIZON_DAYS
    as_of = end - horizon
    params, x, y = churn.training_set(histories, as_of, horizon)
    trained = churn.fit(params, x, y, horizon)
    # Measured at as_of with the purchase model refitted on what is known by then.
    model = replace(trained, purchases=churn.fit_purchases(histories, as_of))
    return score(model, histories, as_of)


def table(fit: dict[str, float], results: dict[str, dict[str, float]]) -> Table:
    out = Table(title="predictions: fit time and churn (no purchase in the horizon)")
    for column in ("case", "customers", "churn rate", "AUC", "Brier", "vs rule"):
        out.add_column(column, justify="left" if column == "case" else "right")
    for data, r in results.items():
        for name in ("rule", "bgnbd", "model"):
            out.add_row(
                f"{data}: {name}",
                f"{r['customers']:.0f}",
                f"{r['churn_rate']:.3f}",
                f"{r[f'{name}_auc']:.3f}",
                f"{r[f'{name}_brier']:.3f}",
                f"{r[f'{name}_auc'] - r['rule_auc']:+.3f}",
            )
    out.caption = (
        f"fit on CDNOW sample: BG/NBD {fit['bgnbd_fit_s']:.2f} s "
        f"(lifetimes {fit['lifetimes_bgnbd_fit_s']:.2f} s), Gamma-Gamma "
        f"{fit['gamma_gamma_fit_s']:.2f} s (lifetimes {fit['lifetimes_gamma_gamma_fit_s']:.2f} s)"
    )
    return out


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.predict")
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    fit = fit_times()
    results = {
        "cdnow": cdnow_churn(),
        "synthetic": synthetic_churn(args.customers, args.seed),
    }
    Console().print(table(fit, results))
    figures = dict(fit)
    for data, r in results.items():
        figures.update({f"{data}_{k}": round(v, 4) for k, v in r.items()})
        figures[f"{data}_model_auc_minus_rule"] = round(r["model_auc"] - r["rule_auc"], 4)
    write_results(
        "predict",
        figures,
        engine="none (analytics/ on plain records)",
        rows=int(results["cdnow"]["customers"] + results["synthetic"]["customers"]),
        notes=f"synthetic: {args.customers} customers, seed {args.seed}, horizon "
        f"{SYNTHETIC_HORIZON_DAYS:g} days; CDNOW: weeks 1-39 -> 40-78, odd ids measured",
    )


if __name__ == "__main__":
    main()
