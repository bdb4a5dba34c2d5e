#!/usr/bin/env bash
# The browser benchmark still runs end to end (one short run of every case,
# Chromium without DevTools): every case prints a finite ratio. No timing is
# judged here; `npm run bench:browser` is where the figures come from.
set -euo pipefail
source "$(dirname "$0")/../env.sh"
cd "$ROOT"
out="$(BENCH_RUNS=1 node tests/e2e/bench-browser.mjs)"
printf '%s\n' "$out"
for c in text-16B json-1KiB bin-64KiB; do
  for m in pipelined one-at-a-time; do
    printf '%s\n' "$out" | grep -Eq "^browser $c-$m steadyws/raw = [0-9]+\.[0-9]{3}$" \
      || { echo "no ratio for $c-$m" >&2; exit 1; }
  done
done
