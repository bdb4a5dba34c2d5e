// Run by tests/e2e/node.mjs as plain `node bare.mjs HTTP_BASE CLIENT` on
// Node 20 (no global WebSocket): connect() without the option rejects with a
// TypeError saying what to pass; with it, the given constructor is used (a
// stand-in, then the ws package against the dev server). Ends by itself.
import WebSocket from 'ws';
import { connect } from 'steadyws';

const [httpBase, client] = process.argv.slice(2);

const out = (o) => console.log(JSON.stringify(o));
out({ step: 'global', type: typeof globalThis.WebSocket });
try {
  await connect('ws://127.0.0.1:9/');
  out({ step: 'no-option', threw: false });
} catch (e) {
  out({ step: 'no-option', threw: true, name: e.name, message: e.message });
}

const made = [];
class FakeWebSocket {
  constructor(url, protocols) {
    made.push({ url, protocols });
    this.readyState = 0;
    this.protocol = '';
  }
  send() {}
  close() {
    this.readyState = 3;
  }
}
const sock = await connect('ws://127.0.0.1:9/x', { WebSocket: FakeWebSocket, protocols: ['chat'] });
const state = sock.state;
await sock.close();
out({ step: 'fake', made, state, after: sock.state });

// A test double that answers at once, from inside send() and close() (as
// Node's own WebSocket does when it fails a connecting socket): the socket
// handles what it reports after the call, in order.
{
  class AnswersAtOnce {
    constructor() {
      this.readyState = 0;
      this.protocol = '';
      setTimeout(() => {
        this.readyState = 1;
        this.onopen?.({});
      }, 0);
    }
    send(data) {
      this.onmessage?.({ data });
    }
    close(code = 1005, reason = '') {
      this.readyState = 3;
      this.onclose?.({ code, reason, wasClean: true });
    }
  }
  const sock = await connect('ws://127.0.0.1:9/double', { json: true, WebSocket: AnswersAtOnce, closeTimeout: 60_000 });
  const got = [];
  const events = [];
  sock.on('message', (m) => got.push(m));
  sock.on('close', (e) => events.push(`close ${e.code} ${e.wasClean}`));
  sock.on('state', (e) => events.push(e.state));
  await new Promise((resolve) => sock.on('open', resolve));
  const results = [sock.send({ a: 1 }), sock.send({ b: 2 })];
  const t0 = Date.now();
  await sock.close(4000, 'bye');
  out({ step: 'at-once', got, results, events, closedIn: Date.now() - t0 });
}

// The ws package as the option: a JSON round trip over a real connection.
{
  const sock = await connect(`${httpBase.replace(/^http/, 'ws')}/echo?client=${client}-ws`, { json: true, WebSocket });
  const got = await new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('no echo within 5 s')), 5_000);
    sock.on('message', (m) => {
      clearTimeout(t);
      resolve(m);
    });
    sock.send({ via: 'ws' });
  });
  const open = sock.state;
  await sock.close();
  out({ step: 'ws', got, open, after: sock.state });
}
