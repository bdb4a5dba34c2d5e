// A strict TypeScript consumer of all four entry points, as an app would
// write it. Must compile with `tsc --noEmit --strict`; every @ts-expect-error
// line must really be an error (tsc fails on an unused one).
import { connect, type Socket, type SocketState, type SteadyWsError } from 'steadyws';
import { useSocket as useReactSocket, type UseSocketResult } from 'steadyws/react';
import { useSocket as useVueSocket, type UseSocketReturn } from 'steadyws/vue';
import { socketStore, type SocketStore, type SocketStoreValue } from 'steadyws/svelte';
import { derived, get, type Readable } from 'svelte/store';
import { useEffect } from 'react';
import { ref, computed, type Ref } from 'vue';

type Tick = { kind: 'tick'; n: number };
type Subscribe = { kind: 'sub'; topic: string };

export async function plain(): Promise<number> {
  const sock: Socket<Tick, Subscribe> = await connect<Tick, Subscribe>('wss://example.com/feed', {
    json: true,
    heartbeat: { interval: 10_000, timeout: 5_000, ping: { kind: 'ping' }, pong: (m) => typeof m === 'object' && m !== null },
    reconnect: { minDelay: 500, maxDelay: 10_000, jitter: 0.5 },
    queue: { maxMessages: 100 },
  });
  let total = 0;
  const off: () => void = sock.on('message', (m) => {
    total += m.n;
  });
  sock.on('close', (e) => console.log(e.code, e.willReconnect));
  sock.on('error', (e: SteadyWsError) => console.log(e.code));
  // The constructor used for every attempt (Node, tests, polyfills).
  await connect('ws://localhost/', { WebSocket: globalThis.WebSocket });
  class CountingSocket extends WebSocket {}
  await connect('ws://localhost/', { WebSocket: CountingSocket });
  // @ts-expect-error: not a WebSocket constructor
  await connect('ws://localhost/', { WebSocket: 'ws' });
  const result: 'sent' | 'queued' = sock.send({ kind: 'sub', topic: 'prices' });
  // @ts-expect-error: Out is Subscribe
  sock.send({ kind: 'sub', topic: 7 });
  // @ts-expect-error: not an event
  sock.on('nope', () => {});
  off();
  const reply: Tick = await sock.request({ kind: 'sub', topic: 'prices' }, { timeout: 1_000 });
  // @ts-expect-error: Out is Subscribe
  await sock.request({ kind: 'sub', topic: 7 });
  await sock.close(1000, 'bye');
  return total + result.length + sock.stats.queued + sock.stats.pending + reply.n;
}

type ServerMsg = { type: 'ack' } | { type: 'data'; value: number };
type ClientMsg = { type: 'init'; token: string } | { type: 'get'; key: string };

export async function authed(): Promise<ServerMsg | undefined> {
  const sock = await connect<ServerMsg, ClientMsg>(async ({ attempt }) => {
    const res = await fetch(`/token?attempt=${attempt}`);
    return new URL(`wss://example.com/feed?token=${(await res.json()).token}`);
  }, {
    json: true,
    init: {
      message: async ({ attempt }) => ({ type: 'init', token: String(attempt) }),
      ack: (m) => m.type === 'ack',
      timeout: 5_000,
    },
  });
  const url: string = sock.url;
  let ack: ServerMsg | undefined;
  sock.on('open', (e) => {
    ack = e.ack;
  });
  sock.on('error', (e) => {
    if (e.code === 'URL_FAILED' || e.code === 'INIT_TIMEOUT') console.log(e.cause, url);
  });
  await connect<ServerMsg, ClientMsg>('wss://example.com/feed', {
    json: true,
    init: { message: [{ type: 'init', token: 't' }, { type: 'get', key: 'a' }], ack: '{"type":"ack"}' },
  });
  await connect<ServerMsg, ClientMsg>('wss://example.com/feed', {
    // @ts-expect-error: init.message is Out
    init: { message: { type: 'hello' } },
  });
  await connect<ServerMsg, ClientMsg>('wss://example.com/feed', {
    // @ts-expect-error: the ack predicate sees In
    init: { ack: (m: { kind: string }) => m.kind === 'ack' },
  });
  // @ts-expect-error: a URL function returns a URL
  await connect(() => 42);
  return ack;
}

