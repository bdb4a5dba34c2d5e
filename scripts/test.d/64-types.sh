#!/usr/bin/env bash
# A strict TypeScript consumer of the packed package (all four entry points)
# type-checks with TypeScript 5.9 and 7 (bundler and NodeNext resolution),
# and deliberate type errors are reported.
set -euo pipefail
source "$(dirname "$0")/../env.sh"
cd "$ROOT"
bash scripts/pack.sh
bash tests/e2e/prepare-app.sh types
node tests/e2e/types/check.mjs
