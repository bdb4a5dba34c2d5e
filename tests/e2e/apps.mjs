// The example apps (tests/e2e/react-app: Vite 8 + React 19, react18-app:
// the same under React 18, tests/e2e/vue-app: Vite 7 + Vue), built from the
// packed steadyws tarball, each served by `steadyws serve` and driven in
// headless Chromium.
//
//   node tests/e2e/apps.mjs [react|react18|vue ...]    (after scripts/test.d/62-e2e-apps.sh built them)
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { ROOT, startServer, launchBrowser, runChecks } from './harness.mjs';

const only = process.argv.slice(2);
const APPS = [
  { name: 'react', label: 'React 19 + Vite 8', react: 19, dir: 'react-app', dist: 'dist', strictDist: 'dist-dev', devConfig: null },
  // The same sources (linked) under React 18; Vite's dev server is covered above.
  { name: 'react18', label: 'React 18 + Vite 8', react: 18, dir: 'react18-app', dist: 'dist', strictDist: 'dist-dev', devServer: false },
  // Vite 7's dev server pre-bundles steadyws without its .wasm; the facade
  // finds the package's own copy, so no config is needed there either.
  { name: 'vue', label: 'Vue + Vite 7', dir: 'vue-app', dist: 'dist', devConfig: null },
].filter((a) => only.length === 0 || only.includes(a.name));

let ids = 0;
const clientId = (app) => `${app}-${process.pid}-${Date.now().toString(36)}-${++ids}`;

async function stats(server, client) {
  const res = await fetch(`${server.url}/stats?client=${encodeURIComponent(client)}`);
  assert.equal(res.status, 200, '/stats answers 200');
  return res.json();
}

async function control(server, client, action) {
  const res = await fetch(`${server.url}/control?client=${encodeURIComponent(client)}&action=${action}`, { method: 'POST' });
  const body = await res.json();
  assert.equal(body.ok, true, `/control ${action}: ${JSON.stringify(body)}`);
  return body;
}

