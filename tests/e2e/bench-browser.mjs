// npm run bench:browser — the SDK against a raw browser WebSocket, in one
// page of headless Chromium, both talking to the dev server's /echo.
//
// Round-trip messages/s for the same messages on both sides:
//   text-16B   a 16-byte string
//   json-1KiB  a ~1 KiB object (SDK: json: true; raw: JSON.stringify/parse)
//   bin-64KiB  a 64 KiB ArrayBuffer
// each pipelined (a window of messages in flight) and one at a time (send,
// await the echo, repeat). In each run both sides take turns in small
// chunks (order flipping), so load changes hit both alike; medians of RUNS
// runs, the ratio being the median of the per-run ratios.
// Prints `browser <case> steadyws/raw = <ratio>` per case.
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { ROOT, startServer, launchBrowser } from './harness.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 9);
// Optional filter: BENCH_CASES=bin,json runs only cases whose name contains one.
const ONLY = (process.env.BENCH_CASES ?? '').split(',').filter(Boolean);

if (!existsSync(path.join(ROOT, 'target/site/pkg/index.js')) || !existsSync(path.join(ROOT, 'target/release/steadyws'))) {
  execFileSync('bash', [path.join(ROOT, 'scripts/build.sh')], { stdio: 'inherit' });
}

const server = await startServer();
const browser = await launchBrowser();
try {
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.error('page error:', e));
  await page.goto(`${server.url}/`);
  const { rows: results, sendCost } = await page.evaluate(async ({ ws, runs, only }) => {
    const { connect } = await import('/pkg/index.js');

    const text = 'abcdefghijklmnop'; // 16 bytes
    const json = { type: 'quote', seq: 0, items: [] };
    while (JSON.stringify(json).length < 1000) json.items.push({ sym: 'ABCD', px: 123.45, qty: 100, ok: true });
    const bin = new Uint8Array(64 * 1024).map((_, i) => i & 255).buffer;

    const cases = [
      { name: 'text-16B', msg: () => text, json: false, pipelined: 2000, serial: 400 },
      { name: 'json-1KiB', msg: () => json, json: true, pipelined: 1000, serial: 300 },
      { name: 'bin-64KiB', msg: () => bin, json: false, pipelined: 300, serial: 200 },
    ];
    const WINDOW = 64;

    // A transport: send(m), onmessage(cb), close(). Same message objects
    // on both sides; the raw side encodes/decodes JSON itself.
    async function rawTransport(url, isJson) {
      const s = new WebSocket(url);
      s.binaryType = 'arraybuffer';
      await new Promise((ok, fail) => { s.onopen = ok; s.onerror = fail; });
      return {
        send: isJson ? (m) => s.send(JSON.stringify(m)) : (m) => s.send(m),
        onmessage: (cb) => { s.onmessage = isJson ? (e) => cb(JSON.parse(e.data)) : (e) => cb(e.data); },
        close: () => s.close(),
      };
    }
    async function sdkTransport(url, isJson) {
      const s = await connect(url, { json: isJson, heartbeat: false });
      await new Promise((ok) => (s.state === 'open' ? ok() : s.on('open', ok)));
      let handler = () => {};
      s.on('message', (m) => handler(m));
      return { send: (m) => s.send(m), onmessage: (cb) => { handler = cb; }, close: () => s.close() };
    }

    // Messages/s for `n` round trips with `window` in flight.
    async function measure(t, msg, n, window) {
      let sent = 0;
      let got = 0;
      const t0 = performance.now();
      await new Promise((done) => {
        t.onmessage((m) => {
          if (m === undefined) throw new Error('no data');
          got += 1;
          if (got === n) done();
          else if (sent < n) { sent += 1; t.send(msg); }
        });
        for (; sent < Math.min(window, n); sent += 1) t.send(msg);
      });
      return n / ((performance.now() - t0) / 1000);
    }

    const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1]; };
    const CHUNKS = 6;
    const out = [];
    let id = 0;
    for (const c of cases.filter((k) => !only.length || only.some((o) => k.name.includes(o)))) {
      for (const [mode, n, window] of [['pipelined', c.pipelined, WINDOW], ['one-at-a-time', c.serial, 1]]) {
        const raw = [];
        const sdk = [];
        const ratios = [];
        for (let r = 0; r < runs + 1; r += 1) {
          const sides = [
            { t: await rawTransport(`${ws}/echo?client=bench-raw-${id++}`, c.json), ms: 0 },
            { t: await sdkTransport(`${ws}/echo?client=bench-sdk-${id++}`, c.json), ms: 0 },
          ];
          // Both sides take turns in small chunks, so a change of machine
          // load hits both alike; the order flips every chunk.
          const per = Math.ceil(n / CHUNKS);
          for (let k = 0; k < CHUNKS; k += 1) {
            for (const side of k % 2 ? [sides[1], sides[0]] : sides) {
              side.ms += per / (await measure(side.t, c.msg(), per, window)) * 1000;
            }
          }
          for (const side of sides) side.t.close();
          if (r === 0) continue; // warm-up
          const [rawRate, sdkRate] = sides.map((side) => (per * CHUNKS) / (side.ms / 1000));
          raw.push(rawRate);
          sdk.push(sdkRate);
          ratios.push(sdkRate / rawRate);
        }
        out.push({ name: `${c.name}-${mode}`, raw: median(raw), sdk: median(sdk), ratio: median(ratios) });
      }
    }
    // Client-side cost of send() alone (no round trip), for scale: what the
    // SDK adds per message, in µs, next to a raw socket's own cost.
    {
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
      return { rows: out, sendCost: { raw: median(cost.raw), sdk: median(cost.sdk) } };
    }
  }, { ws: server.wsUrl, runs: RUNS, only: ONLY });

  console.log(`medians of ${RUNS} runs, round-trip messages/s against /echo (ratio: median of per-run ratios)`);
  console.log(`${'case'.padEnd(26)} ${'raw'.padStart(10)} ${'steadyws'.padStart(10)}  ratio`);
  for (const r of results) {
    console.log(`${r.name.padEnd(26)} ${r.raw.toFixed(0).padStart(10)} ${r.sdk.toFixed(0).padStart(10)}  ${r.ratio.toFixed(3)}`);
  }
  console.log(`send() alone, µs per 16 B message: raw ${sendCost.raw.toFixed(2)}, steadyws ${sendCost.sdk.toFixed(2)}`);
  for (const r of results) console.log(`browser ${r.name} steadyws/raw = ${r.ratio.toFixed(3)}`);
} finally {
  await browser.close();
  await server.stop();
}
