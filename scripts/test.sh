#!/usr/bin/env bash
# npm test: set up, then run every step in scripts/test.d/ in name order.
# Each step is a script that exits non-zero on failure; its output goes to
# target/test-logs/<step>.log and is shown when it fails.
#   npm test               every step
#   npm test -- clippy e2e only steps whose name contains one of the words
set -uo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

if ! ensure_setup; then
  echo "setup failed"
  echo "0 passed, 1 failed"
  exit 1
fi

mkdir -p target/test-logs
passed=0; failed=0; failures=()
start_all=$SECONDS
for step in scripts/test.d/*.sh; do
  name="$(basename "$step" .sh)"
  if [ $# -gt 0 ]; then
    keep=0
    for w in "$@"; do [[ "$name" == *"$w"* ]] && keep=1; done
    [ $keep -eq 1 ] || continue
  fi
  log="target/test-logs/$name.log"
  t0=$SECONDS
  if bash "$step" >"$log" 2>&1; then
    passed=$((passed + 1))
    printf 'PASS %-28s %4ds\n' "$name" $((SECONDS - t0))
    # A step may print lines starting with "report:" worth seeing on success.
    grep '^report:' "$log" | sed 's/^report: */     /' || true
  else
    failed=$((failed + 1)); failures+=("$name")
    printf 'FAIL %-28s %4ds  (log: %s)\n' "$name" $((SECONDS - t0)) "$log"
    tail -n 40 "$log" | sed 's/^/     | /'
  fi
done
echo "total $((SECONDS - start_all))s${failures[*]:+; failed: ${failures[*]}}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
