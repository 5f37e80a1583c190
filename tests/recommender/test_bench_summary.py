"""benchmarks/summary.py (one table of reco.json, with the issue's targets) and the shared
results file helper every benchmark merges through (benchmarks/results.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from benchmarks import reco, results, summary  # noqa: E402

RESULTS = {
    "movielens-100k": {
        "ease": {"map": 0.1427, "ndcg@10": 0.4655, "precision@10": 0.40, "recall@10": 0.22, "fit_seconds": 0.15,
                 "validation_ndcg@10": 0.1850},
        "multiscale_ease": {"map": 0.158, "ndcg@10": 0.5012, "precision@10": 0.43, "recall@10": 0.24,
                            "fit_seconds": 3.2, "validation_ndcg@10": 0.1896},
        "popularity": {"map": 0.056, "ndcg@10": 0.2524, "precision@10": 0.23, "recall@10": 0.11,
                       "fit_seconds": 0.01},
    },
    "cdnow": {"bgnbd+gammagamma": {"fit_seconds": 0.12, "customers": 23570.0, "r": 0.2426,
                                   "fit_seconds@1m": 35.5, "peak_rss_mb@1m": 900.0}},
    "groceries": {"fpgrowth": {"rules": 2918.0, "itemsets": 13492.0, "fit_seconds": 0.7}},
    "synthetic-100k": {"hybrid": {"p99_ms": 3.9, "http_p99_ms@c50": 262.0, "http_p99_ms@open": 18.2,
                                  "open_clients": 50.0, "open_rate": 1.0, "open_seconds": 60.0,
                                  "rps": 280.5, "peak_rss_mb": 2100.0}},
    "synthetic-2k": {"hybrid": {"p99_ms": 1.0}},
}


def _summary(path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "benchmarks/summary.py", "--results", str(path), *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _targets(text: str) -> list[str]:
    return text.split("targets (the issue's")[1].splitlines()[2:]


def _verdict(text: str, dataset: str, figure: str) -> str:
    """The verdict of the target line of ``dataset`` whose figure starts with ``figure``."""
    for line in _targets(text):
        parts = line.split()
        if parts and parts[0] == dataset and line.split(dataset, 1)[1].strip().startswith(figure):
            return line.rsplit("  ", 1)[1].strip()
    raise AssertionError(f"no target line {dataset} {figure} in\n{text}")


def test_summary_prints_every_row_and_judges_the_targets(tmp_path: Path) -> None:
    path = tmp_path / "reco.json"
    path.write_text(json.dumps(RESULTS))
    done = _summary(path)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    # one row per dataset/model, under its dataset, best nDCG@10 first
    lines = out.splitlines()
    start = lines.index("movielens-100k")
    names = [line.split()[0] for line in lines[start + 2 : start + 5]]
    assert names == ["multiscale_ease", "ease", "popularity"]
    assert lines[start + 1].split()[:6] == ["model", "map", "ndcg@10", "precision@10", "recall@10", "fit_seconds"]
    for dataset, model in (("cdnow", "bgnbd+gammagamma"), ("groceries", "fpgrowth"), ("synthetic-2k", "hybrid")):
        block = lines[lines.index(dataset) :]
        assert block[2].split()[0] == model
    assert "  fpgrowth" in out and "2918" in out and "13492" in out
    # datasets that did not run are said to be so, not a crash
    assert "offers-simulator: not run" in lines and "demo-service: not run" in lines
    assert lines[-1] == "not run: offers-simulator, demo-service"
    # MovieLens: the model with the best validation nDCG@10 is judged, and the summary says so
    assert _verdict(out, "movielens-100k", "multiscale_ease: ndcg@10") == "ok"
    assert _verdict(out, "movielens-100k", "multiscale_ease: map") == "MISS"  # 0.158 < 0.16
    assert _verdict(out, "movielens-100k", "multiscale_ease: fit_seconds") == "ok"
    assert "judged on multiscale_ease, the best validation_ndcg@10 (as reco.py does)" in out
    assert _verdict(out, "cdnow", "fit_seconds (raw log") == "ok"
    assert _verdict(out, "cdnow", "fit_seconds@1m") == "MISS"  # 35.5 s against < 30
    assert _verdict(out, "cdnow", "peak_rss_mb@1m") == "ok"
    assert _verdict(out, "groceries", "rules") == "ok"
    assert _verdict(out, "synthetic-100k", "p99_ms") == "ok"
    assert _verdict(out, "synthetic-100k", "http_p99_ms@c50") == "MISS"
    assert _verdict(out, "synthetic-100k", "http_p99_ms@open") == "ok"
    assert len(_targets(out)) == 3 + 3 + 1 + 3 + 1 + 1  # targets, the note, the "not run" line


def test_missing_figures_datasets_and_the_wrong_open_loop_are_not_judged() -> None:
    data = {
        "cdnow": {"bgnbd+gammagamma": {"fit_seconds": 1.5}},
        "groceries": {"fpgrowth": {"rules": 2917.0}},
        "synthetic-100k": {"hybrid": {"p99_ms": 12.0, "http_p99_ms@open": 5.0, "open_clients": 4.0}},
    }
    out = summary.render(data, "x.json")
    assert _verdict(out, "cdnow", "fit_seconds (raw log") == "MISS"
    assert _verdict(out, "cdnow", "fit_seconds@1m") == "not measured"
    assert _verdict(out, "groceries", "rules") == "MISS"
    assert _verdict(out, "synthetic-100k", "p99_ms") == "MISS"
    assert _verdict(out, "synthetic-100k", "http_p99_ms@open") == "not the target's 50 clients"
    assert _verdict(out, "synthetic-100k", "http_p99_ms@c50") == "not measured"
    assert _verdict(out, "movielens-100k", "ndcg@10") == "not run"
    assert "movielens-100k: not run" in out.splitlines()


def test_without_validation_scores_movielens_is_not_judged_by_its_test_scores() -> None:
    """Picking the model to judge by its test nDCG@10 would be selection on the test split."""
    data = {"movielens-100k": {name: {k: v for k, v in row.items() if k != reco.VALIDATION_KEY}
                               for name, row in RESULTS["movielens-100k"].items()}}
    out = summary.render(data, "x.json")
    for metric in ("map", "ndcg@10", "fit_seconds"):
        assert _verdict(out, "movielens-100k", metric) == "not judged"
    assert "movielens-100k: not judged, no row holds validation_ndcg@10" in out


@pytest.mark.parametrize(
    ("load", "verdict"),
    [
        ({"open_clients": 50.0, "open_rate": 1.0, "open_seconds": 60.0}, "ok"),
        ({"open_clients": 50.0, "open_rate": 0.05, "open_seconds": 60.0}, "not the target's 1 request/s per client"),
        ({"open_clients": 50.0, "open_rate": 1.0, "open_seconds": 5.0}, "shorter than 30 s (or its length unknown)"),
        ({"open_clients": 50.0, "open_rate": 1.0}, "shorter than 30 s (or its length unknown)"),
    ],
)
def test_the_open_loop_is_judged_only_at_the_targets_load(load: dict[str, float], verdict: str) -> None:
    """50 shoppers at 1 request/s for long enough; a lighter or shorter run would pass too easily."""
    out = summary.render({"synthetic-100k": {"hybrid": {"http_p99_ms@open": 12.0, **load}}}, "x.json")
    assert _verdict(out, "synthetic-100k", "http_p99_ms@open") == verdict


def test_long_metric_lists_wrap_within_the_width() -> None:
    row = {f"http_p99_ms@c{level}": 10.0 + level for level in range(1, 60)}
    lines = summary.dataset_block("demo-service", {"hybrid": row}, 80)
    assert len(lines) > 3 and all(len(line) <= 80 for line in lines)
    headers = [line.split() for line in lines[1::2]]
    assert all(h[0] == "model" for h in headers)
    assert [c for h in headers for c in h[1:]] == [f"http_p99_ms@c{level}" for level in range(1, 60)]  # natural order
    assert all(line.split()[0] == "hybrid" for line in lines[2::2])


def test_no_file_and_a_broken_file(tmp_path: Path) -> None:
    done = _summary(tmp_path / "absent.json")
    assert done.returncode == 0 and "nothing has run yet" in done.stdout
    assert "not run: movielens-100k, cdnow, groceries, offers-simulator, demo-service, synthetic-100k" in done.stdout
    broken = tmp_path / "reco.json"
    broken.write_text("{not json")
    done = _summary(broken)
    assert done.returncode == 2 and "not valid JSON" in done.stderr


def test_fmt_is_compact() -> None:
    assert [summary.fmt(v) for v in (2918.0, 0.12345, 15.4477, 1234.56, float("nan"))] == [
        "2918", "0.1235", "15.45", "1234.6", "nan"
    ]
    assert summary.fmt(483.0, integral=False) == "483.00"


# --- benchmarks/results.py: the merge every benchmark writes through --------------------------


def test_merge_models_replaces_its_rows_and_keeps_everything_else(tmp_path: Path) -> None:
    output = tmp_path / "sub" / "reco.json"
    results.merge_results(output, "a", "m1", {"x": 1})
    results.merge_models(output, "b", {"m": {"y": 2.1234567891}})
    results.merge_models(output, "a", {"m2": {"z": 3}, "m3": {"w": 4}})
    merged = results.merge_results(output, "a", "m1", {"x2": 5})
    written = json.loads(output.read_text())
    assert written == merged == {
        "a": {"m1": {"x2": 5.0}, "m2": {"z": 3.0}, "m3": {"w": 4.0}},
        "b": {"m": {"y": 2.123457}},
    }
    assert [p.name for p in output.parent.iterdir()] == ["reco.json"]  # no scratch file left behind


def test_merge_refuses_what_it_cannot_keep(tmp_path: Path) -> None:
    output = tmp_path / "reco.json"
    for text in ("{not json", "[1, 2]", '{"a": [1]}'):
        output.write_text(text)
        with pytest.raises(SystemExit):
            results.merge_results(output, "a", "m", {"x": 1.0})
        assert output.read_text() == text
    output.write_text('{"a": {}}')
    with pytest.raises(TypeError, match="not a number"):
        results.merge_results(output, "b", "m", {"x": 1.0, "label": "fast"})
    assert output.read_text() == '{"a": {}}'


def test_reco_write_results_merges_through_the_shared_helper(tmp_path: Path) -> None:
    output = tmp_path / "reco.json"
    output.write_text(json.dumps({"cdnow": {"m": {"x": 1.0}}, reco.DATASET: {"als": {"map": 0.1}}}))
    reco.write_results(output, {"ease": {"map": 0.15, "ndcg@10": 0.48}})
    written = json.loads(output.read_text())
    assert written["cdnow"] == {"m": {"x": 1.0}}
    assert written[reco.DATASET] == {"als": {"map": 0.1}, "ease": {"map": 0.15, "ndcg@10": 0.48}}


def test_movielens_is_judged_on_the_best_validation_score_not_the_test_split() -> None:
    movielens = {name: dict(row) for name, row in RESULTS["movielens-100k"].items()}
    # ease has the better validation score; multiscale_ease the better test score: ease is judged
    movielens["ease"]["validation_ndcg@10"] = 0.1901
    movielens["multiscale_ease"]["validation_ndcg@10"] = 0.1896
    out = summary.render({"movielens-100k": movielens}, "x.json")
    assert _verdict(out, "movielens-100k", "ease: ndcg@10") == "MISS"  # 0.4655 < 0.50
    assert "judged on ease, the best validation_ndcg@10 (as reco.py does)" in out
    assert "multiscale_ease: ndcg@10" not in out
