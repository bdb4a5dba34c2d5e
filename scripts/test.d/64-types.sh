#!/usr/bin/env bash
# A strict TypeScript consumer of the packed package type-checks (bundler and
# NodeNext resolution), and deliberate type errors are reported.
set -euo pipefail
source "$(dirname "$0")/../env.sh"
cd "$ROOT"
bash scripts/pack.sh
bash tests/e2e/prepare-app.sh types
node tests/e2e/types/check.mjs
