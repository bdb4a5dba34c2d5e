#!/usr/bin/env bash
# Installs what building and testing steadyws needs, from the package
# registries only (crates.io, npm, PyPI, Debian). Idempotent and quiet: each
# step is skipped when the right version is already there.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

say() { echo "setup: $*"; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v cargo >/dev/null; then
  echo "setup: Rust is required (install it with rustup: https://rustup.rs)" >&2
  exit 1
fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi
for comp in rustfmt clippy; do
  if ! rustup component list --installed | grep -q "^$comp"; then
    say "adding $comp"
    rustup component add "$comp"
  fi
done

if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (a few minutes)"
  # No --locked: one of its locked dependencies is missing from the mirror.
  cargo install -q wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

if [ "$(wasm-pack --version 2>/dev/null | awk '{print $2}')" != "$WASM_PACK_VERSION" ]; then
  say "installing wasm-pack $WASM_PACK_VERSION (several minutes)"
  cargo install -q wasm-pack --version "$WASM_PACK_VERSION" --locked --force
fi

if [ ! -x "$CHROMIUM" ] || [ ! -x "$CHROMEDRIVER" ]; then
  say "installing Debian chromium and chromium-driver"
  as_root apt-get update -q
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -q chromium chromium-driver
fi

# npm ci when node_modules is missing or older than the lock file.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm dependencies"
  npm ci --no-audit --no-fund --loglevel=error
fi
if ! wasm-opt --version 2>/dev/null | grep -q 'version 132'; then
  echo "setup: wasm-opt from npm binaryen@132 is not first on PATH" >&2
  exit 1
fi

if ! python3 -c 'import kosoku' 2>/dev/null; then
  say "installing kosoku $KOSOKU_VERSION (Autobahn TestSuite cases)"
  PIP_ROOT_USER_ACTION=ignore python3 -m pip install -q --disable-pip-version-check "kosoku==$KOSOKU_VERSION"
fi

if [ "$(python3 -c 'import websockets; print(websockets.__version__)' 2>/dev/null)" != "$WEBSOCKETS_VERSION" ]; then
  say "installing Python websockets $WEBSOCKETS_VERSION (the TLS test's independent server)"
  PIP_ROOT_USER_ACTION=ignore python3 -m pip install -q --disable-pip-version-check "websockets==$WEBSOCKETS_VERSION"
fi
