// steadyws: the JS facade over the wasm driver (see src/web/).
// Importing this module touches no browser global (safe for SSR); the wasm
// module is loaded once, by the first connect() or version().
import init, { Inner, onPanic, version as wasmVersion } from './steadyws_bg_glue.js';

const STATES = ['connecting', 'open', 'closing', 'closed', 'reconnecting'];
// Indices are the event kinds the driver passes (src/web/js.rs K_*).
const EVENTS = ['open', 'message', 'close', 'reconnecting', 'heartbeat-timeout', 'ping', 'pong', 'error', 'state'];
const MESSAGES = {
  SOCKET_ERROR: 'WebSocket error',
  CONNECT_TIMEOUT: 'no open within %d ms',
  RETRIES_EXHAUSTED: 'gave up after %d attempts',
  FATAL_CLOSE: 'server closed with fatal code %d',
  INVALID_JSON: 'text frame is not valid JSON',
  SEND_FAILED: 'the browser socket refused the message',
  HANDLER_THREW: 'an event handler threw',
  QUEUE_FULL: 'send queue is full',
  NOT_OPEN: 'not open and the queue is off',
  CLOSED: 'socket is closed',
  PANIC: 'internal error',
};
const TOKEN = /^[!#$%&'*+\-.^_`|~\w]+$/;
const live = new Set();
let ready;

// The glue fetches the .wasm next to it (new URL(..., import.meta.url)),
// which browsers and bundlers understand. Two places need help, neither
// visible to a bundler (no import, no URL it could resolve):
// - Node (and runtimes like it): fetch() cannot read file: URLs, so the
//   bytes come from the package's own file, read with node:fs reached
//   through process.getBuiltinModule (Node 20.16+, 22.3+).
// - Vite 7's dev server pre-bundles dependencies into node_modules/.vite/deps/
//   without the .wasm: there the first fetch gets its HTML fallback, and the
//   package's own copy is at node_modules/steadyws/.
function instantiate() {
  const here = import.meta.url;
  const fs = here.startsWith('file:') && globalThis.process?.getBuiltinModule?.('fs');
  if (fs) return init({ module_or_path: fs.readFileSync(new URL('steadyws_bg_glue_bg.wasm', here)) });
  return init().catch((err) => {
    const own = here.replace(/\.vite\/deps\/.*/, 'steadyws/steadyws_bg_glue_bg.wasm');
    if (own === here) throw err;
    return init({ module_or_path: own });
  });
}

function load() {
  return (ready ??= instantiate().then(() => {
    onPanic((file, line) => {
      const text = `${MESSAGES.PANIC} (panic at ${file}:${line})`;
      console.error('steadyws:', text);
      for (const s of live) s._panic(text);
    });
  }, (err) => {
    ready = undefined; // a later connect() tries again (e.g. after a network error)
    throw err;
  }));
}

/** The crate version of the loaded wasm module. */
export async function version() {
  await load();
  return wasmVersion();
}

function error(code, detail, extra) {
  const err = new Error(MESSAGES[code]?.replace('%d', detail) ?? code);
  err.name = 'SteadyWsError';
  err.code = code;
  return Object.assign(err, extra);
}

function bad(field, what) {
  throw new TypeError(`steadyws: ${field} must be ${what}`);
}

// Reads option `key` of `o` (a section named `path`): a number >= min.
function num(o, key, def, path, min = 0, max = Infinity) {
  const v = o[key];
  if (v === undefined) return def;
  if (typeof v !== 'number' || !(v >= min && v <= max)) bad(path + key, `a number in [${min}, ${max}]`);
  return v;
}

// A section: undefined or true = defaults, false = off, else a plain object.
function section(o, key) {
  const v = o[key];
  if (v === undefined || v === true) return {};
  if (v === false) return null;
  if (typeof v !== 'object' || v === null) bad(key, 'an object or false');
  return v;
}

function wsUrl(url) {
  let u;
  try {
    u = new URL(String(url), globalThis.location?.href);
  } catch {
    bad('url', 'a valid ws:, wss:, http: or https: URL');
  }
  if (u.protocol === 'http:' || u.protocol === 'https:') u.protocol = u.protocol === 'http:' ? 'ws:' : 'wss:';
  if (u.protocol !== 'ws:' && u.protocol !== 'wss:') bad('url', 'a ws:, wss:, http: or https: URL');
  u.hash = '';
  return u.href;
}

// A buffer WebSocket.send() accepts: fixed-length and not shared (it throws
// for the others, which would lose the message after send() said 'sent').
function sendable(data, field) {
  const buf = ArrayBuffer.isView(data) ? data.buffer : data;
  if (!(buf instanceof ArrayBuffer) || buf.resizable) bad(field, 'a fixed-length ArrayBuffer or a view of one (not resizable, not shared)');
  return data;
}

function outgoing(data, json, field) {
  if (typeof data === 'string' || (typeof Blob !== 'undefined' && data instanceof Blob)) return data;
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) return sendable(data, field === 'send' ? 'send data' : field);
  if (!json && field === 'send') bad('send data', 'a string, ArrayBuffer or typed array (or set json: true)');
  const text = JSON.stringify(data);
  if (typeof text !== 'string') bad(field, 'JSON-serialisable');
  return text;
}

