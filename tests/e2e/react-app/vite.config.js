// Nothing about WebAssembly here: steadyws needs no plugin and no config.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  plugins: [react()],
});
