// The steadyws live demo: one socket to this server's /chat, a timeline of
// everything it does, buttons that make the server misbehave for this tab
// (through /control), and a small chat that shows the send queue at work.
//
// The whole package is imported as a namespace so that the version shows
// even when a build lacks connect() (the page then says so instead of
// failing to load).
import * as steadyws from './pkg/index.js';
import { Timeline, fmtMs } from './timeline.js';
import { NUMERIC, readSettings, connectOptions, settingsQuery } from './settings.js';

const $ = (id) => document.getElementById(id);
const settings = readSettings(location.search);
const pageStart = performance.now();
const timeline = new Timeline($('timeline'));

/** The current connection: the socket, its unsubscribe functions, and the
 * chat entries sent through it in order (to carry its queue over when the
 * options change). */
let conn = null;
let opening = false;
const held = [];
let retryUntil = 0;
let retryAttempt = 0;
let stateSince = performance.now();
const chatById = new Map();
const nonce = Math.random().toString(36).slice(2, 8);
let seq = 0;

$('client-id').textContent = settings.client;
$('chat-name').value = settings.name;

steadyws.version().then(
  (v) => { $('version').textContent = v; },
  (e) => { $('version').textContent = `failed: ${e?.message ?? e}`; },
);

// ---------------------------------------------------------------- socket

// ?mode=auth: the URL is a function fetching a fresh token from /token for
// every attempt, against /auth, which closes with 4001 when it expires.
// ?mode=proto: /proto wants {"type":"init"} first and acks it 600 ms later;
// the timeline shows init -> ack -> the queue flushing.
const mode = ['auth', 'proto'].includes(new URLSearchParams(location.search).get('mode'))
  ? new URLSearchParams(location.search).get('mode') : 'chat';

function wsUrl() {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const base = `${scheme}://${location.host}`;
  const client = `client=${encodeURIComponent(settings.client)}`;
  if (mode === 'auth') {
    return async ({ attempt }) => {
      const { token } = await (await fetch('/token')).json();
      timeline.add('token', { attempt });
      log('token', `attempt ${attempt}: fresh token ${token}`);
      return `${base}/auth?${client}&ttl=8000&token=${token}`;
    };
  }
  if (mode === 'proto') return `${base}/proto?${client}&delay=600`;
  return `${base}/chat?${client}`;
}

function modeOptions() {
  if (mode !== 'proto') return {};
  return {
    json: true,
    // /proto echoes: the echoed ping is the pong.
    heartbeat: { interval: settings.interval, timeout: settings.timeout, ping: 'ping', pong: 'ping' },
    init: {
      message: ({ attempt }) => {
        timeline.add('init', { attempt });
        log('init', `attempt ${attempt}: {"type":"init"} sent first; send() queues until the ack`);
        return { type: 'init' };
      },
      ack: (m) => m?.type === 'ack',
      timeout: 5000,
    },
  };
}

// ?shared=1: every tab of this page shares one connection (open the page in
// a few tabs; close the owning one and watch another take over). The
// timeline marks when this tab becomes the owner.
const shared = new URLSearchParams(location.search).has('shared');
let owned = null;

async function openSocket() {
  if (typeof steadyws.connect !== 'function') {
    fatal('This build of the package has no connect() yet: run `npm run build` with the browser SDK in place.');
    return null;
  }
  let sock;
  try {
    sock = await steadyws.connect(wsUrl(), { ...connectOptions(settings), ...modeOptions(), ...shared ? { shared: 'demo' } : {} });
  } catch (e) {
    fatal(`connect() rejected: ${e?.name ?? 'Error'}: ${e?.message ?? e}`);
    return null;
  }
  const c = { sock, unsubs: [], sent: [] };
  const on = (type, fn) => {
    const off = sock.on(type, (ev) => {
      if (conn !== c) return; // a replaced socket's late events
      try { fn(ev); } catch (err) { console.error(err); }
    });
    if (typeof off === 'function') c.unsubs.push(off);
  };
  on('state', ({ state, previous }) => showState(state, previous));
  on('open', ({ attempt, protocol, ack }) => {
    if (ack !== undefined) {
      timeline.add('ack', { attempt });
      log('ack', `${JSON.stringify(ack)}: the queue flushes now`);
    }
    timeline.add('open', { attempt });
    log('open', `attempt ${attempt}${protocol ? `, protocol ${protocol}` : ''}`);
  });
  on('close', ({ code, reason, wasClean, willReconnect }) => {
    timeline.add('close', { code, wasClean });
    log('close', `code ${code}${reason ? ` "${reason}"` : ''}, ${wasClean ? 'clean' : 'unclean'}${willReconnect ? ', will reconnect' : ', final'}`);
  });
  on('reconnecting', ({ attempt, delay }) => {
    retryUntil = performance.now() + delay;
    retryAttempt = attempt;
    timeline.add('retry', { attempt, delay });
    log('reconnecting', `attempt ${attempt} in ${delay} ms`, { delay, attempt });
  });
  on('heartbeat-timeout', ({ silentFor }) => {
    timeline.add('timeout', { silentFor });
    log('heartbeat-timeout', `no message for ${silentFor} ms: socket abandoned`, { silentFor });
  });
  on('error', (err) => {
    timeline.add('error', {});
    log('error', `${err?.name ?? 'Error'}${err?.code ? ` ${err.code}` : ''}: ${err?.message ?? ''}`);
  });
  on('ping', () => {
    timeline.add('ping');
  });
  on('pong', ({ rtt }) => {
    timeline.add('pong', { rtt });
    log('pong', `rtt ${rtt} ms`, { rtt });
  });
  on('message', (data) => receive(data));
  conn = c;
  showState(sock.state, null);
  return c;
}

