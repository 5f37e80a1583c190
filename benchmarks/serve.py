"""Serving benchmark of the live recommender: HTTP latency, throughput, peak memory.

Usage (from the repository root)::

    .venvs/reco/bin/python benchmarks/serve.py [--requests 2000] [--levels 1,8,32] [--max-seconds 60]

What it does, all on this machine (loopback only, bounded in count and time):

1. creates a temporary SQLite database, runs ``python -m recommender migrate`` and
   ``python -m recommender load-demo --if-empty`` against it;
2. starts the real service (``python -m recommender serve``, uvicorn) as a subprocess on a
   free 127.0.0.1 port with fresh random tokens, and waits for ``GET /healthz``;
3. sends a warm-up, then ``--requests`` POST ``/api/v1/recommendations`` per concurrency
   level (a thread pool of that many clients, each level stopped after ``--max-seconds``),
   cycling through the four verticals' typical requests for anonymous and demo shoppers;
4. reads the server's peak resident memory (``VmHWM`` of ``/proc/<pid>/status``) and stops
   it (always, also on errors and Ctrl-C);
5. times ``Engine.recommend`` in-process on the same demo data (no HTTP, no database).

Results go under ``demo-service`` → ``hybrid`` in ``benchmarks/results/reco.json`` (other keys
are kept). ``p50_ms``/``p99_ms`` are the in-process engine (comparable with the MovieLens
rows); ``http_p50_ms``/``http_p99_ms`` are one request at a time (concurrency 1, what a lone
shopper waits); ``rps`` is the best throughput over the levels; ``http_p50_ms@cN``,
``http_p99_ms@cN`` and ``rps@cN`` are every level. The client runs on the same cores as the
server, so its own overhead is included in every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

DATASET = "demo-service"
MODEL = "hybrid"
DEFAULT_OUTPUT = REPO_ROOT / "benchmarks" / "results" / "reco.json"
HOST = "127.0.0.1"
RECOMMEND_PATH = "/api/v1/recommendations"
DEFAULT_REQUESTS = 2000
DEFAULT_LEVELS = (1, 8, 32)
DEFAULT_MAX_SECONDS = 60.0  # per concurrency level
WARMUP_REQUESTS = 40
ENGINE_CALLS = 400
STARTUP_TIMEOUT = 120.0  # seconds to wait for /healthz (the engine fits at start-up)
STOP_TIMEOUT = 10.0
REQUEST_TIMEOUT = 30.0
DEMO_SHOPPERS = 3  # demo shoppers mixed with anonymous requests
USD = "USD"

#: The four verticals' typical requests (docs/contracts.md RecommendationRequest), shopper left out.
TYPICAL_REQUESTS: tuple[dict[str, Any], ...] = (
    {"language": "zh", "vertical": "fashion", "mode": "recommend", "query": "适合约会的连衣裙", "k": 5,
     "filters": {"category": "dress", "price_max": 500, "currency": "CNY", "occasion": "date"}},
    {"language": "en", "vertical": "dish", "mode": "search", "query": "spicy vegetarian dishes", "k": 5,
     "filters": {"tastes": ["spicy"], "dietary": ["vegetarian"], "price_max": 20, "currency": USD}},
    {"language": "zh", "vertical": "finance", "mode": "recommend", "query": "低风险理财", "k": 5,
     "filters": {"risk_max": 2}},
    {"language": "zh", "vertical": "product", "mode": "search", "query": "零食", "k": 5,
     "filters": {"category": "snacks"}},
)


def percentile_ms(seconds: Sequence[float], q: float) -> float:
    """The ``q``-th percentile of durations given in seconds, in milliseconds."""
    if not seconds:
        raise ValueError("no durations to summarise")
    return float(np.percentile(np.asarray(seconds, dtype=float), q) * 1000.0)


def parse_vmhwm_mb(status_text: str) -> float:
    """Peak resident set size in MiB from the text of ``/proc/<pid>/status`` (``VmHWM: N kB``)."""
    for line in status_text.splitlines():
        if line.startswith("VmHWM:"):
            value, unit = line.split()[1:3]
            if unit != "kB":
                raise ValueError(f"unexpected VmHWM unit {unit!r}")
            return int(value) / 1024.0
    raise ValueError("no VmHWM line in the process status")


def merge_results(output: Path, dataset: str, model: str, metrics: dict[str, float]) -> dict[str, Any]:
    """Read-modify-write ``output``: replace ``dataset → model``, keep every other key."""
    existing: dict[str, Any] = {}
    if output.is_file():
        try:
            existing = json.loads(output.read_text())
        except json.JSONDecodeError as exc:
            raise SystemExit(f"{output} is not valid JSON ({exc}); not overwriting it") from exc
    existing.setdefault(dataset, {})[model] = {k: round(float(v), 6) for k, v in metrics.items()}
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(existing, indent=2, sort_keys=True) + "\n")
    return existing


def request_bodies(shopper_ids: Sequence[str]) -> list[dict[str, Any]]:
    """Every typical request, anonymous and for each demo shopper, interleaved by vertical."""
    shoppers: list[str | None] = [None, *shopper_ids]
    return [{**body, "shopper_id": s} if s else dict(body) for s in shoppers for body in TYPICAL_REQUESTS]


def free_port() -> int:
    """A TCP port on 127.0.0.1 free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _cli(env: dict[str, str], *args: str) -> None:
    """Run ``python -m recommender ARGS`` against the benchmark database; fail loudly."""
    done = subprocess.run([sys.executable, "-m", "recommender", *args], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise SystemExit(f"recommender {' '.join(args)} failed:\n{done.stderr[-2000:]}")


def start_server(env: dict[str, str], port: int, log_path: Path) -> subprocess.Popen[bytes]:
    """Start ``python -m recommender serve`` in its own process group, output to ``log_path``."""
    with log_path.open("wb") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "recommender", "serve", "--host", HOST, "--port", str(port),
             "--no-migrate"],
            cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )


