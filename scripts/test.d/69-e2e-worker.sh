#!/usr/bin/env bash
# The built package in a dedicated module worker in headless Chromium
# (tests/e2e/worker.mjs): connect, a JSON round trip, reconnect after /drop,
# no page global touched.
set -euo pipefail
source "$(dirname "$0")/../env.sh"
cd "$ROOT"
if pkg_stale; then bash scripts/build.sh; fi
node tests/e2e/worker.mjs
