// request() of the npm facade in headless Chromium against the dev server's
// /rpc endpoint (answers {id, op:'add', a, b, delay} after delay ms, out of
// order; op:'never' is never answered; op:'drop' drops the TCP connection;
// GET /rpc/log?client=ID lists the request ids that reached the server).
import assert from 'node:assert/strict';
import { startServer, launchBrowser, runChecks, pageRunner } from './harness.mjs';

const server = await startServer();
const browser = await launchBrowser();
const page = await browser.newPage();
const pageErrors = [];
page.on('pageerror', (e) => pageErrors.push(e));
await page.goto(`${server.url}/`);

const inPage = pageRunner(page, server, 'rpc', { path: '/rpc' });

try {
  await runChecks('rpc', {
    '100 concurrent requests with random delays all resolve with their own results, out of order': async () => {
      const r = await inPage(async ({ connect }, url, client, until) => {
        const s = await connect(url, { json: true });
        await until('open', () => s.state === 'open');
        const order = [];
        const asks = Array.from({ length: 100 }, (_, i) => s.request({ op: 'add', a: i, b: 1000, delay: Math.floor(Math.random() * 200) })
          .then((reply) => { order.push(i); return reply; }));
        const pendingWhileWaiting = s.stats.pending;
        const replies = await Promise.all(asks);
        const stats = s.stats;
        await s.close();
        return { replies, order, pendingWhileWaiting, pending: stats.pending };
      });
      assert.equal(r.pendingWhileWaiting, 100);
      r.replies.forEach((reply, i) => assert.equal(reply.result, i + 1000, `request ${i}`));
      // The auto ids are distinct and came back in the replies.
      assert.equal(new Set(r.replies.map((x) => x.id)).size, 100);
      assert.notDeepEqual(r.order, [...r.order].sort((a, b) => a - b), 'replies arrived in order: delays not random?');
      assert.equal(r.pending, 0);
    },

    'a reply is not a message; other messages still are; a given id is kept': async () => {
      const r = await inPage(async ({ connect }, url, client, until) => {
        const s = await connect(url, { json: true });
        const msgs = [];
        s.on('message', (m) => msgs.push(m));
        const reply = await s.request({ op: 'add', a: 1, b: 2, id: 'mine' });
        s.send({ hello: 1 }); // echoed by /rpc: an ordinary message
        await until('echo', () => msgs.length === 1);
        await s.close();
        return { reply, msgs };
      });
      assert.deepEqual(r.reply, { id: 'mine', result: 3 });
      assert.deepEqual(r.msgs, [{ hello: 1 }]);
    },

    'a never-answered request rejects REQUEST_TIMEOUT, not before its timeout': async () => {
      const r = await inPage(async ({ connect }, url) => {
        const s = await connect(url, { json: true, rpc: { timeout: 250 } });
        const t0 = performance.now();
        const fromOption = await s.request({ op: 'never' }).catch((e) => ({ code: e.code, name: e.name, after: performance.now() - t0 }));
        const t1 = performance.now();
        const fromCall = await s.request({ op: 'never' }, { timeout: 400 }).catch((e) => ({ code: e.code, after: performance.now() - t1 }));
        const pending = s.stats.pending;
        await s.close();
        return { fromOption, fromCall, pending };
      });
      assert.equal(r.fromOption.code, 'REQUEST_TIMEOUT');
      assert.equal(r.fromOption.name, 'SteadyWsError');
      assert.ok(r.fromOption.after >= 249, `timed out after ${r.fromOption.after} ms`);
      assert.equal(r.fromCall.code, 'REQUEST_TIMEOUT');
      assert.ok(r.fromCall.after >= 399, `timed out after ${r.fromCall.after} ms`);
      assert.equal(r.pending, 0);
    },

    'abort rejects ABORTED with the reason; a queued aborted request is never sent (server log)': async () => {
      const r = await inPage(async ({ connect }, url, client, until, settle) => {
        const s = await connect(url, { json: true });
        // Before the open: queued, then aborted: removed from the queue.
        const c1 = new AbortController();
        const queued = settle(s.request({ op: 'add', a: 1, b: 1, id: 'aborted-in-queue' }, { signal: c1.signal }));
        const queuedBefore = s.stats.queued;
        c1.abort('changed my mind');
        const queuedAfter = s.stats.queued;
        // Already aborted: rejects at once, sends nothing.
        const pre = settle(s.request({ op: 'add', a: 1, b: 1, id: 'pre-aborted' }, { signal: AbortSignal.abort('no') }));
        await until('open', () => s.state === 'open');
        // In flight, then aborted.
        const c2 = new AbortController();
        const inFlight = settle(s.request({ op: 'never', id: 'aborted-in-flight' }, { signal: c2.signal }));
        c2.abort(new Error('stop'));
        // A request after them: once it is answered, the server has seen
        // everything sent before it.
        const after = await s.request({ op: 'add', a: 2, b: 2, id: 'after' });
        const log = await (await fetch(`/rpc/log?client=${client}`)).json();
        const res = { queued: await queued, pre: await pre, inFlight: await inFlight, after, log: log.ids, queuedBefore, queuedAfter, pending: s.stats.pending };
        res.inFlight.cause = res.inFlight.cause?.message;
        await s.close();
        return res;
      });
      assert.equal(r.queued.code, 'ABORTED');
      assert.equal(r.queued.cause, 'changed my mind');
      assert.equal(r.queuedBefore, 1);
      assert.equal(r.queuedAfter, 0);
      assert.equal(r.pre.code, 'ABORTED');
      assert.equal(r.pre.cause, 'no');
      assert.equal(r.inFlight.code, 'ABORTED');
      assert.equal(r.inFlight.cause, 'stop');
      assert.equal(r.after.result, 4);
      assert.deepEqual(r.log, ['aborted-in-flight', 'after']);
      assert.equal(r.pending, 0);
    },

    'a drop rejects every in-flight request with CONNECTION_LOST; the next request after the reconnect resolves': async () => {
      const r = await inPage(async ({ connect }, url, client, until, settle) => {
        const s = await connect(url, { json: true, reconnect: { minDelay: 20, maxDelay: 50 }, rpc: { timeout: 30_000 } });
        await until('open', () => s.state === 'open');
        const inFlight = Array.from({ length: 5 }, () => settle(s.request({ op: 'never' })));
        const dropper = settle(s.request({ op: 'drop' }));
        const lost = await Promise.all([...inFlight, dropper]);
        // Made while reconnecting: queued, sent on the next open.
        const queuedState = s.state;
        const next = await s.request({ op: 'add', a: 40, b: 2 });
        const stats = s.stats;
        await s.close();
        return { lost, queuedState, next, reconnects: stats.reconnects, pending: stats.pending };
      });
      assert.deepEqual(r.lost.map((x) => x.code), Array(6).fill('CONNECTION_LOST'));
      assert.notEqual(r.queuedState, 'open');
      assert.equal(r.next.result, 42);
      assert.equal(r.reconnects, 1);
      assert.equal(r.pending, 0);
    },

    'a request made before the open resolves': async () => {
      const r = await inPage(async ({ connect }, url) => {
        const s = await connect(url, { json: true });
        const state = s.state;
        const reply = await s.request({ op: 'add', a: 1, b: 2 });
        await s.close();
        return { state, reply };
      });
      assert.equal(r.state, 'connecting');
      assert.equal(r.reply.result, 3);
    },

    'bad calls are TypeErrors; close() rejects what is pending with CLOSED, later calls too': async () => {
      const r = await inPage(async ({ connect }, url, client, until, settle) => {
        const plain = await connect(url);
        const noJson = await settle(plain.request({ op: 'add' }));
        plain.free();
        const s = await connect(url, { json: true, queue: false });
        const notOpen = await settle(s.request({ op: 'add' }));
        await until('open', () => s.state === 'open');
        const first = settle(s.request({ op: 'never', id: 7 }));
        const dup = await settle(s.request({ op: 'never', id: 7 }));
        const notObject = await settle(s.request('text'));
        const badTimeout = await settle(s.request({}, { timeout: -1 }));
        const closing = s.close();
        const pending = s.stats.pending;
        const later = await settle(s.request({ op: 'add' }));
        await closing;
        return { noJson, notOpen, first: await first, dup, notObject, badTimeout, pending, later };
      });
      assert.equal(r.noJson.name, 'TypeError');
      assert.match(r.noJson.message, /json: true/);
      assert.equal(r.notOpen.code, 'NOT_OPEN');
      assert.equal(r.dup.name, 'TypeError');
      assert.equal(r.notObject.name, 'TypeError');
      assert.equal(r.badTimeout.name, 'TypeError');
      assert.equal(r.first.code, 'CLOSED');
      assert.equal(r.pending, 0);
      assert.equal(r.later.code, 'CLOSED');
    },

    '10,000 requests leak nothing: wasm memory and JS heap flat after warm-up, every abort listener removed': async () => {
      const cdp = await page.context().newCDPSession(page);
      const heap = async () => {
        await cdp.send('HeapProfiler.collectGarbage');
        return (await cdp.send('Runtime.getHeapUsage')).usedSize;
      };
      await inPage(async (sdk, url, client, until) => {
        const s = await sdk.connect(url, { json: true });
        await until('open', () => s.state === 'open');
        let listeners = 0;
        // A signal that counts its listeners (never aborts).
        const signal = { aborted: false, addEventListener() { listeners++; }, removeEventListener() { listeners--; } };
        globalThis.__rpcLeak = {
          s,
          memory: () => globalThis.__wasmMemory.buffer.byteLength,
          listeners: () => listeners,
          async batch(rounds) {
            for (let r = 0; r < rounds; r++) {
              const asks = [];
              for (let i = 0; i < 100; i++) asks.push(s.request({ op: 'add', a: i, b: r }, { signal }));
              const replies = await Promise.all(asks);
              if (replies[99].result !== 99 + r) throw new Error('wrong reply');
            }
          },
        };
      });
      // The module's memory, found by the debugger (the package does not
      // expose its wasm exports): the page has loaded exactly one module.
      const proto = await cdp.send('Runtime.evaluate', { expression: 'WebAssembly.Memory.prototype' });
      const found = await cdp.send('Runtime.queryObjects', { prototypeObjectId: proto.result.objectId });
      const count = await cdp.send('Runtime.callFunctionOn', {
        objectId: found.objects.objectId,
        functionDeclaration: 'function () { globalThis.__wasmMemory = this[0]; return this.length; }',
        returnByValue: true,
      });
      assert.equal(count.result.value, 1, 'one WebAssembly.Memory in the page');
      await page.evaluate(() => globalThis.__rpcLeak.batch(20)); // warm-up: 2,000
      const warm = { heap: await heap(), memory: await page.evaluate(() => globalThis.__rpcLeak.memory()) };
      await page.evaluate(() => globalThis.__rpcLeak.batch(100)); // 10,000
      const after = { heap: await heap(), memory: await page.evaluate(() => globalThis.__rpcLeak.memory()) };
      const end = await page.evaluate(async () => {
        const { s, listeners } = globalThis.__rpcLeak;
        const res = { pending: s.stats.pending, listeners: listeners(), messagesIn: s.stats.messagesIn };
        await s.close();
        delete globalThis.__rpcLeak;
        return res;
      });
      await cdp.detach();
      assert.equal(after.memory, warm.memory, 'WebAssembly.Memory grew after warm-up');
      // Flat: well under one byte per request (a leaked entry, promise or
      // closure per request would be 10,000 x 100+ bytes).
      assert.ok(after.heap - warm.heap < 256 * 1024, `JS heap grew by ${after.heap - warm.heap} bytes`);
      assert.equal(end.pending, 0);
      assert.equal(end.listeners, 0, 'abort listeners left behind');
      assert.equal(end.messagesIn, 12_000);
    },

    'no page errors': async () => {
      assert.deepEqual(pageErrors.map(String), []);
    },
  });
} finally {
  await browser.close();
  await server.stop();
}
