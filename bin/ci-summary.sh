#!/usr/bin/env bash
# The last lines of a CI log: each test step's vitest totals ("Test Files" and "Tests" lines, colour
# codes removed; for a step without them, its last line), read from the step logs .ci/run keeps, so the end of a long log says what ran.
# The very last line adds the steps' tests up as "N passed, N failed, N skipped", alone on a line:
# the plain closing line CI reads to know tests ran (it does not read vitest's own summary, so
# without it three landings were recorded as having run no test; a fourth, whose line began with
# "tests:", was too, so the line now carries nothing but the counts).
#   bash bin/ci-summary.sh artifacts/ci-logs
dir=${1:-artifacts/ci-logs}
echo "test totals by step (from $dir):"
shopt -s nullglob
passed=0 failed=0 skipped=0
count() { sed -nE "s/.*[^0-9]([0-9]+) $1.*/\1/p" <<<"$2"; }
for f in "$dir"/*.log; do
  step=$(basename "$f" .log)
  lines=$(sed 's/\x1b\[[0-9;]*m//g' "$f" | grep -E '^ *(Test Files|Tests) ' | sed 's/^ */    /')
  # a step that runs no vitest (check:identical) or stopped early: its last line
  [ -n "$lines" ] || lines="    (no vitest totals) $(sed 's/\x1b\[[0-9;]*m//g' "$f" | grep -v '^ *$' | tail -n 1)"
  echo "  $step:"; echo "$lines"
  # tests that passed only on their retry (test:app allows one): named, so a flaky test is seen
  sed 's/\x1b\[[0-9;]*m//g' "$f" | grep -E '\(retry x[0-9]+\)' | sed 's/^ */    retried: /'
  while IFS= read -r t; do
    p=$(count passed "$t"); x=$(count failed "$t"); s=$(count skipped "$t")
    passed=$((passed + ${p:-0})); failed=$((failed + ${x:-0})); skipped=$((skipped + ${s:-0}))
  done < <(grep -E '^ *Tests ' <<<"$lines")
done
# where the time went: each step's seconds (.ci/run's logged) and the ten slowest test files
if [ -f "$dir/durations.txt" ]; then
  echo "seconds by step:"; sed 's/^/  /' "$dir/durations.txt"
fi
slowest=$(cat "$dir"/*.log 2>/dev/null | sed 's/\x1b\[[0-9;]*m//g' | sed -nE 's/^ *[✓×❯] ([^ ]+\.test\.tsx?) \([0-9]+ tests?[^)]*\) ([0-9]+)ms.*/\2 \1/p' | sort -rn | head -n 10)
[ -n "$slowest" ] && { echo "slowest test files (s):"; awk '{ printf "  %6.1f %s\n", $1 / 1000, $2 }' <<<"$slowest"; }
echo "all steps:"
echo "$passed passed, $failed failed, $skipped skipped"