/** Closes the current socket and opens a new one with the current settings,
 * re-sending whatever the old one still held in its queue, in order. */
let swaps = Promise.resolve();
function replaceSocket(why) {
  // One swap at a time: two quick slider moves must not leave a socket behind.
  swaps = swaps.then(() => swapSocket(why));
  return swaps;
}

async function swapSocket(why) {
  const old = conn;
  let carry = [];
  if (old) {
    const queued = Number(old.sock.stats?.queued) || 0;
    carry = queued > 0 ? old.sent.slice(-queued) : [];
    conn = null;
    for (const off of old.unsubs) off();
    const s = old.sock;
    Promise.resolve()
      .then(() => (s.state === 'closed' ? undefined : s.close(1000, why)))
      .catch(() => {})
      .finally(() => { try { s.free?.(); } catch { /* already released */ } });
  }
  log('options', `${why}: new socket${carry.length ? `, carrying ${carry.length} queued message(s)` : ''}`);
  held.unshift(...carry);
  await start();
}

/** Opens a socket, then hands it what was typed while there was none. */
async function start() {
  opening = true;
  try {
    await openSocket();
  } finally {
    opening = false;
  }
  for (const entry of held.splice(0)) transmit(entry);
}

function showState(state, previous) {
  const el = $('state');
  if (el.dataset.state === state && previous !== null) return;
  el.dataset.state = state;
  el.textContent = state;
  stateSince = performance.now();
  timeline.setState(state);
  // Silence, drop and close act on the server's open connections only.
  for (const id of ['fault-silent', 'fault-drop', 'fault-close']) $(id).disabled = state !== 'open';
  if (previous !== null) log('state', `${previous ?? '?'} → ${state}`, { state });
  refresh();
}

// ----------------------------------------------------------------- chat

function sendChat(text) {
  const name = $('chat-name').value.trim() || settings.name;
  const id = `${settings.client}.${nonce}.${++seq}`;
  const entry = { id, payload: JSON.stringify({ t: 'chat', id, name, text }), li: null };
  entry.li = chatItem({ self: true, name, text, id });
  chatById.set(id, entry);
  transmit(entry);
}

/** Hands one chat entry to the current socket and shows what send() said. */
function transmit(entry) {
  let result;
  if (!conn && opening) {
    // Between two sockets (an options change): send() comes once it exists.
    held.push(entry);
    entry.li.dataset.status = 'waiting';
    entry.li.querySelector('.badge').textContent = 'waiting for the socket';
    return;
  }
  if (!conn) {
    result = 'rejected';
    entry.note = 'no socket';
  } else {
    try {
      result = conn.sock.send(entry.payload);
      conn.sent.push(entry);
      // Only the tail can still be queued (queue.maxMessages is 200).
      if (conn.sent.length > 400) conn.sent.splice(0, 200);
    } catch (e) {
      result = 'rejected';
      entry.note = e?.code ?? e?.name ?? 'error';
    }
  }
  entry.result = result;
  const li = entry.li;
  li.dataset.send = result;
  if (!li.dataset.status || li.dataset.status !== 'delivered') li.dataset.status = result;
  const badge = li.querySelector('.badge');
  badge.className = `badge ${result}`;
  badge.textContent = result === 'rejected' ? `rejected (${entry.note})` : result;
  timeline.add('out', { queued: result !== 'sent' });
  refresh();
}

