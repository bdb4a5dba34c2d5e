#!/usr/bin/env bash
# The crate's doc examples for the wasm32 target: the typed Rust API's are
# compiled (no_run; they need a page), the rest run under the wasm runner.
set -euo pipefail
source "$(dirname "$0")/../env.sh"
cd "$ROOT"
cargo test --doc --target wasm32-unknown-unknown
