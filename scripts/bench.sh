#!/usr/bin/env bash
# npm run bench[:codec|:browser]
#   bash scripts/bench.sh codec    codec benchmarks (benches/codec.rs, paired
#                                  rounds next to tungstenite and
#                                  fastwebsockets); prints
#                                  "codec <case> steadyws/<peer> = <ratio>"
#   bash scripts/bench.sh browser  node tests/e2e/bench-browser.mjs (Chromium
#                                  without DevTools; BENCH_RUNS, BENCH_CASES,
#                                  BENCH_CONTROL=1 for an A/A run)
#   bash scripts/bench.sh          both
# Extra arguments after the suite name go to the codec suite (see
# benches/codec.rs for what it accepts).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
ensure_setup

suite="${1:-all}"
[ $# -gt 0 ] && shift

run_codec() {
  # See benches/codec.rs; the ratio lines come last.
  cargo bench --bench codec -- "$@"
}

run_browser() {
  node tests/e2e/bench-browser.mjs "$@"
}

case "$suite" in
  codec) run_codec "$@" ;;
  browser) run_browser "$@" ;;
  all) run_codec; run_browser ;;
  *) echo "usage: bash scripts/bench.sh [codec|browser] [args...]" >&2; exit 2 ;;
esac
