#!/usr/bin/env bash
# The TLS stack of the native client and dev server (rustls, ring,
# webpki-roots) must not reach the wasm build: it is declared for
# not(wasm32) only, and this step fails if a change ever pulls it in.
set -euo pipefail
source "$(dirname "$0")/../env.sh"
cd "$ROOT"
tree="$(cargo tree --quiet --target wasm32-unknown-unknown --edges normal --prefix none)"
leaked="$(printf '%s\n' "$tree" | grep -E '^(rustls|rustls-[a-z-]+|ring|webpki-roots|untrusted) ' || true)"
if [ -n "$leaked" ]; then
  echo "TLS crates in the wasm32 dependency tree:"
  printf '%s\n' "$leaked"
  exit 1
fi
# ...while the native tree has them (so the check above checks something).
cargo tree --quiet --edges normal --prefix none | grep -q '^rustls ' \
  || { echo "rustls is not in the native tree: the check above is stale"; exit 1; }
echo "report: wasm32 dependency tree has no TLS crates"
