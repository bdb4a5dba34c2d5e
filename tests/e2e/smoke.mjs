// The build pipeline end to end: the wasm-pack package, served by the
// project's own dev server, loads in headless Chromium and computes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, startServer, launchBrowser, runChecks } from './harness.mjs';

const cargoVersion = /^version = "([^"]+)"/m.exec(readFileSync(path.join(ROOT, 'Cargo.toml'), 'utf8'))[1];
const server = await startServer();
const browser = await launchBrowser();
try {
  await runChecks('smoke', {
    'the demo page loads the wasm module and shows the version it computed': async () => {
      const page = await browser.newPage();
      const errors = [];
      page.on('pageerror', (e) => errors.push(e));
      await page.goto(`${server.url}/`);
      await page.waitForFunction(() => document.getElementById('version')?.textContent !== 'loading…', null, { timeout: 10_000 });
      assert.equal(await page.textContent('#version'), cargoVersion);
      assert.deepEqual(errors, []);
    },
    'the .wasm is served as application/wasm': async () => {
      const res = await fetch(`${server.url}/pkg/steadyws_bg_glue_bg.wasm`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'application/wasm');
    },
  });
} finally {
  await browser.close();
  await server.stop();
}
