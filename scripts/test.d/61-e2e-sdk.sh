#!/usr/bin/env bash
# The npm facade in headless Chromium and in Node (tests/e2e/sdk.mjs), and
# its TypeScript declarations (tests/e2e/sdk-types.ts, tsc --strict).
set -euo pipefail
source "$(dirname "$0")/../env.sh"
cd "$ROOT"
node tests/e2e/sdk.mjs
tsc --strict --noEmit --target es2022 --module nodenext --moduleResolution nodenext tests/e2e/sdk-types.ts
echo "report: facade types check under tsc --strict"
