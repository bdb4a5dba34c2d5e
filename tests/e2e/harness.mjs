// Shared helpers for the end-to-end tests: the project's dev server on a free
// loopback port, and Debian's headless Chromium driven by playwright-core.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Starts `steadyws serve --port 0`; resolves with { url, wsUrl, stop }. */
export function startServer({ root = path.join(ROOT, 'target/site'), args = [] } = {}) {
  const bin = path.join(ROOT, 'target/release/steadyws');
  const child = spawn(bin, ['serve', '--host', '127.0.0.1', '--port', '0', '--root', root, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('dev server did not report its port within 10 s')), 10_000);
    let out = '';
    child.on('exit', (code) => reject(new Error(`dev server exited early (${code})`)));
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const m = /listening on ws:\/\/([\d.]+:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve({
          host: m[1],
          url: `http://${m[1]}`,
          wsUrl: `ws://${m[1]}`,
          stop: () => new Promise((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', done);
            child.kill();
          }),
        });
      }
    });
  });
}

/** Debian's Chromium (never a downloaded browser). */
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

/** The flags every test and benchmark starts Chromium with. */
export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
  '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run',
];

/** Launches headless Chromium under playwright-core. */
export async function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** Runs named async checks, prints one line each, exits non-zero on failure. */
export async function runChecks(suite, checks) {
  let passed = 0;
  let failed = 0;
  for (const [name, fn] of Object.entries(checks)) {
    try {
      await fn();
      passed += 1;
      console.log(`ok ${suite}: ${name}`);
    } catch (err) {
      failed += 1;
      console.log(`FAILED ${suite}: ${name}\n${err?.stack ?? err}`);
    }
  }
  console.log(`${suite}: ${passed} passed, ${failed} failed`);
  if (failed) process.exitCode = 1;
}

/** GET /stats?client=ID of a server from startServer(). */
export async function serverStats(server, client) {
  const res = await fetch(`${server.url}/stats?client=${encodeURIComponent(client)}`);
  if (res.status !== 200) throw new Error(`/stats answered ${res.status}`);
  return res.json();
}

/** POST /control?client=ID&action=ACTION (e.g. drop); resolves with its JSON. */
export async function serverControl(server, client, action) {
  const res = await fetch(`${server.url}/control?client=${encodeURIComponent(client)}&action=${action}`, { method: 'POST' });
  const body = await res.json();
  if (body.ok !== true) throw new Error(`/control ${action}: ${JSON.stringify(body)}`);
  return body;
}

/** Polls `probe` until `accept(value)`; fails with the last value after `ms`. */
export async function until(what, probe, accept, ms = 5_000) {
  const deadline = Date.now() + ms;
  let last;
  for (;;) {
    last = await probe();
    if (accept(last)) return last;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Runs test functions in `page` (which has loaded the dev server's site):
 * `inPage(fn)` evaluates `fn(steadyws, ws, clientId, until, settle)` there
 * and returns its result. `ws` is the server's ws:// base, or with `path`
 * the URL of that endpoint for this client (`${ws}${path}?client=ID`);
 * `until(what, cond, ms)` polls `cond` every 5 ms up to `ms`; `settle(p)`
 * turns a promise into a plain outcome ({ ok } or the error's name, code,
 * message and cause). Each call gets a fresh client id with `prefix`.
 */
export function pageRunner(page, server, prefix, { path } = {}) {
  let n = 0;
  return (fn) => {
    const client = `${prefix}-${Date.now()}-${n++}`;
    return page.evaluate(async ({ src, ws, client, path }) => {
      const sdk = await import('/pkg/index.js');
      // eslint-disable-next-line no-new-func
      const f = new Function(`return (${src})`)();
      const until = (what, cond, ms = 5000) => new Promise((ok, fail) => {
        const t0 = performance.now();
        const tick = () => (cond() ? ok() : performance.now() - t0 > ms ? fail(new Error(`timeout: ${what}`)) : setTimeout(tick, 5));
        tick();
      });
      const settle = (p) => p.then((v) => ({ ok: v }), (e) => ({ name: e.name, code: e.code, message: e.message, cause: e.cause }));
      return f(sdk, path ? `${ws}${path}?client=${client}` : ws, client, until, settle);
    }, { src: fn.toString(), ws: server.wsUrl, client, path });
  };
}
