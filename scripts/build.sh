#!/usr/bin/env bash
# Builds the npm package into pkg/ (wasm-pack on npm/ + npm binaryen's
# wasm-opt + pkg-template/), the dev server binary, and the demo
# site into target/site/.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
ensure_setup

# The module: npm/, a cdylib over the crate without `std`, with the npm
# build's allocator and panic handler, so that the release profile's LTO
# applies and std's panic machinery and core::fmt stay out of it (see
# npm/Cargo.toml). --target web: plain ES modules that fetch the .wasm next
# to them through `new URL(..., import.meta.url)`, which browsers, Vite 7
# and Vite 8 all understand without a plugin. The facade
# (pkg-template/index.js) initialises the module inside connect(), so users
# never call init().
wasm-pack --quiet build npm --release --target web --out-dir ../pkg --out-name steadyws_bg_glue --mode no-install >/dev/null
wasm="pkg/steadyws_bg_glue_bg.wasm"
# --one-caller-inline-max-function-size: a function with a single caller is
# smaller inlined than called (no call, no function entry) up to this size;
# 300 measured 41 B gzip smaller than the default (1000 and up: none).
# --low-memory-unused: Rust puts no data in the first 1 KB (the stack comes
# first and grows down from 1 MB), so addresses there may be folded into
# offsets.
# --ignore-implicit-traps: Rust checks bounds and divisors itself and never
# relies on a wasm trap, so loads whose results are unused can go.
# --monomorphize -Oz: copies of functions specialised to the constant
# arguments they are called with, kept where that is smaller (-25 B).
wasm-opt -Oz --converge --one-caller-inline-max-function-size=300 --low-memory-unused --ignore-implicit-traps --monomorphize -Oz --zero-filled-memory --strip-producers --strip-target-features --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue "$wasm" -o "$wasm.opt"
mv "$wasm.opt" "$wasm"
# Short import/export names in the module, and the same in the glue.
wasm-opt --minify-imports-and-exports-and-modules --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue "$wasm" -o "$wasm.opt" >target/wasm-names.json
node scripts/minify-wasm-names.mjs target/wasm-names.json pkg/steadyws_bg_glue.js
mv "$wasm.opt" "$wasm"
# It lists the module's export names, which no longer exist under them.
rm -f pkg/steadyws_bg_glue_bg.wasm.d.ts

# pkg-template/ brings the rest (package.json, README, facade, bindings).
rm -f pkg/.gitignore
cp -R pkg-template/. pkg/
# One module for a page: the facade bundled with abi.js (the names of the
# boundary, generated from src/abi.rs; it also ships on its own for the
# bindings) and with wasm-bindgen's glue, minified together (ceiling: 22.5 KB
# gzip for .wasm + this). One file, not two, is one request less and 450 B
# gzip less: the glue's and the facade's text share one gzip window, and
# esbuild renames the glue's internals with the facade's. Exports,
# `import.meta.url` and the wasm URL are kept (the glue's
# `new URL('steadyws_bg_glue_bg.wasm', import.meta.url)` resolves next to
# index.js, where it always was, and bundlers still see it). The glue has no
# other importer, so it is not shipped on its own.
esbuild pkg/index.js --bundle --minify --format=esm --target=es2022 --log-level=warning --allow-overwrite --outfile=pkg/index.js
# terser's compressor on esbuild's output (default, safe options): 200 B
# gzip less (it folds what esbuild's one pass leaves).
terser pkg/index.js --module --compress passes=2 --mangle --output pkg/index.js
rm -f pkg/steadyws_bg_glue.js pkg/steadyws_bg_glue.d.ts

cargo build --quiet --release --bin steadyws

rm -rf target/site
mkdir -p target/site
cp -R www/. target/site/
cp -R pkg target/site/pkg
