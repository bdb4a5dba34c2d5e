// Nothing about WebAssembly here: webpack 5 emits the .wasm as an asset
// (new URL(..., import.meta.url) in the package) without any config.
import { connect } from 'steadyws';

// ?client=ID names this page's connections on the dev server (/stats).
const params = new URLSearchParams(location.search);
const client = params.get('client') ?? Math.random().toString(36).slice(2);
const wsBase = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}`;

const $ = (id) => document.getElementById(id);
let n = 0;

const sock = await connect(`${wsBase}/echo?client=${client}`, {
  json: true,
  reconnect: { minDelay: 500, maxDelay: 5_000 },
});
$('state').textContent = sock.state;
sock.on('state', ({ state }) => {
  $('state').textContent = state;
});
sock.on('message', (msg) => {
  const li = document.createElement('li');
  li.textContent = JSON.stringify(msg);
  $('messages').append(li);
});
$('send').addEventListener('click', () => {
  n += 1;
  sock.send({ type: 'chat', text: 'hello', n });
});
