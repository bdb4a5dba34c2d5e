// For `vite` (the dev server) on Vite 7 only: its dependency optimizer
// copies steadyws's JS into node_modules/.vite/deps/ but not the .wasm next
// to it, so the glue's `new URL('…_bg.wasm', import.meta.url)` would miss.
// Excluding steadyws from pre-bundling fixes that. `vite build` needs
// nothing (vite.config.js), and Vite 8's dev server needs nothing either.
import { defineConfig, mergeConfig } from 'vite';
import base from './vite.config.js';

export default mergeConfig(
  base,
  defineConfig({
    optimizeDeps: { exclude: ['steadyws'] },
  }),
);
