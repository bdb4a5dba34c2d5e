node tests/e2e/smoke.mjs
