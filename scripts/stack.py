#!/usr/bin/env python3
"""Start, watch and stop Dianxiaoer's three processes (stdlib only).

Used by ``make demo`` (``stack.py demo``), ``make stop`` (``stack.py stop``) and the
end-to-end tests, which import :class:`Stack` to run the real services on free
loopback ports against their own database.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

ROOT = Path(__file__).resolve().parent.parent
RASA_BIN = ROOT / ".venvs" / "rasa" / "bin"
RECO_BIN = ROOT / ".venvs" / "reco" / "bin"
VAR = ROOT / "var"
SECRETS_FILE = VAR / "secrets.env"
PID_FILE = Path(os.environ.get("DXE_PID_FILE", VAR / "run" / "stack.pid"))
DEFAULT_DATABASE_URL = f"sqlite:///{VAR / 'dianxiaoer.db'}"
DEFAULT_MODEL_DIR = ROOT / "models"
HOST = "127.0.0.1"
SERVICES = ("recommender", "actions", "rasa")
# nlu_data/tests holds the test stories: never train on them
TRAINING_DATA = ("nlu_data/nlu", "nlu_data/rules", "nlu_data/stories")
READY_TIMEOUT_S = 240.0
STOP_GRACE_S = 15.0
# Chat messages are small: refuse large bodies at Rasa's public door (RELIABILITY.md).
# The action server is loopback-only and receives whole trackers, which grow with the
# conversation, so its limit is larger.
SANIC_MAX_BODY = {"rasa": str(256 * 1024), "actions": str(32 * 1024 * 1024)}


def log(msg: str) -> None:
    """Print a progress line that shows up immediately under make."""
    print(f"[dianxiaoer] {msg}", flush=True)


_HANDED_OUT: set = set()  # ports free_port has returned in this process


def free_port() -> int:
    """A free TCP port on the loopback interface, never one this process was already given.

    The kernel may hand the same ephemeral port to two bind(0) calls in a row once the first
    socket is closed, so three calls for one stack could give Rasa and the action server the
    same port (seen once: "address already in use").
    """
    for _ in range(100):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind((HOST, 0))
            port = s.getsockname()[1]
        if port not in _HANDED_OUT:
            _HANDED_OUT.add(port)
            return port
    raise RuntimeError("no free loopback port that was not already handed out")


def load_secrets() -> Dict[str, str]:
    """Tokens from the environment, else from var/secrets.env (made once, mode 600)."""
    names = ("DXE_SERVICE_TOKEN", "DXE_STAFF_TOKEN")
    found = {n: os.environ[n] for n in names if os.environ.get(n)}
    if len(found) == len(names):
        return found
    if not SECRETS_FILE.exists():
        SECRETS_FILE.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(SECRETS_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            for n in names:
                fh.write(f"{n}={secrets.token_hex(24)}\n")
        log(f"generated service and staff tokens in {SECRETS_FILE.relative_to(ROOT)}")
    for line in SECRETS_FILE.read_text().splitlines():
        key, _, value = line.partition("=")
        if key in names and key not in found:
            found[key] = value.strip()
    return found


def rasa_db_env(database_url: str) -> Dict[str, str]:
    """Rasa's SQL tracker store settings for the same database (SQLAlchemy 1.4 + psycopg2)."""
    if database_url.startswith("sqlite"):
        return {"RASA_DB_DIALECT": "sqlite", "RASA_DB_URL": database_url}
    scheme, _, rest = database_url.partition("://")
    if not scheme.startswith("postgres"):
        raise SystemExit(f"unsupported DATABASE_URL scheme {scheme!r}: use sqlite or postgresql")
    return {"RASA_DB_DIALECT": "postgresql", "RASA_DB_URL": f"postgresql://{rest}"}


def _die_with_parent() -> None:  # pragma: no cover - runs in the child
    """Ask Linux to SIGTERM this child if the supervisor dies, so nothing is orphaned."""
    os.setsid()
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


