#!/usr/bin/env bash
# npm start: set up, build, then serve the demo page and the dev server.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
ensure_setup
bash scripts/build.sh
exec target/release/steadyws serve --host "${HOST:-127.0.0.1}" --port "${PORT:-8080}" --root target/site "$@"
