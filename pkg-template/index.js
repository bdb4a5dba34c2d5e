// steadyws: the JS facade over the wasm driver (see src/web/).
// Importing this module touches no browser global (safe for SSR); the wasm
// module is loaded once, by the first connect() or version().
//
// Written for its minified, gzipped size (what every page downloads), and
// measured rather than guessed (esbuild --minify as scripts/build.sh runs it,
// then gzip -9): a helper where that is smaller, the same few lines written
// out twice where gzip makes that smaller. esbuild mangles `#private` names
// only, so what matters is how many distinct constructs remain.
import { imports, finish, Inner, Relay, onPanic, version as wasmVersion } from './steadyws_bg_glue.js';
// Every number that crosses to the wasm module is named there (generated
// from src/abi.rs); defaults and validation of the options are the core's.
import {
  OPTIONS, REASONS, REASON_NO_WEB_SOCKET, KINDS, EVENTS, STATES, STATE_CLOSED, SEND, SEND_CLOSED, ERRORS, MESSAGES,
  EV_OPEN, EV_MESSAGE, EV_CLOSE, EV_RECONNECTING, EV_HEARTBEAT_TIMEOUT, EV_PING, EV_PONG, EV_ERROR, EV_STATE, EV_RPC,
  PAGE_ONLINE, PAGE_OFFLINE, PAGE_RESUMED, PAGE_HIDDEN, STATE_OPEN,
  RI_SEND, RI_REQUEST, RI_CANCEL, RI_CLOSE, RI_PRESENT, RI_GRANTED, RI_FOREIGN, RI_GONE, RI_OPEN, RI_GIVEN, RI_SETTLED, RI_TIMEOUT, RI_KEPT, RI_HEARD,
  RA_OWNER, RA_SEND, RA_REQUEST, RA_REPLY, RA_EVENT, RA_CONNECT, RA_FORGET, RA_WATCH, RA_GIVE, RA_DROP, RA_RELEASE, RA_DISCONNECT, RA_UNSHARE, RA_REPLIED, RA_REQUEST_FAILED,
  RA_TAB_COUNT, RA_MISMATCH, RA_NEW_OWNER, RA_ARM, RELAY_VERSION, DEFAULT_JSON,
  SI_SEND, SI_REQUEST, SI_STAT, SI_UNQUEUE, SI_STATE, SI_CLOSE, SI_PAGE, SI_RECONNECT, SI_ANSWER, SI_SETTLE,
} from './abi.js';
const TOKEN = /^[!#$%&'*+\-.^_`|~\w]+$/;
const live = new Set();
let ready;

// The .wasm is next to this module: `new URL('...', import.meta.url)`, which
// browsers and bundlers understand. Two places need help, neither visible to
// a bundler (no import, no URL it could resolve):
// - Node (and runtimes like it): fetch() cannot read file: URLs, so the
//   bytes come from the package's own file, read with node:fs reached
//   through process.getBuiltinModule (Node 20.16+, 22.3+).
// - Vite 7's dev server pre-bundles dependencies into node_modules/.vite/deps/
//   without the .wasm: there the first fetch gets its HTML fallback, and the
//   package's own copy is at node_modules/steadyws/.
// The loader is this one and not the glue's (see minify-wasm-names.mjs):
// these three cases are all it needs to know.
async function instantiate() {
  const here = import.meta.url;
  const fs = here.startsWith('file:') && globalThis.process?.getBuiltinModule?.('fs');
  const run = async (bytes) => {
    const { instance, module } = await WebAssembly.instantiate(await bytes, imports());
    finish(instance, module);
  };
  // A server may send the wrong Content-Type, which only the streaming
  // compiler minds; the bytes are few, so they are compiled whole.
  const get = async (url) => {
    const res = await fetch(url);
    if (!res.ok) throw new Error(`steadyws: failed to fetch ${url}: ${res.status}`);
    return res.arrayBuffer();
  };
  const url = new URL('steadyws_bg_glue_bg.wasm', import.meta.url);
  if (fs) return run(fs.readFileSync(url));
  return run(get(url)).catch((err) => {
    const own = here.replace(/\.vite\/deps\/.*/, 'steadyws/steadyws_bg_glue_bg.wasm');
    if (own === here) throw err;
    return run(get(own));
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

// `extra`: own properties to add (`data`, `cause`); `detail` fills the
// message's %d (only the core's error events have one).
function error(code, extra, detail) {
  const err = new Error(MESSAGES[code].replace('%d', detail));
  return Object.assign(err, { name: 'SteadyWsError', code }, extra);
}

// What request()'s signal rejects with.
const aborted = (signal) => error('ABORTED', { cause: signal.reason });

// The JS types checked most often.
const str = (v) => typeof v == 'string';
const fn = (v) => typeof v == 'function';
const obj = (v) => typeof v == 'object' && v !== null;

function bad(field, what) {
  throw new TypeError(`steadyws: ${field} must be ${what}`);
}

// Rethrown outside the caller's stack (reported as uncaught, never lost).
const rethrow = (e) => queueMicrotask(() => { throw e; });

// Neither entry point of the wasm module (the socket's and the relay's
// sink) may throw into it (see src/web/js.rs JsSink): what escapes `f` is
// rethrown outside its call stack. Returns nothing, as the sinks do.
const guard = (f) => (...a) => {
  try {
    f(...a);
  } catch (e) {
    rethrow(e);
  }
};

// Frees a wasm object (or a stand-in) once no wasm frame is on the stack:
// this may run inside a handler called from the driver.
const free = (w) => queueMicrotask(() => w.free());

function wsUrl(url) {
  let u;
  try {
    u = new URL(String(url), globalThis.location?.href);
  } catch {
    bad('url', 'a valid ws:, wss:, http: or https: URL');
  }
  // http: and https: become ws: and wss: (a special scheme to another).
  const p = u.protocol.replace(/^http/, 'ws');
  if (p !== 'ws:' && p !== 'wss:') bad('url', 'a ws:, wss:, http: or https: URL');
  u.protocol = p;
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
  if (str(data) || (typeof Blob !== 'undefined' && data instanceof Blob)) return data;
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) return sendable(data, field === 'send' ? 'send data' : field);
  if (!json && field === 'send') bad('send data', 'a string, ArrayBuffer or typed array (or set json: true)');
  const text = JSON.stringify(data);
  if (!str(text)) bad(field, 'JSON-serialisable');
  return text;
}

/**
 * Creates a socket and starts connecting; resolves at once (it does not wait
 * for the open). Invalid options reject with a TypeError naming the field.
 */
export async function connect(url, options = {}) {
  if (!obj(options)) bad('options', 'an object');
  // A function URL is made per attempt (sink.url below); a fixed one now.
  const href = fn(url) ? url : wsUrl(url);
  const init = options.init;
  // A raw-text reply, or a predicate.
  for (const [path, v] of [['init.ack', init?.ack], ['heartbeat.pong', options.heartbeat?.pong]]) {
    if (v !== undefined && !str(v) && !fn(v)) bad(path, 'a string or a function');
  }
  let protocols = options.protocols;
  if (protocols !== undefined) {
    if (str(protocols)) protocols = [protocols];
    if (!Array.isArray(protocols) || protocols.some((p) => !str(p) || !TOKEN.test(p))
      || new Set(protocols).size !== protocols.length) bad('protocols', 'a token or an array of distinct tokens');
  }
  // What the user wrote, slot by slot: NaN where they wrote nothing. Only
  // JS types are checked here (the core's numbers are unsigned); the core
  // fills the defaults and checks the values (src/session/config.rs).
  const fatal = options.reconnect?.fatalCodes;
  const slots = OPTIONS.map((path, i) => {
    const v = path.split('.').reduce((o, key) => obj(o) ? o[key] : undefined, options);
    const kind = KINDS[i];
    if (v === undefined) return NaN;
    // An array: its length here, its numbers after the last slot.
    if (kind === 'a') return Array.isArray(v) && v.every(Number.isInteger) ? v.length : bad(path, 'an array of close codes');
    if (kind === 't') return v === 'arraybuffer' ? 0 : v === 'blob' ? 1 : bad(path, "'arraybuffer' or 'blob'");
    if (typeof v === 'boolean' && kind !== 'n') return +v;
    if (kind === 'b') bad(path, 'a boolean');
    if (kind === 's') return obj(v) ? 1 : bad(path, 'an object or a boolean');
    if (kind === 'f') return fn(v) ? 1 : bad(path, 'a constructor');
    // The JS form of the core's unsigned numbers (Infinity: no bound).
    return typeof v === 'number' && v >= 0 ? v : bad(path, 'a number >= 0');
  });
  // Only what needs JS types is prepared here: the ping as it will be sent.
  let ping = options.heartbeat?.ping;
  // (A Uint8Array is sent as it is, like any buffer.)
  if (ping !== undefined) ping = outgoing(ping, true, 'heartbeat.ping');
  // The constructor of every attempt (Node 20 has no global one without a
  // flag). An option that is not a function was refused with the slots.
  const ws = options.WebSocket ?? globalThis.WebSocket;
  if (!fn(ws)) throw new TypeError(`steadyws: WebSocket ${REASONS[REASON_NO_WEB_SOCKET]} (Node 20: --experimental-websocket)`);
  const rpcId = options.rpc?.id;
  if (rpcId !== undefined && !str(rpcId)) bad('rpc.id', 'a string');
  // One connection for the tabs that share a name (true: the URL's).
  let shared = options.shared;
  if (shared === true && !str(href)) bad('shared', 'a name (a string) when url is a function');
  if (shared !== undefined && typeof shared != 'boolean' && (!str(shared) || !shared)) bad('shared', 'a boolean or a non-empty string');
  if (shared === true) shared = href;
  shared ||= undefined;
  await load();
  if (Array.isArray(fatal)) slots.push(...fatal);
  return new Socket(href, protocols, slots, ping, options.heartbeat?.pong, init, ws, rpcId ?? 'id', shared, options.json ?? DEFAULT_JSON);
}

// The core's queue, oldest first, emptied.
function drain(w) {
  const out = [];
  w.input(SI_UNQUEUE, 0, 0, (m) => out.push(m));
  return out;
}

function snapshot(w, tabs) {
  const s = [0, 1, 2, 3, 4, 5, 6].map((i) => w.input(SI_STAT, i));
  return { attempt: s[0], reconnects: s[1], messagesIn: s[2], messagesOut: s[3], queued: s[4], lastRttMs: s[5] < 0 ? null : s[5], pending: s[6], tabs, owner: w instanceof Inner };
}

const noop = () => {};

// The part of a stand-in for the wasm socket (a `shared` follower's, a
// frozen tab's; see #share) that has nothing to do: a send is queued, a
// request refused, its state is 0 (connecting), nothing else asked of it
// answers. A frozen tab's is this plus close() and what it keeps. Its stats
// are also a socket's before it has any (lastRttMs -1: none).
const IDLE = {
  input: (k, a) => k === SI_SEND ? 1 : k === SI_REQUEST ? -SEND_CLOSED : k === SI_STAT && a === 5 ? -1 : 0,
  free: noop,
};

const dispose = Symbol.dispose ?? Symbol.for('Symbol.dispose');

export class Socket {
  #w;
  #h = Object.create(null);
  #url;
  /** The cause of the next URL_FAILED / HANDLER_THREW the core reports. */
  #cause;
  #json;
  #dead;
  #unpage = [];
  #gen = 0;
  #paged;
  #frozen;
  #kept;
  #last = snapshot(IDLE, 1);
  /** request(): the `[rpc.id]` field; pending ones by id; their ids by the core's handle. */
  #rpc;
  #req = new Map();
  #rid = new Map();
  #seq = 0;
  #done;
  #settle;
  /** What was still queued when the socket ended (see takeQueued()). */
  #left = [];
  /** The arguments of `new Inner`, the url function and `init` (kept to connect on a takeover). */
  #args;
  /** shared: the relay, its channel, the locks held and their ends, the tabs. */
  #relay;
  #ch;
  #tab;
  #unlock = [];
  #stop;
  #timer;
  #tabs = 1;
  #mine = new Map();
  #mirror;
  #fwd;
  /** How this tab's close() closes: `[code, 0, reason]`, as input(SI_CLOSE, ...) takes them. */
  #bye;
  #warned;
  /** shared: payloads by `tab:seq`; a reply's; a new item's. */
  #pay = new Map();
  #stash;
  #next;
  /** The owner's last open event, for tabs that join later. */
  #opened;

  /** @internal use connect() */
  constructor(url, protocols, slots, ping, pong, init, ws, rpc, shared, json) {
    // A function URL (`src`) is called per attempt, and url is unset.
    const src = url;
    if (fn(url)) url = undefined;
    this.#url = url ?? '';
    this.#rpc = rpc;
    this.#json = json;
    this.#done = new Promise((resolve) => { this.#settle = resolve; });
    live.add(this);
    // A reply predicate (pong) and the ack predicate see the message as
    // 'message' would, and may not throw into the driver: a frame that does
    // not parse, or a throw, is "not a reply"; a throwing ack predicate is
    // also reported (HANDLER_THREW).
    const wrap = (f, report) => !fn(f) ? f : (raw) => {
      let m = f; // no message can be f: still f, the frame did not parse
      try {
        m = this.#in(raw);
        return !!f(m);
      } catch (cause) {
        if (report && m !== f) queueMicrotask(() => this.#oops('HANDLER_THREW', { cause }));
        return false;
      }
    };
    this.#args = [url, protocols, slots, ping, wrap(pong), wrap(init?.ack, 1), ws, src, init];
    try {
      // Sharing needs Web Locks and BroadcastChannel; without them, alone.
      if (shared && globalThis.navigator?.locks?.request && fn(globalThis.BroadcastChannel)) this.#share(shared, 1);
      else this.#connect();
      // It may have ended inside the constructor (e.g. new WebSocket threw
      // and reconnect is off): #end() could not free it then.
      if (this.#dead) {
        this.#last = snapshot(this.#w, this.#tabs);
        this.#left = drain(this.#w);
        free(this.#w);
      }
    } catch (e) {
      live.delete(this);
      this.#unshare();
      // The core's validation: [an OPTIONS index, a REASONS index].
      throw Array.isArray(e) ? new TypeError(`steadyws: ${OPTIONS[e[0]]} ${REASONS[e[1]]}`) : e;
    }
  }

  // Makes the wasm socket (it starts connecting) and feeds it page events.
  #connect() {
    const [url, protocols, slots, ping, pong, ack, ws, src, init] = this.#args;
    // A socket given up by a frozen tab (#freeze) is no longer this one's.
    const gen = this.#gen;
    this.#w = new Inner(url, protocols, slots, ping, pong, ack, {
      // Per event: its five arguments passed on as they are (no array).
      ev: (k, a, b, v, w) => {
        try {
          if (gen === this.#gen) this.#ev(k, a, b, v, w);
        } catch (e) {
          rethrow(e);
        }
      },
      // send() rejects what a browser socket cannot send, so this throws
      // only for something unforeseen: reported, never silently lost.
      tx: (ws, data) => {
        try {
          ws.send(data);
        } catch (cause) {
          queueMicrotask(() => this.#oops('SEND_FAILED', { data, cause }));
        }
      },
      // The constructor of every attempt (see src/abi.rs).
      ws,
      // User functions run later, outside the driver, and answer by
      // generation: an answer for an attempt given up is ignored.
      url: (gen, attempt) => this.#run(gen, () => src.call(this, { attempt }), (u) => this.#w.input(SI_ANSWER, gen, 0, this.#url = wsUrl(u)), 1),
      init: (gen, attempt) => this.#run(gen, () => {
        const m = init.message;
        return fn(m) ? m({ attempt }) : m;
      }, (m) => {
        // All encoded first: a message that cannot be is a failed init.
        for (const x of (m === undefined ? [] : Array.isArray(m) ? m : [m]).map((x) => outgoing(x, this.#json, 'init.message'))) this.#w.input(SI_ANSWER, gen, 2, x);
        this.#w.input(SI_ANSWER, gen, 3);
      }, 4),
    });
    // Page events feed the core (once per socket: a tab may own several
    // connections in turn). A worker has no page: online/offline only, and
    // no document is read there. Node's globalThis has no addEventListener.
    if (this.#paged) return;
    this.#paged = true;
    const page = (e) => this.#dead || this.#w.input(SI_PAGE, e.type === 'online' ? PAGE_ONLINE : e.type === 'offline' ? PAGE_OFFLINE
      : e.type === 'pageshow' ? (e.persisted ? PAGE_RESUMED : -1) : globalThis.document.hidden ? PAGE_HIDDEN : PAGE_RESUMED);
    const worker = typeof WorkerGlobalScope != 'undefined';
    this.#listen(globalThis, page, 'online', 'offline', ...worker ? [] : ['pageshow']);
    this.#listen(!worker && globalThis.document, page, 'visibilitychange');
  }

  #listen(t, f, ...types) {
    for (const type of types) {
      if (!fn(t?.addEventListener)) continue;
      t.addEventListener(type, f);
      this.#unpage.push(() => t.removeEventListener(type, f));
    }
  }

  // ----- shared: one connection for the tabs of a name (src/relay/) ------
  // The policy is the relay's (wasm); this carries its locks and channel
  // messages. Until it owns the connection, this tab's #w is a stand-in
  // that mirrors the owner's connection and hands items to the relay.
  // `first`: the constructor's call (a frozen tab calls it again).

  #share(name, first) {
    const key = 'steadyws:' + name;
    const tab = this.#tab = (Math.random() * 2 ** 32) >>> 0;
    this.#stop = new AbortController();
    // Held until released (#unshare); `kind` tells the relay it is held.
    const hold = (lock, kind) => this.#lock(lock, () => new Promise((release) => {
      this.#unlock.push(release);
      this.#dead || this.#input(kind);
    }));
    const ch = this.#ch = new BroadcastChannel(key);
    ch.onmessage = ({ data: m }) => {
      // (Not a relay message at all: no `to`.)
      const { v, k, from, to, seq, n, data } = m || 0;
      if (this.#dead || (to !== -1 && to !== tab)) return;
      if (v !== RELAY_VERSION) return this.#input(RI_FOREIGN);
      if (k !== RA_EVENT) {
        // Payloads stay here, filed by (tab, seq) until the relay forgets
        // them; a reply's goes with the event it becomes.
        if (k === RA_SEND || k === RA_REQUEST) this.#pay.set(`${from}:${seq}`, data);
        if (k === RA_REPLY) this.#stash = data;
        return this.#input(RI_HEARD + k, from, seq, n);
      }
      if (from === mr.owner && !this.#fwd) {
        const [k, a] = data;
        if (k === EV_STATE) mr.s = a;
        if (k === EV_OPEN) {
          mr.attempt = a;
          this.#url = data[5];
        }
        if (k === EV_MESSAGE) mr.in++;
        this.#ev(...data);
      }
    };
    // The stand-in for the wasm socket while another tab owns: it mirrors
    // the owner's connection (`s` its state).
    const mr = this.#mirror = this.#w = {
      __proto__: IDLE,
      s: 0,
      attempt: 0,
      in: 0,
      out: 0,
      // Sends, stats, its state and close(); nothing else is asked of it.
      input: (k, a, _, v) => {
        if (k === SI_SEND) {
          const r = this.#item(RI_SEND, NaN, v);
          if (r < 0) return -r;
          mr.out++;
          return mr.s === STATE_OPEN ? 0 : 1;
        }
        if (k === SI_STAT) return [mr.attempt, 0, mr.in, mr.out, this.#input(RI_KEPT), -1, this.#mine.size][a];
        if (k === SI_CLOSE) {
          this.#bye = [a, 0, v];
          this.#input(RI_CLOSE);
          // The state it closes from, then closed.
          this.#closed(a, v, mr.s, mr.s = STATE_CLOSED);
        }
        return mr.s;
      },
    };
    // The options' fingerprint (FNV-1a), compared with the owner's.
    let fp = 2166136261;
    for (const c of JSON.stringify([this.#url, ...this.#args.slice(1, 4)])) fp = Math.imul(fp ^ c.charCodeAt(0), 16777619) >>> 0;
    this.#relay = new Relay(tab, fp, this.#args[2], { act: guard((...a) => this.#act(...a)) });
    // Held for this tab's life: the owner waits for it to learn the tab
    // ended, so the tab says hello only once it holds it.
    hold(`${key}:${tab}`, RI_PRESENT);
    hold(key, RI_GRANTED);
    // A frozen page (the bfcache, or frozen in the background) cannot
    // relay: it gives its part up, and joins again when it comes back.
    if (first) {
      const f = (e) => {
        if (this.#dead || e.persisted === false) return;
        if (e.type === 'pagehide' || e.type === 'freeze') this.#freeze();
        else if (this.#frozen) {
          this.#frozen = false;
          this.#share(name);
          for (const d of this.#kept.splice(0)) {
            try {
              this.send(d);
            } catch (err) {
              this.#emit('error', err);
            }
          }
        }
      };
      this.#listen(globalThis, f, 'pagehide', 'pageshow');
      this.#listen(globalThis.document, f, 'freeze', 'resume');
    }
  }

  // A Web Lock, given up when this tab leaves the channel (#unshare).
  #lock(name, f) {
    return navigator.locks.request(name, { signal: this.#stop.signal }, f).catch(noop);
  }

  // The relay's input(kind, tab, seq, n).
  #input(kind, tab = 0, seq = 0, n = 0) {
    return this.#relay.input(kind, tab, seq, n);
  }

  #freeze() {
    if (this.#frozen) return;
    this.#frozen = true;
    const w = this.#w;
    const prev = w.input(SI_STATE);
    // The owner hands the connection over (the relay's Release closes its
    // socket, whose events are no longer this socket's). What this tab
    // asked and still waits for, of its own socket or through the relay,
    // has lost its connection (first: the relay would fail its own CLOSED).
    this.#gen++;
    this.#failAll(error('CONNECTION_LOST'));
    this.#bye = [1001, 0, 'frozen'];
    this.#input(RI_CLOSE);
    this.#bye = undefined;
    this.#fwd = false;
    this.#unshare();
    free(this.#relay);
    this.#relay = undefined;
    // A stand-in's free() does nothing.
    free(w);
    // Connecting again from here on (the stand-in until it joins; #unshare
    // has emptied #unlock and aborted #stop, and #share makes new ones).
    // What its app sends meanwhile (a pagehide handler after this one) is
    // kept, and sent on resume or left for takeQueued().
    const kept = this.#kept = [];
    this.#w = {
      __proto__: IDLE,
      input: (k, a, _, v) => k === SI_SEND ? kept.push(v) && 1 : k === SI_CLOSE ? this.#closed(a, v, 0)
        : k === SI_UNQUEUE ? kept.splice(0).map(v) : IDLE.input(k, a),
    };
    this.#anew(prev);
  }

  // A stand-in's close: the events a closing socket ends with.
  #closed(code, reason, prev) {
    this.#ev(EV_CLOSE, code, 1, reason);
    this.#ev(EV_STATE, STATE_CLOSED, prev);
  }

  // This tab sees a new connection connect afresh (`prev`: the state of
  // the one it saw before).
  #anew(prev) {
    if (prev) this.#emit('state', { state: STATES[0], previous: STATES[prev] });
  }

  // A send or request of this tab's app, kept by the relay (its seq > 0).
  #item(kind, timeout, data) {
    this.#next = data;
    const r = this.#input(kind, 0, 0, timeout);
    if (r > 0) this.#pay.set(`${this.#tab}:${r}`, data);
    return r;
  }

  #act(k, to, seq, n) {
    const r = this.#relay;
    const key = `${to}:${seq}`;
    if (k < RA_EVENT) {
      // An item's payload (a new one is not filed yet), a reply's.
      this.#post(k, to, seq, n, k === RA_SEND || k === RA_REQUEST ? this.#pay.get(`${this.#tab}:${seq}`) ?? this.#next : k === RA_REPLY ? this.#stash : undefined);
      // A tab that joins learns where the connection is.
      const st = k === RA_OWNER && to !== -1 && this.#w.input(SI_STATE);
      if (st) this.#tell(to, [EV_STATE, st, 0]);
      if (st === STATE_OPEN) this.#tell(to, this.#opened);
      return;
    }
    switch (k) {
      case RA_CONNECT:
      case RA_UNSHARE: {
        this.#connect();
        this.#fwd = k === RA_CONNECT;
        if (!this.#fwd) this.#unshare();
        return;
      }
      // The channel's name is the key of the tab locks (see #share).
      case RA_WATCH: return this.#lock(`${this.#ch.name}:${to}`, () => this.#relay?.input(RI_GONE, to, 0, 0));
      case RA_GIVE: {
        // To this tab's own socket; a refusal (closing) keeps it in the relay.
        let ok = true;
        const data = this.#pay.get(key);
        const fail = (e) => r.input(RI_SETTLED, to, seq, Math.max(0, ERRORS.indexOf(e.code)));
        try {
          if (n < 0) ok = this.#w.input(SI_SEND, 0, 0, data) < 2;
          else {
            this.#ask(data, n, (p) => {
              this.#stash = p;
              r.input(RI_SETTLED, to, seq, -1);
            }, fail, [to, seq]);
          }
        } catch (e) {
          // A SteadyWsError is the socket's refusal; a TypeError (an id
          // already pending) fails that request alone.
          if (e instanceof TypeError) fail(e);
          else ok = false;
        }
        return r.input(RI_GIVEN, to, seq, +ok);
      }
      case RA_DROP: {
        for (const e of this.#req.values()) {
          if (e[4]?.[0] === to && e[4][1] === seq && this.#w.input(SI_SETTLE, e[2], 0)) this.#settled(e[2]);
        }
        return;
      }
      case RA_RELEASE:
        // The lock goes once this socket has closed (#end): the next owner
        // connects after it, so the server never sees two.
        this.#fwd = false;
      // fallthrough: close this tab's socket
      case RA_DISCONNECT:
        return this.#w.input(SI_CLOSE, ...this.#bye ?? [1000, 0, '']);
      case RA_FORGET: this.#pay.delete(key); return;
      case RA_REPLIED: return this.#mined(seq)?.[0](this.#stash);
      case RA_REQUEST_FAILED: return this.#mined(seq)?.[1](error(ERRORS[n]));
      case RA_TAB_COUNT: this.#tabs = n; return;
      case RA_MISMATCH:
        // Once (console.warn() returns undefined).
        this.#warned ||= !console.warn('steadyws: another tab shares this connection with other options or URL; its options apply');
        return;
      case RA_NEW_OWNER: {
        const mr = this.#mirror;
        mr.owner = to;
        // A new connection: this tab sees it connect afresh (each tab says
        // so itself; the new owner's socket starts connecting silently):
        // from the state it saw, now connecting.
        return this.#anew(mr.s, mr.s = 0);
      }
      case RA_ARM:
        clearTimeout(this.#timer);
        if (n >= 0) this.#timer = setTimeout(() => this.#relay?.input(RI_TIMEOUT, 0, 0, 0), n);
    }
  }

  // An event of the owner's connection, to one tab or all (-1).
  #tell(to, ev) {
    this.#post(RA_EVENT, to, 0, 0, ev);
  }

  #post(k, to, seq, n, data) {
    try {
      this.#ch?.postMessage({ v: RELAY_VERSION, k, from: this.#tab, to, seq, n, data });
    } catch (cause) {
      // Data a channel cannot clone (it was checked for the socket).
      this.#oops('SEND_FAILED', { data, cause });
    }
  }

  // Leaves the channel and frees every lock.
  #unshare() {
    this.#stop?.abort();
    for (const f of this.#unlock.splice(0)) f();
    this.#ch?.close();
    this.#ch = undefined;
    clearTimeout(this.#timer);
  }

  #mined(seq) {
    const e = this.#mine.get(seq);
    this.#mine.delete(seq);
    e?.[2]();
    return e;
  }

  // Runs a user function (maybe async), then `ok` with its result; a throw,
  // a rejection or a throwing `ok` answers `no` for attempt `gen` a
  // macrotask later, so a first attempt's error reaches handlers attached
  // after connect().
  #run(gen, f, ok, no) {
    new Promise((resolve) => resolve(f())).then((v) => this.#dead || ok(v)).catch((cause) => setTimeout(() => {
      if (this.#dead) return;
      this.#cause = { cause };
      this.#w.input(SI_ANSWER, gen, no);
      this.#cause = undefined;
    }));
  }

  // A frame as 'message' delivers it (throws for a text frame that is not JSON).
  #in(raw) {
    return str(raw) && this.#json ? JSON.parse(raw) : raw;
  }

  get url() { return this.#url; }

  get state() { return this.#dead ? 'closed' : STATES[this.#w.input(SI_STATE)]; }

  get stats() {
    return this.#dead ? { ...this.#last } : snapshot(this.#w, this.#tabs);
  }

  /** Adds a handler; returns a function that removes it. */
  on(type, handler) {
    // EVENTS also holds null for kinds the app never sees.
    if (!str(type) || !EVENTS.includes(type)) throw new TypeError(`steadyws: unknown event '${type}'`);
    if (!fn(handler)) bad('handler', 'a function');
    // Copy on write: a dispatch in progress keeps the list it started with.
    // Like addEventListener, a handler is registered once per type.
    const list = this.#h[type] ?? [];
    if (!list.includes(handler)) this.#h[type] = [...list, handler];
    return () => this.off(type, handler);
  }

  off(type, handler) {
    const list = this.#h[type];
    // (on() registers a handler once per type.)
    if (list?.includes(handler)) this.#h[type] = list.filter((h) => h !== handler);
  }

  /** 'sent' (handed to the browser socket) or 'queued' (until the next open). */
  send(data) {
    data = outgoing(data, this.#json, 'send');
    const r = this.#dead ? SEND_CLOSED : this.#w.input(SI_SEND, 0, 0, data);
    if (r > 1) throw error(SEND[r], { data });
    return SEND[r];
  }

  /**
   * Sends a copy of `data` with `[rpc.id]` set (unless it has one) and
   * resolves with the message whose `[rpc.id]` equals it. Deadlines, lost
   * connections and the queue are the core's: it settles every request
   * once, by an 'rpc' event or by answer()/cancel() returning true.
   */
  request(data, { timeout, signal } = {}) {
    return new Promise((ok, no) => {
      if (!this.#json) bad('request()', 'used with json: true');
      if (!obj(data)) bad('request data', 'an object');
      if (timeout !== undefined && !(timeout >= 0)) bad('timeout', 'a number >= 0');
      this.#ask(data, timeout ?? NaN, ok, no, undefined, signal);
    });
  }

  // Hands a request to this tab's own wasm socket (`own`) or, while another
  // tab owns the connection, to the relay: it keeps the request (and its
  // deadline) and the owner gives it an id if it has none. `from`: the
  // [tab, seq] of another tab's request given by the relay. Throws what
  // request() rejects.
  #ask(data, timeout, ok, no, from, signal) {
    const own = this.#dead || !this.#relay || this.#w instanceof Inner;
    const key = this.#rpc;
    let id;
    if (own) {
      id = data[key];
      if (!str(id) && typeof id !== 'number') {
        do id = ++this.#seq; while (this.#req.has(id));
        data = { ...data, [key]: id };
      } else if (this.#req.has(id)) bad(`request id ${JSON.stringify(id)}`, 'unique among pending requests');
    }
    if (signal?.aborted) throw aborted(signal);
    const text = outgoing(data, true, 'request data');
    // The core's handle or the relay's seq (< 0: minus the SEND index of
    // the refusal).
    const r = !own ? this.#item(RI_REQUEST, timeout, JSON.parse(text)) : this.#dead ? -SEND_CLOSED : this.#w.input(SI_REQUEST, timeout, 0, text);
    if (r < 0) throw error(SEND[-r], { data });
    // An abort fails it if it was still pending.
    const abort = () => (own ? this.#w.input(SI_SETTLE, r, 0) : this.#input(RI_CANCEL, 0, r)) && (own ? this.#settled(r) : this.#mined(r))[1](aborted(signal));
    signal?.addEventListener('abort', abort);
    const unlisten = () => signal?.removeEventListener('abort', abort);
    if (!own) return this.#mine.set(r, [ok, no, unlisten]);
    this.#req.set(id, [ok, no, r, unlisten, from]);
    this.#rid.set(r, id);
  }

  // Rejects every pending request (this tab's socket's and the relay's)
  // with `err`, and stops listening to their signals: an abort later finds
  // nothing to do (the relay or the module may be gone by then).
  #failAll(err) {
    for (const e of this.#req.values()) {
      e[1](err);
      e[3]();
    }
    for (const e of this.#mine.values()) {
      e[1](err);
      e[2]();
    }
    this.#req.clear();
    this.#rid.clear();
    this.#mine.clear();
  }

  // Forgets the request the core says is settled; its [ok, no, ...].
  #settled(r) {
    const id = this.#rid.get(r);
    const e = this.#req.get(id);
    this.#rid.delete(r);
    this.#req.delete(id);
    e[3]();
    return e;
  }

  /**
   * Removes and returns the messages still waiting for an open, oldest
   * first (also after the socket closed): to hand them to another socket.
   */
  takeQueued() {
    return this.#dead ? this.#left.splice(0) : drain(this.#w);
  }

  /** Closes for good; resolves once closed. */
  close(code = 1000, reason = '') {
    if (code !== 1000 && !(Number.isInteger(code) && code >= 3000 && code <= 4999)) {
      throw new RangeError(`steadyws: close code must be 1000 or 3000-4999, got ${code}`);
    }
    reason = String(reason);
    if (new TextEncoder().encode(reason).length > 123) throw new RangeError('steadyws: close reason longer than 123 bytes');
    if (!this.#dead) this.#shut(code, reason);
    return this.#done;
  }

  // close(): a shared connection's owner asks the relay (it hands the
  // connection over while other tabs remain); anything else closes its own.
  #shut(code, reason) {
    this.#bye = [code, 0, reason];
    if (this.#fwd) this.#input(RI_CLOSE);
    else this.#w.input(SI_CLOSE, code, 0, reason);
  }

  /** Drops the current socket (if any) and connects again now. */
  reconnect() {
    if (!this.#dead) this.#w.input(SI_RECONNECT);
  }

  /** Closes and releases the wasm object (done by itself once closed). */
  free() {
    if (this.#dead) return;
    this.#shut(1000, '');
    this.#end();
  }

  [dispose]() { this.free(); }

  #end() {
    if (this.#dead) return;
    const w = this.#w;
    // What a socket that ended still answers (stats, takeQueued()); #w is
    // unset while the constructor of Inner is still running.
    if (w) {
      this.#last = snapshot(w, this.#tabs);
      this.#left = drain(w);
    }
    this.#dead = true;
    for (const f of this.#unpage) f();
    live.delete(this);
    const r = this.#relay;
    if (r) {
      // Detach: the others hear it (a follower's requests fail CLOSED),
      // every lock is freed, the channel left. An owner whose connection
      // ended for good (not handed over) ends the others with it: they
      // hear that before its lock can go to one of them.
      const owning = this.#fwd;
      this.#fwd = false;
      if (!owning) this.#input(RI_CLOSE);
      this.#relay = undefined;
      setTimeout(() => {
        this.#unshare();
        r.free();
      }, owning ? 50 : 0);
    }
    this.#settle();
    if (w) free(w);
  }

  // The wasm module panicked (it traps right after): report, stop using it.
  _panic(text) {
    if (this.#dead) return;
    this.#dead = true;
    for (const f of this.#unpage) f();
    live.delete(this);
    const err = error('PANIC', { message: text });
    this.#failAll(err);
    this.#unshare();
    this.#emit('error', err);
    this.#settle();
  }

  #ev(k, a, b, v, w) {
    if (this.#dead) return;
    // The owner of a shared connection: its events are every tab's (a
    // message once it is known not to be a reply), and the relay hands
    // what it holds to the socket once it is open.
    if (k === EV_OPEN) this.#opened = [k, a, b, v, w, this.#url];
    if (this.#fwd && k !== EV_MESSAGE && k !== EV_RPC) {
      this.#tell(-1, k === EV_OPEN ? this.#opened : [k, a, b, v, w]);
      if (k === EV_STATE) this.#input(RI_OPEN, 0, 0, +(a === STATE_OPEN));
    }
    let p;
    switch (k) {
      case EV_OPEN:
        p = { url: this.#url, protocol: v, attempt: a };
        if (w !== undefined) {
          try {
            p.ack = this.#in(w);
          } catch {
            p.ack = w;
          }
        }
        break;
      case EV_MESSAGE: {
        // The core has counted the frame and taken it as liveness; only the
        // app's view of it depends on whether it parses.
        try {
          p = this.#in(v);
        } catch {
          p = error('INVALID_JSON', { data: v });
          k = EV_ERROR;
        }
        // A reply settles its request (if the core agrees) and is not a message.
        const e = k === EV_MESSAGE && this.#req.get(p?.[this.#rpc]);
        if (e && this.#w.input(SI_SETTLE, e[2], 1)) return this.#settled(e[2])[0](p);
        if (this.#fwd) this.#tell(-1, [EV_MESSAGE, 0, 0, v]);
        break;
      }
      case EV_RPC: return this.#settled(a)[1](error(ERRORS[b]));
      case EV_CLOSE: p = { code: a, reason: v, wasClean: !!(b & 1), willReconnect: !!(b & 2) }; break;
      case EV_RECONNECTING: p = { attempt: a, delay: b }; break;
      case EV_HEARTBEAT_TIMEOUT: p = { silentFor: a }; break;
      case EV_PING: p = {}; break;
      case EV_PONG: p = { rtt: a }; break;
      case EV_ERROR: p = error(ERRORS[a], this.#cause, b); break;
      case EV_STATE: p = { state: STATES[a], previous: STATES[b] };
    }
    this.#emit(EVENTS[k], p);
    if (k === EV_STATE && a === STATE_CLOSED) this.#end();
  }

  // An 'error' event of a new SteadyWsError.
  #oops(code, extra) {
    this.#emit('error', error(code, extra));
  }

  #emit(type, p) {
    for (const h of this.#h[type] ?? []) {
      try {
        h(p);
      } catch (cause) {
        // Reported as an 'error' event; a throwing 'error' handler is
        // rethrown outside the socket's call stack instead (no loop).
        if (type === 'error') rethrow(cause);
        else this.#oops('HANDLER_THREW', { cause });
      }
    }
  }
}
