#!/usr/bin/env bash
# The last lines of a CI log: each test step's vitest totals ("Test Files" and "Tests" lines, colour
# codes removed; for a step without them, its last line), read from the step logs .ci/run keeps, so the end of a long log says what ran.
#   bash bin/ci-summary.sh artifacts/ci-logs
dir=${1:-artifacts/ci-logs}
echo "test totals by step (from $dir):"
shopt -s nullglob
for f in "$dir"/*.log; do
  step=$(basename "$f" .log)
  lines=$(sed 's/\x1b\[[0-9;]*m//g' "$f" | grep -E '^ *(Test Files|Tests) ' | sed 's/^ */    /')
  # a step that runs no vitest (check:identical) or stopped early: its last line
  [ -n "$lines" ] || lines="    (no vitest totals) $(sed 's/\x1b\[[0-9;]*m//g' "$f" | grep -v '^ *$' | tail -n 1)"
  echo "  $step:"; echo "$lines"
  # tests that passed only on their retry (test:app allows one): named, so a flaky test is seen
  sed 's/\x1b\[[0-9;]*m//g' "$f" | grep -E '\(retry x[0-9]+\)' | sed 's/^ */    retried: /'
done
