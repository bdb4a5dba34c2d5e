// Run by tests/e2e/node.mjs as `node --experimental-websocket client.mjs
// HTTP_BASE CLIENT` (Node 22+ needs no flag): steadyws from this project's
// node_modules against the dev server. Prints one JSON line per step and
// ends by itself: nothing here calls process.exit(), so a timer or socket
// left behind by the package would keep the process alive.
import { connect } from 'steadyws';

const [httpBase, client] = process.argv.slice(2);
const wsBase = httpBase.replace(/^http/, 'ws');
const out = (o) => console.log(JSON.stringify(o));

// The wasm module must load from the package's file, never through fetch().
const fetched = [];
const realFetch = globalThis.fetch;
globalThis.fetch = (input, init) => {
  fetched.push(String(input?.url ?? input));
  return realFetch(input, init);
};

/** Resolves once `cond()` holds; rejects after `ms`. */
function until(what, cond, ms = 5_000) {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const tick = () => {
      if (cond()) return resolve();
      if (Date.now() - t0 > ms) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 10);
    };
    tick();
  });
}

// 1. The global WebSocket: a JSON round trip, then close().
{
  const sock = await connect(`${wsBase}/echo?client=${client}-echo`, { json: true });
  const got = [];
  sock.on('message', (m) => got.push(m));
  const first = sock.send({ hello: 'node', n: 1 });
  await until('the echo', () => got.length === 1);
  await sock.close();
  out({ step: 'echo', first, got, state: sock.state });
}

// 2. A counting WebSocket subclass as the option, over a server drop and
// the reconnect that follows.
{
  let constructed = 0;
  class CountingWebSocket extends WebSocket {
    constructor(url, protocols) {
      super(url, protocols);
      constructed += 1;
    }
  }
  const states = [];
  const sock = await connect(`${wsBase}/echo?client=${client}-count`, {
    json: true,
    WebSocket: CountingWebSocket,
    reconnect: { minDelay: 100, maxDelay: 200 },
  });
  sock.on('state', ({ state }) => states.push(state));
  await until('open', () => sock.state === 'open');
  const atOpen = constructed;
  await realFetch(`${httpBase}/control?client=${client}-count&action=drop`, { method: 'POST' });
  await until('reconnected', () => states.includes('reconnecting') && sock.state === 'open');
  const got = [];
  sock.on('message', (m) => got.push(m));
  sock.send({ n: 2 });
  await until('the echo after the reconnect', () => got.length === 1);
  await sock.close();
  out({ step: 'counting', atOpen, constructed, reconnects: sock.stats.reconnects, got, states });
}

// 3. A refused handshake (HTTP 503) is a failed attempt like in a browser;
// close() while the next attempt is connecting ends it.
{
  const states = [];
  const sock = await connect(`${wsBase}/refuse?status=503&client=${client}-refuse`, {
    reconnect: { minDelay: 50, maxDelay: 50 },
  });
  const errors = [];
  sock.on('error', (e) => errors.push(e.code));
  sock.on('state', ({ state }) => states.push(state));
  await until('two failed attempts', () => states.filter((s) => s === 'reconnecting').length >= 2);
  await until('connecting again', () => sock.state === 'connecting');
  await sock.close();
  out({ step: 'refused', state: sock.state, errors: [...new Set(errors)], attempts: sock.stats.attempt });
}

// 4. close() while the handshake is still pending (the server never answers).
{
  const sock = await connect(`${wsBase}/stall?client=${client}-stall`);
  await sock.close();
  out({ step: 'stall', state: sock.state });
}

// 5. A bad option is a TypeError naming it.
try {
  await connect(`${wsBase}/echo`, { WebSocket: 'ws' });
  out({ step: 'bad-option', threw: false });
} catch (e) {
  out({ step: 'bad-option', threw: true, name: e.name, message: e.message });
}

out({ step: 'done', fetchedFiles: fetched.filter((u) => u.startsWith('file:')) });
