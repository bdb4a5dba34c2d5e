// A strict TypeScript consumer of all three entry points, as an app would
// write it. Must compile with `tsc --noEmit --strict`; every @ts-expect-error
// line must really be an error (tsc fails on an unused one).
import { connect, type Socket, type SocketState, type SteadyWsError } from 'steadyws';
import { useSocket as useReactSocket, type UseSocketResult } from 'steadyws/react';
import { useSocket as useVueSocket, type UseSocketReturn } from 'steadyws/vue';
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
