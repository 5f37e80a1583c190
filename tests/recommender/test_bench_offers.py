"""The offer bandit benchmark (benchmarks/offers.py): a short run, its files and its rows in reco.json."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from benchmarks import offers  # noqa: E402
from recommender.offers_policy import OfferSimulator  # noqa: E402
from recommender.offers_policy.scenario import ARMS, PROFILES  # noqa: E402

OTHERS = {
    "cdnow": {"bgnbd+gammagamma": {"fit_seconds": 0.1}},
    "offers-simulator": {"epsilon": {"regret": 1.0}},
}


def _run_offers(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "benchmarks/offers.py", *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_short_run_writes_its_files_and_merges_both_policies(tmp_path: Path) -> None:
    (tmp_path / "reco.json").write_text(json.dumps(OTHERS))
    done = _run_offers("--rounds", "800", "--seeds", "2", "--output-dir", str(tmp_path))
    assert done.returncode == 0, done.stderr[-2000:]
    assert (tmp_path / "offers_regret.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    report = json.loads((tmp_path / "offers.json").read_text())  # its own file, unchanged in shape
    assert {"thompson", "uniform_random", "rounds", "seeds", "plot"} <= set(report)
    # the known best offer of a segment is the most profitable one, not always the most accepted
    simulator = OfferSimulator(ARMS, PROFILES)
    shares = report["thompson"]["best_offer_share"]
    assert {s: shares[s]["best_offer"] for s in shares} == {p.name: simulator.best_code(p) for p in PROFILES}
    assert any(share["best_offer"] != share["most_accepted_offer"] for share in shares.values())
    assert isinstance(report["thompson"]["offers_uncapped_over_cap"], int)
    written = json.loads((tmp_path / "reco.json").read_text())
    assert written["cdnow"] == OTHERS["cdnow"]
    assert written["offers-simulator"]["epsilon"] == {"regret": 1.0}
    rows = written[offers.DATASET]
    assert {"thompson", "uniform"} <= set(rows)
    for name, source in (("thompson", report["thompson"]), ("uniform", report["uniform_random"])):
        row = rows[name]
        assert all(isinstance(value, float) for value in row.values())
        assert row["regret"] == source["final_cumulative_regret_mean"]
        assert 0 < row["regret_min"] <= row["regret"] <= row["regret_max"]
        assert (row["rounds"], row["seeds"]) == (800, 2) and row["simulation_seconds"] > 0
        assert {f"best_offer_share@{profile.name}" for profile in PROFILES} <= set(row)
        assert all(0 <= row[f"best_offer_share@{p.name}"] <= 1 for p in PROFILES)
        assert 0 <= row["max_cost_to_cap"] <= 1 and 0 < row["max_discount_to_cap"] <= 1
        assert row["profit"] > 0
    # the learning policy already does better than picking at random
    assert rows["thompson"]["regret"] < rows["uniform"]["regret"]
    assert rows["thompson"]["profit"] > rows["uniform"]["profit"]
    assert rows["thompson"]["loglog_slope"] < rows["uniform"]["loglog_slope"]


def test_results_option_and_a_broken_file(tmp_path: Path) -> None:
    elsewhere = tmp_path / "other" / "reco.json"
    done = _run_offers(
        "--rounds", "40", "--seeds", "1", "--output-dir", str(tmp_path), "--results", str(elsewhere)
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert set(json.loads(elsewhere.read_text())[offers.DATASET]) == {"thompson", "uniform"}
    assert not (tmp_path / "reco.json").exists()
    elsewhere.write_text("{not json")
    done = _run_offers(
        "--rounds", "40", "--seeds", "1", "--output-dir", str(tmp_path / "x"), "--results", str(elsewhere)
    )
    assert done.returncode != 0 and "not valid JSON" in done.stderr
    assert elsewhere.read_text() == "{not json" and not (tmp_path / "x").exists()
