// steadyws/svelte's socketStore (pkg-template/svelte.js) against a scripted
// stand-in for connect(): the Svelte store contract (run at once, the
// unsubscriber, invalidate before run), one socket for every subscriber,
// created a microtask after the first and closed with the last.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, runChecks } from '../harness.mjs';

// svelte.js imports './binding.js', which imports './index.js' and
// './abi.js': put them next to a scripted facade.
const dir = mkdtempSync(path.join(os.tmpdir(), 'steadyws-store-'));
for (const f of ['abi.js', 'binding.js', 'svelte.js']) copyFileSync(path.join(ROOT, 'pkg-template', f), path.join(dir, f));
writeFileSync(
  path.join(dir, 'index.js'),
  `export const calls = [];
export function connect(url, options) {
  let resolve;
  const p = new Promise((res) => { resolve = res; });
  calls.push({ url, options, resolve });
  return p;
}`,
);
const facade = await import(pathToFileURL(path.join(dir, 'index.js')));
const { socketStore } = await import(pathToFileURL(path.join(dir, 'svelte.js')));
rmSync(dir, { recursive: true });

/** As much of the facade's Socket as the bindings use. */
class ScriptedSocket {
  constructor(url) {
    this.url = url;
    this.state = 'connecting';
    this.handlers = {};
    this.wire = [];
    this.freed = false;
    this.reconnects = 0;
  }
  get stats() {
    return { queued: 0 };
  }
  takeQueued() {
    return [];
  }
  on(type, fn) {
    (this.handlers[type] ??= []).push(fn);
    return () => {
      this.handlers[type] = this.handlers[type].filter((f) => f !== fn);
    };
  }
  emit(type, v) {
    for (const f of this.handlers[type] ?? []) f(v);
  }
  setState(state) {
    const previous = this.state;
    this.state = state;
    this.emit('state', { state, previous });
  }
  send(data) {
    this.wire.push(data);
    return this.state === 'open' ? 'sent' : 'queued';
  }
  open() {
    this.setState('open');
    this.emit('open', { url: this.url, protocol: '', attempt: 1 });
  }
  close() {
    this.setState('closed');
    return Promise.resolve();
  }
  reconnect() {
    this.reconnects += 1;
  }
  free() {
    this.freed = true;
    if (this.state !== 'closed') this.setState('closed');
  }
}

const tick = () => new Promise((r) => setTimeout(r, 0));

async function arrive() {
  await tick();
  const call = facade.calls.shift();
  assert.ok(call, 'connect() was called');
  const sock = new ScriptedSocket(call.url);
  call.resolve(sock);
  await tick();
  return { sock, call };
}

await runChecks('svelte store', {
  'subscribe() runs at once with { state, lastMessage } and returns the unsubscriber; connect() waits a microtask': async () => {
    const store = socketStore('ws://a', { json: true, onMessage: () => {} });
    const seen = [];
    const off = store.subscribe((v) => seen.push(v));
    assert.deepEqual(seen, [{ state: 'connecting', lastMessage: undefined }]);
    assert.equal(typeof off, 'function');
    assert.equal(facade.calls.length, 0, 'nothing connects synchronously');
    const { sock, call } = await arrive();
    assert.deepEqual(call.options, { json: true }, 'binding options are not passed to connect()');
    assert.equal(store.socket, sock);
    sock.open();
    sock.emit('message', { n: 1 });
    assert.deepEqual(seen.at(-1), { state: 'open', lastMessage: { n: 1 } });
    off();
    assert.equal(sock.freed, true, 'the last subscriber leaving closes the socket');
    assert.equal(store.socket, null);
    off();
    assert.equal(facade.calls.length, 0);
  },
  'two subscribers share one socket; it closes with the last one only': async () => {
    const store = socketStore('ws://b');
    const a = [];
    const b = [];
    const offA = store.subscribe((v) => a.push(v.state));
    const offB = store.subscribe((v) => b.push(v.state));
    const { sock } = await arrive();
    assert.equal(facade.calls.length, 0, 'one connect() for both');
    sock.open();
    assert.equal(a.at(-1), 'open');
    assert.equal(b.at(-1), 'open');
    offA();
    assert.equal(sock.freed, false, 'one subscriber is left');
    sock.emit('message', 'still');
    offB();
    assert.equal(sock.freed, true);
    assert.deepEqual(a, ['connecting', 'open']);
    assert.equal(b.at(-1), 'open', 'an unsubscribed run is not called again');
  },
  'the same function subscribed twice counts twice (one unsubscribe leaves the socket open)': async () => {
    const store = socketStore('ws://c');
    const run = () => {};
    const off1 = store.subscribe(run);
    const off2 = store.subscribe(run);
    const { sock } = await arrive();
    off1();
    assert.equal(sock.freed, false);
    off2();
    assert.equal(sock.freed, true);
  },
  'subscribing and unsubscribing in one task (server-side rendering, get()) creates no socket': async () => {
    const store = socketStore('ws://d');
    let value;
    store.subscribe((v) => { value = v; })();
    assert.equal(value.state, 'connecting');
    await tick();
    await tick();
    assert.equal(facade.calls.length, 0, 'no connect()');
    // A later subscriber starts fresh.
    const seen = [];
    const off = store.subscribe((v) => seen.push(v.state));
    assert.deepEqual(seen, ['connecting']);
    const { sock } = await arrive();
    off();
    assert.equal(sock.freed, true);
  },
  'every subscriber is invalidated before any runs (glitch-free derived stores)': async () => {
    const store = socketStore('ws://e');
    const order = [];
    const offA = store.subscribe((v) => order.push(`run a ${v.state}`), () => order.push('invalidate a'));
    const offB = store.subscribe((v) => order.push(`run b ${v.state}`), () => order.push('invalidate b'));
    const { sock } = await arrive();
    order.length = 0;
    sock.open();
    assert.deepEqual(order, ['invalidate a', 'invalidate b', 'run a open', 'run b open']);
    offA();
    offB();
  },
  'send() before the socket exists is held and delivered to it; close() and reconnect() reach it': async () => {
    const store = socketStore('ws://f');
    const off = store.subscribe(() => {});
    assert.equal(store.send('early'), 'queued');
    const { sock } = await arrive();
    assert.deepEqual(sock.wire, ['early']);
    store.reconnect();
    assert.equal(sock.reconnects, 1);
    let last;
    const off2 = store.subscribe((v) => { last = v.state; });
    await store.close();
    assert.equal(last, 'closed');
    // After close(), reconnect() starts a new socket.
    store.reconnect();
    const { sock: again } = await arrive();
    assert.notEqual(again, sock);
    off();
    off2();
    assert.equal(again.freed, true);
  },
  'url null connects nothing and stays closed; subscribe() without a function is a TypeError': async () => {
    const store = socketStore(null);
    let value;
    const off = store.subscribe((v) => { value = v; });
    await tick();
    assert.equal(facade.calls.length, 0);
    assert.equal(value.state, 'closed');
    off();
    assert.throws(() => store.subscribe(), TypeError);
  },
});
