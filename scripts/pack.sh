#!/usr/bin/env bash
# npm run pack: builds pkg/ if it is missing or older than its sources, then
# `npm pack`s it into target/pack/steadyws-<version>.tgz, with a copy under
# the stable name target/pack/steadyws.tgz (what tests/e2e/*/package.json
# install). Prints the tarball's path and sizes.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
ensure_setup

if pkg_stale; then
  bash scripts/build.sh
else
  # The wasm and the facade are current: the rest of pkg-template/ (package
  # metadata, bindings, types, docs) is copied as build.sh would.
  for f in pkg-template/*; do
    [ "$(basename "$f")" = index.js ] || cp -R "$f" pkg/
  done
fi

mkdir -p target/pack
# Same pkg/ content as last time: the tarball is already there (npm pack is
# reproducible, so repacking would give the same bytes).
key="$(cd pkg && find . -type f | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-16)"
if [ "$(cat target/pack/.key 2>/dev/null)" = "$key" ] && [ -f target/pack/steadyws.tgz ] && [ -f target/pack/info.json ]; then
  json="$(cat target/pack/info.json)"
else
  json="$(npm pack ./pkg --pack-destination target/pack --json --loglevel=error)"
  file="$(node -e 'const [p]=JSON.parse(process.argv[1]); console.log(p.filename)' "$json")"
  cp "target/pack/$file" target/pack/steadyws.tgz
  printf '%s\n' "$json" > target/pack/info.json
  echo "$key" > target/pack/.key
fi
node -e '
const [p] = JSON.parse(process.argv[1]);
console.log(`pack target/pack/${p.filename}: ${p.entryCount} files, ${p.size} bytes packed, ${p.unpackedSize} unpacked`);
' "$json"
