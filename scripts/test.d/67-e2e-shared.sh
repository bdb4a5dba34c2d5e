#!/usr/bin/env bash
# `shared`: three pages of one browser context share one connection
# (tests/e2e/shared.mjs; Web Locks + BroadcastChannel in headless Chromium).
set -euo pipefail
source "$(dirname "$0")/../env.sh"
cd "$ROOT"
node tests/e2e/shared.mjs
