#!/usr/bin/env bash
# Autobahn TestSuite conformance (kosoku) in both roles: the dev server's
# /echo against the fuzzing client, examples/autobahn_client against the
# fuzzing server. Every group runs (group 9, the big messages, takes about
# two seconds per role); fails on any FAILED or NON-STRICT case in groups
# 1-10, allows UNIMPLEMENTED in 12-13 (permessage-deflate).
set -euo pipefail
source "$(dirname "$0")/../env.sh"
cd "$ROOT"
t0=$SECONDS
bash scripts/conformance.sh "$@"
echo "report: autobahn step took $((SECONDS - t0))s"
