#!/usr/bin/env bash
# Auth-aware reconnects through the npm facade in headless Chromium
# (tests/e2e/auth.mjs): per-attempt URLs against /auth and /token, init/ack
# against /proto.
set -euo pipefail
source "$(dirname "$0")/../env.sh"
cd "$ROOT"
node tests/e2e/auth.mjs
