import { useState } from 'react';
import { useSocket } from 'steadyws/react';

// ?auth: a component whose URL is a function fetching a fresh single-use
// token from /token before every attempt; /auth?ttl=MS (from ?ttl) closes
// each connection with 4001 when its token expires. Every render passes a
// new arrow function: that must not open a new socket.
const params = new URLSearchParams(location.search);
const client = params.get('client') ?? Math.random().toString(36).slice(2);
const wsBase = params.get('ws') ?? `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}`;
const httpBase = wsBase.replace(/^ws/, 'http');
const ttl = params.get('ttl');

export function TokenAuth() {
  const [renders, setRenders] = useState(0);
  const [opens, setOpens] = useState(0);
  const { state } = useSocket(
    async () => {
      const { token } = await (await fetch(`${httpBase}/token`)).json();
      return `${wsBase}/auth?client=${client}&token=${token}${ttl ? `&ttl=${ttl}` : ''}`;
    },
    {
      heartbeat: false,
      reconnect: { minDelay: 20, maxDelay: 50 },
      onState: (s) => window.__steadyws.states.push(s),
      onOpen: () => setOpens((n) => n + 1),
      onError: (e) => window.__steadyws.errors.push(e.code),
    },
  );
  return (
    <section>
      <p>
        token auth: <b id="state">{state}</b>, opens <b id="opens">{opens}</b>, renders <b id="renders">{renders}</b>
      </p>
      <button id="rerender" onClick={() => setRenders((n) => n + 1)}>
        Re-render
      </button>
    </section>
  );
}
