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
