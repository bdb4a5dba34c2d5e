// The webpack 5 app (tests/e2e/webpack-app), bundled from the packed
// tarball by its build.mjs (which fails on any warning and on any module
// besides the app's and the package's), served by `steadyws serve` and
// driven in headless Chromium: the .wasm webpack emitted loads, and a JSON
// message round-trips.
//
//   node tests/e2e/webpack.mjs    (after scripts/test.d/68-e2e-webpack.sh built it)
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ROOT, startServer, launchBrowser, runChecks, serverStats, until } from './harness.mjs';

const dist = path.join(ROOT, 'tests/e2e/webpack-app/dist');
assert.ok(existsSync(path.join(dist, 'index.html')), `${dist} is built (run scripts/test.d/68-e2e-webpack.sh)`);

const server = await startServer({ root: dist });
const browser = await launchBrowser();
try {
  await runChecks('webpack', {
    'the webpack 5 bundle loads its .wasm asset, connects and round-trips a JSON message': async () => {
      const page = await browser.newPage();
      const errors = [];
      const wasm = [];
      page.on('pageerror', (e) => errors.push(e));
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') errors.push(m.text());
      });
      page.on('response', (r) => {
        if (r.url().endsWith('.wasm')) wasm.push({ url: r.url(), status: r.status(), type: r.headers()['content-type'] });
      });
      const client = `webpack-${process.pid}-${Date.now().toString(36)}`;
      await page.goto(`${server.url}/?client=${client}`);
      await page.waitForFunction(() => document.getElementById('state')?.textContent === 'open', null, { timeout: 10_000 });
      assert.equal(wasm.length, 1, `one .wasm fetched: ${JSON.stringify(wasm)}`);
      assert.equal(wasm[0].status, 200);
      assert.equal(wasm[0].type, 'application/wasm');
      assert.match(new URL(wasm[0].url).pathname, /^\/[0-9a-f]+\.wasm$/, 'the asset webpack emitted (content-hashed name)');
      await page.click('#send');
      await page.click('#send');
      const got = await until(
        'two echoes',
        () => page.$$eval('#messages li', (lis) => lis.map((li) => li.textContent)),
        (m) => m.length >= 2,
      );
      assert.deepEqual(got, ['{"type":"chat","text":"hello","n":1}', '{"type":"chat","text":"hello","n":2}']);
      const s = await serverStats(server, client);
      assert.equal(s.open, 1, `one connection: ${JSON.stringify(s)}`);
      assert.equal(s.total, 1, `one handshake: ${JSON.stringify(s)}`);
      assert.deepEqual(errors, []);
      await page.close();
    },
  });
} finally {
  await browser.close();
  await server.stop();
}
