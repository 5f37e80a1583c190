"""Helpers of the serving benchmark (benchmarks/serve.py), and one short real run."""

from __future__ import annotations

import json
import resource
from pathlib import Path

import pytest

from benchmarks import serve
from recommender.api.schemas import RecommendationRequest


def test_percentile_ms_converts_seconds_and_interpolates() -> None:
    durations = [0.001 * i for i in range(1, 101)]  # 1 .. 100 ms
    assert serve.percentile_ms(durations, 50) == pytest.approx(50.5)
    assert serve.percentile_ms(durations, 99) == pytest.approx(99.01)
    with pytest.raises(ValueError):
        serve.percentile_ms([], 50)


def test_parse_vmhwm_reads_this_process_peak() -> None:
    peak_mb = serve.parse_vmhwm_mb(Path("/proc/self/status").read_text())
    # Linux reports ru_maxrss in kB: the same high-water mark, read another way.
    assert peak_mb == pytest.approx(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, rel=0.05)
    assert serve.parse_vmhwm_mb("Name:\tx\nVmHWM:\t   2048 kB\n") == 2.0
    with pytest.raises(ValueError):
        serve.parse_vmhwm_mb("Name:\tx\n")


def test_merge_results_keeps_other_datasets_and_models(tmp_path: Path) -> None:
    output = tmp_path / "reco.json"
    output.write_text(json.dumps({"movielens-100k": {"ease": {"map": 0.15}},
                                  "demo-service": {"other": {"rps": 1.0}, "hybrid": {"stale": 1.0}}}))
    serve.merge_results(output, "demo-service", "hybrid", {"rps": 123.4567891, "p50_ms": 2.0})
    written = json.loads(output.read_text())
    assert written["movielens-100k"] == {"ease": {"map": 0.15}}
    assert written["demo-service"]["other"] == {"rps": 1.0}
    assert written["demo-service"]["hybrid"] == {"rps": 123.456789, "p50_ms": 2.0}


def test_merge_results_refuses_to_clobber_broken_json(tmp_path: Path) -> None:
    output = tmp_path / "reco.json"
    output.write_text("{not json")
    with pytest.raises(SystemExit):
        serve.merge_results(output, "demo-service", "hybrid", {"rps": 1.0})
    assert output.read_text() == "{not json"


def test_request_bodies_follow_the_api_contract() -> None:
    bodies = serve.request_bodies(["s1", "s2"])
    assert len(bodies) == 3 * len(serve.TYPICAL_REQUESTS)
    assert {b["vertical"] for b in bodies} == {"fashion", "dish", "finance", "product"}
    assert [b.get("shopper_id") for b in bodies[:: len(serve.TYPICAL_REQUESTS)]] == [None, "s1", "s2"]
    for body in bodies:
        RecommendationRequest.model_validate(body)  # unknown fields or bad values would raise


@pytest.mark.slow
def test_short_run_against_the_real_service(tmp_path: Path) -> None:
    output = tmp_path / "reco.json"
    output.write_text(json.dumps({"movielens-100k": {"ease": {"map": 0.15}}}))
    metrics = serve.run(requests=24, levels=(1, 4), max_seconds=30.0, output=output)
    written = json.loads(output.read_text())
    assert written["movielens-100k"] == {"ease": {"map": 0.15}}
    row = written["demo-service"]["hybrid"]
    for key in ("p50_ms", "p99_ms", "http_p99_ms", "rps", "peak_rss_mb"):
        assert row[key] > 0
    assert row["p50_ms"] <= row["p99_ms"] and row["http_p50_ms"] <= row["http_p99_ms"]
    assert row["rps"] == pytest.approx(max(metrics["rps@c1"], metrics["rps@c4"]), rel=1e-5)
