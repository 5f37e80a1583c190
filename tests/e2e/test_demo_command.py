"""`make demo`'s supervisor: prints one URL that serves the chat, and Ctrl-C (SIGINT)
or `make stop` stops all three services with no orphan process left."""

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from stack import ROOT, free_port


def children_of(pid: int):
    out = subprocess.run(["ps", "-eo", "pid,ppid,sid"], capture_output=True, text=True).stdout.split("\n")[1:]
    rows = [tuple(map(int, line.split())) for line in out if line.strip()]
    kids, frontier = set(), {pid}
    while frontier:
        nxt = {p for p, pp, _ in rows if pp in frontier and p not in kids}
        kids |= nxt
        frontier = nxt
    return kids


@pytest.mark.parametrize("how", ["ctrl-c", "make stop"])
def test_demo_prints_url_and_stops_with_no_orphans(tmp_path, how):
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp_path / 'demo.db'}", RECO_PORT=str(free_port()),
               ACTIONS_PORT=str(free_port()), RASA_PORT=str(free_port()),
               DXE_PID_FILE=str(tmp_path / "stack.pid"))
    proc = subprocess.Popen([sys.executable, str(ROOT / "scripts" / "stack.py"), "demo"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url, seen, deadline = None, [], time.monotonic() + 300
    try:
        while url is None and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line and proc.poll() is not None:
                break
            seen.append(line)
            m = re.match(r"^\s+(http://127\.0\.0\.1:\d+/)\s*$", line)
            url = m.group(1) if m else None
        assert url, "".join(seen[-40:])
        page = requests.get(url, timeout=10)
        assert page.status_code == 200 and "店小二" in page.text
        services = children_of(proc.pid)
        assert len(services) >= 3
    finally:
        if how == "ctrl-c" or url is None:
            proc.send_signal(signal.SIGINT)
        else:
            stop = subprocess.run([sys.executable, str(ROOT / "scripts" / "stack.py"), "stop"], cwd=ROOT, env=env,
                                  capture_output=True, text=True, timeout=90)
            assert stop.returncode == 0 and "stopped" in stop.stdout, stop.stdout + stop.stderr
        rc = proc.wait(timeout=60)
    assert rc == 0
    time.sleep(1)
    alive = [p for p in services if Path(f"/proc/{p}").exists()]
    assert not alive, f"orphans left: {alive}"
    assert not (tmp_path / "stack.pid").exists()