/**
 * Creates a socket and starts connecting; resolves at once (it does not wait
 * for the open). Invalid options reject with a TypeError naming the field.
 */
export async function connect(url, options = {}) {
  if (typeof options !== 'object' || options === null) bad('options', 'an object');
  const href = wsUrl(url);
  let protocols = options.protocols;
  if (protocols !== undefined) {
    protocols = typeof protocols === 'string' ? [protocols] : protocols;
    if (!Array.isArray(protocols) || protocols.some((p) => typeof p !== 'string' || !TOKEN.test(p))
      || new Set(protocols).size !== protocols.length) bad('protocols', 'a token or an array of distinct tokens');
  }
  const bt = options.binaryType ?? 'arraybuffer';
  if (bt !== 'arraybuffer' && bt !== 'blob') bad('binaryType', "'arraybuffer' or 'blob'");
  const json = options.json ?? false;
  if (typeof json !== 'boolean') bad('json', 'a boolean');
  const hb = section(options, 'heartbeat');
  const rc = section(options, 'reconnect');
  const q = section(options, 'queue');
  let ping;
  let pong;
  if (hb) {
    ping = hb.ping ?? 'ping';
    ping = ping instanceof Uint8Array ? sendable(ping, 'heartbeat.ping') : outgoing(ping, true, 'heartbeat.ping');
    pong = hb.pong ?? 'pong';
    if (typeof pong !== 'string' && typeof pong !== 'function') bad('heartbeat.pong', 'a string or a function');
  }
  const fatal = rc?.fatalCodes;
  if (fatal !== undefined && (!Array.isArray(fatal) || fatal.some((c) => !Number.isInteger(c) || c < 1000 || c > 4999))) {
    bad('reconnect.fatalCodes', 'an array of close codes');
  }
  const n = [
    (json ? 1 : 0) | (bt === 'blob' ? 2 : 0) | (hb ? 4 : 0) | (rc ? 8 : 0) | (q ? 16 : 0),
    num(options, 'connectTimeout', 10_000, ''),
    num(options, 'closeTimeout', 5_000, ''),
    hb ? num(hb, 'interval', 10_000, 'heartbeat.', 1) : 0,
    hb ? num(hb, 'timeout', 10_000, 'heartbeat.', 1) : 0,
    rc ? num(rc, 'minDelay', 1_000, 'reconnect.') : 0,
    rc ? num(rc, 'maxDelay', 30_000, 'reconnect.') : 0,
    rc ? num(rc, 'factor', 2, 'reconnect.', 1) : 0,
    rc ? num(rc, 'jitter', 0.5, 'reconnect.', 0, 1) : 0,
    rc ? num(rc, 'maxRetries', Infinity, 'reconnect.') : 0,
    rc ? num(rc, 'stableAfter', 5_000, 'reconnect.') : 0,
    q ? num(q, 'maxMessages', 1_000, 'queue.', 1) : 0,
    q ? num(q, 'maxBytes', 1 << 20, 'queue.', 1) : 0,
    // Absent: the core's defaults (1002, 1003, 1007-1010).
    ...(fatal ? [fatal.length, ...fatal] : []),
  ];
  await load();
  return new Socket(href, protocols, n, ping, pong, json);
}

