import { useEffect, useRef, useState, version } from 'react';
import { useSocket } from 'steadyws/react';
import { TokenAuth } from './TokenAuth.jsx';

// ?client=ID names this page's connections on the dev server (/stats).
const params = new URLSearchParams(location.search);
const client = params.get('client') ?? Math.random().toString(36).slice(2);
// ?ws=ws://host:port points the app at another server (the Vite dev server
// serves only the page).
const wsBase = params.get('ws') ?? `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}`;

// Seen by the end-to-end tests: every state the socket went through, how
// many times React ran the mount effect (2 under StrictMode in dev), and
// which React this is (the same sources are built with 18 and 19).
window.__steadyws = { states: [], mounts: 0, react: version, errors: [] };

const options = {
  json: true,
  reconnect: { minDelay: 500, maxDelay: 5_000 },
  // The echo server answers our ping with the ping itself.
  heartbeat: { interval: 5_000, timeout: 5_000, ping: 'ping', pong: 'ping' },
};

function Chat({ room }) {
  const [log, setLog] = useState([]);
  const n = useRef(0);
  const { state, lastMessage, send } = useSocket(`${wsBase}/echo?client=${client}&room=${room}`, {
    ...options,
    onState: (s) => window.__steadyws.states.push(s),
    onMessage: (msg) => setLog((l) => [...l, msg]),
  });

  useEffect(() => {
    window.__steadyws.mounts += 1;
    // ?early: send before the socket exists (it is created after this effect).
    if (params.has('early')) send({ type: 'early' });
  }, [send]);

  return (
    <section>
      <p>
        room <b id="room">{room}</b>: <b id="state">{state}</b>
      </p>
      <button
        id="send"
        onClick={() => {
          n.current += 1;
          send({ type: 'chat', text: 'hello', n: n.current });
        }}
      >
        Send
      </button>
      <p>
        last: <code id="last">{lastMessage === undefined ? '' : JSON.stringify(lastMessage)}</code>
      </p>
      <ol id="messages">
        {log.map((m, i) => (
          <li key={i}>{typeof m === 'object' ? JSON.stringify(m) : `text:${m}`}</li>
        ))}
      </ol>
    </section>
  );
}

export function App() {
  const [mounted, setMounted] = useState(true);
  const [room, setRoom] = useState(1);
  // ?flash: unmount right after mounting, before the first connect() has
  // loaded the wasm module and resolved.
  useEffect(() => {
    if (params.has('flash')) setTimeout(() => setMounted(false), 0);
  }, []);
  return (
    <main>
      <h1>steadyws + React</h1>
      <button id="toggle" onClick={() => setMounted((m) => !m)}>
        {mounted ? 'Unmount' : 'Mount'}
      </button>
      <button id="switch" onClick={() => setRoom((r) => r + 1)}>
        Next room
      </button>
      {params.has('auth') ? <TokenAuth /> : mounted ? <Chat room={room} /> : <p id="unmounted">unmounted</p>}
    </main>
  );
}