def wait_healthy(base_url: str, proc: subprocess.Popen[bytes], log_path: Path) -> float:
    """Poll ``/healthz`` until it answers 200; seconds waited. Fails if the server exits."""
    started = time.perf_counter()
    while time.perf_counter() - started < STARTUP_TIMEOUT:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}:\n{log_path.read_text()[-2000:]}")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=2.0).status_code == 200:
                return time.perf_counter() - started
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"server not healthy after {STARTUP_TIMEOUT:.0f} s:\n{log_path.read_text()[-2000:]}")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM the server's process group, SIGKILL it if it lingers; reap it."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=STOP_TIMEOUT)
    except ProcessLookupError:
        proc.wait(timeout=STOP_TIMEOUT)


def run_level(client: httpx.Client, url: str, bodies: Sequence[dict[str, Any]], n: int, concurrency: int,
              max_seconds: float) -> tuple[list[float], float, int]:
    """Send up to ``n`` requests from ``concurrency`` threads; (latencies s, elapsed s, failures)."""
    lock = threading.Lock()
    issued = 0
    latencies: list[float] = []
    failures = 0
    deadline = time.perf_counter() + max_seconds

    def worker() -> None:
        nonlocal issued, failures
        while True:
            with lock:
                if issued >= n or time.perf_counter() >= deadline:
                    return
                body = bodies[issued % len(bodies)]
                issued += 1
            start = time.perf_counter()
            try:
                ok = client.post(url, json=body).status_code == 200
            except httpx.HTTPError:
                ok = False
            took = time.perf_counter() - start
            with lock:
                latencies.append(took)
                failures += not ok

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        for future in [pool.submit(worker) for _ in range(concurrency)]:
            future.result()
    return latencies, time.perf_counter() - started, failures