@dataclass
class Stack:
    """The three services, configured for one database and one set of ports."""

    database_url: str = field(default_factory=lambda: os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL))
    model_dir: Path = DEFAULT_MODEL_DIR
    reco_port: int = 8000
    actions_port: int = 5055
    rasa_port: int = 5005
    log_dir: Path = VAR / "log"
    extra_env: Dict[str, str] = field(default_factory=dict)
    procs: Dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def reco_url(self) -> str:
        return f"http://{HOST}:{self.reco_port}"

    @property
    def rasa_url(self) -> str:
        return f"http://{HOST}:{self.rasa_port}"

    @property
    def actions_url(self) -> str:
        return f"http://{HOST}:{self.actions_port}"

    def env(self) -> Dict[str, str]:
        env = dict(os.environ)
        env.update(load_secrets())
        env.update(rasa_db_env(self.database_url))
        env.update(
            {
                "DATABASE_URL": self.database_url,
                "PYTHONPATH": str(ROOT),
                "RECOMMENDER_URL": self.reco_url,
                "RASA_URL": self.rasa_url,
                "ACTION_ENDPOINT_URL": f"{self.actions_url}/webhook",
                "RASA_TELEMETRY_ENABLED": "false",
                "TF_CPP_MIN_LOG_LEVEL": "2",
                "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
                "PYTHONUNBUFFERED": "1",
            }
        )
        env.update(self.extra_env)
        return env

    def commands(self) -> Dict[str, List[str]]:
        return {
            "recommender": [str(RECO_BIN / "python"), "-m", "recommender", "serve",
                            "--host", HOST, "--port", str(self.reco_port)],
            "actions": [str(RASA_BIN / "python"), "-m", "rasa_sdk", "--actions", "actions",
                        "--port", str(self.actions_port)],
            "rasa": [str(RASA_BIN / "rasa"), "run", "-m", str(self.model_dir),
                     "--endpoints", "bot/endpoints.yml", "--credentials", "bot/credentials.yml",
                     "-i", HOST, "-p", str(self.rasa_port)],
        }

    def health_url(self, name: str) -> str:
        return {
            "recommender": f"{self.reco_url}/healthz",
            "actions": f"{self.actions_url}/health",
            "rasa": f"{self.rasa_url}/webhooks/rest/",
        }[name]

    # -- lifecycle ---------------------------------------------------------
    def prepare_database(self, load_demo: bool = True) -> None:
        """Create or upgrade the schema and load the demo data into an empty database."""
        run([str(RECO_BIN / "python"), "-m", "recommender", "migrate"], self.env())
        if load_demo:
            run([str(RECO_BIN / "python"), "-m", "recommender", "load-demo", "--if-empty"], self.env())

    def start(self, names=SERVICES) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        cmds, env = self.commands(), self.env()
        for name in names:
            if name in self.procs and self.procs[name].poll() is None:
                continue
            logf = open(self.log_dir / f"{name}.log", "ab")
            proc_env = dict(env)
            if name in SANIC_MAX_BODY:
                proc_env["SANIC_REQUEST_MAX_SIZE"] = SANIC_MAX_BODY[name]
            self.procs[name] = subprocess.Popen(
                cmds[name], cwd=ROOT, env=proc_env, stdout=logf, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, preexec_fn=_die_with_parent,
            )
            logf.close()

    def wait_ready(self, names=SERVICES, timeout: float = READY_TIMEOUT_S) -> None:
        """Poll each service's health URL, showing progress; raise if one dies or times out."""
        deadline = time.monotonic() + timeout
        pending = list(names)
        while pending:
            for name in list(pending):
                proc = self.procs.get(name)
                if proc is not None and proc.poll() is not None:
                    tail = (self.log_dir / f"{name}.log").read_text(errors="replace")[-3000:]
                    raise RuntimeError(f"{name} exited with {proc.returncode}:\n{tail}")
                if http_ok(self.health_url(name)):
                    log(f"{name} is up ({self.health_url(name)})")
                    pending.remove(name)
            if pending and time.monotonic() > deadline:
                raise TimeoutError(f"not ready after {timeout:.0f}s: {', '.join(pending)}")
            if pending:
                time.sleep(1.0)

    def stop(self, names=SERVICES) -> None:
        """SIGTERM each process group, then SIGKILL whatever is left after a grace period."""
        for name in names:
            proc = self.procs.get(name)
            if proc is not None and proc.poll() is None:
                _signal_group(proc, signal.SIGTERM)
        for name in names:
            proc = self.procs.pop(name, None)
            if proc is None:
                continue
            try:
                proc.wait(timeout=STOP_GRACE_S)
            except subprocess.TimeoutExpired:
                _signal_group(proc, signal.SIGKILL)
                proc.wait(timeout=5)


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        pass


