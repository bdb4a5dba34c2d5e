#!/usr/bin/env bash
# npm run size: gzip bytes of what a user's page downloads.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
[ -f pkg/package.json ] || bash scripts/build.sh
gz() { gzip -9 -c "$1" | wc -c; }
total=0
for f in pkg/steadyws_bg_glue_bg.wasm pkg/steadyws_bg_glue.js pkg/index.js; do
  [ -f "$f" ] || continue
  raw=$(wc -c < "$f"); z=$(gz "$f"); total=$((total + z))
  printf 'size %-32s %8d bytes  %7d gzip\n' "$(basename "$f")" "$raw" "$z"
done
printf 'size %-32s %8s        %7d gzip (budget 20480)\n' "total" "" "$total"