function receive(data) {
  timeline.add('in');
  let msg = null;
  if (typeof data === 'string') {
    try { msg = JSON.parse(data); } catch { msg = null; }
  } else if (data && typeof data === 'object' && !(data instanceof ArrayBuffer)) {
    msg = data; // a facade that parsed JSON already
  }
  if (!msg || msg.t !== 'chat' || typeof msg.id !== 'string') {
    log('message', typeof data === 'string' ? data.slice(0, 120) : `[${data?.byteLength ?? '?'} bytes]`);
    return;
  }
  const mine = chatById.get(msg.id);
  if (mine) {
    mine.li.dataset.status = 'delivered';
    const badge = mine.li.querySelector('.badge');
    badge.textContent = `${mine.result} · delivered`;
    badge.title = `send() returned '${mine.result}'; the server relayed it back`;
    return;
  }
  chatItem({ self: false, name: String(msg.name ?? '?'), text: String(msg.text ?? ''), id: msg.id });
}

function chatItem({ self, name, text, id }) {
  const list = $('chat-list');
  const li = document.createElement('li');
  li.className = self ? 'self' : 'other';
  li.dataset.from = self ? 'self' : 'other';
  li.dataset.id = id;
  li.dataset.testid = 'chat-message';
  const who = document.createElement('span');
  who.className = 'who';
  who.textContent = self ? 'you' : name;
  const body = document.createElement('span');
  body.className = 'text';
  body.textContent = text;
  li.append(who, body);
  if (self) {
    const badge = document.createElement('span');
    badge.className = 'badge';
    li.append(badge);
  }
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 24;
  list.append(li);
  while (list.children.length > 200) list.firstElementChild.remove();
  if (atBottom || self) list.scrollTop = list.scrollHeight;
  return li;
}

$('chat-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const input = $('chat-input');
  const text = input.value.trim();
  if (!text) return;
  input.value = '';
  sendChat(text);
});

// --------------------------------------------------------------- faults

async function control(action, params = {}, label = action) {
  const q = new URLSearchParams({ client: settings.client, action, ...params });
  timeline.add('fault', { label });
  try {
    const res = await fetch(`/control?${q}`, { method: 'POST' });
    const body = await res.json().catch(() => ({}));
    const n = body.affected ?? 0;
    if (res.ok && body.ok) log('control', `${label}: server affected ${n} connection(s)${n ? '' : ' (none open right now)'}`);
    else log('control', `${label} refused: HTTP ${res.status} ${body.error ?? ''}`);
  } catch (e) {
    log('control', `${label} failed: ${e?.message ?? e}`);
  }
}

const secs = (id) => String(Math.min(120, Math.max(1, Math.round(Number($(id).value) || 5))));
$('fault-silent').addEventListener('click', () => control('silent', {}, 'go silent'));
$('fault-drop').addEventListener('click', () => control('drop', {}, 'drop TCP'));
$('fault-close').addEventListener('click', () => {
  const code = $('close-code').value;
  control('close', { code, reason: 'demo' }, `close ${code}`);
});
$('fault-outage').addEventListener('click', () => {
  const s = secs('outage-secs');
  control('outage', { secs: s }, `outage ${s}s`);
});
$('fault-flap').addEventListener('click', () => {
  const s = secs('flap-secs');
  control('flap', { secs: s }, `flap ${s}s`);
});
$('fault-reset').addEventListener('click', () => control('reset', {}, 'reset'));

// ------------------------------------------------------- your own socket

$('sock-close').addEventListener('click', async () => {
  if (!conn) return;
  log('call', 'sock.close(1000)');
  try {
    await conn.sock.close(1000, 'user');
  } catch (e) {
    log('error', `close(): ${e?.message ?? e}`);
  }
});

$('sock-reconnect').addEventListener('click', () => {
  if (!conn || conn.sock.state === 'closed') {
    // close() is final for a Socket; a fresh one takes its place.
    log('call', 'socket closed for good: connect() again');
    replaceSocket('reconnect after close()');
    return;
  }
  log('call', 'sock.reconnect()');
  try {
    conn.sock.reconnect();
  } catch (e) {
    log('error', `reconnect(): ${e?.message ?? e}`);
  }
});

// Sliders for the heartbeat and backoff timers.
for (const [key, spec] of Object.entries(NUMERIC)) {
  const wrap = document.createElement('div');
  wrap.className = 'slider';
  const id = `opt-${key}`;
  wrap.innerHTML = `<label for="${id}"></label><output for="${id}" id="${id}-value"></output>
    <input type="range" id="${id}" data-testid="${id}" min="${spec.min}" max="${spec.max}" step="${spec.step}">`;
  wrap.querySelector('label').textContent = spec.label;
  const input = wrap.querySelector('input');
  const out = wrap.querySelector('output');
  input.value = String(settings[key]);
  out.textContent = fmtMs(settings[key]);
  input.addEventListener('input', () => { out.textContent = fmtMs(Number(input.value)); });
  input.addEventListener('change', () => {
    settings[key] = Number(input.value);
    out.textContent = fmtMs(settings[key]);
    if (key === 'minDelay' && settings.maxDelay < settings.minDelay) syncSlider('maxDelay', settings.minDelay);
    if (key === 'maxDelay' && settings.minDelay > settings.maxDelay) syncSlider('minDelay', settings.maxDelay);
    history.replaceState(null, '', settingsQuery(settings));
    replaceSocket(`${spec.label.toLowerCase()} → ${fmtMs(settings[key])}`);
  });
  $('settings').append(wrap);
}