function snapshot(w) {
  const s = w.stats();
  return { attempt: s[0], reconnects: s[1], messagesIn: s[2], messagesOut: s[3], queued: s[4], lastRttMs: s[5] < 0 ? null : s[5] };
}

const dispose = Symbol.dispose ?? Symbol.for('Symbol.dispose');

export class Socket {
  #w;
  #h = Object.create(null);
  #url;
  #json;
  #dead = false;
  #unpage = [];
  #last = { attempt: 0, reconnects: 0, messagesIn: 0, messagesOut: 0, queued: 0, lastRttMs: null };
  #done;
  #settle;

  /** @internal use connect() */
  constructor(url, protocols, n, ping, pong, json) {
    this.#url = url;
    this.#json = json;
    this.#done = new Promise((resolve) => { this.#settle = resolve; });
    live.add(this);
    try {
      // Neither entry point may throw into the driver (see src/web/driver.rs
      // JsSink): whatever escapes is rethrown outside its call stack.
      this.#w = new Inner(url, protocols, n, ping, pong, {
        ev: (k, a, b, v, w) => {
          try {
            this.#ev(k, a, b, v, w);
          } catch (e) {
            queueMicrotask(() => { throw e; });
          }
        },
        // send() rejects what a browser socket cannot send, so this throws
        // only for something unforeseen: reported, never silently lost.
        tx: (ws, data) => {
          try {
            ws.send(data);
          } catch (cause) {
            queueMicrotask(() => this.#emit('error', error('SEND_FAILED', 0, { data, cause })));
          }
        },
      });
      // It may have ended inside the constructor (e.g. new WebSocket threw
      // and reconnect is off): #end() could not free it then.
      if (this.#dead) {
        const w = this.#w;
        this.#last = snapshot(w);
        queueMicrotask(() => w.free());
        return;
      }
    } catch (e) {
      live.delete(this);
      // The core's validation: [field, reason].
      throw Array.isArray(e) ? new TypeError(`steadyws: ${e[0]}: ${e[1]}`) : e;
    }
    // Page events feed the core: 0 online, 1 offline, 2 resumed, 3 hidden.
    // A worker has no page: online/offline only, and no document is read
    // there. Node's globalThis has no addEventListener: nothing at all.
    const page = (e) => this.#dead || this.#w.page(e.type === 'online' ? 0 : e.type === 'offline' ? 1
      : e.type === 'pageshow' ? (e.persisted ? 2 : -1) : globalThis.document.hidden ? 3 : 2);
    const g = globalThis;
    const worker = typeof WorkerGlobalScope != 'undefined';
    for (const [t, types] of [[g, ['online', 'offline', ...worker ? [] : ['pageshow']]], [!worker && g.document, ['visibilitychange']]]) {
      for (const type of types) {
        if (typeof t?.addEventListener != 'function') continue;
        t.addEventListener(type, page);
        this.#unpage.push(() => t.removeEventListener(type, page));
      }
    }
  }

  get url() { return this.#url; }

  get state() { return this.#dead ? 'closed' : STATES[this.#w.state()]; }

  get stats() {
    return this.#dead ? { ...this.#last } : snapshot(this.#w);
  }

  /** Adds a handler; returns a function that removes it. */
  on(type, handler) {
    if (!EVENTS.includes(type)) throw new TypeError(`steadyws: unknown event '${type}'`);
    if (typeof handler !== 'function') throw new TypeError('steadyws: handler must be a function');
    // Copy on write: a dispatch in progress keeps the list it started with.
    // Like addEventListener, a handler is registered once per type.
    const list = this.#h[type] ?? [];
    if (!list.includes(handler)) this.#h[type] = [...list, handler];
    return () => this.off(type, handler);
  }

  off(type, handler) {
    const list = this.#h[type];
    const i = list ? list.indexOf(handler) : -1;
    if (i >= 0) this.#h[type] = list.filter((_, j) => j !== i);
  }

  /** 'sent' (handed to the browser socket) or 'queued' (until the next open). */
  send(data) {
    data = outgoing(data, this.#json, 'send');
    const r = this.#dead ? 4 : this.#w.send(data);
    if (r < 2) return r ? 'queued' : 'sent';
    throw error(['QUEUE_FULL', 'NOT_OPEN', 'CLOSED'][r - 2], 0, { data });
  }

  /** Closes for good; resolves once closed. */
  close(code = 1000, reason = '') {
    if (code !== 1000 && !(Number.isInteger(code) && code >= 3000 && code <= 4999)) {
      throw new RangeError(`steadyws: close code must be 1000 or 3000-4999, got ${code}`);
    }
    reason = String(reason);
    if (new TextEncoder().encode(reason).length > 123) throw new RangeError('steadyws: close reason longer than 123 bytes');
    if (!this.#dead) this.#w.close(code, reason);
    return this.#done;
  }

  /** Drops the current socket (if any) and connects again now. */
  reconnect() {
    if (!this.#dead) this.#w.reconnect();
  }

  /** Closes and releases the wasm object (done by itself once closed). */
  free() {
    if (this.#dead) return;
    this.#w.close(1000, '');
    this.#end();
  }

  [dispose]() { this.free(); }

  #end() {
    if (this.#dead) return;
    // #w is unset while the constructor of Inner is still running.
    if (this.#w) this.#last = this.stats;
    this.#dead = true;
    for (const f of this.#unpage) f();
    live.delete(this);
    this.#settle();
    const w = this.#w;
    // Not synchronously: this may run inside a handler called from the
    // driver; a microtask runs once no wasm frame is on the stack.
    if (w) queueMicrotask(() => w.free());
  }

  // The wasm module panicked (it traps right after): report, stop using it.
  _panic(text) {
    if (this.#dead) return;
    this.#dead = true;
    for (const f of this.#unpage) f();
    live.delete(this);
    const err = error('PANIC');
    err.message = text;
    this.#emit('error', err);
    this.#settle();
  }

  #ev(k, a, b, v, w) {
    if (this.#dead) return;
    let p = v;
    switch (k) {
      case 0: p = { url: this.#url, protocol: v, attempt: a }; break;
      case 2: p = { code: a, reason: v, wasClean: !!(b & 1), willReconnect: !!(b & 2) }; break;
      case 3: p = { attempt: a, delay: b }; break;
      case 4: p = { silentFor: a }; break;
      case 5: p = {}; break;
      case 6: p = { rtt: a }; break;
      case 7: p = error(v, a, w === undefined ? undefined : { data: w }); break;
      case 8: p = { state: STATES[a], previous: STATES[b] };
    }
    this.#emit(EVENTS[k], p);
    if (k === 8 && a === 3) this.#end();
  }

  #emit(type, p) {
    const list = this.#h[type];
    if (!list) return;
    for (const h of list) {
      try {
        h(p);
      } catch (cause) {
        // Reported as an 'error' event; a throwing 'error' handler is
        // rethrown outside the socket's call stack instead (no loop).
        if (type === 'error') queueMicrotask(() => { throw cause; });
        else this.#emit('error', error('HANDLER_THREW', 0, { cause }));
      }
    }
  }
}
