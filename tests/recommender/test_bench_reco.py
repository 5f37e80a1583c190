"""The MovieLens benchmark (benchmarks/reco.py): its verdicts, and fast cases on the real data.

The data-backed tests read ../shared/datasets/movielens-100k in place and skip, saying why,
when it is absent. They pin the protocol's split to the sizes in its SOURCE.md and the
headline models to their measured quality, with fixed hyper-parameters (the tuning itself
runs in `make bench-reco`). The live engine's adapter (benchmarks/reco_live.py) is checked
on a slice (users 1-150): fitted on the training ratings only, seen items never recommended.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from benchmarks import reco, reco_live
from recommender.engine.catalog import Catalog
from recommender.engine.constants import HYBRID_WEIGHTS
from recommender.engine.tuning import fit_blend_weights
from recommender.evaluation import beyond_accuracy, evaluate, stratified_split
from recommender.models import EASEModel, MultiScaleEASEModel, PopularityModel
from recommender.storage.frames import ITEM_COLUMNS

MOVIELENS = reco.DEFAULT_DATA_DIR / reco.DATASET / "u.data"
REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def split() -> tuple[pd.DataFrame, pd.DataFrame]:
    if not MOVIELENS.is_file():
        pytest.skip(f"MovieLens-100k absent: {MOVIELENS} (the public datasets live in ../shared/datasets)")
    return stratified_split(reco.load_movielens(reco.DEFAULT_DATA_DIR))


def test_target_report_picks_the_model_by_validation_and_flags_misses() -> None:
    results = {
        "a": {"ndcg@10": 0.51, "map": 0.159, "fit_seconds": 0.4},
        "b": {"ndcg@10": 0.49, "map": 0.17, "fit_seconds": 12.0},
        "hybrid": {"ndcg@10": 0.60, "map": 0.20, "fit_seconds": 1.0},
    }
    report = reco.target_report(results, {"a": 0.19, "b": 0.18})
    lines = report.splitlines()
    assert "our best model by validation nDCG@10: a" in lines[0]
    assert lines[1].split()[0] == "ndcg@10" and lines[1].endswith("ok")
    assert lines[2].split()[0] == "map" and lines[2].endswith("MISS")
    assert lines[3].split()[0] == "fit_seconds" and lines[3].endswith("ok")
    # the test split never picks the model: b wins only on validation
    assert ": b" in reco.target_report(results, {"a": 0.17, "b": 0.18}).splitlines()[0]
    assert reco.target_report(results, {}) == "targets: no tuned model in this run"


def test_protocol_split_has_the_published_sizes(split) -> None:
    train, test = split
    assert (len(train), len(test)) == (75_066, 24_934)  # SOURCE.md, "Exact split"
    assert set(test["item_id"]) <= set(train["item_id"])
    assert test["user_id"].nunique() == 943


def test_plain_ease_reproduces_the_source_figure(split) -> None:
    train, test = split
    row = evaluate(EASEModel(l2=400.0).fit(train), test)
    # SOURCE.md: plain EASE, lambda 400 -> MAP 0.151, nDCG@10 0.485, P@10 0.422, R@10 0.230
    assert row["map"] == pytest.approx(0.151, abs=0.002)
    assert row["ndcg@10"] == pytest.approx(0.485, abs=0.004)
    assert row["precision@10"] == pytest.approx(0.422, abs=0.004)
    assert row["recall@10"] == pytest.approx(0.230, abs=0.004)


def test_multiscale_ease_with_its_tuned_setting_meets_the_ndcg_target(split) -> None:
    train, test = split
    plain = evaluate(EASEModel(l2=400.0).fit(train), test)
    # the setting `make bench-reco` chooses on the validation folds (l2 100 x |train| / |inner train|)
    model = MultiScaleEASEModel(l2=111.0, time_scales=(300.0, 3600.0, 86400.0), time_weights=(0.4, 0.2, 0.15))
    row = evaluate(model.fit(train), test)
    assert row["ndcg@10"] >= 0.50
    assert row["map"] > plain["map"] + 0.005 and row["ndcg@10"] > plain["ndcg@10"] + 0.01


def test_quick_run_writes_the_documented_keys(split, tmp_path: Path) -> None:
    output = tmp_path / "reco.json"
    # an earlier run's row for another model: kept, and judged with this run's rows
    earlier = {
        "map": 0.2, "ndcg@10": 0.6, "precision@10": 0.5, "recall@10": 0.3, "fit_seconds": 1.0,
        "p50_ms": 1.0, "p99_ms": 2.0, "coverage": 0.1, "validation_ndcg@10": 0.9,
    }  # fmt: skip
    output.write_text(json.dumps({"other-dataset": {"m": {"rps": 1.0}}, reco.DATASET: {"earlier": earlier}}))
    done = subprocess.run(
        [sys.executable, "benchmarks/reco.py", "--quick", "--models", "popularity", "ease", "--output", str(output)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    written = json.loads(output.read_text())
    assert written["other-dataset"] == {"m": {"rps": 1.0}}  # merged, not overwritten
    rows = written[reco.DATASET]
    assert set(rows) == {"popularity", "ease", "earlier"}
    assert rows["earlier"] == earlier
    for row in (rows["popularity"], rows["ease"]):
        assert {"map", "ndcg@10", "precision@10", "recall@10", "fit_seconds", "p50_ms", "p99_ms"} <= set(row)
        assert 0.0 < row["map"] < row["ndcg@10"] < 1.0
    assert rows["ease"]["ndcg@10"] > rows["popularity"]["ndcg@10"] + 0.1
    # the validation score the model was chosen by is kept (validation folds are 10 % slices: lower)
    assert 0.0 < rows["ease"]["validation_ndcg@10"] < rows["ease"]["ndcg@10"]
    assert "targets (our best model by validation nDCG@10: earlier)" in done.stdout
    assert (tmp_path / "reco_movielens-100k.png").read_bytes()[:4] == b"\x89PNG"
    verdict = done.stdout.split("targets")[1]
    assert "0.2000  >= 0.16   ok" in verdict and "0.6000  >= 0.5    ok" in verdict


def test_plot_ranking_draws_every_model(tmp_path: Path) -> None:
    results = {
        "ease": {"map": 0.150, "ndcg@10": 0.485, "coverage": 0.175},
        "popularity": {"map": 0.056, "ndcg@10": 0.252, "coverage": 0.027},
    }
    path = tmp_path / "reco.png"
    reco.plot_ranking(results, path)
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
    with pytest.raises(KeyError):  # a model without its metrics is an error, not a blank bar
        reco.plot_ranking({**results, "broken": {"map": 0.1}}, tmp_path / "bad.png")


@pytest.fixture(scope="module")
def live_items() -> pd.DataFrame:
    if not MOVIELENS.is_file():
        pytest.skip(f"MovieLens-100k absent: {MOVIELENS} (the public datasets live in ../shared/datasets)")
    return reco_live.movielens_items(reco.DEFAULT_DATA_DIR)


def test_live_items_frame_is_a_catalog_the_engine_accepts(live_items: pd.DataFrame) -> None:
    assert list(live_items.columns) == ITEM_COLUMNS
    catalog = Catalog.from_frame(live_items)
    assert len(catalog) == 1682 and catalog.ids[0] == "1"
    assert catalog.titles["en"][0] == catalog.titles["zh"][0] == "Toy Story (1995)"
    assert catalog.tags[0] == frozenset({"animation", "children's", "comedy"})
    assert catalog.category[0] == "animation"
    assert (catalog.stock > 0).all() and len(set(catalog.price)) == 1 and set(catalog.vertical) == {"product"}


def test_live_engine_adapter_fits_on_train_only_and_ranks_unseen_items(
    live_items: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    ratings = reco.load_movielens(reco.DEFAULT_DATA_DIR)
    train, test = stratified_split(ratings[ratings["user_id"] <= 150])
    given: list[pd.DataFrame] = []

    def recording(items: pd.DataFrame, interactions: pd.DataFrame, **kwargs: Any) -> Any:
        given.append(interactions)
        return fit_blend_weights(items, interactions, **kwargs)

    monkeypatch.setattr(reco_live, "fit_blend_weights", recording)
    model = reco_live.LiveEngineModel(live_items).fit(train)
    # the blend tuning sees the training ratings, and nothing else
    (tuned_on,) = given
    assert len(tuned_on) == len(train) and set(tuned_on["type"]) == {"rating"}
    assert set(zip(tuned_on["shopper_id"], tuned_on["item_id"], strict=True)) == {
        (str(u), str(i)) for u, i in zip(train["user_id"], train["item_id"], strict=True)
    }
    # the engine ranks with the weights the adapter reports (tuned ones only when the tuning fitted)
    assert model.blend_ is not None
    expected = model.blend_.weights if model.blend_.fitted else HYBRID_WEIGHTS
    assert model.engine_.blend_weights_ == expected
    assert model.weights_ == model.engine_.unsegmented_weights_

    users = test["user_id"].unique()
    ids, scores = model.recommend(users, k=10, exclude_seen=True)
    assert ids.shape == scores.shape == (len(users), 10) and ids.dtype == train["item_id"].dtype
    seen = train.groupby("user_id")["item_id"].agg(set)
    assert all(not set(row) & seen[user] for user, row in zip(users, ids, strict=True))
    assert (np.diff(scores, axis=1) <= 1e-9).all()
    single, _ = model.recommend(users[0], k=5)
    assert single.ndim == 1 and len(single) == 5 and list(single) == list(ids[0][:5])
    # the benchmark's evaluation and beyond-accuracy run on it unchanged
    row = evaluate(model, test)
    popularity = evaluate(PopularityModel().fit(train), test)
    assert row["ndcg@10"] > popularity["ndcg@10"]
    assert 0.0 < beyond_accuracy([list(r) for r in ids], train)["coverage"] <= 1.0
    assert reco.LIVE_ENGINE in reco.MODEL_CHOICES
