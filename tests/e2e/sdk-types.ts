// Type-level checks of pkg/index.d.ts (tsc --strict --noEmit in step 61):
// generics flow from connect<In, Out>() to send() and on('message').
import { connect, type Socket, type SteadyWsError, type SocketStats } from '../../pkg/index.js';

type In = { type: 'tick'; n: number } | { type: 'pong' };
type Out = { type: 'sub'; topic: string };

export async function typed(): Promise<void> {
  const s: Socket<In, Out> = await connect<In, Out>('wss://example.com/feed', {
    json: true,
    protocols: ['v1'],
    connectTimeout: 5_000,
    heartbeat: { interval: 1_000, timeout: 1_000, ping: { type: 'ping' }, pong: (m) => typeof m === 'object' && m !== null && 'type' in m && m.type === 'pong' },
    reconnect: { minDelay: 500, maxDelay: 10_000, factor: 2, jitter: 0.5, maxRetries: Infinity, stableAfter: 5_000, fatalCodes: [4001] },
    queue: { maxMessages: 100, maxBytes: 1 << 16 },
  });
  s.on('message', (m) => {
    if (m.type === 'tick') m.n.toFixed(0);
  });
  const off: () => void = s.on('close', (e) => { const w: boolean = e.willReconnect; void w; });
  off();
  s.on('error', (e: SteadyWsError) => { const c: string = e.code; void c; });
  s.on('state', (e) => { const st: 'connecting' | 'open' | 'closing' | 'closed' | 'reconnecting' = e.previous; void st; });
  s.on('pong', (e) => e.rtt.toFixed(0));
  s.on('heartbeat-timeout', (e) => e.silentFor.toFixed(0));
  s.on('reconnecting', (e) => e.delay + e.attempt);
  const r: 'sent' | 'queued' = s.send({ type: 'sub', topic: 'a' });
  void r;
  s.send(new Uint8Array(1));
  const stats: SocketStats = s.stats;
  void stats.lastRttMs;
  const pending: number = stats.pending;
  void pending;
  const tabs: number = stats.tabs;
  const owner: boolean = stats.owner;
  void tabs, owner;
  // request(): Res defaults to In; the options are a timeout and a signal.
  const reply: In = await s.request({ type: 'sub', topic: 'a' });
  void reply;
  const sum = await s.request<{ result: number }>({ type: 'sub', topic: 'b' }, { timeout: 5_000, signal: AbortSignal.timeout(1) });
  sum.result.toFixed(0);
  await s.close(1000, 'bye');
  s[Symbol.dispose]();

  // @ts-expect-error unknown event
  s.on('nope', () => {});
  // @ts-expect-error wrong message shape for Out
  s.send({ type: 'unsub' });
  // @ts-expect-error heartbeat.interval is a number
  await connect('ws://x', { heartbeat: { interval: '1s' } });
  // @ts-expect-error binaryType is 'arraybuffer' | 'blob'
  await connect('ws://x', { binaryType: 'text' });
  // @ts-expect-error a request is an Out
  await s.request({ type: 'unsub' });
  // @ts-expect-error timeout is a number
  await s.request({ type: 'sub', topic: 'c' }, { timeout: '1s' });
  await connect('ws://x', { json: true, rpc: { id: 'rid', timeout: Infinity } });
  // @ts-expect-error rpc.id is a field name
  await connect('ws://x', { rpc: { id: 1 } });
  await connect('ws://x', { shared: true });
  await connect(() => 'ws://x', { shared: 'feed' });
  // @ts-expect-error shared is a boolean or a name
  await connect('ws://x', { shared: 1 });
}