/** Polls `probe` until `accept(value)`; fails with the last value after `ms`. */
async function until(what, probe, accept, ms = 5_000) {
  const deadline = Date.now() + ms;
  let last;
  for (;;) {
    last = await probe();
    if (accept(last)) return last;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const stateIs = (page, s, timeout = 5_000) =>
  page.waitForFunction((want) => document.getElementById('state')?.textContent === want, s, { timeout });

const messages = (page) => page.$$eval('#messages li', (lis) => lis.map((li) => li.textContent));

/**
 * Opens the app for a fresh client id, in the suite's one tab (a new tab
 * costs more than a navigation; leaving the page closes its sockets).
 * Records page errors and .wasm responses until done().
 */
async function openApp(tab, server, app, query = '', { waitOpen = true } = {}) {
  const client = clientId(app.name);
  const page = await tab();
  const errors = [];
  const wasm = [];
  const onError = (e) => errors.push(e);
  const onResponse = (r) => {
    if (r.url().endsWith('.wasm')) wasm.push({ url: r.url(), status: r.status(), type: r.headers()['content-type'] });
  };
  page.on('pageerror', onError);
  page.on('response', onResponse);
  const done = async () => {
    page.off('pageerror', onError);
    page.off('response', onResponse);
    await page.goto('about:blank');
  };
  await page.goto(`${server.url}/?client=${client}${query}`);
  if (waitOpen) await stateIs(page, 'open');
  return { page, client, errors, wasm, done };
}

function appChecks(app, tab, server) {
  return {
    'connects and shows the state open, loading the .wasm Vite emitted (no plugin)': async () => {
      const { page, client, errors, wasm, done } = await openApp(tab, server, app);
      assert.ok(wasm.length >= 1, `the page fetched a .wasm (responses: ${JSON.stringify(wasm)})`);
      for (const w of wasm) {
        assert.equal(w.status, 200, w.url);
        assert.equal(w.type, 'application/wasm', w.url);
      }
      const s = await stats(server, client);
      assert.equal(s.open, 1, `one open connection: ${JSON.stringify(s)}`);
      assert.equal(s.peak, 1, `peak one connection: ${JSON.stringify(s)}`);
      assert.deepEqual(errors, []);
      await done();
    },
    'echoes a typed JSON message sent on a button click': async () => {
      const { page, errors, done } = await openApp(tab, server, app);
      await page.click('#send');
      await page.click('#send');
      const want = ['{"type":"chat","text":"hello","n":1}', '{"type":"chat","text":"hello","n":2}'];
      await until('two echoed messages', () => messages(page), (m) => m.length >= 2);
      // Parsed JSON objects (the app prints strings as text:...), in order, once each.
      assert.deepEqual(await messages(page), want);
      assert.equal(await page.textContent('#last'), want[1]);
      assert.deepEqual(errors, []);
      await done();
    },
    'a message sent before the socket exists is delivered once': async () => {
      const { page, errors, done } = await openApp(tab, server, app, '&early');
      await until('the early message echoed', () => messages(page), (m) => m.length >= 1);
      await page.click('#send');
      await until('the next echo', () => messages(page), (m) => m.length >= 2);
      assert.deepEqual(await messages(page), ['{"type":"early"}', '{"type":"chat","text":"hello","n":1}']);
      assert.deepEqual(errors, []);
      await done();
    },
    'unmounting before connect() resolved leaves no connection behind': async () => {
      const { page, client, errors, done } = await openApp(tab, server, app, '&flash', { waitOpen: false });
      await page.waitForSelector('#unmounted');
      // Long enough for the wasm to load, a socket to be created and closed,
      // and a (wrong) reconnect to have happened.
      await new Promise((r) => setTimeout(r, 1_000));
      const s = await until('nothing open', () => stats(server, client), (v) => (v.open ?? 0) === 0);
      assert.ok((s.total ?? 0) <= 1, `at most the one cancelled handshake: ${JSON.stringify(s)}`);
      const states = await page.evaluate(() => window.__steadyws.states);
      assert.ok(!states.includes('open'), `the unmounted component never saw open: ${states.join(' > ')}`);
      assert.deepEqual(errors, []);
      await done();
    },
    'shows reconnecting, then open again, after the server drops the connection': async () => {
      const { page, client, errors, done } = await openApp(tab, server, app);
      const sawReconnecting = stateIs(page, 'reconnecting');
      const dropped = await control(server, client, 'drop');
      assert.equal(dropped.affected, 1);
      await sawReconnecting;
      await stateIs(page, 'open', 10_000);
      const s = await until('the new connection', () => stats(server, client), (v) => v.total === 2 && v.open === 1);
      assert.equal(s.peak, 1, `never two at once: ${JSON.stringify(s)}`);
      const states = await page.evaluate(() => window.__steadyws.states);
      const i = states.lastIndexOf('reconnecting');
      assert.ok(i > 0 && states.slice(i).includes('open'), `states: ${states.join(' > ')}`);
      // Still usable after the reconnect.
      await page.click('#send');
      await until('the echo after reconnecting', () => messages(page), (m) => m.length === 1);
      assert.deepEqual(errors, []);
      await done();
    },
    'a message queued while reconnecting is carried over to the socket for a new url': async () => {
      const { page, client, errors, done } = await openApp(tab, server, app);
      // As soon as the page shows 'reconnecting': send (queued by the old
      // socket), then switch room (new url, new socket), in one task.
      await page.evaluate(() => {
        const el = document.getElementById('state');
        window.__acted = false;
        new Promise((resolve) => {
          new MutationObserver((_, obs) => {
            if (el.textContent !== 'reconnecting') return;
            obs.disconnect();
            document.getElementById('send').click();
            document.getElementById('switch').click();
            resolve();
          }).observe(el, { childList: true, characterData: true, subtree: true });
        }).then(() => {
          window.__acted = true;
        });
      });
      await control(server, client, 'drop');
      await page.waitForFunction(() => window.__acted === true, null, { timeout: 5_000 });
      await until('room 2', () => page.textContent('#room'), (r) => r === '2');
      await stateIs(page, 'open', 10_000);
      await until('the carried-over message echoed', () => messages(page), (m) => m.length >= 1);
      assert.deepEqual(await messages(page), ['{"type":"chat","text":"hello","n":1}']);
      // No peak assertion here: the new socket connects within a millisecond
      // of the drop, and the server unregisters a dropped connection on its
      // own thread a moment later, so its peak may count both.
      const s = await until('only the new socket open', () => stats(server, client), (v) => v.open === 1);
      assert.equal(s.total, 2, `the dropped socket and the new one: ${JSON.stringify(s)}`);
      assert.deepEqual(errors, []);
      await done();
    },
    'a token-auth component (URL function fetching /token) stays connected across server-forced 4001 closes': async () => {
      const { page, client, errors, done } = await openApp(tab, server, app, '&auth&ttl=400');
      await page.waitForFunction(() => Number(document.getElementById('opens')?.textContent) >= 3, null, { timeout: 10_000 });
      await stateIs(page, 'open');
      const appErrors = await page.evaluate(() => window.__steadyws.errors);
      assert.deepEqual(appErrors, [], 'no URL_FAILED, no refused handshake');
      const s = await stats(server, client);
      assert.ok(s.total >= 3 && s.peak === 1, `one at a time: ${JSON.stringify(s)}`);
      assert.deepEqual(errors, []);
      await done();
    },
    'a re-render with a new function as url opens no new socket (/stats total unchanged)': async () => {
      const { page, client, errors, done } = await openApp(tab, server, app, '&auth');
      const before = await stats(server, client);
      assert.equal(before.total, 1);
      for (let i = 0; i < 3; i++) await page.click('#rerender');
      await until('three re-renders', () => page.textContent('#renders'), (r) => r === '3');
      await new Promise((r) => setTimeout(r, 300));
      const after = await stats(server, client);
      assert.deepEqual({ total: after.total, open: after.open }, { total: 1, open: 1 }, JSON.stringify(after));
      assert.equal(await page.textContent('#state'), 'open');
      assert.deepEqual(errors, []);
      await done();
    },
    'unmounting the component closes its socket (/stats open goes to 0)': async () => {
      const { page, client, errors, done } = await openApp(tab, server, app);
      await page.click('#toggle');
      await page.waitForSelector('#unmounted');
      const s = await until('open to reach 0', () => stats(server, client), (v) => v.open === 0);
      assert.equal(s.total, 1, `no new connection after unmount: ${JSON.stringify(s)}`);
      // It stays closed: no reconnect (minDelay 500 ms) after the component is gone.
      await new Promise((r) => setTimeout(r, 800));
      assert.deepEqual(await stats(server, client), s);
      assert.deepEqual(errors, []);
      await done();
    },
  };
}

function strictModeChecks(app, tab, server) {
  return {
    'React StrictMode (development build) mounts twice yet keeps exactly one connection': async () => {
      const { page, client, errors, done } = await openApp(tab, server, app);
      const { mounts, react } = await page.evaluate(() => window.__steadyws);
      assert.equal(Number(react.split('.')[0]), app.react, `the page runs React ${app.react} (${react})`);
      assert.equal(mounts, 2, 'StrictMode ran the mount effect twice (a development build)');
      await page.click('#send');
      await until('the echo', () => messages(page), (m) => m.length === 1);
      const s = await stats(server, client);
      assert.equal(s.peak, 1, `peak of exactly one connection: ${JSON.stringify(s)}`);
      assert.equal(s.open, 1, `one open: ${JSON.stringify(s)}`);
      console.log(`report: ${app.label} (${react}) StrictMode dev build: mounts=${mounts}, handshakes=${s.total}, peak=${s.peak}`);
      await page.click('#toggle');
      await until('open to reach 0 after unmount', () => stats(server, client), (v) => v.open === 0);
      assert.deepEqual(errors, []);
      await done();
    },
  };
}

async function suite(name, root, checks) {
  const server = await startServer({ root });
  let page;
  const tab = async () => (page ??= await browser.newPage());
  try {
    await runChecks(name, checks(server, tab));
  } finally {
    await page?.close();
    await server.stop();
  }
}

const freePort = () =>
  new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });

