// Deliberate type errors: tests/e2e/types/check.mjs asserts that tsc fails
// on this file and reports exactly the errors marked `// error TSnnnn`.
import { connect } from 'steadyws';
import { useSocket as useReactSocket } from 'steadyws/react';
import { useSocket as useVueSocket } from 'steadyws/vue';
import { socketStore } from 'steadyws/svelte';

type Tick = { kind: 'tick'; n: number };
type Subscribe = { kind: 'sub'; topic: string };

export async function wrong() {
  const feed = useReactSocket<Tick, Subscribe>('wss://example.com/feed');
  feed.send({ kind: 'sub', topic: 42 }); // error TS2322
  const text: string = feed.lastMessage?.n; // error TS2322
  const vue = useVueSocket<Tick, Subscribe>(() => 'wss://example.com/feed', { json: 'yes' }); // error TS2322
  vue.data.value?.missing; // error TS2339
  useReactSocket(42); // error TS2345
  const sock = await connect<Tick, Subscribe>('wss://example.com/feed', { reconnect: { minDelay: '1s' } }); // error TS2322
  sock.on('message', (m) => m.topic); // error TS2339
  const store = socketStore<Tick, Subscribe>('wss://example.com/feed');
  store.subscribe((v) => v.lastMessage?.topic); // error TS2339
  socketStore('wss://example.com/feed', { json: 1 }); // error TS2322
  await connect('wss://example.com/feed', { WebSocket: 42 }); // error TS2322
  return text;
}
