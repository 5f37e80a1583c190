"""Benchmark: does the learning offer policy converge? Cumulative profit regret on the shop simulator.

Run from the repository root::

    .venvs/reco/bin/python benchmarks/offers.py [--rounds 5000 --seeds 10]

Runs Thompson sampling (recommender.offers_policy.OfferPolicy: acceptance learnt per
segment, the offer with the highest sampled acceptance × net value chosen) and a
uniformly random baseline on the simulated shop of recommender/offers_policy/scenario.py,
several seeds each. Regret is in CNY of expected profit (acceptance × (order margin −
discount)) against the most profitable offer the margin cap allowed. Plots the mean
cumulative regret and the share of the best offer per segment to
benchmarks/results/offers_regret.png, prints a summary and writes
benchmarks/results/offers.json.

The headline numbers are also merged into ``reco.json`` in ``--output-dir`` (or ``--results``),
under ``offers-simulator`` → ``thompson`` and ``uniform`` (other datasets and models in that file
are kept): ``regret`` (mean cumulative regret at the last round), ``regret_min``/``regret_max``
over the seeds, ``regret_first_quarter``, ``regret_last_quarter``, ``loglog_slope`` (second half;
1 is linear), ``profit`` (mean expected profit per round, CNY), ``max_cost_to_cap`` (cost on
the expected order), ``max_discount_to_cap`` (discount of accepted grants on the real, drawn
order, capped by the grant's max_discount), ``best_offer_share@<segment>`` (last 20 % of that
segment's rounds), ``simulation_seconds`` (that policy, all seeds), ``rounds`` and ``seeds``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.results import merge_models, read_results  # noqa: E402
from recommender.offers_policy import (  # noqa: E402
    OfferPolicy,
    OfferSimulator,
    SimulationResult,
    UniformRandomPolicy,
)
from recommender.offers_policy.scenario import ARMS, PROFILES  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[1]
RESULTS_DIR = REPO_ROOT / "benchmarks" / "results"
DEFAULT_ROUNDS = 5000
DEFAULT_SEEDS = 10
TAIL_SHARE = 0.2  # "final" best-arm share: over the last 20 % of each segment's rounds
SHARE_WINDOW = 250  # rounds per point of the best-arm-share curve
DATASET = "offers-simulator"  # the dataset in reco.json; models "thompson" and "uniform"


def best_codes() -> dict[str, str]:
    """The known best (most profitable) offer of each segment at its typical order."""
    simulator = OfferSimulator(ARMS, PROFILES)
    return {profile.name: simulator.best_code(profile) for profile in PROFILES}


def run_policy(policy_class: type[OfferPolicy], rounds: int, seeds: int) -> list[SimulationResult]:
    """One simulation per seed; the simulator and the policy share the seed."""
    return [
        OfferSimulator(ARMS, PROFILES, seed=seed).run(policy_class(ARMS, seed=seed), rounds)
        for seed in range(seeds)
    ]


def loglog_slope(curve: np.ndarray) -> float:
    """Slope of log(cumulative regret) against log(round) over the second half: 1 is linear, < 1 sub-linear."""
    t = np.arange(1, len(curve) + 1)
    half = slice(len(curve) // 2, len(curve))
    return float(np.polyfit(np.log(t[half]), np.log(np.maximum(curve[half], 1e-9)), 1)[0])


def summarise(results: list[SimulationResult], rounds: int) -> dict[str, Any]:
    """Mean curves and per-segment best-arm shares over the seeds."""
    curves = np.array([result.cumulative_regret() for result in results])
    mean = curves.mean(axis=0)
    quarter = rounds // 4
    shares = {}
    best = best_codes()
    for profile in PROFILES:
        tail = [
            r.best_arm_share(profile.name, last=max(1, int(TAIL_SHARE * r.segments.count(profile.name))))
            for r in results
        ]
        shares[profile.name] = {
            "best_offer": best[profile.name],
            "most_accepted_offer": profile.most_accepted,
            "share_all_rounds": round(float(np.mean([r.best_arm_share(profile.name) for r in results])), 3),
            "share_last_20pct": round(float(np.mean(tail)), 3),
        }
    return {
        "final_cumulative_regret_mean": round(float(mean[-1]), 2),
        "final_cumulative_regret_min_max": [
            round(float(curves[:, -1].min()), 2),
            round(float(curves[:, -1].max()), 2),
        ],
        "regret_first_quarter": round(float(mean[quarter - 1]), 2),
        "regret_last_quarter": round(float(mean[-1] - mean[-quarter - 1]), 2),
        "loglog_slope_second_half": round(loglog_slope(mean), 3),
        "best_offer_share": shares,
        "profit_per_round": round(float(np.mean([np.mean(r.profit) for r in results])), 3),
        "max_cost_to_cap": round(max(result.max_cost_to_cap for result in results), 4),
        "max_discount_to_cap": round(max(result.max_discount_to_cap for result in results), 4),
        "offers_uncapped_over_cap": int(sum(result.uncapped_over_cap for result in results)),
    }


def headline(summary: dict[str, Any], rounds: int, seeds: int, seconds: float) -> dict[str, float]:
    """One policy's numbers merged into reco.json; see the module docstring."""
    low, high = summary["final_cumulative_regret_min_max"]
    row: dict[str, float] = {
        "regret": summary["final_cumulative_regret_mean"],
        "regret_min": low,
        "regret_max": high,
        "regret_first_quarter": summary["regret_first_quarter"],
        "regret_last_quarter": summary["regret_last_quarter"],
        "loglog_slope": summary["loglog_slope_second_half"],
        "profit": summary["profit_per_round"],
        "max_cost_to_cap": summary["max_cost_to_cap"],
        "max_discount_to_cap": summary["max_discount_to_cap"],
        "simulation_seconds": seconds,
        "rounds": rounds,
        "seeds": seeds,
    }
    for segment, share in summary["best_offer_share"].items():
        row[f"best_offer_share@{segment}"] = share["share_last_20pct"]
    return row


