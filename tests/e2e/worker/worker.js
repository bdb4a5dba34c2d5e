// A dedicated module worker that imports the package (served next to this
// file at ./pkg/), connects, and reports to the page: every state, every
// message, and what the package touched of the worker's globals.
const params = new URLSearchParams(self.location.search);
const post = (msg) => self.postMessage(msg);

// Reads of `document` / `window` from the package's own code, and the event
// types it listens to on the worker scope.
const touched = [];
for (const name of ['document', 'window']) {
  Object.defineProperty(self, name, {
    configurable: true,
    get() {
      if ((new Error().stack ?? '').includes('/pkg/')) touched.push(name);
      return undefined;
    },
  });
}
const listened = [];
const add = self.addEventListener.bind(self);
self.addEventListener = (type, fn, opts) => {
  if ((new Error().stack ?? '').includes('/pkg/')) listened.push(type);
  return add(type, fn, opts);
};

let sock;
const pending = [];
self.onmessage = ({ data }) => (sock ? run(data) : pending.push(data));

async function run(cmd) {
  try {
    if (cmd.op === 'send') post({ type: 'sent', result: sock.send(cmd.data) });
    if (cmd.op === 'close') {
      await sock.close();
      post({ type: 'closed', state: sock.state });
    }
    if (cmd.op === 'probe') post({ type: 'probe', touched, listened, isWorker: typeof WorkerGlobalScope !== 'undefined' });
  } catch (e) {
    post({ type: 'error', message: String(e?.stack ?? e) });
  }
}

try {
  const { connect } = await import('./pkg/index.js');
  sock = await connect(`${params.get('ws')}/echo?client=${params.get('client')}`, {
    json: true,
    reconnect: { minDelay: 200, maxDelay: 1_000 },
  });
  post({ type: 'state', state: sock.state });
  sock.on('state', ({ state }) => post({ type: 'state', state }));
  sock.on('message', (data) => post({ type: 'message', data }));
  sock.on('error', (e) => post({ type: 'socket-error', code: e.code }));
  for (const cmd of pending.splice(0)) run(cmd);
} catch (e) {
  post({ type: 'error', message: String(e?.stack ?? e) });
}