def http_ok(url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return 200 <= resp.status < 300
    except (urllib.error.URLError, OSError, ValueError):
        return False


def run(cmd: List[str], env: Optional[Dict[str, str]] = None) -> None:
    """Run a step in the foreground; its output streams to the terminal."""
    result = subprocess.run(cmd, cwd=ROOT, env=env)
    if result.returncode != 0:
        raise SystemExit(f"step failed ({result.returncode}): {' '.join(cmd)}")


def train(model_dir: Path = DEFAULT_MODEL_DIR) -> None:
    """Train the Rasa model; Rasa itself skips training when nothing changed."""
    env = Stack().env()
    run([str(RASA_BIN / "rasa"), "train", "--data", *TRAINING_DATA, "--config", "bot/config.yml",
         "--domain", "bot/domain.yml", "--out", str(model_dir)], env)


# -- CLI --------------------------------------------------------------------
def cmd_demo(args: argparse.Namespace) -> int:
    stack = Stack(reco_port=args.port, actions_port=int(os.environ.get("ACTIONS_PORT", 5055)),
                  rasa_port=int(os.environ.get("RASA_PORT", 5005)))
    if PID_FILE.exists() and _pid_alive(int(PID_FILE.read_text() or 0)):
        log(f"already running (pid {PID_FILE.read_text().strip()}); `make stop` first")
        return 1
    log("[1/4] database: migrating and loading the demo catalog if empty")
    stack.prepare_database()
    log("[2/4] bot model: training only if the training data changed")
    train(stack.model_dir)
    log("[3/4] starting recommender, action server and Rasa (Rasa takes ~30 s to load)")
    PID_FILE.parent.mkdir(parents=True, exist_ok=True)
    PID_FILE.write_text(str(os.getpid()))
    stopping = {"flag": False}

    def _on_signal(signum, _frame):
        stopping["flag"] = True

    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    try:
        stack.start()
        stack.wait_ready()
        log("[4/4] ready. Open the shopper chat at:")
        print(f"\n    {stack.reco_url}/\n", flush=True)
        log("logs in var/log/; stop with Ctrl-C or `make stop`")
        while not stopping["flag"]:
            for name, proc in stack.procs.items():
                if proc.poll() is not None:
                    log(f"{name} exited ({proc.returncode}); see var/log/{name}.log. Stopping.")
                    stopping["flag"] = True
            time.sleep(0.5)
    finally:
        log("stopping services")
        stack.stop()
        PID_FILE.unlink(missing_ok=True)
        log("stopped")
    return 0


def _pid_alive(pid: int) -> bool:
    """True while the process runs (an exited, not yet reaped zombie counts as gone)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state != "Z"


def cmd_stop(_args: argparse.Namespace) -> int:
    if not PID_FILE.exists():
        log("not running")
        return 0
    pid = int(PID_FILE.read_text().strip() or 0)
    if not _pid_alive(pid):
        PID_FILE.unlink(missing_ok=True)
        log("not running (stale pid file removed)")
        return 0
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_S + 10
    while _pid_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.3)
    log("stopped" if not _pid_alive(pid) else f"pid {pid} still alive")
    return 0 if not _pid_alive(pid) else 1


def cmd_train(_args: argparse.Namespace) -> int:
    train()
    return 0


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="stack.py", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    demo = sub.add_parser("demo", help="prepare, train if needed, start everything, wait")
    demo.add_argument("--port", type=int, default=int(os.environ.get("RECO_PORT", 8000)))
    demo.set_defaults(func=cmd_demo)
    sub.add_parser("stop", help="stop a running demo").set_defaults(func=cmd_stop)
    sub.add_parser("train", help="train the Rasa model if the data changed").set_defaults(func=cmd_train)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
