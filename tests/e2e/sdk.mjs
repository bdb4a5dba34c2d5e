// The npm facade (pkg/index.js) as users see it: loaded from a plain
// <script type="module"> page in headless Chromium against `steadyws serve`,
// plus importing it in Node without a DOM (SSR).
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { ROOT, startServer, launchBrowser, runChecks, pageRunner } from './harness.mjs';

const server = await startServer();
const browser = await launchBrowser();
const page = await browser.newPage();
const pageErrors = [];
page.on('pageerror', (e) => pageErrors.push(e));
await page.goto(`${server.url}/`);

const inPage = pageRunner(page, server, 'sdk');

// Runs `fn(connect)` in Node with `Socket` as the global WebSocket. Node's
// fetch cannot read file: URLs, which is how the glue finds its .wasm.
async function withNodeSockets(Socket, fn) {
  const { connect } = await import(`${ROOT}/pkg/index.js`);
  const saved = { WebSocket: globalThis.WebSocket, fetch: globalThis.fetch };
  globalThis.WebSocket = Socket;
  globalThis.fetch = async (input, init) => {
    const url = String(input instanceof Request ? input.url : input);
    if (!url.startsWith('file:')) return saved.fetch(input, init);
    const bytes = await readFile(new URL(url));
    return new Response(bytes, { headers: { 'content-type': 'application/wasm' } });
  };
  try {
    return await fn(connect);
  } finally {
    Object.assign(globalThis, saved);
  }
}

