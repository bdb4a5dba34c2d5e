#!/usr/bin/env bash
# Browser tests (tests/wasm_*.rs) in headless Chromium through
# wasm-bindgen-test-runner (the runner is set in .cargo/config.toml), against a
# `steadyws serve` started here on a free port. The tests read its address at
# compile time (STEADYWS_TEST_SERVER) and fail loudly without it.
set -euo pipefail
source "$(dirname "$0")/../env.sh"
cd "$ROOT"

[ -x target/release/steadyws ] || cargo build --quiet --release --bin steadyws
mkdir -p target/test-logs target/site
out="target/test-logs/50-wasm-test.server.log"
target/release/steadyws serve --host 127.0.0.1 --port 0 --root target/site >"$out" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
addr=""
for _ in $(seq 100); do
  addr="$(sed -n 's#.*listening on ws://\([0-9.]*:[0-9]*\).*#\1#p' "$out" | head -n 1)"
  [ -n "$addr" ] && break
  sleep 0.1
done
[ -n "$addr" ] || { echo "dev server did not report its address"; cat "$out"; exit 1; }

export STEADYWS_TEST_SERVER="$addr"
# One browser session per test file; the longest (the 10 s flap) fits well.
export WASM_BINDGEN_TEST_TIMEOUT=90
cargo test --target wasm32-unknown-unknown --test 'wasm_*' --no-fail-fast 2>&1 | tee target/test-logs/50-wasm-test.cargo.log
# The runner prints a summary per test file; add them up for the report.
awk '/^test result:/ { p += $4; f += $6 } END { printf "report: browser tests: %d passed, %d failed\n", p, f }' \
  target/test-logs/50-wasm-test.cargo.log
