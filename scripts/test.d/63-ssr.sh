#!/usr/bin/env bash
# Node without a DOM: the packed package imports, and server-side rendering
# with steadyws/react, steadyws/vue and steadyws/svelte creates no socket.
# Plus the bindings' shared socket owner and the Svelte store against a
# scripted connect() (every ordering, at once).
set -euo pipefail
source "$(dirname "$0")/../env.sh"
cd "$ROOT"
status=0
node tests/e2e/ssr/owner.mjs || status=1
node tests/e2e/ssr/store.mjs || status=1
bash scripts/pack.sh
bash tests/e2e/prepare-app.sh ssr
node tests/e2e/ssr/ssr.mjs || status=1
exit $status
