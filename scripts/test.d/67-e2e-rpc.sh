#!/usr/bin/env bash
# request() of the npm facade in headless Chromium against the dev server's
# /rpc endpoint (tests/e2e/rpc.mjs).
set -euo pipefail
source "$(dirname "$0")/../env.sh"
cd "$ROOT"
node tests/e2e/rpc.mjs
