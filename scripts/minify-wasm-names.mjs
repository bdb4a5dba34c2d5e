// Shortens the wasm module's import/export names and rewrites the JS glue to
// match: wasm-bindgen names every import like `__wbg_set_onclose_078935cf8d0fb024`,
// and those hex hashes appear twice (in the .wasm and as the glue's import
// object keys) and barely compress. Usage (from scripts/build.sh):
//   node scripts/minify-wasm-names.mjs <map.json from wasm-opt
//     --minify-imports-and-exports-and-modules> <glue.js>
import { readFileSync, writeFileSync } from 'node:fs';

const [mapFile, glueFile] = process.argv.slice(2);
const text = readFileSync(mapFile, 'utf8');
const map = JSON.parse(text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1));
let glue = readFileSync(glueFile, 'utf8');
const esc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const modules = new Set();
for (const [module, from, to] of map.imports) {
  modules.add(module);
  // Keys of the imports object: `name: function (...) {`.
  const re = new RegExp(`(?<![\\w$])${esc(from)}(?=\\s*:)`, 'g');
  if (!re.test(glue)) throw new Error(`import ${from} not found in ${glueFile}`);
  glue = glue.replace(re, JSON.stringify(to));
}
for (const [from, to] of map.exports) {
  glue = glue.replace(new RegExp(`\\bwasm\\.${esc(from)}(?![\\w$])`, 'g'), `wasm[${JSON.stringify(to)}]`);
}
// With -and-modules every import module is renamed to "a".
for (const module of modules) {
  const quoted = new RegExp(`(["'])${esc(module)}\\1(?=\\s*:)`, 'g');
  if (!quoted.test(glue)) throw new Error(`import module ${module} not found in ${glueFile}`);
  glue = glue.replace(quoted, '"a"');
}
for (const [, from] of map.imports) {
  if (new RegExp(`(?<![\\w$])${esc(from)}(?![\\w$])`).test(glue)) throw new Error(`${from} left in ${glueFile}`);
}
// The facade instantiates the module itself (pkg-template/index.js,
// instantiate()): it needs the import object and the step after
// instantiation, which the glue has but does not export. Its own loader
// (init, initSync and what only they use) is then left out of the bundle.
for (const name of ['__wbg_get_imports', '__wbg_finalize_init']) {
  if (!new RegExp(`^function ${name}\\(`, 'm').test(glue)) throw new Error(`${name} not found in ${glueFile}`);
}
glue += '\nexport { __wbg_get_imports as imports, __wbg_finalize_init as finish };\n';
writeFileSync(glueFile, glue);