try {
  await runChecks('sdk', {
    'importing the facade in Node (no DOM) does not throw; connect is a function': async () => {
      const mod = await import(`${ROOT}/pkg/index.js`);
      assert.equal(typeof mod.connect, 'function');
      assert.equal(typeof mod.version, 'function');
    },

    'connect() in Node (no addEventListener on globalThis) does not throw': async () => {
      const created = [];
      const s = await withNodeSockets(class {
        constructor(url) { created.push(url); }
        close() {}
      }, (connect) => connect('ws://127.0.0.1:9/never', { reconnect: false, heartbeat: false }));
      assert.equal(created.length, 1);
      assert.equal(s.state, 'connecting');
      s.free();
      assert.equal(s.state, 'closed');
    },

    'a socket whose constructor throws (e.g. mixed content) ends closed at once; close() resolves': async () => {
      const s = await withNodeSockets(class {
        constructor() { throw new DOMException('insecure WebSocket from an https page', 'SecurityError'); }
      }, (connect) => connect('ws://127.0.0.1:9/', { reconnect: false }));
      assert.equal(s.state, 'closed');
      const closed = await Promise.race([s.close().then(() => 'resolved'), new Promise((ok) => setTimeout(() => ok('hung'), 2000))]);
      assert.equal(closed, 'resolved');
      assert.equal(s.stats.attempt, 1);
    },

    'the .wasm failing to load rejects connect() with its status, and the next connect() loads it': async () => {
      // A page of its own: the shared one has loaded the module already.
      const p = await browser.newPage();
      let fetched = 0;
      await p.route('**/steadyws_bg_glue_bg.wasm', (route) => (++fetched === 1
        ? route.fulfill({ status: 503, body: 'busy' })
        // Served without its MIME type: the loader does not need it.
        : route.fulfill({ path: `${ROOT}/pkg/steadyws_bg_glue_bg.wasm`, contentType: 'application/octet-stream' })));
      try {
        // Not the demo page: it loads the module itself (version()).
        await p.goto(`${server.url}/stats`);
        const r = await pageRunner(p, server, 'sdk-load')(async ({ connect }, ws, client, until, settle) => {
          const url = `${ws}/echo?client=${client}`;
          const first = await settle(connect(url, { heartbeat: false }));
          const s = await connect(url, { heartbeat: false });
          await until('open', () => s.state === 'open');
          await s.close();
          return { first, state: s.state };
        });
        assert.equal(r.first.name, 'Error', JSON.stringify(r.first));
        assert.match(r.first.message, /steadyws_bg_glue_bg\.wasm: 503/);
        assert.equal(r.state, 'closed');
        assert.equal(fetched, 2, 'fetched again by the second connect()');
      } finally {
        await p.close();
      }
    },

    'json echo: objects out as JSON text, parsed back; send says queued then sent': async () => {
      const r = await inPage(async ({ connect }, ws, client, until) => {
        const s = await connect(`${ws}/echo?client=${client}`, { json: true });
        const got = [];
        s.on('message', (m) => got.push(m));
        const first = s.send({ a: [1, 'ü'] });
        await until('open', () => s.state === 'open');
        const second = s.send({ b: null });
        await until('echoes', () => got.length === 2);
        const stats = s.stats;
        await s.close();
        return { first, second, got, stats, state: s.state };
      });
      assert.deepEqual(r.got, [{ a: [1, 'ü'] }, { b: null }]);
      assert.equal(r.first, 'queued');
      assert.equal(r.second, 'sent');
      assert.equal(r.stats.messagesIn, 2);
      assert.equal(r.stats.messagesOut, 2);
      assert.equal(r.state, 'closed');
    },

    'binary stays an ArrayBuffer; typed arrays go out as binary': async () => {
      const r = await inPage(async ({ connect }, ws, client, until) => {
        const s = await connect(`${ws}/echo?client=${client}`, { json: true });
        let got;
        s.on('message', (m) => { got = m; });
        s.send(new Uint8Array([1, 2, 3, 255]));
        await until('echo', () => got !== undefined);
        s.free();
        return { isBuffer: got instanceof ArrayBuffer, bytes: [...new Uint8Array(got)] };
      });
      assert.deepEqual(r, { isBuffer: true, bytes: [1, 2, 3, 255] });
    },

    'a text frame that is not JSON is an INVALID_JSON error with the raw text; the socket keeps working': async () => {
      const r = await inPage(async ({ connect }, ws, client, until) => {
        const s = await connect(`${ws}/echo?client=${client}`, { json: true });
        const errors = [];
        const msgs = [];
        s.on('error', (e) => errors.push({ name: e.name, code: e.code, data: e.data, isError: e instanceof Error }));
        s.on('message', (m) => msgs.push(m));
        s.send('not json');
        s.send({ ok: 1 });
        await until('echo', () => msgs.length === 1);
        s.free();
        return { errors, msgs };
      });
      assert.deepEqual(r.errors, [{ name: 'SteadyWsError', code: 'INVALID_JSON', data: 'not json', isError: true }]);
      assert.deepEqual(r.msgs, [{ ok: 1 }]);
    },

    'a throwing handler is reported as HANDLER_THREW and the other handlers and later events still run': async () => {
      const r = await inPage(async ({ connect }, ws, client, until) => {
        const s = await connect(`${ws}/echo?client=${client}`);
        const errors = [];
        const seen = [];
        s.on('error', (e) => errors.push([e.code, e.cause?.message]));
        s.on('message', () => { throw new Error('boom'); });
        s.on('message', (m) => seen.push(m));
        s.send('a');
        s.send('b');
        await until('both', () => seen.length === 2);
        s.free();
        return { errors, seen };
      });
      assert.deepEqual(r.seen, ['a', 'b']);
      assert.deepEqual(r.errors, [['HANDLER_THREW', 'boom'], ['HANDLER_THREW', 'boom']]);
    },

    'handlers may call send, reconnect and close re-entrantly': async () => {
      const r = await inPage(async ({ connect }, ws, client, until) => {
        const s = await connect(`${ws}/echo?client=${client}`);
        const log = [];
        let opens = 0;
        s.on('state', (e) => log.push(`state:${e.state}`));
        s.on('open', () => {
          opens += 1;
          log.push(`open:${opens}`);
          if (opens === 1) s.reconnect();
          else log.push(s.send('x'));
        });
        s.on('message', (m) => { log.push(`message:${m}`); s.close(4000, 'bye'); });
        s.on('close', (e) => log.push(`close:${e.code}:${e.willReconnect}`));
        await until('closed', () => s.state === 'closed');
        return log;
      });
      assert.deepEqual(r, [
        'state:open', 'open:1', 'close:1000:true', 'state:connecting',
        'state:open', 'open:2', 'sent', 'message:x', 'state:closing', 'close:4000:false', 'state:closed',
      ]);
    },

    'on() returns an unsubscribe function; off() works too': async () => {
      const r = await inPage(async ({ connect }, ws, client, until) => {
        const s = await connect(`${ws}/echo?client=${client}`);
        let a = 0;
        let b = 0;
        const offA = s.on('message', () => { a += 1; });
        const fb = () => { b += 1; };
        s.on('message', fb);
        s.on('message', fb); // registered once
        s.send('1');
        await until('first', () => a === 1 && b === 1);
        offA();
        s.off('message', fb);
        let c = 0;
        s.on('message', () => { c += 1; });
        s.send('2');
        await until('second', () => c === 1);
        s.free();
        return [a, b, c];
      });
      assert.deepEqual(r, [1, 1, 1]);
    },

    'a full queue throws QUEUE_FULL and loses nothing already queued': async () => {
      const r = await inPage(async ({ connect }, ws, client, until) => {
        const s = await connect(`${ws}/echo?client=${client}`, { queue: { maxMessages: 3 } });
        const results = ['1', '2', '3'].map((m) => s.send(m));
        let err;
        try { s.send('4'); } catch (e) { err = { name: e.name, code: e.code, data: e.data }; }
        const got = [];
        s.on('message', (m) => got.push(m));
        await until('echoes', () => got.length === 3);
        s.free();
        return { results, err, got };
      });
      assert.deepEqual(r.results, ['queued', 'queued', 'queued']);
      assert.deepEqual(r.err, { name: 'SteadyWsError', code: 'QUEUE_FULL', data: '4' });
      assert.deepEqual(r.got, ['1', '2', '3']);
    },

    'queue.maxBytes bounds buffers and Blobs alike': async () => {
      const r = await inPage(async ({ connect }, ws, client) => {
        const s = await connect(`${ws}/stall?client=${client}`, { queue: { maxMessages: 100, maxBytes: 10 } });
        const out = [s.send(new ArrayBuffer(6))];
        for (const m of [new Blob([new Uint8Array(6)]), new Uint8Array(6)]) {
          try { out.push(s.send(m)); } catch (e) { out.push(e.code); }
        }
        out.push(s.send(new Uint8Array(4)));
        out.push(s.stats.queued);
        s.free();
        return out;
      });
      assert.deepEqual(r, ['queued', 'QUEUE_FULL', 'QUEUE_FULL', 'queued', 2]);
    },

    'on() refuses event names the app never sees (the internal null slot) and unknown ones': async () => {
      const r = await inPage(async ({ connect }, ws) => {
        const s = await connect(`${ws}/echo`, { heartbeat: false });
        const out = [];
        for (const type of [null, undefined, 'nope', 'message']) {
          try { s.on(type, () => {}); out.push('ok'); } catch (e) { out.push(e.constructor.name); }
        }
        await s.close();
        return out;
      });
      assert.deepEqual(r, ['TypeError', 'TypeError', 'TypeError', 'ok']);
    },

    "reconnect.minDelay 0 is refused with the core's words (the same as from Rust)": async () => {
      const r = await inPage(async ({ connect }, ws) => {
        try {
          await connect(`${ws}/echo`, { reconnect: { minDelay: 0 } });
          return 'resolved';
        } catch (e) {
          return [e.constructor.name, e.message];
        }
      });
      assert.deepEqual(r, ['TypeError', 'steadyws: reconnect.minDelay must be at least 1 ms']);
    },

    'text that is not JSON keeps a heartbeat-guarded json socket alive: counted, INVALID_JSON, no timeout': async () => {
      const r = await inPage(async ({ connect }, ws, client, until) => {
        // /babble sends "babble N" every 50 ms and never answers a ping: only
        // the rule "every frame proves liveness" keeps this socket open.
        const s = await connect(`${ws}/babble?every=50&client=${client}`, {
          json: true,
          heartbeat: { interval: 150, timeout: 150 },
        });
        const seen = { invalid: [], messages: 0, timeouts: 0, opens: 0, pings: 0 };
        s.on('error', (e) => e.code === 'INVALID_JSON' && seen.invalid.push(e.data));
        s.on('message', () => { seen.messages += 1; });
        s.on('heartbeat-timeout', () => { seen.timeouts += 1; });
        s.on('open', () => { seen.opens += 1; });
        s.on('ping', () => { seen.pings += 1; });
        // 30 frames = 1.5 s, five times the heartbeat's 300 ms window.
        await until('30 frames', () => s.stats.messagesIn >= 30, 10_000);
        const out = { ...seen, state: s.state, messagesIn: s.stats.messagesIn };
        await s.close();
        return out;
      });
      assert.equal(r.timeouts, 0, 'no heartbeat timeout');
      assert.equal(r.pings, 0, 'never silent long enough to ping');
      assert.equal(r.opens, 1, 'one connection throughout');
      assert.equal(r.state, 'open');
      assert.equal(r.messages, 0, 'none delivered as a message');
      assert.ok(r.invalid.length >= 30 && r.invalid.length <= r.messagesIn, `${r.invalid.length} of ${r.messagesIn}`);
      assert.deepEqual(r.invalid.slice(0, 3), ['babble 1', 'babble 2', 'babble 3']);
    },

    'bad options reject with a TypeError naming the field': async () => {
      const r = await inPage(async ({ connect }, ws) => {
        const tries = {
          url: ['ftp://x/', {}],
          'heartbeat.interval': [`${ws}/echo`, { heartbeat: { interval: -1 } }],
          'reconnect.jitter': [`${ws}/echo`, { reconnect: { jitter: 2 } }],
          protocols: [`${ws}/echo`, { protocols: ['a b'] }],
          'queue.maxMessages': [`${ws}/echo`, { queue: { maxMessages: 'x' } }],
          json: [`${ws}/echo`, { json: 'yes' }],
          'reconnect.minDelay': [`${ws}/echo`, { reconnect: { minDelay: 5000, maxDelay: 10 } }],
          'heartbeat.pong': [`${ws}/echo`, { heartbeat: { pong: 5 } }],
          'init.ack': [`${ws}/echo`, { init: { message: 'hi', ack: {} } }],
          WebSocket: [`${ws}/echo`, { WebSocket: 'ws' }],
        };
        const out = {};
        for (const [field, [url, opts]] of Object.entries(tries)) {
          try { await connect(url, opts); out[field] = 'resolved'; } catch (e) { out[field] = [e.constructor.name, e.message.includes(field.split('.').pop())]; }
        }
        return out;
      });
      for (const [field, v] of Object.entries(r)) assert.deepEqual(v, ['TypeError', true], field);
    },

    'send() rejects buffers a browser socket cannot send (TypeError); nothing is sent or queued': async () => {
      const r = await inPage(async ({ connect }, ws, client, until) => {
        const s = await connect(`${ws}/echo?client=${client}`, { heartbeat: false });
        await until('open', () => s.state === 'open');
        const out = [];
        const resizable = new ArrayBuffer(8, { maxByteLength: 16 });
        for (const data of [resizable, new Uint8Array(resizable)]) {
          try { s.send(data); out.push('sent'); } catch (e) { out.push([e.constructor.name, e.message.includes('send data')]); }
        }
        let ping;
        try { await connect(`${ws}/echo`, { heartbeat: { ping: new Uint8Array(resizable) } }); ping = 'resolved'; } catch (e) { ping = [e.constructor.name, e.message.includes('heartbeat.ping')]; }
        const stats = s.stats;
        s.free();
        return { out, ping, out_: stats.messagesOut, queued: stats.queued };
      });
      assert.deepEqual(r.out, [['TypeError', true], ['TypeError', true]]);
      assert.deepEqual(r.ping, ['TypeError', true]);
      assert.equal(r.out_, 0);
      assert.equal(r.queued, 0);
    },

    'a message the browser socket refuses is an error event (SEND_FAILED) with the data; the socket keeps working': async () => {
      const r = await inPage(async ({ connect }, ws, client, until) => {
        const s = await connect(`${ws}/echo?client=${client}`, { heartbeat: false });
        await until('open', () => s.state === 'open');
        const errors = [];
        const echoes = [];
        s.on('error', (e) => errors.push([e.name, e.code, e.data, e.cause?.message]));
        s.on('message', (m) => echoes.push(m));
        // Something unforeseen: the browser's send() throws once.
        const real = WebSocket.prototype.send;
        WebSocket.prototype.send = function () { WebSocket.prototype.send = real; throw new Error('refused'); };
        const first = s.send('lost');
        await until('error', () => errors.length === 1);
        const second = s.send('after');
        await until('echo', () => echoes.length === 1);
        s.free();
        return { first, second, errors, echoes, state: s.state };
      });
      assert.equal(r.first, 'sent');
      assert.deepEqual(r.errors, [['SteadyWsError', 'SEND_FAILED', 'lost', 'refused']]);
      assert.equal(r.second, 'sent');
      assert.deepEqual(r.echoes, ['after']);
    },

    'close() validates the code (RangeError) and resolves once closed; no events afterwards': async () => {
      const r = await inPage(async ({ connect }, ws, client, until) => {
        const s = await connect(`${ws}/echo?client=${client}`, { heartbeat: { interval: 30, timeout: 30 } });
        await until('open', () => s.state === 'open');
        const bad = [];
        for (const c of [999, 1001, 2999, 5000, 1000.5]) {
          try { s.close(c); bad.push('ok'); } catch (e) { bad.push(e.constructor.name); }
        }
        let long;
        try { s.close(1000, 'é'.repeat(62)); } catch (e) { long = e.constructor.name; }
        let after = 0;
        const p = s.close(3000, 'done');
        await p;
        const state = s.state;
        for (const t of ['open', 'message', 'close', 'error', 'state', 'ping', 'pong', 'reconnecting', 'heartbeat-timeout']) s.on(t, () => { after += 1; });
        await new Promise((ok) => setTimeout(ok, 200));
        return { bad, long, state, after, again: await s.close() === undefined };
      });
      assert.deepEqual(r.bad, ['RangeError', 'RangeError', 'RangeError', 'RangeError', 'RangeError']);
      assert.equal(r.long, 'RangeError');
      assert.equal(r.state, 'closed');
      assert.equal(r.after, 0);
      assert.equal(r.again, true);
    },

    'heartbeat: ping/pong events with rtt on /chat; a pong function is honoured': async () => {
      const r = await inPage(async ({ connect }, ws, client, until) => {
        const s = await connect(`${ws}/chat?client=${client}`, { heartbeat: { interval: 40, timeout: 500 } });
        const ev = [];
        const msgs = [];
        s.on('ping', () => ev.push('ping'));
        s.on('pong', (e) => ev.push(typeof e.rtt));
        s.on('message', (m) => msgs.push(m));
        await until('two pongs', () => ev.filter((e) => e === 'number').length >= 2);
        const rtt = s.stats.lastRttMs;
        s.free();
        const t = await connect(`${ws}/echo?client=${client}-f`, {
          json: true,
          heartbeat: { interval: 40, timeout: 500, ping: { type: 'ping' }, pong: (m) => m?.type === 'ping' },
        });
        let pongs = 0;
        const seen = [];
        t.on('pong', () => { pongs += 1; });
        t.on('message', (m) => seen.push(m));
        await until('function pongs', () => pongs >= 2);
        t.free();
        return { ev: ev.slice(0, 2), msgs, rtt, seen };
      });
      assert.deepEqual(r.ev, ['ping', 'number']);
      assert.deepEqual(r.msgs, [], "'pong' replies are not delivered as messages");
      assert.equal(typeof r.rtt, 'number');
      assert.deepEqual(r.seen, []);
    },

    'errors are Error objects with name and code; a refused server surfaces SOCKET_ERROR and reconnecting': async () => {
      const r = await inPage(async ({ connect }, ws, client, until) => {
        const s = await connect(`${ws}/refuse?status=503&client=${client}`, { reconnect: { minDelay: 20, maxDelay: 20, jitter: 0 } });
        const errors = [];
        const rec = [];
        s.on('error', (e) => errors.push([e instanceof Error, e.name, e.code]));
        s.on('reconnecting', (e) => rec.push(e));
        await until('retries', () => rec.length >= 2);
        s[Symbol.dispose]();
        return { errors: errors.slice(0, 1), rec: rec.slice(0, 2), state: s.state };
      });
      assert.deepEqual(r.errors, [[true, 'SteadyWsError', 'SOCKET_ERROR']]);
      assert.deepEqual(r.rec, [{ attempt: 2, delay: 20 }, { attempt: 3, delay: 20 }]);
      assert.equal(r.state, 'closed');
    },

    'page events feed the core: offline probes an open socket, online cuts a backoff short': async () => {
      const r = await inPage(async ({ connect }, ws, client, until) => {
        const s = await connect(`${ws}/chat?client=${client}`, { heartbeat: { interval: 60_000, timeout: 5_000 } });
        await until('open', () => s.state === 'open');
        let pings = 0;
        s.on('ping', () => { pings += 1; });
        window.dispatchEvent(new Event('offline'));
        await until('probe ping', () => pings === 1, 1000);
        s.free();
        // Second retry waits 60 s; 'online' cuts it short (no closer than
        // minDelay to the previous attempt).
        const t = await connect(`${ws}/refuse?status=503&client=${client}-r`, { reconnect: { minDelay: 100, maxDelay: 60_000, factor: 600, jitter: 0 } });
        const rec = [];
        t.on('reconnecting', (e) => rec.push(e.delay));
        await until('long backoff', () => rec.length === 2 && t.state === 'reconnecting');
        await new Promise((ok) => setTimeout(ok, 150));
        const t0 = performance.now();
        window.dispatchEvent(new Event('online'));
        const state = t.state;
        t.free();
        // A freed socket no longer listens.
        window.dispatchEvent(new Event('online'));
        return { pings, state, rec, ms: performance.now() - t0 };
      });
      assert.equal(r.pings, 1);
      assert.deepEqual(r.rec, [100, 60_000]);
      assert.equal(r.state, 'connecting');
    },

    'works in a module Web Worker (global setTimeout, no document)': async () => {
      const r = await inPage(async (_sdk, ws, client) => {
        const src = `
          import { connect } from '${location.origin}/pkg/index.js';
          const s = await connect('${ws}/echo?client=${client}', { json: true, heartbeat: { interval: 30, timeout: 1000 } });
          const got = [];
          let pongs = 0;
          s.on('pong', () => { pongs += 1; });
          s.on('message', (m) => {
            got.push(m);
            if (got.length === 1) setTimeout(() => { s.close().then(() => postMessage({ got, pongs, state: s.state })); }, 100);
          });
          s.send({ hi: 'worker' });
        `;
        const w = new Worker(URL.createObjectURL(new Blob([src], { type: 'text/javascript' })), { type: 'module' });
        const out = await new Promise((ok, fail) => { w.onmessage = (e) => ok(e.data); w.onerror = (e) => fail(new Error(e.message)); setTimeout(() => fail(new Error('worker timeout')), 5000); });
        w.terminate();
        return out;
      });
      // The heartbeat's pings ('ping') come back from /echo as messages; any
      // message proves liveness there.
      assert.deepEqual(r.got[0], { hi: 'worker' });
      assert.equal(r.state, 'closed');
    },

    'a fatal close code (default list or reconnect.fatalCodes) ends the socket with FATAL_CLOSE': async () => {
      const r = await inPage(async ({ connect }, ws, client, until) => {
        const run = async (path, opts) => {
          const s = await connect(`${ws}${path}&client=${client}`, opts);
          const ev = [];
          s.on('error', (e) => ev.push(e.code));
          s.on('close', (e) => ev.push(`close:${e.code}:${e.willReconnect}`));
          s.on('reconnecting', () => ev.push('reconnecting'));
          await until('end', () => s.state === 'closed' || ev.includes('reconnecting'));
          s.free();
          return ev;
        };
        return [
          await run('/close?code=1008&after=0', {}),
          await run('/close?code=4001&after=0', { reconnect: { fatalCodes: [4001] } }),
          await run('/close?code=1008&after=0', { reconnect: { fatalCodes: [], minDelay: 10 } }),
        ];
      });
      assert.deepEqual(r[0], ['close:1008:false', 'FATAL_CLOSE']);
      assert.deepEqual(r[1], ['close:4001:false', 'FATAL_CLOSE']);
      assert.deepEqual(r[2], ['close:1008:true', 'reconnecting']);
    },

    'no page errors': async () => {
      assert.deepEqual(pageErrors, []);
    },
  });
} finally {
  await browser.close();
  await server.stop();
}