def share_curve(results: list[SimulationResult], segment: str) -> tuple[np.ndarray, np.ndarray]:
    """Share of the best allowed arm in windows of SHARE_WINDOW rounds (over all seeds)."""
    rounds = len(results[0].segments)
    starts = np.arange(0, rounds, SHARE_WINDOW)
    shares = []
    for start in starts:
        hits = total = 0
        for result in results:
            window = zip(
                result.segments[start : start + SHARE_WINDOW],
                result.chosen[start : start + SHARE_WINDOW],
                result.best_allowed[start : start + SHARE_WINDOW],
                strict=True,
            )
            for seg, chosen, best in window:
                if seg == segment and best is not None:
                    hits += chosen == best
                    total += 1
        shares.append(hits / total if total else np.nan)
    return starts + SHARE_WINDOW, np.array(shares)


def plot(thompson: list[SimulationResult], uniform: list[SimulationResult], path: Path) -> None:
    """Two panels: cumulative regret (mean and range over seeds), best-offer share per segment."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.8), dpi=110)
    for results, label, colour in (
        (uniform, "uniform random (no learning)", "tab:grey"),
        (thompson, "Thompson sampling per segment", "tab:blue"),
    ):
        curves = np.array([result.cumulative_regret() for result in results])
        t = np.arange(1, curves.shape[1] + 1)
        left.plot(t, curves.mean(axis=0), color=colour, label=f"{label}, mean of {len(results)} seeds")
        left.fill_between(t, curves.min(axis=0), curves.max(axis=0), color=colour, alpha=0.2)
    left.set_title("Cumulative profit regret (mean; band: min-max over seeds)")
    left.set_xlabel("round (one offer shown)")
    left.set_ylabel("cumulative regret (CNY of expected profit)")
    left.grid(alpha=0.3)
    left.legend(loc="upper left")
    best = best_codes()
    for profile in PROFILES:
        x, share = share_curve(thompson, profile.name)
        right.plot(x, share, marker=".", label=f"{profile.name} (best: {best[profile.name]})")
    right.set_ylim(0, 1.02)
    right.set_title("Thompson sampling: share of the most profitable offer")
    right.set_xlabel("round")
    right.set_ylabel(f"share choosing the best allowed offer ({SHARE_WINDOW}-round windows)")
    right.grid(alpha=0.3)
    right.legend(loc="lower right", fontsize="small")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=DEFAULT_ROUNDS)
    parser.add_argument("--seeds", type=int, default=DEFAULT_SEEDS)
    parser.add_argument("--output-dir", type=Path, default=RESULTS_DIR)
    parser.add_argument(
        "--results",
        type=Path,
        default=None,
        help="reco.json to merge the headline into (default: in --output-dir)",
    )
    args = parser.parse_args(argv)
    if args.rounds < 8 or args.seeds < 1:
        parser.error("need --rounds >= 8 and --seeds >= 1")
    results = args.results or args.output_dir / "reco.json"
    read_results(results)  # a broken reco.json stops the run now, not after it
    start = time.perf_counter()
    thompson = run_policy(OfferPolicy, args.rounds, args.seeds)
    thompson_seconds = time.perf_counter() - start
    uniform = run_policy(UniformRandomPolicy, args.rounds, args.seeds)
    seconds = time.perf_counter() - start
    png = args.output_dir / "offers_regret.png"
    plot(thompson, uniform, png)
    result = {
        "rounds": args.rounds,
        "seeds": args.seeds,
        "segments": {p.name: dict(p.accept_rates) for p in PROFILES},
        "regret_unit": "CNY of expected profit (acceptance x (order margin - discount))",
        "thompson": summarise(thompson, args.rounds),
        "uniform_random": summarise(uniform, args.rounds),
        "simulation_seconds": round(seconds, 2),
        "plot": str(png.relative_to(REPO_ROOT)) if png.is_relative_to(REPO_ROOT) else str(png),
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    ts, uni = result["thompson"], result["uniform_random"]
    print(
        f"offers simulator: {args.rounds} rounds x {args.seeds} seeds, {len(PROFILES)} segments, {len(ARMS)} offers"
        f" ({seconds:.1f} s)"
    )
    print(
        f"{'policy':<16} {'regret@end':>10} {'1st quarter':>11} {'last quarter':>12} {'log-log slope':>13}"
        f" {'profit/round':>12} {'max cost/cap':>12} {'max disc/cap':>12}"
    )
    for name, summary in (("thompson", ts), ("uniform_random", uni)):
        print(
            f"{name:<16} {summary['final_cumulative_regret_mean']:>10} {summary['regret_first_quarter']:>11}"
            f" {summary['regret_last_quarter']:>12} {summary['loglog_slope_second_half']:>13}"
            f" {summary['profit_per_round']:>12} {summary['max_cost_to_cap']:>12}"
            f" {summary['max_discount_to_cap']:>12}"
        )
    print(
        "final share of the most profitable offer per segment (Thompson, last 20% of each segment's rounds):"
    )
    for segment, share in ts["best_offer_share"].items():
        print(
            f"  {segment:<20} best {share['best_offer']:<11} (most accepted {share['most_accepted_offer']:<11})"
            f" {share['share_last_20pct']:.3f}"
            f" (all rounds {share['share_all_rounds']:.3f}; random {uni['best_offer_share'][segment]['share_last_20pct']:.3f})"
        )
    args.output_dir.mkdir(parents=True, exist_ok=True)
    out = args.output_dir / "offers.json"
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out} and {png}")
    merge_models(
        results,
        DATASET,
        {
            "thompson": headline(ts, args.rounds, args.seeds, thompson_seconds),
            "uniform": headline(uni, args.rounds, args.seeds, seconds - thompson_seconds),
        },
    )
    print(f"merged {DATASET} → thompson, uniform into {results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
