#!/usr/bin/env bash
# The Svelte app (Svelte 5 + Vite 8, steadyws/svelte's socketStore) from the
# packed tarball, built with plain `vite build` (no warning allowed), served
# by `steadyws serve` and driven in Chromium.
set -euo pipefail
source "$(dirname "$0")/../env.sh"
cd "$ROOT"
bash scripts/pack.sh
bash tests/e2e/prepare-app.sh svelte-app bash ../quiet.sh vite build --logLevel warn
node tests/e2e/svelte.mjs
