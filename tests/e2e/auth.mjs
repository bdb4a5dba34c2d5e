// Auth-aware reconnects through the npm facade (pkg/index.js), in headless
// Chromium against `steadyws serve` on 127.0.0.1 with short timers: a URL
// function fetching /token for every attempt against /auth (which closes
// with 4001 when the token's ttl ends), failing and slow URL functions, and
// init/ack against /proto (which closes with 4400 on anything before the
// init).
import assert from 'node:assert/strict';
import { startServer, launchBrowser, runChecks, pageRunner } from './harness.mjs';

const server = await startServer();
const browser = await launchBrowser();
const page = await browser.newPage();
const pageErrors = [];
page.on('pageerror', (e) => pageErrors.push(e));
await page.goto(`${server.url}/`);

const inPage = pageRunner(page, server, 'auth');

try {
  await runChecks('auth', {
    'a URL function fetching /token per attempt keeps reconnecting to /auth?ttl=500, no handshake refused': async () => {
      const r = await inPage(async ({ connect }, ws, client, until) => {
        const attempts = [];
        const s = await connect(async ({ attempt }) => {
          attempts.push(attempt);
          const { token } = await (await fetch('/token')).json();
          return `${ws}/auth?ttl=500&client=${client}&token=${token}`;
        }, { heartbeat: false, reconnect: { minDelay: 20, maxDelay: 50 } });
        const opens = [];
        const closes = [];
        const errors = [];
        s.on('open', (e) => opens.push({ url: e.url, same: e.url === s.url }));
        s.on('close', (e) => closes.push(e.code));
        s.on('error', (e) => errors.push(e.code));
        await until('three opens', () => opens.length >= 3, 8000);
        await s.close();
        return { opens, closes, errors, attempts };
      });
      assert.deepEqual(r.errors, [], 'no URL_FAILED, no socket error (a refused handshake)');
      assert.ok(r.opens.every((o) => o.same), 'sock.url is the attempt\'s URL');
      assert.equal(new Set(r.opens.map((o) => o.url)).size, r.opens.length, 'a fresh token each attempt');
      assert.ok(r.closes.slice(0, -1).every((c) => c === 4001), `closes: ${r.closes}`);
    },

    'a URL function that throws twice gives exactly two URL_FAILED errors (cause attached), then an open': async () => {
      const r = await inPage(async ({ connect }, ws, client, until) => {
        let calls = 0;
        const s = await connect(({ attempt }) => {
          calls += 1;
          if (calls === 1) throw new Error('no token yet');
          if (calls === 2) return Promise.reject(new Error('still no token'));
          return `${ws}/echo?client=${client}&attempt=${attempt}`;
        }, { heartbeat: false, reconnect: { minDelay: 20, maxDelay: 40 } });
        // Attached right after connect() resolved: sees the first failure.
        const errors = [];
        s.on('error', (e) => errors.push({ code: e.code, cause: e.cause?.message }));
        let opened;
        s.on('open', (e) => { opened = e; });
        await until('open', () => opened);
        await s.close();
        return { errors, attempt: opened.attempt, url: opened.url, calls };
      });
      assert.deepEqual(r.errors, [
        { code: 'URL_FAILED', cause: 'no token yet' },
        { code: 'URL_FAILED', cause: 'still no token' },
      ]);
      assert.equal(r.attempt, 3);
      assert.match(r.url, /attempt=3$/);
      assert.equal(r.calls, 3);
    },

    'a result that is not a ws/http URL is URL_FAILED with a TypeError cause; the socket keeps trying': async () => {
      const r = await inPage(async ({ connect }, ws, client, until) => {
        let calls = 0;
        const s = await connect(() => (++calls === 1 ? 'ftp://example.com/' : `${ws}/echo?client=${client}`),
          { heartbeat: false, reconnect: { minDelay: 20, maxDelay: 40 } });
        const errors = [];
        s.on('error', (e) => errors.push({ code: e.code, cause: e.cause?.name }));
        await until('open', () => s.state === 'open');
        await s.close();
        return errors;
      });
      assert.deepEqual(r, [{ code: 'URL_FAILED', cause: 'TypeError' }]);
    },

    'a URL function slower than connectTimeout is a connect timeout; its late URL is ignored': async () => {
      const r = await inPage(async ({ connect }, ws, client, until) => {
        let calls = 0;
        const s = await connect(async () => {
          calls += 1;
          if (calls === 1) await new Promise((ok) => setTimeout(ok, 400));
          return `${ws}/echo?client=${client}&call=${calls}`;
        }, { connectTimeout: 150, heartbeat: false, reconnect: { minDelay: 20, maxDelay: 40 } });
        const errors = [];
        const opens = [];
        s.on('error', (e) => errors.push(e.code));
        s.on('open', (e) => opens.push(e.url));
        await until('open', () => opens.length === 1);
        await new Promise((ok) => setTimeout(ok, 400)); // the slow URL has come meanwhile
        const stats = await (await fetch(`/stats?client=${client}`)).json();
        await s.close();
        return { errors, opens, total: stats.total };
      });
      assert.deepEqual(r.errors, ['CONNECT_TIMEOUT']);
      assert.equal(r.opens.length, 1);
      assert.match(r.opens[0], /call=2$/);
      assert.equal(r.total, 1, 'the abandoned attempt never connected');
    },

    'init/ack: ten messages sent before open arrive after the ack, in order; no 4400; init first again after a drop': async () => {
      const r = await inPage(async ({ connect }, ws, client, until) => {
        const s = await connect(`${ws}/proto?delay=400&client=${client}`, {
          json: true,
          heartbeat: false,
          reconnect: { minDelay: 20, maxDelay: 40 },
          init: { message: ({ attempt }) => ({ type: 'init', attempt }), ack: (m) => m.type === 'ack', timeout: 3000 },
        });
        const got = [];
        const opens = [];
        const closes = [];
        const states = [];
        s.on('message', (m) => got.push(m));
        s.on('open', (e) => opens.push(e));
        s.on('close', (e) => closes.push(e.code));
        s.on('state', (e) => states.push(e.state));
        const results = [];
        for (let i = 0; i < 10; i++) results.push(s.send({ n: i }));
        for (let i = 0; i < 300; i++) {
          if ((await (await fetch(`/stats?client=${client}`)).json()).open === 1) break;
          await new Promise((ok) => setTimeout(ok, 10));
        }
        const waiting = { state: s.state, queued: s.stats.queued, late: s.send({ n: 10 }) };
        await until('open', () => opens.length === 1);
        await until('echoes', () => got.length === 11);
        await fetch(`/control?client=${client}&action=drop`, { method: 'POST' });
        await until('second open', () => opens.length === 2);
        s.send({ n: 11 });
        await until('echo after reconnect', () => got.length === 12);
        await s.close();
        return { results, waiting, got, opens, closes, states };
      });
      assert.ok(r.results.every((x) => x === 'queued'));
      assert.deepEqual(r.waiting, { state: 'connecting', queued: 10, late: 'queued' });
      assert.deepEqual(r.got, Array.from({ length: 12 }, (_, i) => ({ n: i })), 'in order, the ack is not a message');
      assert.deepEqual(r.opens.map((o) => o.ack), [{ type: 'ack' }, { type: 'ack' }]);
      assert.deepEqual(r.opens.map((o) => o.attempt), [1, 2]);
      assert.ok(!r.closes.includes(4400), `closes: ${r.closes}`);
      assert.equal(r.states.filter((x) => x === 'open').length, 2);
    },

    'request() with a URL function and init/ack: made before the ack, it goes out after it and resolves with its reply': async () => {
      const r = await inPage(async ({ connect }, ws, client, until) => {
        const s = await connect(async () => `${ws}/proto?delay=300&client=${client}`, {
          json: true,
          heartbeat: false,
          reconnect: { minDelay: 20, maxDelay: 40 },
          init: { message: { type: 'init' }, ack: (m) => m.type === 'ack', timeout: 3000 },
        });
        const closes = [];
        const got = [];
        s.on('close', (e) => closes.push(e.code));
        s.on('message', (m) => got.push(m));
        const asked = s.request({ op: 'hello' });
        const before = { state: s.state, pending: s.stats.pending };
        const reply = await asked;
        const after = { state: s.state, pending: s.stats.pending };
        await s.close();
        return { before, reply, after, closes, got };
      });
      assert.deepEqual(r.before, { state: 'connecting', pending: 1 });
      assert.deepEqual(r.reply, { op: 'hello', id: 1 }, '/proto echoes the request: its reply');
      assert.deepEqual(r.after, { state: 'open', pending: 0 });
      assert.deepEqual(r.got, [], 'the reply is not a message; the ack is open.ack');
      assert.ok(!r.closes.includes(4400), `closes: ${r.closes}`);
    },

    'no ack within init.timeout: INIT_TIMEOUT, then a new attempt': async () => {
      const r = await inPage(async ({ connect }, ws, client, until) => {
        const s = await connect(`${ws}/proto?delay=60000&client=${client}`, {
          heartbeat: false,
          reconnect: { minDelay: 20, maxDelay: 40 },
          init: { message: '{"type":"init"}', ack: '{"type":"ack"}', timeout: 200 },
        });
        const seen = [];
        s.on('error', (e) => seen.push(`error ${e.code} ${e.message}`));
        s.on('reconnecting', (e) => seen.push(`reconnecting ${e.attempt}`));
        s.on('open', () => seen.push('open'));
        await until('two timeouts', () => seen.filter((x) => x.startsWith('error')).length === 2);
        const total = (await (await fetch(`/stats?client=${client}`)).json()).total;
        await s.close();
        return { seen, total };
      });
      assert.deepEqual(r.seen.slice(0, 3), ['error INIT_TIMEOUT no init ack within 200 ms', 'reconnecting 2', 'error INIT_TIMEOUT no init ack within 200 ms']);
      assert.ok(!r.seen.includes('open'));
      assert.ok(r.total >= 2, 'a new socket per attempt');
    },

    'a throwing init function or ack predicate is a HANDLER_THREW error, never a wedged socket': async () => {
      const r = await inPage(async ({ connect }, ws, client, until) => {
        let calls = 0;
        const s = await connect(`${ws}/proto?client=${client}`, {
          json: true,
          heartbeat: false,
          reconnect: { minDelay: 20, maxDelay: 40 },
          init: {
            message: () => {
              if (++calls === 1) throw new Error('init broke');
              return { type: 'init' };
            },
            ack: (m) => {
              if (calls === 2) throw new Error('ack broke');
              return m.type === 'ack';
            },
            timeout: 300,
          },
        });
        const errors = [];
        s.on('error', (e) => errors.push(`${e.code} ${e.cause?.message ?? ''}`));
        let opened = false;
        s.on('open', () => { opened = true; });
        s.on('reconnecting', () => { if (calls === 2) calls = 3; });
        await until('open', () => opened, 5000);
        await s.close();
        return errors;
      });
      assert.equal(r[0], 'HANDLER_THREW init broke');
      assert.ok(r.includes('HANDLER_THREW ack broke'), r.join());
      assert.ok(r.includes('INIT_TIMEOUT '), r.join());
    },

    'bad init options are TypeErrors naming the field': async () => {
      const r = await inPage(async ({ connect }, ws) => {
        const out = [];
        for (const init of [{ ack: 5 }, { timeout: 0 }, { timeout: 'x' }, 'yes']) {
          try {
            (await connect(`${ws}/echo`, { init })).free();
            out.push('ok');
          } catch (e) {
            out.push(`${e.name}: ${e.message}`);
          }
        }
        return out;
      });
      assert.deepEqual(r, [
        'TypeError: steadyws: init.ack must be a string or a function',
        'TypeError: steadyws: init.timeout must be greater than 0',
        'TypeError: steadyws: init.timeout must be a number >= 0',
        'TypeError: steadyws: init must be an object or a boolean',
      ]);
    },

    'no uncaught page errors': async () => {
      assert.deepEqual(pageErrors.map(String), []);
    },
  });
} finally {
  await browser.close();
  await server.stop();
}
