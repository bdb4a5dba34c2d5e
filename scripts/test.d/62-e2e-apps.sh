#!/usr/bin/env bash
# The example apps, from the packed tarball: React + Vite 8 (production and
# development builds, the latter for StrictMode) and Vue + Vite 7, each built
# with plain `vite build`, served by `steadyws serve` and driven in Chromium.
set -euo pipefail
source "$(dirname "$0")/../env.sh"
cd "$ROOT"
bash scripts/pack.sh
bash tests/e2e/prepare-app.sh react-app vite build --logLevel warn
bash tests/e2e/prepare-app.sh react-app env NODE_ENV=development vite build --logLevel warn --outDir dist-dev
bash tests/e2e/prepare-app.sh vue-app vite build --logLevel warn
node tests/e2e/apps.mjs
