#!/usr/bin/env bash
# Autobahn TestSuite conformance (kosoku) in both roles: the dev server's
# /echo against the fuzzing client, examples/autobahn_client against the
# fuzzing server. Groups 1-10 run whole (group 9, the big messages, takes
# about two seconds per role); of the permessage-deflate groups 12 and 13
# (216 cases of 1000 messages each, several minutes per role: run them all
# with `npm run conformance`) a fixed sample runs, covering every kind of
# case: 12.1.1 and 12.1.4 (JSON, 16 B and 1 KiB messages), 12.2.11 (a
# bitmap, 8 KiB auto-fragmented to 256 B), 12.4.5 (HTML, 4 KiB), and
# 13.N.1 plus 13.N.11 for every N = 1-7 (each parameter combination the
# suite negotiates: context takeover on/off, window bits 9/15 or
# unlimited, several offers; 16 B messages, and 8 KiB ones fragmented).
# Fails on any FAILED, NON-STRICT or UNIMPLEMENTED case.
set -euo pipefail
source "$(dirname "$0")/../env.sh"
cd "$ROOT"
t0=$SECONDS
cases=()
for g in 1 2 3 4 5 6 7 9 10; do cases+=(--case "$g.*"); done
for c in 12.1.1 12.1.4 12.2.11 12.4.5; do cases+=(--case "$c"); done
for n in 1 2 3 4 5 6 7; do cases+=(--case "13.$n.1" --case "13.$n.11"); done
bash scripts/conformance.sh "${cases[@]}" "$@"
echo "report: autobahn step took $((SECONDS - t0))s"
