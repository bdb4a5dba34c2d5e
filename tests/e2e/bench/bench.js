// The page side of `npm run bench:browser` (driven by ../bench-browser.mjs):
// the SDK against a raw browser WebSocket, both talking to the dev server's
// /echo from this page.
//
// Round-trip messages/s for the same messages on both sides:
//   text-16B   a 16-byte string
//   json-1KiB  a ~1 KiB object (SDK: json: true; raw: JSON.stringify/parse)
//   bin-64KiB  a 64 KiB ArrayBuffer
// each pipelined (a window of messages in flight) and one at a time (send,
// await the echo, repeat).
//
// This machine is shared and noisy, and a run's throughput drifts by more
// than the difference being measured. So the two sides run in short
// alternating chunks (raw-sdk, then sdk-raw, ...), each pair of neighbouring
// chunks gives one ratio, and a case's ratio is the median over all pairs of
// all runs; the quartiles show the spread. Fresh sockets every run, opened
// in alternating order; the first run is a warm-up.
//
// Query: ?runs=N&cases=text,bin (substring filter). The result is one
// console line `STEADYWS-BENCH <json>`, or `STEADYWS-BENCH-ERROR <text>`.
const params = new URLSearchParams(location.search);
const runs = Number(params.get('runs') ?? 9);
const only = (params.get('cases') ?? '').split(',').filter(Boolean);
// control=1: a raw socket takes the SDK's place (an A/A run: how far from
// 1.000 the method itself lands on this machine).
const control = params.get('control') === '1';
const ws = `ws://${location.host}`;

const text = 'abcdefghijklmnop'; // 16 bytes
const json = { type: 'quote', seq: 0, items: [] };
while (JSON.stringify(json).length < 1000) json.items.push({ sym: 'ABCD', px: 123.45, qty: 100, ok: true });
const bin = new Uint8Array(64 * 1024).map((_, i) => i & 255).buffer;

// Messages per chunk (a chunk takes about 20-40 ms here).
const CASES = [
  { name: 'text-16B', msg: text, json: false, pipelined: 500, serial: 120 },
  { name: 'json-1KiB', msg: json, json: true, pipelined: 300, serial: 100 },
  { name: 'bin-64KiB', msg: bin, json: false, pipelined: 80, serial: 50 },
];
const WINDOW = 64;
const PAIRS = 8; // chunk pairs per run

// A transport: send(m), onmessage(cb), close(). Same message objects on both
// sides; the raw side encodes and decodes JSON itself.
async function rawTransport(url, isJson) {
  const s = new WebSocket(url);
  s.binaryType = 'arraybuffer';
  await new Promise((ok, fail) => { s.onopen = ok; s.onerror = () => fail(new Error(`raw socket to ${url} failed`)); });
  return {
    send: isJson ? (m) => s.send(JSON.stringify(m)) : (m) => s.send(m),
    onmessage: (cb) => { s.onmessage = isJson ? (e) => cb(JSON.parse(e.data)) : (e) => cb(e.data); },
    close: () => s.close(),
  };
}

async function sdkTransport(url, isJson) {
  const { connect } = await import('/pkg/index.js');
  const s = await connect(url, { json: isJson, heartbeat: false });
  await new Promise((ok, fail) => {
    s.on('open', ok);
    s.on('error', fail);
  });
  let handler = () => {};
  s.on('message', (m) => handler(m));
  return { send: (m) => s.send(m), onmessage: (cb) => { handler = cb; }, close: () => s.close() };
}

// Milliseconds for `n` round trips with `window` messages in flight.
async function measure(t, msg, n, window) {
  let sent = 0;
  let got = 0;
  const t0 = performance.now();
  await new Promise((done, fail) => {
    t.onmessage((m) => {
      if (m === undefined || m === null) fail(new Error('echo without data'));
      got += 1;
      if (got === n) done();
      else if (sent < n) { sent += 1; t.send(msg); }
    });
    for (; sent < Math.min(window, n); sent += 1) t.send(msg);
  });
  return performance.now() - t0;
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1]; };
const quartiles = (xs) => { const s = [...xs].sort((a, b) => a - b); return [s[Math.floor((s.length - 1) / 4)], s[Math.ceil(((s.length - 1) * 3) / 4)]]; };

async function run() {
  const rows = [];
  let id = 0;
  for (const c of CASES.filter((k) => !only.length || only.some((o) => k.name.includes(o)))) {
    for (const [mode, n, window] of [['pipelined', c.pipelined, WINDOW], ['one-at-a-time', c.serial, 1]]) {
      const ms = { raw: 0, sdk: 0 };
      const ratios = [];
      for (let r = 0; r < runs + 1; r += 1) {
        const open = [
          ['raw', () => rawTransport(`${ws}/echo?client=bench-raw-${id++}`, c.json)],
          ['sdk', () => (control ? rawTransport : sdkTransport)(`${ws}/echo?client=bench-sdk-${id++}`, c.json)],
        ];
        const t = {};
        for (const [k, f] of r % 2 ? open.reverse() : open) t[k] = await f();
        for (let p = 0; p < PAIRS; p += 1) {
          const pair = {};
          for (const k of p % 2 ? ['sdk', 'raw'] : ['raw', 'sdk']) pair[k] = await measure(t[k], c.msg, n, window);
          if (r === 0) continue; // warm-up
          ms.raw += pair.raw;
          ms.sdk += pair.sdk;
          ratios.push(pair.raw / pair.sdk); // = sdk rate / raw rate
        }
        t.raw.close();
        t.sdk.close();
      }
      const total = runs * PAIRS * n;
      rows.push({
        name: `${c.name}-${mode}`,
        raw: total / (ms.raw / 1000),
        sdk: total / (ms.sdk / 1000),
        ratio: median(ratios),
        iqr: quartiles(ratios),
        pairs: ratios.length,
      });
    }
  }

  // Client-side cost of send() alone (no round trip), for scale: what the SDK
  // adds per message, in µs, next to a raw socket's own cost.
  const sdkT = await sdkTransport(`${ws}/silent?client=bench-send-${id++}`, false);
  const rawT = await rawTransport(`${ws}/silent?client=bench-send-${id++}`, false);
  const N = 20_000;
  const cost = { raw: [], sdk: [] };
  for (let r = 0; r < runs; r += 1) {
    for (const [k, t] of [['raw', rawT], ['sdk', sdkT]]) {
      const t0 = performance.now();
      for (let i = 0; i < N; i += 1) t.send(text);
      cost[k].push(((performance.now() - t0) / N) * 1000);
    }
  }
  sdkT.close();
  rawT.close();
  return { runs, control, rows, sendCost: { raw: median(cost.raw), sdk: median(cost.sdk) } };
}

run().then(
  (result) => console.log(`STEADYWS-BENCH ${JSON.stringify(result)}`),
  (err) => console.log(`STEADYWS-BENCH-ERROR ${err?.stack ?? err}`),
);
