// Bundles src/main.js with webpack 5 (production mode, no config beyond
// entry and output) into dist/, and fails on any warning or error, and on
// any module besides the app's and the package's three files (webpack
// turns a computed `new URL(...)` or `import(...)` into a context module
// and a "Critical dependency" warning).
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import webpack from 'webpack';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.join(here, 'dist');
rmSync(dist, { recursive: true, force: true });

const stats = await new Promise((resolve, reject) => {
  webpack(
    {
      mode: 'production',
      context: here,
      entry: './src/main.js',
      output: { path: dist, filename: 'main.js' },
    },
    (err, s) => (err ? reject(err) : resolve(s)),
  );
});
const info = stats.toJson({ all: false, warnings: true, errors: true, modules: true, nestedModules: true, assets: true });
let failed = false;
for (const w of [...info.errors, ...info.warnings]) {
  console.error(`webpack: ${w.moduleName ?? ''} ${w.message}`);
  failed = true;
}
// Concatenated modules list what they are made of.
const flat = (ms) => ms.flatMap((m) => (m.modules ? flat(m.modules) : [m]));
const modules = flat(info.modules).filter((m) => m.identifier && m.moduleType !== 'runtime').map((m) => m.name).sort();
const want = [
  './node_modules/steadyws/index.js',
  './node_modules/steadyws/steadyws_bg_glue_bg.wasm',
  './src/main.js',
];
if (JSON.stringify(modules) !== JSON.stringify(want)) {
  console.error(`webpack: modules ${JSON.stringify(modules)}, want ${JSON.stringify(want)}`);
  failed = true;
}
if (failed) process.exit(1);
mkdirSync(dist, { recursive: true });
copyFileSync(path.join(here, 'index.html'), path.join(dist, 'index.html'));
const assets = info.assets.map((a) => `${a.name} (${a.size} B)`).join(', ');
console.log(`webpack: ${modules.length} modules, 0 warnings: ${assets}`);
