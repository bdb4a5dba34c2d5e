# Sourced by every script: one place for paths and tool versions.
# shellcheck shell=bash
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export ROOT
# npm binaryen's wasm-opt must come before any system one (Debian's v108
# produces modules that fail at page load).
export PATH="$ROOT/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
export CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
export WASM_PACK_VERSION="0.15.1"
export KOSOKU_VERSION="0.1.0"
# Python websockets: the independent TLS server of tests/native_tls.rs.
export WEBSOCKETS_VERSION="15.0.1"
# The wasm-bindgen CLI must match the library exactly: read it from Cargo.lock.
WASM_BINDGEN_VERSION="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' "$ROOT/Cargo.lock")"
export WASM_BINDGEN_VERSION

# The wasm module holds the source paths of its panic locations: crates.io
# sources by crate and file (`js-sys-0.3.107/src/...`) instead of this
# machine's cargo home, so the module is the same on every machine, tells
# nothing about it, and is 54 B gzip smaller. wasm32 only: native builds
# (and their cache) are untouched. (The last matching prefix applies.)
_registry="${CARGO_HOME:-$HOME/.cargo}/registry/src"
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="--remap-path-prefix=$_registry/= --remap-path-prefix=$_registry/index.crates.io-1949cf8c6b5b557f/="

# Every entry script (build, pack, size, conformance, bench, start, test)
# calls this first, so each works on a fresh clone by itself; the set-up
# runs once per command, not again in the scripts it calls.
ensure_setup() {
  if [ "${STEADYWS_SETUP_DONE:-}" != "$ROOT" ]; then
    bash "$ROOT/scripts/setup.sh" || return 1
    export STEADYWS_SETUP_DONE="$ROOT"
  fi
}

# build.sh builds the wasm and bundles the facade (index.js + abi.js) and the glue;
# pkg/ missing or anything they come from being newer means a full build.
pkg_stale() {
  [ -f "$ROOT/pkg/package.json" ] && [ -f "$ROOT/pkg/steadyws_bg_glue_bg.wasm" ] && [ -f "$ROOT/pkg/index.js" ] || return 0
  (cd "$ROOT" && [ -n "$(find src npm Cargo.toml Cargo.lock package-lock.json scripts/build.sh scripts/minify-wasm-names.mjs scripts/env.sh -newer pkg/steadyws_bg_glue_bg.wasm -type f -print -quit)" ]) \
    || [ "$ROOT/pkg-template/index.js" -nt "$ROOT/pkg/index.js" ] \
    || [ "$ROOT/pkg-template/abi.js" -nt "$ROOT/pkg/index.js" ]
}
