#!/usr/bin/env bash
# npm run size: gzip bytes of what a user's page downloads.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
ensure_setup
# Measures what build.sh makes of the current sources.
if pkg_stale; then bash scripts/build.sh; fi
gz() { gzip -9 -c "$1" | wc -c; }
total=0
# What a page downloads: the module and index.js (the facade, abi.js and
# wasm-bindgen's glue, bundled; see scripts/build.sh).
for f in pkg/steadyws_bg_glue_bg.wasm pkg/index.js; do
  [ -f "$f" ] || continue
  raw=$(wc -c < "$f"); z=$(gz "$f"); total=$((total + z))
  printf 'size %-32s %8d bytes  %7d gzip\n' "$(basename "$f")" "$raw" "$z"
done
printf 'size %-32s %8s        %7d gzip (ceiling with the second wave: 22.5 KB)\n' "total" "" "$total"

# The npm tarball, as `npm pack` would produce it from pkg/ (packed = the
# .tgz a user downloads from the registry, unpacked = what lands in node_modules).
npm pack ./pkg --dry-run --json --loglevel=error 2>/dev/null | node -e '
let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
  const [p] = JSON.parse(s);
  const row = (name, bytes, note) => console.log(`size ${name.padEnd(32)} ${String(bytes).padStart(8)} bytes  ${note}`);
  row(`tarball ${p.filename}`, p.size, "packed");
  row("tarball unpacked", p.unpackedSize, `(${p.entryCount} files)`);
});'
