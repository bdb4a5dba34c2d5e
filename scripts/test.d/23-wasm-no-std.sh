#!/usr/bin/env bash
# The npm module (npm/, built by scripts/build.sh) takes the crate without
# std (features small-alloc,panic-handler only), so that std's panic machinery and
# core::fmt stay out of it. A dependency declared with its default features
# (most wasm crates have `std` among them) would bring std back silently:
# this step fails if any package of that build has a `std` feature on.
set -euo pipefail
source "$(dirname "$0")/../env.sh"
cd "$ROOT"
npm_tree="$(cargo tree --quiet --target wasm32-unknown-unknown --edges normal --prefix none --format '{p} [{f}]' \
  -p steadyws-npm)"
leaked="$(printf '%s\n' "$npm_tree" | grep -E '[[,]std[],]' || true)"
if [ -n "$leaked" ]; then
  echo "std features in the npm build's wasm32 dependency tree:"
  printf '%s\n' "$leaked"
  exit 1
fi
# ...while the default build has them (so the check above checks something).
cargo tree --quiet --target wasm32-unknown-unknown --edges normal --prefix none --format '{p} [{f}]' \
  | grep -qE '^wasm-bindgen v.*[[,]std[],]' \
  || { echo "wasm-bindgen has no std feature in the default wasm32 tree: the check above is stale"; exit 1; }
echo "report: npm wasm32 build: no dependency has its std feature on"
