#!/usr/bin/env bash
# npm run pack: builds pkg/ if it is missing or older than its sources, then
# `npm pack`s it into target/pack/steadyws-<version>.tgz, with a copy under
# the stable name target/pack/steadyws.tgz (what tests/e2e/*/package.json
# install). Prints the tarball's path and sizes.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

stale() {
  [ -f pkg/package.json ] && [ -f pkg/steadyws_bg_glue_bg.wasm ] || return 0
  [ -n "$(find src Cargo.toml Cargo.lock -newer pkg/steadyws_bg_glue_bg.wasm -type f -print -quit)" ]
}
if stale; then
  bash scripts/build.sh
else
  # The wasm is current; the JS/TS side is copied the way build.sh does last.
  cp -R pkg-template/. pkg/
fi

mkdir -p target/pack
json="$(npm pack ./pkg --pack-destination target/pack --json --loglevel=error)"
file="$(node -e 'const [p]=JSON.parse(process.argv[1]); console.log(p.filename)' "$json")"
cp "target/pack/$file" target/pack/steadyws.tgz
node -e '
const [p] = JSON.parse(process.argv[1]);
console.log(`pack target/pack/${p.filename}: ${p.entryCount} files, ${p.size} bytes packed, ${p.unpackedSize} unpacked`);
' "$json"
