#!/usr/bin/env bash
# Every test of the project, in order of speed: unit tests of both environments,
# Rasa data validation, training (only when the data changed), rasa test on the
# test stories (must be 100%), then the end-to-end and browser tests on the real
# services. Prints one closing line "N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH="$PWD" RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2 SQLALCHEMY_SILENCE_UBER_WARNING=1
RESULTS=var/test-results
rm -rf "$RESULTS"; mkdir -p "$RESULTS"
failed_steps=()
step() { printf '\n[test] ==== %s ====\n' "$*"; }
SECONDS=0

step "0/7 lint (ruff, settings in pyproject.toml)"
.venvs/reco/bin/ruff check . || failed_steps+=("ruff")

step "1/7 generated NLU lookups match vocabulary and catalog"
.venvs/reco/bin/python scripts/gen_nlu_lookups.py --check || failed_steps+=("lookups out of date (run: make lookups)")

step "2/7 recommender unit, storage and API tests (SQLite and PostgreSQL)"
.venvs/reco/bin/python -m pytest tests/recommender tests/deploy -q -p no:cacheprovider --junitxml="$RESULTS/recommender.xml" || failed_steps+=("recommender tests")

step "3/7 bot component and action unit tests"
.venvs/rasa/bin/python -m pytest tests/bot tests/actions -q -p no:cacheprovider --junitxml="$RESULTS/bot.xml" || failed_steps+=("bot/action tests")

step "4/7 rasa data validate"
if .venvs/rasa/bin/rasa data validate --data nlu_data -d bot/domain.yml -c bot/config.yml --fail-on-warnings > "$RESULTS/validate.log" 2>&1; then
  echo "rasa data validate: clean"; echo "rasa-validate" > "$RESULTS/validate.ok"
else
  grep -E "WARNING|ERROR|UserWarning" "$RESULTS/validate.log" | tail -30; failed_steps+=("rasa data validate")
fi

step "5/7 train the bot (skipped by Rasa when nothing changed)"
start=$SECONDS
if .venvs/rasa/bin/rasa train --data nlu_data/nlu nlu_data/rules nlu_data/stories -c bot/config.yml -d bot/domain.yml --out models > "$RESULTS/train.log" 2>&1; then
  echo "rasa train: ok in $((SECONDS - start)) s ($(grep -c 'Nothing changed' "$RESULTS/train.log" | sed 's/^0$/trained/;s/^1$/unchanged, reused/'))"
else
  tail -30 "$RESULTS/train.log"; failed_steps+=("rasa train")
fi

step "6/7 rasa test on the test stories (must pass 100%)"
rm -rf var/rasa-test
if .venvs/rasa/bin/rasa test core --e2e --stories nlu_data/tests --model models --out var/rasa-test --fail-on-prediction-errors > "$RESULTS/rasa_test.log" 2>&1 \
   && grep -q "None of the test stories failed" var/rasa-test/failed_test_stories.yml; then
  .venvs/reco/bin/python scripts/story_report.py var/rasa-test "$RESULTS/stories.xml"
else
  tail -40 "$RESULTS/rasa_test.log"; [ -f var/rasa-test/failed_test_stories.yml ] && head -60 var/rasa-test/failed_test_stories.yml
  .venvs/reco/bin/python scripts/story_report.py var/rasa-test "$RESULTS/stories.xml" || true
  failed_steps+=("rasa test stories")
fi

step "7/7 end-to-end: real Rasa, action server and recommender; browser"
.venvs/reco/bin/python -m pytest tests/e2e -q -p no:cacheprovider --junitxml="$RESULTS/e2e.xml" || failed_steps+=("end-to-end tests")

printf '\n[test] finished in %d s\n' "$SECONDS"
.venvs/reco/bin/python scripts/junit_summary.py "$RESULTS"/*.xml
if [ ${#failed_steps[@]} -gt 0 ]; then
  printf '[test] FAILED steps: %s\n' "${failed_steps[*]}"; exit 1
fi
exit 0
