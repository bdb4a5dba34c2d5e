// Facade of the steadyws package (FOUNDATION VERSION: replaced by the
// browser SDK work). Loads the wasm module once, on first use.
import init, * as wasm from './steadyws_bg_glue.js';

let ready;
function load() {
  ready ??= init();
  return ready;
}

export async function version() {
  await load();
  return wasm.version();
}
