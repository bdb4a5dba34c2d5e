#!/usr/bin/env bash
# The example apps, from the packed tarball: React 19 and React 18 + Vite 8
# (production and development builds, the latter for StrictMode) and Vue +
# Vite 7, each built with plain `vite build` (no warning allowed), served by
# `steadyws serve` and driven in Chromium.
set -euo pipefail
source "$(dirname "$0")/../env.sh"
cd "$ROOT"
bash scripts/pack.sh
# Every build must print nothing at --logLevel warn (tests/e2e/quiet.sh).
build=(bash ../quiet.sh vite build --logLevel warn)
bash tests/e2e/prepare-app.sh react-app "${build[@]}"
bash tests/e2e/prepare-app.sh react-app env NODE_ENV=development "${build[@]}" --outDir dist-dev
bash tests/e2e/prepare-app.sh react18-app "${build[@]}"
bash tests/e2e/prepare-app.sh react18-app env NODE_ENV=development "${build[@]}" --outDir dist-dev
bash tests/e2e/prepare-app.sh vue-app "${build[@]}"
node tests/e2e/apps.mjs
