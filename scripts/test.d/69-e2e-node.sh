#!/usr/bin/env bash
# The packed package in plain Node (tests/e2e/node.mjs): Node 20 with
# --experimental-websocket against the dev server (JSON round trip, the
# WebSocket option over a reconnect, a refused handshake, ends by itself
# after close()), and without a global WebSocket (a TypeError saying what to
# pass; the option works).
set -euo pipefail
source "$(dirname "$0")/../env.sh"
cd "$ROOT"
bash scripts/pack.sh
bash tests/e2e/prepare-app.sh node
node tests/e2e/node.mjs