def check_requests(client: httpx.Client, url: str, bodies: Sequence[dict[str, Any]]) -> None:
    """Every typical request answers 200 with items, else the benchmark would time errors."""
    for body in bodies[: len(TYPICAL_REQUESTS)]:
        response = client.post(url, json=body)
        if response.status_code != 200 or not response.json().get("items"):
            raise SystemExit(f"request {body['vertical']} answered {response.status_code}: "
                             f"{response.text[:300]}")


def load_demo_frames(env: dict[str, str]) -> tuple[Any, Any, Any]:
    """(settings, items frame, interactions frame) of the benchmark database."""
    from recommender.config import Settings
    from recommender.storage import frames
    from recommender.storage.db import create_db_engine, session_factory

    settings = Settings.from_env(env)
    db = create_db_engine(settings.database_url)
    try:
        with session_factory(db).begin() as session:
            return settings, frames.items_frame(session, settings), frames.interactions_frame(session)
    finally:
        db.dispose()


def engine_latency(settings: Any, items: Any, interactions: Any, shopper_ids: Sequence[str],
                   calls: int) -> tuple[list[float], float]:
    """Fit the engine in-process like the service does and time ``recommend``; (latencies s, fit s)."""
    from recommender import constants as C
    from recommender.engine import Engine, Filters
    from recommender.engine.rerank import RerankParams

    started = time.perf_counter()
    engine = Engine.fit(items, interactions, seed=C.ENGINE_SEED)
    fit_seconds = time.perf_counter() - started
    rerank = RerankParams(**settings.knobs("A"))
    cases = []
    for body in request_bodies(shopper_ids):
        wanted = dict(body["filters"])
        currency = wanted.pop("currency", "CNY")
        for key in ("tastes", "dietary"):
            if key in wanted:
                wanted[key] = tuple(wanted[key])
        if "price_max" in wanted:  # the service converts budgets to CNY the same way
            wanted["price_max"] = settings.to_cny(wanted["price_max"], currency)
        cases.append({"shopper_id": body.get("shopper_id"), "mode": body["mode"], "query": body["query"],
                      "k": body["k"], "filters": Filters(vertical=body["vertical"], **wanted),
                      "rerank": rerank})
    for case in cases:  # warm-up, and every case must find something
        if not engine.recommend(**case)[0]:
            raise SystemExit(f"engine found nothing for {case}")
    latencies = []
    for i in range(calls):
        start = time.perf_counter()
        engine.recommend(**cases[i % len(cases)])
        latencies.append(time.perf_counter() - start)
    return latencies, fit_seconds


def _on_sigterm(signum: int, frame: Any) -> None:
    raise SystemExit(f"stopped by signal {signum}")


