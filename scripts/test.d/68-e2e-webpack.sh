#!/usr/bin/env bash
# The package bundled by webpack 5 (what Next.js uses) from the packed
# tarball: tests/e2e/webpack-app/build.mjs fails on any warning (e.g.
# "Critical dependency") and on any extra module (a context module), then
# the bundle round-trips a JSON message in headless Chromium.
set -euo pipefail
source "$(dirname "$0")/../env.sh"
cd "$ROOT"
bash scripts/pack.sh
bash tests/e2e/prepare-app.sh webpack-app node build.mjs
node tests/e2e/webpack.mjs
echo "report: webpack 5 builds the package with 0 warnings and no extra module"
