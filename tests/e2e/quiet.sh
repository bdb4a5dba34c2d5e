#!/usr/bin/env bash
# Runs a build command (in the app's directory, see prepare-app.sh) and fails
# if it printed anything: at `--logLevel warn` a clean Vite build is silent,
# so any line is a warning (warnings are errors here).
#   bash ../quiet.sh vite build --logLevel warn
set -uo pipefail
out="$("$@" 2>&1)"
status=$?
[ -z "$out" ] || printf '%s\n' "$out"
[ $status -eq 0 ] || exit $status
if [ -n "$out" ]; then
  echo "quiet: '$*' printed warnings (see above)" >&2
  exit 1
fi