def run(requests: int, levels: Sequence[int], max_seconds: float, output: Path | None) -> dict[str, float]:
    """The whole benchmark; returns the metrics written (or that would be, without ``output``)."""
    metrics: dict[str, float] = {}
    token = secrets.token_hex(24)
    with tempfile.TemporaryDirectory(prefix="dxe-bench-serve-") as tmp:
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{Path(tmp) / 'bench.db'}",
               "DXE_SERVICE_TOKEN": token, "DXE_STAFF_TOKEN": secrets.token_hex(24)}
        env.pop("DXE_EXPERIMENT", None)
        print("preparing a temporary database (migrate, load-demo) ...", flush=True)
        _cli(env, "migrate")
        _cli(env, "load-demo", "--if-empty")
        settings, items, interactions = load_demo_frames(env)
        shopper_ids = sorted(interactions["shopper_id"].astype(str).unique())[:DEMO_SHOPPERS]
        bodies = request_bodies(shopper_ids)
        print(f"demo data: {len(items)} items, {len(interactions)} interactions; "
              f"{len(bodies)} request shapes", flush=True)

        port = free_port()
        base_url = f"http://{HOST}:{port}"
        log_path = Path(tmp) / "server.log"
        proc = start_server(env, port, log_path)
        try:
            waited = wait_healthy(base_url, proc, log_path)
            print(f"server pid {proc.pid} healthy on {base_url} after {waited:.1f} s", flush=True)
            limits = httpx.Limits(max_connections=max(levels), max_keepalive_connections=max(levels))
            headers = {"Authorization": f"Bearer {token}"}
            client = httpx.Client(base_url=base_url, headers=headers, limits=limits, timeout=REQUEST_TIMEOUT)
            with client:
                check_requests(client, RECOMMEND_PATH, bodies)
                run_level(client, RECOMMEND_PATH, bodies, WARMUP_REQUESTS, 1, max_seconds)
                for level in levels:
                    latencies, elapsed, failures = run_level(client, RECOMMEND_PATH, bodies, requests, level,
                                                             max_seconds)
                    if failures:
                        raise SystemExit(f"{failures} of {len(latencies)} requests failed at concurrency "
                                         f"{level}; server log:\n{log_path.read_text()[-2000:]}")
                    p50, p99 = percentile_ms(latencies, 50), percentile_ms(latencies, 99)
                    rps = len(latencies) / elapsed
                    metrics.update({f"http_p50_ms@c{level}": p50, f"http_p99_ms@c{level}": p99,
                                    f"rps@c{level}": rps})
                    print(f"  concurrency {level:>3}: {len(latencies):>5} requests in {elapsed:6.1f} s  "
                          f"p50 {p50:7.1f} ms  p99 {p99:7.1f} ms  {rps:7.1f} req/s", flush=True)
            metrics["peak_rss_mb"] = parse_vmhwm_mb(Path(f"/proc/{proc.pid}/status").read_text())
        finally:
            stop_server(proc)
        print(f"server stopped (exit {proc.returncode})", flush=True)

    print(f"timing Engine.recommend in-process ({ENGINE_CALLS} calls) ...", flush=True)
    latencies, fit_seconds = engine_latency(settings, items, interactions, shopper_ids, ENGINE_CALLS)
    first = levels[0]
    metrics.update({
        "p50_ms": percentile_ms(latencies, 50), "p99_ms": percentile_ms(latencies, 99),
        "fit_seconds": fit_seconds,
        "http_p50_ms": metrics[f"http_p50_ms@c{first}"], "http_p99_ms": metrics[f"http_p99_ms@c{first}"],
        "rps": max(metrics[f"rps@c{level}"] for level in levels),
    })
    print_table(metrics)
    if output is not None:
        merge_results(output, DATASET, MODEL, metrics)
        print(f"wrote {DATASET} → {MODEL} into {output}")
    return metrics


def print_table(metrics: dict[str, float]) -> None:
    """The headline figures, then every concurrency level."""
    print(f"\n{DATASET} / {MODEL}")
    for key in ("p50_ms", "p99_ms", "http_p50_ms", "http_p99_ms", "rps", "peak_rss_mb", "fit_seconds"):
        print(f"  {key:<14}{metrics[key]:>12.2f}")
    for key in sorted(k for k in metrics if "@c" in k):
        print(f"  {key:<18}{metrics[key]:>8.2f}")


def _levels(text: str) -> tuple[int, ...]:
    try:
        levels = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"levels must be comma-separated integers, got {text!r}") from None
    if not levels or any(not 1 <= level <= 64 for level in levels):
        raise argparse.ArgumentTypeError("each concurrency level must be 1..64")
    return levels


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the arguments and run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=DEFAULT_REQUESTS,
                        help="requests per concurrency level")
    parser.add_argument("--levels", type=_levels, default=DEFAULT_LEVELS,
                        help="concurrency levels, e.g. 1,8,32")
    parser.add_argument("--max-seconds", type=float, default=DEFAULT_MAX_SECONDS, help="time cap per level")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--no-write", action="store_true", help="print only, do not update the JSON file")
    args = parser.parse_args(argv)
    if not 1 <= args.requests <= 100_000 or not 0 < args.max_seconds <= 600:
        parser.error("--requests must be 1..100000 and --max-seconds 0..600")
    signal.signal(signal.SIGTERM, _on_sigterm)
    run(args.requests, args.levels, args.max_seconds, None if args.no_write else args.output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
