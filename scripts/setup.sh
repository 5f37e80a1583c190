#!/usr/bin/env bash
# Create both environments from the package registries (idempotent, fast when
# nothing changed): .venvs/rasa (Python 3.10, Rasa 3.6.21) and .venvs/reco (the
# default python3, the recommender). Usage: scripts/setup.sh [--browser]
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '[setup] %s\n' "$*"; }

find_python310() {
  for cand in python3.10 "$(command -v pyenv >/dev/null 2>&1 && pyenv prefix 3.10 2>/dev/null)/bin/python3.10" \
              /root/.pyenv/versions/3.10*/bin/python3.10 /usr/bin/python3.10 /usr/local/bin/python3.10; do
    if [ -n "$cand" ] && "$cand" -c 'import sys; assert sys.version_info[:2] == (3, 10)' >/dev/null 2>&1; then
      echo "$cand"; return 0
    fi
  done
  return 1
}

# make_venv NAME PYTHON REQUIREMENTS LOCK
make_venv() {
  local name=$1 py=$2 req=$3 lock=$4 dir=.venvs/$1
  local want; want=$(cat "$req" "$lock" 2>/dev/null | sha256sum | cut -c1-16)
  if [ -f "$dir/.stamp" ] && [ "$(cat "$dir/.stamp")" = "$want" ]; then
    say "$name environment up to date"; return 0
  fi
  say "creating $name environment with $("$py" --version) (a few minutes the first time)"
  [ -x "$dir/bin/python" ] || "$py" -m venv "$dir"
  "$dir/bin/python" -m pip install --quiet --upgrade "pip<25"
  local cons=(); [ -f "$lock" ] && cons=(-c "$lock")
  local log="$dir/pip-install.log" rc
  # progress: one line per package; a failed install stops setup with pip's own error
  set +e
  "$dir/bin/python" -m pip install --progress-bar off -r "$req" "${cons[@]}" 2>&1 | tee "$log" \
    | { grep --line-buffered -E '^(Collecting|Successfully)' | sed -u "s/^/[setup:$name] /"; true; }
  rc=${PIPESTATUS[0]}
  set -e
  if [ "$rc" -ne 0 ]; then
    grep -v '^WARNING: Location' "$log" | tail -20 >&2
    say "pip install failed for the $name environment (exit $rc, full log: $log)"; exit 1
  fi
  "$dir/bin/python" -m pip check >/dev/null || { "$dir/bin/python" -m pip check; exit 1; }
  echo "$want" > "$dir/.stamp"
  say "$name environment ready"
}

PY310=$(find_python310) || { say "Python 3.10 not found: Rasa 3.6 needs it (e.g. pyenv install 3.10.13)"; exit 1; }
make_venv rasa "$PY310" requirements/rasa.txt requirements/rasa.lock
make_venv reco python3 requirements/reco.txt requirements/reco.lock

if [ "${1:-}" = "--browser" ]; then
  if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then
      say "installing Debian's chromium and chromium-driver for the browser tests"
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver fonts-noto-cjk >/dev/null
    else
      say "browser tests need Debian's chromium and chromium-driver: sudo apt-get install chromium chromium-driver"
    fi
  fi
fi
