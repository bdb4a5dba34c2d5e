#!/usr/bin/env bash
# Installs (and optionally builds) one of the consumer projects under
# tests/e2e/ from the packed tarball target/pack/steadyws.tgz, only when an
# input changed, so a warm run costs a few hashes.
#
#   tests/e2e/prepare-app.sh DIR [BUILD_CMD...]
#
# `npm ci` runs when package.json, package-lock.json or the tarball changed.
# The locks carry no integrity for steadyws on purpose: with one, npm ci
# would silently reinstall the cached old tarball after a rebuild.
set -euo pipefail
source "$(dirname "$0")/../../scripts/env.sh"
cd "$ROOT"

dir="tests/e2e/$1"; shift
tgz="target/pack/steadyws.tgz"
[ -f "$tgz" ] || { echo "prepare: $tgz is missing (run scripts/pack.sh)" >&2; exit 1; }

if node -e '
  const l = require(process.argv[1]);
  process.exit(l.packages?.["node_modules/steadyws"]?.integrity ? 0 : 1);
' "$ROOT/$dir/package-lock.json"; then
  echo "prepare: $dir/package-lock.json pins an integrity for steadyws; delete that line" >&2
  echo "prepare: (npm ci would install a stale cached tarball)" >&2
  exit 1
fi

hash() { cat "$@" | sha256sum | cut -c1-16; }
key="$(hash "$dir/package.json" "$dir/package-lock.json" "$tgz")"
stamp="$dir/node_modules/.steadyws-install"
if [ "$(cat "$stamp" 2>/dev/null)" != "$key" ]; then
  echo "prepare: npm ci in $dir"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  # What was installed is what was packed, byte for byte.
  for f in package.json index.js react.js vue.js svelte.js steadyws_bg_glue_bg.wasm; do
    tar -xzOf "$tgz" "package/$f" | cmp -s - "$dir/node_modules/steadyws/$f" \
      || { echo "prepare: $dir/node_modules/steadyws/$f differs from $tgz" >&2; exit 1; }
  done
  echo "$key" > "$stamp"
fi

# Build step: BUILD_CMD runs in DIR when its sources or the install changed.
# The output dir is the last argument of --outDir, else dist.
[ $# -gt 0 ] || exit 0
out="dist"
args=("$@")
for i in "${!args[@]}"; do [ "${args[$i]}" = "--outDir" ] && out="${args[$((i + 1))]}"; done
# (-L: a project may link its sources from another one; find fails for the
# names a project does not have: not an error here.)
sources=$(cd "$dir" && { find -L src index.html vite.config.js build.mjs -type f 2>/dev/null || true; } | sort)
bkey="$(cd "$dir" && hash node_modules/.steadyws-install $sources <(printf '%s\n' "$*"))"
bstamp="$dir/$out/.steadyws-build"
if [ "$(cat "$bstamp" 2>/dev/null)" != "$bkey" ]; then
  echo "prepare: $* in $dir"
  (cd "$dir" && PATH="$PWD/node_modules/.bin:$PATH" "$@")
  echo "$bkey" > "$bstamp"
fi
