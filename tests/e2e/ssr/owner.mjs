// The bindings' shared socket owner (pkg-template/binding.js) against a
// scripted stand-in for connect(), so that every ordering the browser only
// hits by chance (connect() resolving after the cleanup, the socket's queue
// filling up during the handover...) is exercised deterministically.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, runChecks } from '../harness.mjs';

// binding.js imports './index.js': put it next to a scripted facade.
const dir = mkdtempSync(path.join(os.tmpdir(), 'steadyws-owner-'));
copyFileSync(path.join(ROOT, 'pkg-template/binding.js'), path.join(dir, 'binding.js'));
copyFileSync(path.join(ROOT, 'pkg-template/abi.js'), path.join(dir, 'abi.js'));
writeFileSync(
  path.join(dir, 'index.js'),
  `export const calls = [];
export function connect(url, options) {
  let resolve, reject;
  const p = new Promise((res, rej) => { resolve = res; reject = rej; });
  calls.push({ url, options, resolve, reject });
  return p;
}`,
);
const facade = await import(pathToFileURL(path.join(dir, 'index.js')));
const { SocketOwner } = await import(pathToFileURL(path.join(dir, 'binding.js')));
rmSync(dir, { recursive: true });

/** Behaves like the facade's Socket as far as the owner can tell. */
class ScriptedSocket {
  constructor(url, { maxQueued = Infinity } = {}) {
    this.url = url;
    this.state = 'connecting';
    this.handlers = {};
    this.queue = [];
    this.wire = [];
    this.maxQueued = maxQueued;
    this.freed = false;
    this.reconnects = 0;
  }
  get stats() {
    return { queued: this.queue.length };
  }
  takeQueued() {
    return this.queue.splice(0);
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
    if (this.state === 'closed') throw Object.assign(new Error('closed'), { code: 'CLOSED' });
    if (this.state === 'open') {
      this.wire.push(data);
      return 'sent';
    }
    if (this.queue.length >= this.maxQueued) throw Object.assign(new Error('full'), { code: 'QUEUE_FULL' });
    this.queue.push(data);
    return 'queued';
  }
  open() {
    this.wire.push(...this.queue.splice(0));
    this.setState('open');
    this.emit('open', { url: this.url, protocol: '', attempt: 1 });
  }
  drop() {
    this.setState('reconnecting');
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

function owner() {
  const seen = { states: [], messages: [], sockets: [], errors: [], rejected: [] };
  const o = new SocketOwner({
    state: (s) => seen.states.push(s),
    message: (m) => seen.messages.push(m),
    socket: (s) => seen.sockets.push(s),
    error: (e) => seen.errors.push(e),
    rejected: (e) => seen.rejected.push(e),
  });
  return { o, seen };
}

/** Lets the owner call connect(), then resolves it with a scripted socket. */
async function arrive(opts) {
  await tick();
  const call = facade.calls.shift();
  assert.ok(call, 'connect() was called');
  const sock = new ScriptedSocket(call.url, opts);
  call.resolve(sock);
  await tick();
  return { sock, call };
}

await runChecks('owner', {
  'open(null) connects nothing and reports closed': async () => {
    const { o, seen } = owner();
    o.open(null);
    await tick();
    assert.equal(facade.calls.length, 0);
    assert.deepEqual(seen.states, ['closed']);
  },
  'connect() starts a microtask later: a release in the same task creates nothing': async () => {
    const { o } = owner();
    o.open('ws://a');
    o.release();
    o.open('ws://a');
    const { sock } = await arrive();
    assert.equal(facade.calls.length, 0, 'exactly one connect() for the surviving mount');
    assert.equal(sock.freed, false);
    o.release();
  },
  'a release before connect() resolves frees the socket when it arrives, and reports nothing': async () => {
    const { o, seen } = owner();
    o.open('ws://a');
    await tick(); // connect() called, not resolved
    o.release();
    const before = JSON.stringify(seen);
    const { sock } = await arrive();
    assert.equal(sock.freed, true, 'the late socket is released');
    assert.equal(JSON.stringify(seen), before, 'no events from it');
  },
  'messages sent before the socket exists are handed over in order, before later ones': async () => {
    const { o } = owner();
    o.open('ws://a');
    assert.equal(o.send('one'), 'queued');
    assert.equal(o.send('two'), 'queued');
    const { sock } = await arrive();
    assert.deepEqual(sock.queue, ['one', 'two']);
    assert.equal(o.send('three'), 'queued');
    sock.open();
    assert.equal(o.send('four'), 'sent');
    assert.deepEqual(sock.wire, ['one', 'two', 'three', 'four']);
    o.release();
  },
  'a new url carries what the old socket still held over to the new one, first': async () => {
    const { o, seen } = owner();
    o.open('ws://a');
    const { sock: a } = await arrive();
    a.open();
    o.send('delivered');
    a.drop();
    o.send('held-1');
    o.send('held-2');
    o.release();
    assert.equal(a.freed, true, 'the old socket is released');
    o.open('ws://b');
    o.send('after-switch');
    const { sock: b, call } = await arrive();
    assert.equal(call.url, 'ws://b');
    b.open();
    assert.deepEqual(b.wire, ['held-1', 'held-2', 'after-switch']);
    assert.deepEqual(a.wire, ['delivered']);
    assert.deepEqual(seen.sockets, [a, null, b]);
    o.release();
  },
  "the socket's queue filling during the handover keeps the rest, sent on open": async () => {
    const { o } = owner();
    o.open('ws://a');
    for (const m of ['m1', 'm2', 'm3']) o.send(m);
    const { sock } = await arrive({ maxQueued: 2 });
    assert.deepEqual(sock.queue, ['m1', 'm2']);
    sock.open();
    assert.deepEqual(sock.wire, ['m1', 'm2', 'm3'], 'nothing lost, order kept');
    o.release();
  },
  'the wait for a socket is bounded by queue.maxMessages; queue: false refuses': async () => {
    const { o } = owner();
    o.open('ws://a', { queue: { maxMessages: 2 } });
    o.send(1);
    o.send(2);
    assert.throws(() => o.send(3), (e) => e.name === 'SteadyWsError' && e.code === 'QUEUE_FULL' && e.data === 3);
    const { sock } = await arrive();
    assert.deepEqual(sock.queue, [1, 2], 'what was accepted is kept');
    o.release();
    const { o: off } = owner();
    off.open('ws://a', { queue: false });
    assert.throws(() => off.send('x'), (e) => e.code === 'NOT_OPEN');
    await arrive();
    off.release();
  },
  'options reach connect() without the binding callbacks': async () => {
    const { o } = owner();
    o.open('ws://a', { json: true, onMessage() {}, onError() {}, onState() {}, onOpen() {}, onClose() {} });
    await tick();
    const call = facade.calls[0];
    assert.deepEqual(call.options, { json: true });
    await arrive();
    o.release();
  },
  'reconnect() asks a live socket to reconnect, and starts a new one after close()': async () => {
    const { o } = owner();
    o.open('ws://a');
    const { sock } = await arrive();
    o.reconnect();
    assert.equal(sock.reconnects, 1);
    assert.equal(facade.calls.length, 0);
    await o.close();
    assert.equal(sock.state, 'closed');
    o.reconnect();
    const { sock: again } = await arrive();
    assert.notEqual(again, sock);
    assert.equal(again.url, 'ws://a');
    o.release();
  },
  'close() before the socket exists cancels it and reports closed': async () => {
    const { o, seen } = owner();
    o.open('ws://a');
    await tick();
    await o.close();
    assert.equal(seen.states.at(-1), 'closed');
    const { sock } = await arrive();
    assert.equal(sock.freed, true);
  },
  'connect() rejecting reports it and settles on closed': async () => {
    const { o, seen } = owner();
    o.open('ftp://nope');
    await tick();
    const bad = new TypeError('steadyws: url must be a ws: URL');
    facade.calls.shift().reject(bad);
    await tick();
    assert.deepEqual(seen.rejected, [bad]);
    assert.equal(seen.states.at(-1), 'closed');
  },
  'a throwing app callback neither breaks the owner nor is swallowed': async () => {
    const thrown = [];
    const onUncaught = (e) => thrown.push(e);
    process.on('uncaughtException', onUncaught);
    try {
      let calls = 0;
      const o = new SocketOwner({
        message: () => {
          calls += 1;
          throw new Error('app bug');
        },
      });
      o.open('ws://a');
      const { sock } = await arrive();
      sock.open();
      sock.emit('message', 'x');
      sock.emit('message', 'y');
      await tick();
      assert.equal(calls, 2, 'still delivering after a throw');
      assert.equal(thrown.length, 2, 'the errors are reported, not swallowed');
      assert.equal(o.send('z'), 'sent');
      o.release();
    } finally {
      process.off('uncaughtException', onUncaught);
    }
  },
});
