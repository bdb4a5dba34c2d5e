// Nothing about WebAssembly here: steadyws needs no plugin and no config.
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

export default defineConfig({
  plugins: [vue()],
});
