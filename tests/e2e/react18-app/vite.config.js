// The React app of ../react-app, built against this directory's React 18:
// src/ and index.html are symbolic links, and preserveSymlinks makes
// `import 'react'` in them resolve from here, not from ../react-app.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  plugins: [react()],
  resolve: { preserveSymlinks: true },
});