export function ReactAuthed(): string {
  const feed = useReactSocket<ServerMsg, ClientMsg>(async () => 'wss://example.com/auth', {
    json: true,
    init: { message: { type: 'init', token: 't' }, ack: (m) => m.type === 'ack' },
    onOpen: (e) => console.log(e.ack),
  });
  return feed.state;
}

export function VueAuthed(): string {
  const feed = useVueSocket<ServerMsg, ClientMsg>(({ attempt }) => `wss://example.com/auth?a=${attempt}`, {
    init: { message: { type: 'init', token: 't' } },
  });
  return feed.state.value;
}

export function ReactFeed(props: { url: string | null }): string {
  const feed: UseSocketResult<Tick, Subscribe> = useReactSocket<Tick, Subscribe>(props.url, {
    json: true,
    onMessage: (m) => console.log(m.n),
    onError: (e) => console.log(e.message),
  });
  useEffect(() => {
    if (feed.state === 'open') feed.send({ kind: 'sub', topic: 'prices' });
  }, [feed.state, feed.send]);
  const state: SocketState = feed.state;
  const n: number | undefined = feed.lastMessage?.n;
  const live: Socket<Tick, Subscribe> | null = feed.socket;
  // @ts-expect-error: lastMessage may be undefined
  const m: number = feed.lastMessage.n;
  // @ts-expect-error: not a state
  const bad: typeof feed.state = 'opened';
  void feed.close(4000, 'done');
  const asked: Promise<{ ok: boolean }> = feed.request<{ ok: boolean }>({ kind: 'sub', topic: 'x' });
  void asked;
  feed.reconnect();
  return `${state} ${n} ${live?.url} ${m} ${bad}`;
}

export function vueFeed(room: Ref<string>) {
  const url = computed(() => `wss://example.com/rooms/${room.value}`);
  const feed: UseSocketReturn<Tick, Subscribe> = useVueSocket<Tick, Subscribe>(url, { json: true });
  const byGetter = useVueSocket<Tick, Subscribe>(() => (room.value ? `wss://example.com/${room.value}` : null));
  const byString = useVueSocket('wss://example.com/plain');
  const byRef = useVueSocket(ref<string | null>(null));
  const state: SocketState = feed.state.value;
  const n: number | undefined = feed.data.value?.n;
  feed.send({ kind: 'sub', topic: 'x' });
  const answer: Promise<Tick> = feed.request({ kind: 'sub', topic: 'y' }, { signal: new AbortController().signal });
  void answer;
  byGetter.send('raw text');
  byString.send(new Uint8Array([1, 2]));
  // @ts-expect-error: refs are read-only
  feed.state.value = 'open';
  // @ts-expect-error: Out is Subscribe
  feed.send({ kind: 'unsub' });
  return { state, n, byRef };
}

export function svelteFeed(): number {
  const feed: SocketStore<Tick, Subscribe> = socketStore<Tick, Subscribe>('wss://example.com/feed', {
    json: true,
    onMessage: (m) => console.log(m.n),
  });
  // A Svelte readable store: derived() and get() take it as is.
  const asReadable: Readable<SocketStoreValue<Tick>> = feed;
  const ticks = derived(feed, ($feed) => $feed.lastMessage?.n ?? 0);
  const state: SocketState = get(feed).state;
  const off: () => void = feed.subscribe((v) => console.log(v.state, v.lastMessage?.n));
  const r: 'sent' | 'queued' = feed.send({ kind: 'sub', topic: 'prices' });
  // @ts-expect-error: Out is Subscribe
  feed.send({ kind: 'unsub' });
  // @ts-expect-error: lastMessage may be undefined
  const m: number = get(feed).lastMessage.n;
  void feed.close(1000);
  feed.reconnect();
  const live: Socket<Tick, Subscribe> | null = feed.socket;
  off();
  socketStore(null);
  // A URL made per attempt (a fresh token each time), as for connect().
  socketStore(async ({ attempt }) => `wss://example.com/feed?try=${attempt}`);
  return get(ticks) + state.length + r.length + m + (live ? 1 : 0) + (asReadable ? 1 : 0);
}
