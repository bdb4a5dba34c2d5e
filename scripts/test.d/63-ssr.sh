#!/usr/bin/env bash
# Node without a DOM: the packed package imports, and server-side rendering
# with steadyws/react and steadyws/vue creates no socket.
set -euo pipefail
source "$(dirname "$0")/../env.sh"
cd "$ROOT"
bash scripts/pack.sh
bash tests/e2e/prepare-app.sh ssr
node tests/e2e/ssr/ssr.mjs
