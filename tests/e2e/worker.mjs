// The package in a dedicated module worker, in headless Chromium: a page
// (tests/e2e/worker/index.html) starts worker.js, which imports the built
// package (pkg/, copied next to it), connects to the dev server's /echo,
// round-trips a JSON message and reports back; after /drop the worker's
// socket reconnects. The package reads neither `document` nor `window`
// there and listens to online/offline only (no page lifecycle in a worker).
//
//   node tests/e2e/worker.mjs    (after scripts/build.sh)
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { ROOT, startServer, launchBrowser, runChecks, serverStats, serverControl, until } from './harness.mjs';

assert.ok(existsSync(path.join(ROOT, 'pkg/index.js')), 'pkg/ is built (run scripts/build.sh)');
const root = path.join(ROOT, 'target/worker-site');
rmSync(root, { recursive: true, force: true });
mkdirSync(root, { recursive: true });
cpSync(path.join(ROOT, 'tests/e2e/worker'), root, { recursive: true });
cpSync(path.join(ROOT, 'pkg'), path.join(root, 'pkg'), { recursive: true });

const server = await startServer({ root });
const browser = await launchBrowser();
const page = await browser.newPage();
const pageErrors = [];
page.on('pageerror', (e) => pageErrors.push(e));
const client = `worker-${process.pid}-${Date.now().toString(36)}`;

const events = () => page.evaluate(() => window.__events);
const of = async (type) => (await events()).filter((e) => e.type === type);
const stateIs = (want, timeout = 5_000) =>
  page.waitForFunction((want) => document.getElementById('state')?.textContent === want, want, { timeout });
const counts = async () => {
  const { open, peak, total } = await serverStats(server, client);
  return { open, peak, total };
};

try {
  await page.goto(`${server.url}/?client=${client}&ws=${encodeURIComponent(server.wsUrl)}`);
  await runChecks('worker', {
    'a module worker imports the package, connects and round-trips a JSON message': async () => {
      await stateIs('open');
      await page.evaluate(() => window.__cmd({ op: 'send', data: { hello: 'from a worker', n: 1 } }));
      const got = await until('the echo', () => of('message'), (m) => m.length >= 1);
      assert.deepEqual(got.map((m) => m.data), [{ hello: 'from a worker', n: 1 }]);
      assert.deepEqual((await of('sent')).map((s) => s.result), ['sent']);
      assert.deepEqual(await counts(), { open: 1, peak: 1, total: 1 });
    },
    'no document or window read, and only online/offline listened to, in the worker': async () => {
      await page.evaluate(() => window.__cmd({ op: 'probe' }));
      const [probe] = await until('the probe', () => of('probe'), (p) => p.length >= 1);
      assert.equal(probe.isWorker, true);
      assert.deepEqual(probe.touched, [], 'the package read no page global');
      assert.deepEqual(probe.listened.sort(), ['offline', 'online']);
    },
    "after /drop the worker's socket reconnects and still echoes": async () => {
      const before = (await of('state')).length;
      const dropped = await serverControl(server, client, 'drop');
      assert.equal(dropped.affected, 1);
      await until('reconnecting, then open', () => of('state'), (s) => {
        const after = s.slice(before).map((e) => e.state);
        const i = after.indexOf('reconnecting');
        return i >= 0 && after.slice(i).includes('open');
      }, 10_000);
      await until('the new connection', counts, (c) => c.total === 2 && c.open === 1);
      await page.evaluate(() => window.__cmd({ op: 'send', data: { n: 2 } }));
      await until('the echo after reconnecting', () => of('message'), (m) => m.length >= 2);
      assert.deepEqual((await of('message')).at(-1).data, { n: 2 });
    },
    'close() in the worker ends the connection': async () => {
      await page.evaluate(() => window.__cmd({ op: 'close' }));
      const [closed] = await until('closed', () => of('closed'), (c) => c.length >= 1);
      assert.equal(closed.state, 'closed');
      await until('open to reach 0', counts, (c) => c.open === 0);
      const problems = (await events()).filter((e) => e.type.endsWith('error'));
      assert.deepEqual(problems, []);
      assert.deepEqual(pageErrors, []);
    },
  });
} finally {
  await page.close();
  await browser.close();
  await server.stop();
}
