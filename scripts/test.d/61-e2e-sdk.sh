#!/usr/bin/env bash
# The npm facade in headless Chromium and in Node (tests/e2e/sdk.mjs).
set -euo pipefail
source "$(dirname "$0")/../env.sh"
cd "$ROOT"
node tests/e2e/sdk.mjs