function syncSlider(key, value) {
  settings[key] = value;
  $(`opt-${key}`).value = String(value);
  $(`opt-${key}-value`).textContent = fmtMs(value);
}

// ------------------------------------------------------ log and counters

function log(type, text, data = {}) {
  const list = $('log');
  const li = document.createElement('li');
  li.dataset.type = type;
  li.dataset.t = String(Math.round(performance.now()));
  for (const [k, v] of Object.entries(data)) li.dataset[k] = String(v);
  const time = document.createElement('time');
  time.textContent = `${((performance.now() - pageStart) / 1000).toFixed(2)}s`;
  const ty = document.createElement('span');
  ty.className = 'ty';
  ty.textContent = type;
  const msg = document.createElement('span');
  msg.className = 'msg';
  msg.textContent = text;
  li.append(time, ty, msg);
  list.prepend(li);
  while (list.children.length > 150) list.lastElementChild.remove();
}

$('log-pongs').addEventListener('change', (ev) => {
  $('log').classList.toggle('no-pongs', !ev.target.checked);
});

const STATS = ['attempt', 'reconnects', 'messagesIn', 'messagesOut', 'queued', 'lastRttMs'];
function refresh() {
  const stats = conn?.sock?.stats;
  if (stats) {
    for (const k of STATS) {
      const v = stats[k];
      const text = v === undefined || v === null ? '–' : k === 'lastRttMs' ? `${v} ms` : String(v);
      const el = $(`stat-${k}`);
      if (el.textContent !== text) el.textContent = text;
    }
    $('stat-queued').toggleAttribute('data-zero', !stats.queued);
    if (shared) {
      if (owned !== stats.owner) {
        owned = stats.owner;
        timeline.add(owned ? 'owner' : 'relay', {});
        log('shared', owned ? 'this tab owns the connection' : 'another tab owns the connection; this one relays through it');
      }
      const text = `${stats.owner ? 'this tab owns the connection' : 'relayed by another tab'} · ${stats.tabs} tab${stats.tabs === 1 ? '' : 's'}`;
      const el = $('share');
      el.hidden = false;
      if (el.textContent !== text) el.textContent = text;
    }
  }
  const state = $('state').dataset.state;
  let detail = `for ${fmtMs(performance.now() - stateSince)}`;
  if (state === 'reconnecting') {
    detail = `retry ${retryAttempt} in ${fmtMs(Math.max(0, retryUntil - performance.now()))}`;
  } else if (state === 'open' && stats?.lastRttMs != null) {
    detail = `rtt ${stats.lastRttMs} ms · ${detail}`;
  }
  const el = $('state-detail');
  if (el.textContent !== detail) el.textContent = detail;
}
setInterval(refresh, 200);

function fatal(text) {
  const el = $('fatal');
  el.textContent = text;
  el.hidden = false;
  log('error', text);
}

// For play in the devtools console: steadywsDemo.socket.send('hi').
window.steadywsDemo = {
  get socket() { return conn?.sock ?? null; },
  settings,
  control,
  timeline,
};

start();

// ---------------------------------------------------------------- request()

// request() needs json: a second socket, to /rpc, opened on first use. The
// server answers after `delay` ms; past the 1 s timeout it is REQUEST_TIMEOUT.
let rpcSocket = null;
$('sock-request').addEventListener('click', async () => {
  if (typeof steadyws.connect !== 'function') return;
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  rpcSocket ??= steadyws.connect(`${scheme}://${location.host}/rpc?client=${encodeURIComponent(settings.client)}`, { json: true, rpc: { timeout: 1000 } });
  let s;
  try {
    s = await rpcSocket;
  } catch (e) {
    rpcSocket = null;
    log('error', `connect() for request(): ${e?.message ?? e}`);
    return;
  }
  const delay = Math.floor(Math.random() * 1300);
  const t0 = performance.now();
  const done = (code) => {
    const ms = Math.round(performance.now() - t0);
    timeline.add('request', { ms, code });
    log('request', code ? `${code} after ${ms} ms (server delay ${delay} ms)` : `reply after ${ms} ms (server delay ${delay} ms)`, { ms, code: code ?? 'ok' });
  };
  s.request({ op: 'add', a: 1, b: 2, delay }).then(() => done(), (e) => done(e.code ?? e.name));
});