/** Starts the app's `vite` dev server; resolves with { url, stop }. */
async function startVite(app) {
  const port = await freePort();
  const dir = path.join(ROOT, 'tests/e2e', app.dir);
  const args = ['--host', '127.0.0.1', '--port', String(port), '--strictPort', '--clearScreen', 'false'];
  if (app.devConfig) args.push('--config', app.devConfig);
  const child = spawn(path.join(dir, 'node_modules/.bin/vite'), args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`vite dev server did not start: ${out}`)), 20_000);
    const seen = (chunk) => {
      out += chunk;
      if (out.replace(/\x1b\[[0-9;]*m/g, '').includes(`127.0.0.1:${port}`)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', seen);
    child.stderr.on('data', seen);
    child.once('exit', (code) => reject(new Error(`vite exited (${code}): ${out}`)));
  });
  child.removeAllListeners('exit');
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise((done) => {
        if (child.exitCode !== null) return done();
        child.once('exit', done);
        child.kill();
      }),
  };
}

function devChecks(app, tab, server) {
  return {
    'in the vite dev server the app loads the .wasm, connects and echoes': async () => {
      const vite = await startVite(app);
      try {
        const page = await tab();
        const errors = [];
        page.on('pageerror', (e) => errors.push(e));
        const client = clientId(`${app.name}-dev`);
        await page.goto(`${vite.url}/?client=${client}&ws=${encodeURIComponent(server.wsUrl)}`);
        // The first load runs Vite's dependency optimizer: allow for it.
        await stateIs(page, 'open', 20_000);
        await page.click('#send');
        await until('the echo', () => messages(page), (m) => m.length === 1);
        assert.deepEqual(await messages(page), ['{"type":"chat","text":"hello","n":1}']);
        assert.deepEqual(errors, []);
        await page.goto('about:blank');
      } finally {
        await vite.stop();
      }
    },
  };
}

// The suites are independent (own server, own client ids): run them side by
// side, since they mostly wait on timers and the network.
const browser = await launchBrowser();
try {
  const suites = [];
  for (const app of APPS) {
    const dist = path.join(ROOT, 'tests/e2e', app.dir, app.dist);
    assert.ok(existsSync(path.join(dist, 'index.html')), `${dist} is built (run scripts/test.d/62-e2e-apps.sh)`);
    suites.push(suite(`${app.name} (${app.label})`, dist, (server, tab) => appChecks(app, tab, server)));
    if (app.strictDist) {
      const root = path.join(ROOT, 'tests/e2e', app.dir, app.strictDist);
      suites.push(suite(`${app.name} (${app.label}, development build)`, root, (server, tab) => strictModeChecks(app, tab, server)));
    }
    if (app.devServer !== false) {
      suites.push(suite(`${app.name} (${app.label}, dev server)`, dist, (server, tab) => devChecks(app, tab, server)));
    }
  }
  await Promise.all(suites);
} finally {
  await browser.close();
}
