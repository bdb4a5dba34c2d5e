// The Svelte app (tests/e2e/svelte-app: Svelte 5 + Vite 8, from the packed
// tarball): one socketStore() with two subscribing panels, served by
// `steadyws serve` and driven in headless Chromium.
//
//   node tests/e2e/svelte.mjs    (after scripts/test.d/67-e2e-svelte.sh built it)
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ROOT, startServer, launchBrowser, runChecks, serverStats, serverControl, until } from './harness.mjs';

const dist = path.join(ROOT, 'tests/e2e/svelte-app/dist');
assert.ok(existsSync(path.join(dist, 'index.html')), `${dist} is built (run scripts/test.d/67-e2e-svelte.sh)`);

let ids = 0;
const server = await startServer({ root: dist });
const browser = await launchBrowser();
const page = await browser.newPage();

const text = (sel) => page.textContent(sel);
const messages = () => page.$$eval('#messages li', (lis) => lis.map((li) => li.textContent));
const stateIs = (id, want, timeout = 5_000) =>
  page.waitForFunction(([id, want]) => document.getElementById(`state-${id}`)?.textContent === want, [id, want], { timeout });
const states = () => page.evaluate(() => window.__steadyws.states);
const counts = async (client) => {
  const { open, peak, total } = await serverStats(server, client);
  return { open, peak, total };
};

/** Loads the app for a fresh client id; resolves once both panels show open. */
async function open() {
  const client = `svelte-${process.pid}-${Date.now().toString(36)}-${++ids}`;
  const errors = [];
  const onError = (e) => errors.push(e);
  page.on('pageerror', onError);
  await page.goto(`${server.url}/?client=${client}`);
  await stateIs('a', 'open');
  await stateIs('b', 'open');
  return {
    client,
    errors,
    done: async () => {
      page.off('pageerror', onError);
      await page.goto('about:blank');
    },
  };
}

try {
  await runChecks('svelte', {
    'two subscribers of one store share one connection; state and a JSON echo show in both': async () => {
      const { client, errors, done } = await open();
      await page.click('#send');
      await page.click('#send');
      const want = ['{"type":"chat","text":"hello","n":1}', '{"type":"chat","text":"hello","n":2}'];
      await until('two echoes', messages, (m) => m.length >= 2);
      assert.deepEqual(await messages(), want);
      assert.equal(await text('#last-a'), want[1]);
      assert.equal(await text('#last-b'), want[1]);
      const s = await counts(client);
      assert.deepEqual(s, { open: 1, peak: 1, total: 1 }, 'one connection for both subscribers');
      assert.deepEqual(errors, []);
      await done();
    },
    'after the server drops the connection the store shows reconnecting, then open, and still echoes': async () => {
      const { client, errors, done } = await open();
      const sawReconnecting = stateIs('a', 'reconnecting');
      const dropped = await serverControl(server, client, 'drop');
      assert.equal(dropped.affected, 1);
      await sawReconnecting;
      await stateIs('a', 'open', 10_000);
      assert.equal(await text('#state-b'), 'open');
      await until('the new connection', () => serverStats(server, client), (v) => v.total === 2 && v.open === 1);
      const seen = await states();
      const i = seen.lastIndexOf('reconnecting');
      assert.ok(i > 0 && seen.slice(i).includes('open'), `states: ${seen.join(' > ')}`);
      await page.click('#send');
      await until('the echo after reconnecting', messages, (m) => m.length === 1);
      assert.deepEqual(await messages(), ['{"type":"chat","text":"hello","n":1}']);
      assert.deepEqual(errors, []);
      await done();
    },
    'the socket stays while one subscriber is left, closes with the last, and a new subscriber connects again': async () => {
      const { client, errors, done } = await open();
      await page.click('#toggle-a');
      await page.waitForSelector('#a-unmounted');
      // B still subscribes: the connection stays, and no new one is made.
      await page.click('#send');
      await until('the echo with one subscriber left', messages, (m) => m.length === 1);
      assert.equal(await text('#state-b'), 'open');
      assert.deepEqual(await counts(client), { open: 1, peak: 1, total: 1 });
      await page.click('#toggle-b');
      await page.waitForSelector('#b-unmounted');
      const s = await until('open to reach 0', () => serverStats(server, client), (v) => v.open === 0);
      assert.equal(s.total, 1, `no new connection: ${JSON.stringify(s)}`);
      assert.equal((await states()).at(-1), 'closed');
      // It stays closed (reconnect minDelay is 500 ms).
      await new Promise((r) => setTimeout(r, 800));
      assert.deepEqual(await serverStats(server, client), s);
      // A new first subscriber starts a new socket.
      await page.click('#toggle-a');
      await stateIs('a', 'open');
      await until('the second connection', () => serverStats(server, client), (v) => v.open === 1 && v.total === 2);
      assert.deepEqual(errors, []);
      await done();
    },
  });
} finally {
  await page.close();
  await browser.close();
  await server.stop();
}
