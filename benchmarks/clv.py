"""CLV benchmark: published CDNOW parameters, expected purchases, and end-to-end timings.

Run from the repository root::

    .venvs/reco/bin/python -m benchmarks.clv            # full: CDNOW + 1,000,000 synthetic customers
    .venvs/reco/bin/python -m benchmarks.clv --customers 100000

Prints one table and writes ``benchmarks/results/clv.json``. Data come from
``../shared/datasets/cdnow`` (never copied into the repository). The synthetic pipeline
runs in a child process so that its peak RSS (``resource.getrusage``) is its own.

The headline numbers are also merged into ``reco.json`` beside ``--output`` (or ``--results``),
under ``cdnow`` → ``bgnbd+gammagamma`` (other datasets and models in that file are kept):

* ``fit_seconds``: raw CDNOW_master log → summaries → both fits → CLV and P(alive) for every
  customer (median of 3 runs); ``customers``, ``transactions``, ``mean_clv``, ``mean_p_alive``,
  ``holdout_predicted_purchases``/``holdout_actual_purchases`` (39 weeks) and ``segments_seconds``
  (RFM segments) of that log; the paper's split: fitted on the 39-week calibration period,
  checked on the 39 weeks after;
* ``fit_seconds_full_log``: the same from the whole 78-week log, no holdout, which is what the
  live service does with its orders table (median of 3);
* ``r``, ``alpha``, ``a``, ``b``, ``p``, ``q``, ``v``: BG/NBD and Gamma-Gamma fitted on the paper's
  calibration sample (the published comparison), with ``bgnbd_log_likelihood``,
  ``gammagamma_log_likelihood``, ``params_match_3sf`` (how many of the 7 equal the published ones to
  3 s.f.) and ``expected_purchases_max_abs_diff`` (E[X(t)] against the published table);
* ``fit_seconds@<n>``, ``peak_rss_mb@<n>``, ``generate_seconds@<n>`` and ``max_param_rel_error@<n>``
  of the synthetic run, ``<n>`` its size (``1m`` for 1,000,000 customers, ``100k``, ...).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import resource
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from benchmarks.results import merge_results, read_results  # noqa: E402
from recommender.clv import (  # noqa: E402
    BetaGeoModel,
    GammaGammaModel,
    RFMSegmenter,
    calibration_and_holdout,
    simulate_customers,
    summarise_transactions,
)

CDNOW_DIR = REPO_ROOT.parent / "shared" / "datasets" / "cdnow"
RESULTS = REPO_ROOT / "benchmarks" / "results" / "clv.json"
DATASET, MODEL = "cdnow", "bgnbd+gammagamma"  # the row in reco.json
PUBLISHED_BGNBD = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
PUBLISHED_BGNBD_LL = -9582.4
PUBLISHED_GG = {"p": 6.25, "q": 3.74, "v": 15.44}
PUBLISHED_GG_LL = -4055.9177
EXPECTED_X = {0.1429: 0.0078, 1: 0.0532, 3: 0.1506, 31.8571: 1.0405, 32: 1.0437, 78: 1.8576}
CONDITIONAL = {"frequency": 2, "recency": 30.43, "T": 38.86, "t": 39, "published": 1.226}
CALIBRATION_END, OBSERVATION_END = "1997-09-30", "1998-06-30"
SYNTHETIC_BGNBD = {"r": 0.25, "alpha": 4.0, "a": 0.8, "b": 2.5}
SYNTHETIC_GG = {"p": 6.0, "q": 4.0, "v": 15.0}
SYNTHETIC_START, SYNTHETIC_DAYS = "2024-01-01", 364
TARGET_CDNOW_S, TARGET_SYNTHETIC_S, TARGET_RSS_MB = 1.0, 30.0, 4096.0


def _sig3(value: float) -> str:
    return f"{value:.3g}"


def _peak_rss_mb() -> float:
    """Peak resident set size of this process (ru_maxrss is KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def read_cdnow_master(path: Path) -> pd.DataFrame:
    """CDNOW_master.txt (whitespace-separated, yyyymmdd dates) as customer_id, date, amount."""
    raw = pd.read_csv(path, sep=r"\s+")
    return raw.rename(columns={"dollar_value": "amount"})[["customer_id", "date", "amount"]]


def published_checks() -> dict[str, Any]:
    """Both models on the paper's calibration sample, against the published numbers."""
    summary = pd.read_csv(CDNOW_DIR / "cdnow_customers_summary.csv")
    spend = pd.read_csv(CDNOW_DIR / "cdnow_customers_summary_with_transactions.csv").rename(
        columns={"x": "frequency", "t_x": "recency", "zbar": "monetary_value"})
    bg, gg = BetaGeoModel().fit(summary), GammaGammaModel().fit(spend)
    new = bg.expected_purchases_new_customer(np.array(list(EXPECTED_X)))
    one = pd.DataFrame({k: [CONDITIONAL[k]] for k in ("frequency", "recency", "T")})
    return {
        "bgnbd": {"params": bg.params_, "published": PUBLISHED_BGNBD, "log_likelihood": bg.log_likelihood_,
                  "published_log_likelihood": PUBLISHED_BGNBD_LL, "n_customers": bg.n_customers_,
                  "match_3sf": all(_sig3(bg.params_[k]) == _sig3(v) for k, v in PUBLISHED_BGNBD.items())},
        "gamma_gamma": {"params": gg.params_, "published": PUBLISHED_GG, "log_likelihood": gg.log_likelihood_,
                        "published_log_likelihood": PUBLISHED_GG_LL, "n_customers": gg.n_customers_,
                        "match_3sf": all(_sig3(gg.params_[k]) == _sig3(v) for k, v in PUBLISHED_GG.items())},
        "expected_purchases": [{"t_weeks": t, "ours": float(v), "published": p, "abs_diff": abs(float(v) - p)}
                               for (t, p), v in zip(EXPECTED_X.items(), new, strict=True)],
        "conditional_expected_purchases": {**CONDITIONAL, "ours": float(bg.expected_purchases(one, 39)[0])},
    }


def pipeline(log: pd.DataFrame | None, path: Path | None, reader: Any, **split: Any) -> dict[str, Any]:
    """Raw log → summaries → BG/NBD + Gamma-Gamma fits → CLV and P(alive) for every customer."""
    times: dict[str, float] = {}
    start = time.perf_counter()
    log = reader(path) if log is None else log
    times["read"] = time.perf_counter() - start
    mark = time.perf_counter()
    if "calibration_end" in split:
        summary = calibration_and_holdout(log, **split)
    else:
        summary = summarise_transactions(log, **split)
    times["summaries"] = time.perf_counter() - mark
    mark = time.perf_counter()
    bg = BetaGeoModel().fit(summary)
    times["bgnbd_fit"] = time.perf_counter() - mark
    mark = time.perf_counter()
    gg = GammaGammaModel().fit(summary)
    times["gamma_gamma_fit"] = time.perf_counter() - mark
    mark = time.perf_counter()
    clv = gg.expected_customer_lifetime_value(bg, summary)
    alive = bg.expected_probability_alive(summary)
    times["clv_and_p_alive"] = time.perf_counter() - mark
    times["total"] = time.perf_counter() - start
    result = {"rows": len(log), "customers": len(summary), "seconds": times, "bgnbd": bg.params_,
              "gamma_gamma": gg.params_, "mean_clv": float(clv.mean()), "mean_p_alive": float(alive.mean())}
    if "frequency_holdout" in summary:
        predicted = bg.expected_purchases(summary, summary["duration_holdout"].to_numpy())
        result["holdout"] = {"weeks": float(summary["duration_holdout"].iloc[0]),
                             "actual_purchases": int(summary["frequency_holdout"].sum()),
                             "predicted_purchases": float(predicted.sum())}
    return result


def _synthetic_child(path: str, queue: Any) -> None:
    """Child process: the timed synthetic pipeline, and its own peak RSS."""
    end = pd.Timestamp(SYNTHETIC_START) + pd.Timedelta(days=SYNTHETIC_DAYS)
    result = pipeline(None, Path(path), lambda p: pd.read_csv(p, dtype={"customer_id": np.int64}),
                      observation_end=end)
    result["peak_rss_mb"] = _peak_rss_mb()
    queue.put(result)


def synthetic(n_customers: int) -> dict[str, Any]:
    """Simulate a log from known parameters, write it as CSV, time the pipeline in a child."""
    mark = time.perf_counter()
    sim = simulate_customers(n_customers, bgnbd=SYNTHETIC_BGNBD, gamma_gamma=SYNTHETIC_GG,
                             observation_days=SYNTHETIC_DAYS, seed=2024)
    exact = BetaGeoModel().fit(sim.summary()).params_
    log = sim.transactions(start=SYNTHETIC_START)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "synthetic_log.csv"
        log.to_csv(path, index=False, date_format="%Y-%m-%d")
        generate = time.perf_counter() - mark
        del sim, log
        context = multiprocessing.get_context("spawn")
        queue = context.Queue()
        child = context.Process(target=_synthetic_child, args=(str(path), queue))
        child.start()
        result = queue.get()
        child.join()
    result.update({"true_bgnbd": SYNTHETIC_BGNBD, "true_gamma_gamma": SYNTHETIC_GG,
                   "bgnbd_from_exact_times": exact, "generate_seconds": generate})
    return result


def _table(report: dict[str, Any]) -> str:
    lines = [f"{'check':<44} {'ours':>12} {'reference':>12}  result"]

    def fmt(value: Any) -> str:
        return f"{value:.4f}" if isinstance(value, float) else str(value)

    def row(name: str, ours: Any, ref: Any, ok: Any = "") -> None:
        lines.append(f"{name:<44} {fmt(ours):>12} {fmt(ref):>12}  {ok}")

    pub = report["cdnow_published"]
    for model in ("bgnbd", "gamma_gamma"):
        for key, value in pub[model]["published"].items():
            ours = pub[model]["params"][key]
            row(f"cdnow {model} {key}", ours, value, "ok (3 s.f.)" if _sig3(ours) == _sig3(value) else "MISS")
        row(f"cdnow {model} log-likelihood", pub[model]["log_likelihood"], pub[model]["published_log_likelihood"])
    for item in pub["expected_purchases"]:
        row(f"cdnow E[X(t)] t={item['t_weeks']} weeks", item["ours"], item["published"],
            "ok" if item["abs_diff"] < 1.5e-3 else "MISS")
    cond = pub["conditional_expected_purchases"]
    row("cdnow E[Y(39)|x=2,t_x=30.43,T=38.86]", cond["ours"], cond["published"],
        "ok" if abs(cond["ours"] - cond["published"]) < 5e-4 else "MISS")
    for name, target in (("cdnow_master", TARGET_CDNOW_S), ("cdnow_master_full", TARGET_CDNOW_S),
                         ("synthetic", TARGET_SYNTHETIC_S)):
        if name not in report:
            continue
        part = report[name]
        for step, seconds in part["seconds"].items():
            ok = ("ok" if seconds < target else "MISS") if step == "total" else ""
            row(f"{name} ({part['customers']:,} customers) {step} s", seconds,
                f"< {target:g}" if step == "total" else "", ok)
        if "holdout" in part:
            row(f"{name} holdout purchases (39 weeks)", part["holdout"]["predicted_purchases"],
                part["holdout"]["actual_purchases"], "predicted vs actual")
        if "peak_rss_mb" in part:
            row(f"{name} peak RSS MB", part["peak_rss_mb"], f"< {TARGET_RSS_MB:g}",
                "ok" if part["peak_rss_mb"] < TARGET_RSS_MB else "MISS")
        if "true_bgnbd" in part:
            for model, true in (("bgnbd", part["true_bgnbd"]), ("gamma_gamma", part["true_gamma_gamma"])):
                for key, value in true.items():
                    row(f"{name} recovered {model} {key}", part[model][key], value,
                        f"{part[model][key] / value - 1:+.1%}")
            for key, value in part["true_bgnbd"].items():
                row(f"{name} bgnbd {key} (exact times)", part["bgnbd_from_exact_times"][key], value,
                    f"{part['bgnbd_from_exact_times'][key] / value - 1:+.1%}")
    if "cdnow_segments" in report:
        for segment, size in report["cdnow_segments"]["sizes"].items():
            row(f"cdnow_master segment {segment}", size, "", "customers")
        row("cdnow_master segments fit s", report["cdnow_segments"]["seconds"], "", "")
    return "\n".join(lines)


def size_tag(n: int) -> str:
    """Short form of a customer count for metric names: 1000000 -> ``1m``, 100000 -> ``100k``, 1500 -> ``1500``."""
    if n >= 1_000_000 and n % 1_000_000 == 0:
        return f"{n // 1_000_000}m"
    if n >= 1000 and n % 1000 == 0:
        return f"{n // 1000}k"
    return str(n)


def headline(report: dict[str, Any]) -> dict[str, float]:
    """The numbers merged into reco.json (``cdnow`` → ``bgnbd+gammagamma``); see the module docstring."""
    pub, master = report["cdnow_published"], report["cdnow_master"]
    row: dict[str, float] = {
        "fit_seconds": master["seconds"]["total"],
        "customers": master["customers"],
        "transactions": master["rows"],
        "mean_clv": master["mean_clv"],
        "mean_p_alive": master["mean_p_alive"],
        **pub["bgnbd"]["params"],
        **pub["gamma_gamma"]["params"],
        "bgnbd_log_likelihood": pub["bgnbd"]["log_likelihood"],
        "gammagamma_log_likelihood": pub["gamma_gamma"]["log_likelihood"],
        "params_match_3sf": sum(
            _sig3(pub[model]["params"][key]) == _sig3(value)
            for model in ("bgnbd", "gamma_gamma")
            for key, value in pub[model]["published"].items()
        ),
        "expected_purchases_max_abs_diff": max(item["abs_diff"] for item in pub["expected_purchases"]),
    }
    if "cdnow_master_full" in report:
        row["fit_seconds_full_log"] = report["cdnow_master_full"]["seconds"]["total"]
    if "holdout" in master:
        row["holdout_predicted_purchases"] = master["holdout"]["predicted_purchases"]
        row["holdout_actual_purchases"] = master["holdout"]["actual_purchases"]
    if "cdnow_segments" in report:
        row["segments_seconds"] = report["cdnow_segments"]["seconds"]
    if "synthetic" in report:
        part = report["synthetic"]
        tag = size_tag(part["customers"])
        errors = [
            abs(part[model][key] / value - 1)
            for model, true in (("bgnbd", part["true_bgnbd"]), ("gamma_gamma", part["true_gamma_gamma"]))
            for key, value in true.items()
        ]
        row.update(
            {
                f"fit_seconds@{tag}": part["seconds"]["total"],
                f"peak_rss_mb@{tag}": part["peak_rss_mb"],
                f"generate_seconds@{tag}": part["generate_seconds"],
                f"max_param_rel_error@{tag}": max(errors),
            }
        )
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000, help="synthetic customers (0: skip)")
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument(
        "--results", type=Path, default=None, help="reco.json to merge the headline into (default: beside --output)"
    )
    args = parser.parse_args(argv)
    results = args.results or args.output.parent / "reco.json"
    if not CDNOW_DIR.exists():
        print(f"CDNOW data not found at {CDNOW_DIR}", file=sys.stderr)
        return 2
    read_results(results)  # a broken reco.json stops the run now, not after it
    report: dict[str, Any] = {"generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                              "machine": {"platform": platform.platform(), "cpus": os.cpu_count(),
                                          "python": platform.python_version()}}
    report["cdnow_published"] = published_checks()
    master = CDNOW_DIR / "CDNOW_master.txt"
    runs = [pipeline(None, master, read_cdnow_master, calibration_end=CALIBRATION_END,
                     observation_end=OBSERVATION_END) for _ in range(3)]
    report["cdnow_master"] = sorted(runs, key=lambda run: run["seconds"]["total"])[1]  # median of 3
    # the service's path: the whole log, no holdout (the CLV as of the log's last day)
    runs = [pipeline(None, master, read_cdnow_master) for _ in range(3)]
    report["cdnow_master_full"] = sorted(runs, key=lambda run: run["seconds"]["total"])[1]
    summary = summarise_transactions(read_cdnow_master(master))
    mark = time.perf_counter()
    labels = RFMSegmenter().fit(summary).labels_
    report["cdnow_segments"] = {"seconds": time.perf_counter() - mark,
                                "sizes": {k: int(v) for k, v in labels.value_counts().items()}}
    if args.customers > 0:
        report["synthetic"] = synthetic(args.customers)
    print(_table(report))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"written {args.output.relative_to(REPO_ROOT) if args.output.is_relative_to(REPO_ROOT) else args.output}")
    merge_results(results, DATASET, MODEL, headline(report))
    print(f"merged {DATASET} → {MODEL} into {results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
